"""The example scripts run and reach a sensible accuracy (quick settings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_moons_example(tmp_path):
    args = ["--epochs", "50"]
    plotting = True
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        plotting = False
    if plotting:
        args += ["--plot", "moons.png"]
    out = run_example("moons.py", *args, cwd=tmp_path)
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy > 0.9
    if plotting:
        assert (tmp_path / "moons.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_digits_example(tmp_path):
    pytest.importorskip("sklearn")
    out = run_example("digits.py", "--epochs", "10", cwd=tmp_path)
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy > 0.9


def test_fashion_mnist_cnn_example(tmp_path):
    """Quick settings: 2,000 images, 1 epoch; the full run is recorded in RESULTS.md."""
    if not Path("/usr/share/datasets/fashion-mnist").is_dir():
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    out = run_example("fashion_mnist_cnn.py", "--samples", "2000", "--epochs", "1", "--quiet",
                      cwd=tmp_path)
    accuracies = dict(re.findall(r"(MLP|CNN): test accuracy ([0-9.]+)%", out))
    assert set(accuracies) == {"MLP", "CNN"}, out
    assert all(float(value) > 50 for value in accuracies.values()), out


def test_char_lm_example(tmp_path):
    """Quick settings: tiny LSTM and transformer, 10 steps each; the full run is in RESULTS.md."""
    out = run_example("char_lm.py", "--quick", "--quiet", cwd=tmp_path)
    pattern = (r"(lstm|transformer): validation loss ([0-9.]+) nats per character "
               r"\(uniform guess: ([0-9.]+)\)")
    found = {kind: (float(loss), float(uniform))
             for kind, loss, uniform in re.findall(pattern, out)}
    assert set(found) == {"lstm", "transformer"}, out
    assert all(loss < uniform - 0.5 for loss, uniform in found.values()), out
    assert out.count("sample (temperature") == 2
    assert (tmp_path / "char_lm_checkpoints" / "transformer.pnet").exists()
