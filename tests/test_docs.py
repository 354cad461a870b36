"""Every code block in README.md and docs/ (tutorial, convolution, sequences, cli) runs.

How the runner reads a Markdown file:

* ```` ```python ```` blocks are executed in order, in one namespace per file, so a
  later block can use the names an earlier one defined. Their printed output is
  captured.
* ```` ```text output ```` right after a python block shows what that block prints:
  the captured output must match it. A line ``...`` stands for any number of lines
  and ``...`` inside a line for any text (as doctest's ELLIPSIS).
* ```` ```console ```` blocks hold commands after a ``$ `` prompt, each followed by
  the output it prints, checked the same way when shown. ```` ```sh ````,
  ```` ```bash ```` and ```` ```shell ```` blocks hold commands only. ``plainnet ...``
  and ``python -m plainnet ...`` run as ``sys.executable -m plainnet ...`` and must
  exit with status 0. The only other lines allowed are ``make demo`` and
  ``make test`` (the suite is itself run by ``make test``, so this file checks that
  the Makefile has those targets instead) and ``pip install ...``. A failed
  command does not stop the file (later python blocks seldom need its files): the
  test fails at the end, listing every failed command.
* ```` ```text ```` blocks without ``output`` are formulas or sample messages: not
  executed. A fenced block with any other language, or none, or a ``~~~`` fence,
  is an error, so that nothing escapes the runner by accident.

Everything runs in a fresh temporary directory (files the docs write land there) with
matplotlib's non-interactive Agg backend.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TUTORIAL = ROOT / "docs" / "tutorial.md"
CLI_DOCS = ROOT / "docs" / "cli.md"
CONVOLUTION = ROOT / "docs" / "convolution.md"
SEQUENCES = ROOT / "docs" / "sequences.md"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
MAKEFILE = ROOT / "Makefile"

SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
#: Shell lines the runner does not execute (see the module docstring).
EXEMPT_COMMANDS = {("make", "demo"), ("make", "test")}

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<info>[^`\n]*)$")


@dataclass
class Block:
    """One fenced code block: its info string, its text and where it starts."""

    path: Path
    line: int  # 1-based line number of the first line of code
    info: str
    code: str

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def where(self) -> str:
        name = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path.name
        return f"{name}:{self.line}"


def read_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, in order."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("~~~"):
            raise AssertionError(f"{path.name}:{i + 1}: use ``` fences, not ~~~")
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body, j = [], i + 1
        while j < len(lines) and not re.match(rf"^ *{fence}`*\s*$", lines[j]):
            line = lines[j]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            j += 1
        if j == len(lines):
            raise AssertionError(f"{path.name}:{i + 1}: code block is never closed")
        blocks.append(Block(path, i + 2, opening["info"].strip(), "\n".join(body) + "\n"))
        i = j + 1
    return blocks


# ------------------------------------------------------------------ output matching


def output_matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` looks like ``expected``, with ``...`` as a wildcard.

    Trailing spaces and blank lines at either end are ignored. A line that is
    just ``...`` matches any number of lines; ``...`` inside a line matches any
    text within that line.
    """
    pattern = []
    for line in expected.strip("\n").splitlines():
        line = line.rstrip()
        if line.strip() == "...":
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            escaped = re.escape(line).replace(re.escape("..."), r"[^\n]*")
            pattern.append(escaped + r"\n")
    text = "".join(line.rstrip() + "\n" for line in actual.strip("\n").splitlines())
    return re.fullmatch("".join(pattern), text) is not None


# ------------------------------------------------------------------ shell lines


def shell_commands(block: Block) -> list[tuple[str, str]]:
    """``(command, expected output)`` pairs of a shell block, continuation lines joined."""
    commands: list[tuple[str, list[str]]] = []
    console = block.language == "console"
    lines = block.code.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if console and not line.startswith("$ "):
            if commands:
                commands[-1][1].append(line)  # output of the command above
            elif line.strip():
                raise AssertionError(f"{block.where}: console output before any `$ ` command")
            i += 1
            continue
        command = line[2:] if console else line
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + " " + lines[i].strip()
        if command.strip() and not command.lstrip().startswith("#"):
            commands.append((command, []))
        i += 1
    return [(command, "\n".join(output)) for command, output in commands]


def plainnet_argv(command: str, where: str) -> list[str] | None:
    """The argv to run for a docs shell line, or None for an exempt line."""
    words = shlex.split(command, comments=True)
    if not words:
        return None
    if words[0] == "plainnet":
        return [sys.executable, "-m", "plainnet", *words[1:]]
    if words[0] in ("python", "python3") and words[1:3] == ["-m", "plainnet"]:
        return [sys.executable, "-m", "plainnet", *words[3:]]
    if tuple(words) in EXEMPT_COMMANDS:
        return None
    if words[:2] in (["pip", "install"], ["pip3", "install"]) or (
        words[0] in ("python", "python3") and words[1:4] == ["-m", "pip", "install"]
    ):
        return None
    raise AssertionError(
        f"{where}: the docs runner cannot run {command!r}. Shell blocks may hold "
        "`plainnet ...`, `python -m plainnet ...`, `make demo`, `make test` and "
        "`pip install ...` lines; show anything else as inline code or in a ```text block."
    )


def run_shell_block(block: Block, cwd: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    for command, expected in shell_commands(block):
        argv = plainnet_argv(command, block.where)
        if argv is None:
            continue
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            raise AssertionError(
                f"{block.where}: `{command}` exited with status {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        if expected.strip() and not output_matches(expected, result.stdout):
            raise AssertionError(
                f"{block.where}: `{command}` printed\n{result.stdout}\n"
                f"but the docs show\n{expected}"
            )


# ------------------------------------------------------------------ running a file


@dataclass
class DocRun:
    """What running a Markdown file left behind."""

    namespace: dict = field(default_factory=dict)
    outputs: list[tuple[Block, str]] = field(default_factory=list)  # python blocks


def run_python_block(block: Block, namespace: dict) -> str:
    """Execute one python block in ``namespace``; return what it printed.

    The code is compiled with the Markdown file as its file name and padded so
    that line numbers in a traceback are the file's own.
    """
    code = compile("\n" * (block.line - 1) + block.code, str(block.path), "exec")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            exec(code, namespace)
        except Exception as error:
            raise AssertionError(
                f"{block.where}: the python block raised {type(error).__name__}: {error}\n"
                f"It had printed:\n{buffer.getvalue()}"
            ) from error
    return buffer.getvalue()


def run_markdown(path: Path, cwd: Path) -> DocRun:
    """Run every block of ``path`` in order, in the directory ``cwd``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = DocRun(namespace={"__name__": "__docs__"})
    previous_output: str | None = None
    shell_failures: list[str] = []  # later blocks rarely need a command's files: go on
    try:
        for block in read_blocks(path):
            language = block.language
            if language == "python":
                previous_output = run_python_block(block, run.namespace)
                run.outputs.append((block, previous_output))
                continue
            if language == "text":
                if "output" in block.info.split()[1:]:
                    if previous_output is None:
                        raise AssertionError(
                            f"{block.where}: an output block must follow a python block")
                    if not output_matches(block.code, previous_output):
                        raise AssertionError(
                            f"{block.where}: the python block above printed\n"
                            f"{previous_output}\nbut the docs show\n{block.code}")
                previous_output = None
                continue
            previous_output = None
            if language in SHELL_LANGUAGES:
                try:
                    run_shell_block(block, cwd)
                except AssertionError as error:
                    shell_failures.append(str(error))
                continue
            raise AssertionError(
                f"{block.where}: code block with language {language!r}; use python, text, "
                "console, sh or bash so the docs runner knows what to do with it"
            )
    finally:
        plt.close("all")
    if shell_failures:
        raise AssertionError("\n\n".join(shell_failures))
    return run


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory) -> DocRun:
    cwd = tmp_path_factory.mktemp("readme")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(cwd)
        return run_markdown(README, cwd)


# ------------------------------------------------------------------ the runner itself


def test_read_blocks_and_output_matching(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n```python\nprint(1)\n```\n\n```text output\n1\n```\n\n"
        "  ```console\n  $ plainnet xor --seed 0   # comment\n  line\n  ```\n",
        encoding="utf-8",
    )
    blocks = read_blocks(page)
    assert [(b.language, b.line) for b in blocks] == [("python", 4), ("text", 8),
                                                      ("console", 12)]
    assert blocks[2].code == "$ plainnet xor --seed 0   # comment\nline\n"
    assert shell_commands(blocks[2]) == [("plainnet xor --seed 0   # comment", "line")]
    assert plainnet_argv("plainnet xor --seed 0  # c", "x")[1:] == ["-m", "plainnet", "xor",
                                                                   "--seed", "0"]
    assert plainnet_argv("make demo", "x") is None
    assert plainnet_argv('pip install "plainnet[plot]"', "x") is None
    with pytest.raises(AssertionError, match="cannot run"):
        plainnet_argv("rm -rf /", "x")
    assert output_matches("a\n...\nd ... f\n", "a\nb\nc\nd e f  \n")
    assert output_matches("a\n...\n", "a\n")
    assert not output_matches("a\nb\n", "a\nc\n")


def test_runner_fails_when_a_block_raises(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n```\n\n```python\nassert x == 2, 'no'\n```\n",
                    encoding="utf-8")
    with pytest.raises(AssertionError, match=r"page.md:6: the python block raised"):
        run_markdown(page, tmp_path)


def test_runner_fails_on_wrong_output_and_unknown_blocks(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(1)\n```\n\n```text output\n2\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="printed"):
        run_markdown(page, tmp_path)
    page.write_text("```\nplainnet xor\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="language ''"):
        run_markdown(page, tmp_path)
    page.write_text("```console\n$ plainnet no-such-command\n```\n\n```python\nx = 1\n```\n",
                    encoding="utf-8")
    with pytest.raises(AssertionError, match="no-such-command` exited with status"):
        run_markdown(page, tmp_path)
    page.write_text("```sh\nls\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="cannot run 'ls'"):
        run_markdown(page, tmp_path)


# ------------------------------------------------------------------ README.md


def test_readme_runs(readme_run):
    assert readme_run.outputs, "the README has no python blocks"


def test_readme_quick_start_is_the_two_make_commands():
    text = README.read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = next(b for b in read_blocks(README) if f"\n{b.code}" in f"\n{quick_start}")
    commands = [shlex.split(c, comments=True) for c, _ in shell_commands(block)]
    assert commands == [["make", "demo"], ["make", "test"]]
    makefile = MAKEFILE.read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no {target} target"


def _fresh_run(block: Block) -> dict:
    namespace: dict = {}
    run_python_block(block, namespace)
    return namespace


def test_readme_first_model_learns_xor(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = next(b for b in read_blocks(README) if b.language == "python")
    namespace = _fresh_run(first)
    predictions = namespace["model"].predict(namespace["X"]).ravel()
    np.testing.assert_allclose(predictions, [0, 1, 1, 0], atol=0.1)
    assert first.code.count("\n") <= 15, "the first example should stay short"


def test_readme_tutorial_network_keeps_its_promise(readme_run):
    nn = readme_run.namespace["nn"]
    outputs = [nn.predict(np.array(x)) for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
    np.testing.assert_allclose(np.ravel(outputs), [0, 1, 1, 0], atol=0.1)


def test_readme_shows_a_picture_and_links_the_docs():
    text = README.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert any(image.startswith("docs/images/") for image in images)
    links = {target.split("#")[0] for target in re.findall(r"\]\(([^)]+)\)", text)}
    for target in ("docs/tutorial.md", "docs/cli.md", "benchmarks/RESULTS.md"):
        assert target in links, f"the README should link {target}"
    assert "](#what-is-in-the-file)" in text, "the README should link the file format section"


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^ {0,3}```.*?^ {0,3}```", "", path.read_text(encoding="utf-8"),
                  flags=re.S | re.M)  # no headings from inside code blocks
    return {github_anchor(h) for h in re.findall(r"^#{1,6} +(.+?) *#*$", text, re.M)}


@pytest.mark.parametrize("page", [README, TUTORIAL, CONVOLUTION, SEQUENCES, CLI_DOCS, RESULTS],
                         ids=lambda p: p.name)
def test_links_and_anchors_resolve(page):
    text = re.sub(r"^ {0,3}```.*?^ {0,3}```", "", page.read_text(encoding="utf-8"),
                  flags=re.S | re.M)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(target)
    assert not broken, f"{page.name} has broken links: {broken}"


# ------------------------------------------------------------------ docs/tutorial.md


def test_tutorial_runs(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")  # the digits section loads scikit-learn's digits
    monkeypatch.chdir(tmp_path)
    run = run_markdown(TUTORIAL, tmp_path)
    assert len(run.outputs) >= 10


#: The heading of docs/convolution.md from which on the blocks need Fashion-MNIST.
FASHION_SECTION = "## 6. Fashion-MNIST"


def test_convolution_chapter_runs(tmp_path, monkeypatch):
    """The whole chapter; without Fashion-MNIST, the sections before it, then a skip."""
    import plainnet.data

    monkeypatch.chdir(tmp_path)
    try:
        plainnet.data.fashion_mnist(kind="test")
    except FileNotFoundError as error:
        text = CONVOLUTION.read_text(encoding="utf-8")
        assert FASHION_SECTION in text, f"docs/convolution.md has no {FASHION_SECTION!r}"
        first_part = tmp_path / "convolution.md"  # a prefix: line numbers stay the same
        first_part.write_text(text.split(FASHION_SECTION, 1)[0], encoding="utf-8")
        run_markdown(first_part, tmp_path)
        pytest.skip(f"sections 6-7 of docs/convolution.md need Fashion-MNIST: {error}")
    run = run_markdown(CONVOLUTION, tmp_path)
    assert len(run.outputs) >= 8


def test_convolution_images_exist_and_are_small():
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", CONVOLUTION.read_text(encoding="utf-8"))
    assert images, "docs/convolution.md shows no picture"
    for image in images:
        path = CONVOLUTION.parent / image
        assert path.is_file(), f"docs/convolution.md shows {image}, which does not exist"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size < 150_000, f"{image} is large; lower the dpi"


def test_sequences_chapter_runs(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")  # the runner draws with the Agg backend
    monkeypatch.chdir(tmp_path)
    run = run_markdown(SEQUENCES, tmp_path)
    assert len(run.outputs) >= 10


def test_sequences_images_exist_and_are_small():
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", SEQUENCES.read_text(encoding="utf-8"))
    assert len(images) >= 2, "docs/sequences.md should show its two pictures"
    for image in images:
        path = SEQUENCES.parent / image
        assert path.is_file(), f"docs/sequences.md shows {image}, which does not exist"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size < 150_000, f"{image} is large; lower the dpi"


def test_cli_docs_run(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    run_markdown(CLI_DOCS, tmp_path)


def test_tutorial_images_exist_and_are_small():
    text = TUTORIAL.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)
    assert len(images) >= 5
    for image in images:
        path = TUTORIAL.parent / image
        assert path.is_file(), f"docs/tutorial.md shows {image}, which does not exist"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size < 150_000, f"{image} is large; lower the dpi"


@pytest.mark.slow
def test_make_figures_runs(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "make_figures.py"),
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            timeout=600, env=dict(os.environ, MPLBACKEND="Agg"))
    assert result.returncode == 0, result.stderr
    shown = set(re.findall(r"\]\(images/([^)]+)\)", TUTORIAL.read_text(encoding="utf-8")
                           + SEQUENCES.read_text(encoding="utf-8")))
    if "skipped the pictures of convolution.md" not in result.stdout:  # Fashion-MNIST is there
        shown |= set(re.findall(r"\]\(images/([^)]+)\)",
                                CONVOLUTION.read_text(encoding="utf-8")))
    assert shown <= {p.name for p in tmp_path.glob("*.png")}
