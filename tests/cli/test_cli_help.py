"""``plainnet --help`` and ``plainnet COMMAND --help``: every command explained, with examples."""

from __future__ import annotations

import re

import pytest
from cli_helpers import COMMANDS, run


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_an_example(command, tmp_path):
    result = run(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: plainnet")
    assert re.search(r"^example:\n  plainnet ", result.stdout, re.MULTILINE), result.stdout
    if command is None:
        for name in COMMANDS:
            assert name in result.stdout


def test_help_shows_the_options_of_the_specification(tmp_path):
    options = {
        "xor": ["--epochs", "--learning-rate", "--seed", "--plot"],
        "train": ["DATA.csv", "--target", "--task", "--hidden", "--activation", "--optimizer",
                  "--learning-rate", "--epochs", "--batch-size", "--validation-split",
                  "--early-stopping", "--seed", "--out", "--checkpoint", "--resume", "--plot"],
        "predict": ["MODEL", "DATA.csv", "--out", "--proba"],
        "evaluate": ["MODEL", "DATA.csv", "--target"],
        "summary": ["MODEL"],
        "plot": ["MODEL", "DATA.csv", "--target", "--out"],
    }
    for command, names in options.items():
        text = run(command, "--help", cwd=tmp_path, check=True).stdout
        for name in names:
            assert name in text, (command, name)
