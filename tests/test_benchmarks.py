"""The benchmark itself: its FLOP count, its turn-taking, and that every contender trains
(timings themselves are never tested)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_mlp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


def test_training_flops_count_forward_and_backward_products():
    # forward 2*in*out per layer, backward 4*in*out, minus the first layer's input gradient
    assert bench_mlp.training_flops((2, 4, 1)) == 6 * (8 + 4) - 2 * 8
    assert bench_mlp.training_flops((784, 256, 128, 10)) == 1_007_104


def test_race_reports_the_median_of_the_timed_rounds_after_a_warm_up(monkeypatch):
    monkeypatch.setattr(bench_mlp, "SETTLE_SECONDS", 0.0)
    calls = []
    seconds = bench_mlp.race({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                             rounds=3)
    assert calls == ["a", "b"] * 4  # contenders take turns; one warm-up round
    assert set(seconds) == {"a", "b"} and all(t >= 0 for t in seconds.values())


def test_race_lets_the_previous_contenders_threads_idle_before_each_run(monkeypatch):
    events = []
    monkeypatch.setattr(bench_mlp.time, "sleep", lambda s: events.append(("sleep", s)))
    bench_mlp.race({"a": lambda: events.append("a"), "b": lambda: events.append("b")}, rounds=1)
    pause = ("sleep", bench_mlp.SETTLE_SECONDS)
    assert bench_mlp.SETTLE_SECONDS >= 0.1  # OpenBLAS and OpenMP threads spin ~0.1 s
    assert events == [pause, "a", pause, "b"] * 2


def _have(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_every_contender_really_trains_the_same_task(optimizer):
    # A benchmark is only fair if every contender does the work it is timed for:
    # each one must learn a 3-class problem that is linear in 20 features, at
    # the same pace (measured: 0.43-0.71 after one epoch, 0.94-1.0 after 25).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1500, 20), dtype=np.float32)
    y = (X @ rng.standard_normal((20, 3))).argmax(axis=1)
    sizes = (20, 32, 16, 3)
    factories = {"plainnet": bench_mlp.plainnet_mlp, "numpy": bench_mlp.numpy_mlp}
    if _have("sklearn"):
        factories["sklearn"] = bench_mlp.sklearn_mlp
    if _have("torch"):
        factories["torch"] = bench_mlp.torch_mlp
    for name, factory in factories.items():
        epoch = factory(sizes, optimizer, 32, X, y)
        if epoch is None:  # the NumPy loop is plain SGD only
            assert name == "numpy" and optimizer != "sgd"
            continue
        epoch()
        first = np.mean(epoch.predict(X) == y)
        for _ in range(24):
            epoch()
        last = np.mean(epoch.predict(X) == y)
        assert first < 0.8 and last > 0.9, (name, first, last)


# ------------------------------------------------------------------ bench_cnn.py

def test_lenet_training_flops_count_both_convolutions_and_the_dense_layers():
    import bench_cnn

    conv1, conv2 = 2 * 28 * 28 * 25 * 6, 2 * 10 * 10 * 150 * 16
    dense = 2 * (400 * 120 + 120 * 84 + 84 * 10)
    assert bench_cnn.training_flops() == 3 * (conv1 + conv2 + dense) - conv1


@pytest.mark.parametrize("library", ["plainnet", "torch"])
def test_every_lenet_contender_really_trains(library):
    # Three epochs of three batches on images whose class is the place of a
    # bright block: each epoch must lower the training loss (measured, SGD(0.01):
    # plainnet 2.33 -> 2.25, PyTorch's smaller initial weights 2.3033 -> 2.3008).
    if library == "torch" and not _have("torch"):
        pytest.skip("torch is not installed")
    import bench_cnn

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 96)
    X = 0.1 * rng.random((96, 28, 28, 1), dtype=np.float32)
    for image, label in zip(X, y):
        row, col = divmod(label, 4)
        image[9 * row:9 * row + 9, 7 * col:7 * col + 7] += 1
    factory = {"plainnet": bench_cnn.plainnet_lenet, "torch": bench_cnn.torch_lenet}[library]
    epoch = factory(32, X, y)
    losses = [epoch.loss(X, y)]
    for _ in range(3):
        epoch()
        losses.append(epoch.loss(X, y))
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert losses[0] - losses[-1] > 1e-3, losses
