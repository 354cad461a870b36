"""bench_lm.py compares like with like: the same weights, the same updates (timings untested)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_lm  # noqa: E402


@pytest.mark.parametrize("kind", ["lstm", "transformer"])
def test_plainnet_and_torch_start_equal_and_take_the_same_steps(kind):
    pytest.importorskip("torch")
    model = bench_lm.plainnet_model(kind, 20)
    plain_train, plain_loss = bench_lm.plainnet_contender(model)
    torch_train, torch_loss = bench_lm.torch_contender(kind, model)
    tokens = np.random.default_rng(0).integers(0, 20, (2, 4, 13))  # 2 steps of batch 4
    X, y = tokens[..., :-1], tokens[..., 1:]
    before = plain_loss(X[0], y[0])
    assert torch_loss(X[0], y[0]) == pytest.approx(before, abs=1e-5)
    plain_train(X, y)
    torch_train(X, y)
    after = plain_loss(X[0], y[0])
    assert after < before - 0.01  # it learns
    assert torch_loss(X[0], y[0]) == pytest.approx(after, abs=1e-4)
