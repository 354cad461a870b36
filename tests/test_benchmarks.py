"""The arithmetic behind the benchmark's GFLOP/s figures (timings themselves are never tested)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_mlp  # noqa: E402


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
