"""Misuse of the ``plainnet`` command: one line ``plainnet: error: ...``, exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_error, run, write_csv

from plainnet.cli import main

BAD_USE = [
    # missing files
    (["train", "missing.csv", "--target", "y"], ["missing.csv", "No such file"]),
    (["predict", "colours.pnet", "missing.csv"], ["missing.csv"]),
    (["summary", "missing.pnet"], ["missing.pnet", "no such file"]),
    (["evaluate", "missing.pnet", "colours.csv", "--target", "colour"], ["missing.pnet"]),
    # unknown columns
    (["train", "colours.csv", "--target", "nope"], ["no column named 'nope'"]),
    (["evaluate", "colours.pnet", "colours.csv", "--target", "nope"], ["'nope'"]),
    # non-numeric features
    (["train", "words.csv", "--target", "y"], ["words.csv, line 3", "'x'", "expected a number"]),
    (["predict", "colours.pnet", "words.csv"], ["words.csv, line 3", "expected a number"]),
    # bad numbers
    (["train", "colours.csv", "--target", "colour", "--epochs", "abc"],
     ["--epochs", "expected a positive integer, got 'abc'"]),
    (["train", "colours.csv", "--target", "colour", "--learning-rate", "-1"], ["--learning-rate"]),
    (["train", "colours.csv", "--target", "colour", "--validation-split", "1.5"],
     ["--validation-split"]),
    (["train", "colours.csv", "--target", "colour", "--hidden", "16,x"], ["--hidden"]),
    (["xor", "--epochs", "0"], ["--epochs"]),
    (["train", "nan.csv", "--target", "y"], ["nan.csv, line 3", "missing value"]),
    (["train", "twice.csv", "--target", "y"], ["names the column 'a' more than once"]),
    (["train", "nan.csv", "--target", "a", "--task", "regression", "--no-header"],
     ["nan.csv: without a header, columns are given by number"]),
    # damaged model files
    (["summary", "damaged.pnet"], ["damaged.pnet", "damaged"]),
    (["predict", "text.pnet", "colours.csv"], ["not a plainnet model file"]),
    # the model and the CSV do not fit
    (["evaluate", "colours.pnet", "purple.csv", "--target", "colour"],
     ["'purple'", "not trained on", "blue, green, red"]),
    (["predict", "colours.pnet", "wide.csv", "--no-header"], ["3 feature columns", "expects 2"]),
    (["evaluate", "houses.pnet", "colours.csv", "--target", "colour"], ["no column named"]),
    (["predict", "houses.pnet", "houses.csv", "--proba"], ["--proba needs a classifier"]),
    # usage
    ([], ["required: COMMAND"]),
    (["frobnicate"], ["invalid choice"]),
    (["train", "colours.csv"], ["--target"]),
    (["train", "--data", "moons", "--csv", "a.csv"], ["not both"]),
    (["train", "colours.csv", "--target", "colour", "--resume"], ["--checkpoint"]),
    (["plot", "colours.pnet", "colours.csv", "--target", "colour"], ["--out"]),
    (["train", "colours.csv", "--target", "colour", "--out", "missing/m.pnet"],
     ["does not exist"]),
]


@pytest.fixture(scope="module")
def bad_files(colours, houses):
    """A folder with the two trained models and broken or unsuitable files."""
    folder = colours[0]
    (folder / "houses.pnet").write_bytes((houses[0] / "houses.pnet").read_bytes())
    (folder / "houses.csv").write_bytes((houses[0] / "houses.csv").read_bytes())
    write_csv(folder / "words.csv", ["a", "b", "y"], [[1, 2, 0], [3, "x", 1]])
    write_csv(folder / "nan.csv", ["a", "y"], [[1, 1.5], ["nan", 2.5], [3, 2.5]])
    write_csv(folder / "twice.csv", ["a", "a", "y"], [[1, 2, 0], [3, 4, 1]])
    write_csv(folder / "purple.csv", ["a", "b", "colour"], [[0, 0, "red"], [1, 1, "purple"]])
    write_csv(folder / "wide.csv", ["1", "2", "3"], [[4, 5, 6]])
    (folder / "damaged.pnet").write_bytes((folder / "colours.pnet").read_bytes()[:400])
    (folder / "text.pnet").write_text("hello")
    return folder


@pytest.mark.parametrize("args, fragments", BAD_USE,
                         ids=[" ".join(args) or "(nothing)" for args, _ in BAD_USE])
def test_bad_use_is_one_line_and_status_2(args, fragments, bad_files):
    before = set(bad_files.iterdir())
    assert_error(run(*args, cwd=bad_files), *fragments)
    assert set(bad_files.iterdir()) == before  # nothing written


def test_unreadable_csv_files_are_one_line_errors(colours, tmp_path, monkeypatch, capsys):
    folder, _, _, _ = colours
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLAINNET_DEBUG", raising=False)
    Path("huge.csv").write_text("a,b\n1," + "2" * 200_000 + "\n")  # over csv's cell limit
    Path("latin1.csv").write_bytes("a,lösung\n1,2\n".encode("latin-1"))
    Path("empty.csv").write_text("")
    Path("ragged.csv").write_text("a,b\n1,2\n3\n")
    model = str(folder / "colours.pnet")
    for name in ("huge.csv", "latin1.csv", "empty.csv", "ragged.csv"):
        for args in (["predict", model, name], ["train", name, "--target", "b"]):
            assert main(args) == 2, args
            error = capsys.readouterr().err
            assert error.startswith(f"plainnet: error: {name}") and error.count("\n") == 1, error


def test_main_in_process_returns_the_status(tmp_path, capsys):
    assert main(["summary", str(tmp_path / "missing.pnet")]) == 2
    assert capsys.readouterr().err.startswith("plainnet: error: cannot load")
    with pytest.raises(SystemExit) as exit_info:
        main(["train"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_console_script_if_installed(tmp_path):
    script = Path(sys.executable).parent / ("plainnet.exe" if os.name == "nt" else "plainnet")
    if not script.exists():
        pytest.skip("the plainnet console script is not installed (pip install -e .)")
    result = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("plainnet ")
