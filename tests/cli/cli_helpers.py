"""Helpers for the tests of the ``plainnet`` command, run as a subprocess as a user would."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import plainnet

COMMANDS = ["xor", "train", "predict", "evaluate", "summary", "info", "plot", "plot-history",
            "playground", "lm"]
COLOURS = np.array(["red", "green", "blue"])


def run(*args, cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    """``python -m plainnet ARGS`` in ``cwd``; the result with text stdout/stderr."""
    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    result = subprocess.run([sys.executable, "-m", "plainnet", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def interrupt_at(args, line_start: str, cwd: Path) -> tuple[int, str]:
    """Run ``plainnet *args``, press Ctrl-C once a line of output starts with ``line_start``;
    return its exit status and standard error."""
    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    process = subprocess.Popen([sys.executable, "-m", "plainnet", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.startswith(line_start):
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    return process.returncode, stderr


def assert_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit status 2 and exactly one stderr line ``plainnet: error: ...``, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("plainnet: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def write_csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path_or_text, text: bool = False) -> list[dict[str, str]]:
    if text:
        return list(csv.DictReader(path_or_text.splitlines()))
    with open(path_or_text, newline="") as file:
        return list(csv.DictReader(file))


def assert_real_image(path: Path) -> np.ndarray:
    """A PNG with a drawing in it: many non-white pixels and many colours. Returns RGB."""
    image = pytest.importorskip("matplotlib.image").imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 200
    rgb = image[..., :3]
    drawn = ~(rgb > 0.97).all(axis=2)
    assert drawn.mean() > 0.05, f"{path.name}: only {drawn.mean():.1%} of the pixels drawn"
    assert rgb.std() > 0.05
    assert len(np.unique((rgb * 255).astype(int).reshape(-1, 3), axis=0)) > 30
    return rgb


def saved_weights(path: Path) -> list[np.ndarray]:
    return plainnet.load(path).get_weights()


def assert_same_weights(a: Path, b: Path) -> None:
    """The models saved in ``a`` and ``b`` have bit-for-bit the same weights."""
    for x, y in zip(saved_weights(a), saved_weights(b), strict=True):
        np.testing.assert_array_equal(x, y)
