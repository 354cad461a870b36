"""The shape of the package (DESIGN.md): floors, no import circles, short modules.

Read from the source with ``ast`` (nothing is imported): each module's
imports at module level (``import`` statements inside a function are the
documented way to reach an upper floor lazily, and are not counted).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "plainnet"
MAX_LINES = 500
#: a story told in one file may be longer (DESIGN.md, "Size")
LONGER_ALLOWED = {"plainnet.tutorial"}

#: the ground floor: the maths, which must not import models, files, training or screens
GROUND = ("plainnet.layers", "plainnet.activations", "plainnet.losses", "plainnet.optimizers",
          "plainnet.schedules", "plainnet.initializers", "plainnet._validation",
          "plainnet.errors")
ABOVE_GROUND = ("plainnet.model", "plainnet.training", "plainnet.io", "plainnet.cli",
                "plainnet.sklearn", "plainnet.plotting", "plainnet.data", "plainnet.gradcheck",
                "plainnet.metrics", "plainnet.tutorial", "plainnet.distributed",
                "plainnet.playground")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def top_level_imports(module: str) -> list[tuple[str, list[str]]]:
    """``(imported module, names)`` of the module-level imports of ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue  # for type checkers only: not run
        for child in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            if isinstance(child, ast.Import):
                found += [(alias.name, []) for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                target = resolve(module, path.name == "__init__.py", child)
                names = [alias.name for alias in child.names]
                # `from . import x` imports the submodule x
                submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
                found += [(name, []) for name in submodules] or [(target, names)]
    return [(target, names) for target, names in found if target.startswith("plainnet")]


def graph() -> dict[str, set[str]]:
    edges = {}
    for module in MODULES:
        targets = set()
        own_packages = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        for target, _ in top_level_imports(module):
            # importing plainnet.a.b runs plainnet.a's __init__ too (unless it is a package
            # this module belongs to: that one is running already)
            parts = target.split(".")
            targets |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)} & MODULES.keys()
        edges[module] = targets - {module} - own_packages
    return edges


def test_no_import_circles():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def test_the_ground_floor_imports_nothing_above_it():
    for module in MODULES:
        if not module.startswith(GROUND):
            continue
        for target, _ in top_level_imports(module):
            assert not target.startswith(ABOVE_GROUND), f"{module} imports {target}"


def test_nothing_imports_another_modules_private_names():
    for module in MODULES:
        for target, names in top_level_imports(module):
            if target == "plainnet._validation":  # the one set of shared checks
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{module} imports private {private} from {target}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_short(module):
    lines = MODULES[module].read_text().count("\n")
    if module not in LONGER_ALLOWED:
        assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"


def test_the_layout_test_sees_the_package():
    """The checks above can fail: the graph has the edges the package is built on."""
    edges = graph()
    assert "plainnet.layers.base" in edges["plainnet.layers.dense"]
    assert "plainnet.training.loop" in edges["plainnet.model"]
    assert len(MODULES) > 50
