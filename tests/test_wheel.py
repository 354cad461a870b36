"""The package as a user installs it: a wheel built from this tree, in a fresh environment.

An editable install (what ``make test`` uses) reads the source folders, so a
subpackage missing from the wheel would go unnoticed there. This test builds
the wheel, installs it (not editable) into a new virtual environment with
NumPy only, and runs a smoke test outside the source tree.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE_PACKAGES = sorted(
    ".".join(path.parent.relative_to(ROOT / "src").parts)
    for path in (ROOT / "src" / "plainnet").rglob("__init__.py")
)

SMOKE = """
import importlib, pathlib, sys
import plainnet
assert "site-packages" in plainnet.__file__, plainnet.__file__
for name in sys.argv[1:]:
    importlib.import_module(name)
from plainnet import Sequential, Dense, Sigmoid
model = Sequential([Dense(8, "tanh"), Dense(1), Sigmoid()], seed=0, input_shape=(2,))
model.compile(loss="binary_crossentropy", optimizer="adam")
from plainnet.playground import PlaygroundServer
PlaygroundServer(port=0).server_close()  # it reads the page's files: they are in the wheel
print("smoke ok", len(sys.argv) - 1, "packages")
"""


def run(*command: str, cwd: pathlib.Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_tree(tmp_path):
    pip = [sys.executable, "-m", "pip"]
    try:
        run(*pip, "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(ROOT),
            cwd=tmp_path)
    except AssertionError as error:  # building needs setuptools from the package registry
        if "No matching distribution" in str(error) or "Could not find" in str(error):
            pytest.skip(f"cannot build a wheel here: {error}")
        raise
    wheel = next((tmp_path / "dist").glob("plainnet-*.whl"))
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False, system_site_packages=False)
    python = env_dir / "bin" / "python"
    # NumPy comes from this environment's own site-packages (no download needed)
    numpy_dir = pathlib.Path(__import__("numpy").__file__).parent.parent
    (next((env_dir / "lib").glob("python*/site-packages")) / "outer.pth").write_text(
        f"{numpy_dir}\n")
    run(*pip, "--python", str(python), "install", "--no-deps", "--quiet", str(wheel),
        cwd=tmp_path)
    output = run(str(python), "-c", SMOKE, *SOURCE_PACKAGES, cwd=tmp_path)
    assert f"smoke ok {len(SOURCE_PACKAGES)} packages" in output
    xor = run(str(env_dir / "bin" / "plainnet"), "xor", "--epochs", "200", cwd=tmp_path)
    assert "input  target  output" in xor, xor


def test_every_source_folder_is_a_package():
    """A folder of modules without ``__init__.py`` would be left out of the wheel."""
    for folder in (ROOT / "src" / "plainnet").rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py")):
            assert (folder / "__init__.py").exists(), f"{folder} has no __init__.py"
