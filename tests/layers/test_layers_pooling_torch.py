"""Pooling agrees with PyTorch: forward and dL/dx, float64, to 1e-5.

PyTorch is channels-first, ``(batch, channels, height, width)``: inputs are
transposed on the way in and results on the way out. PyTorch pads
symmetrically, so Keras' ``"same"`` (the extra row/column at the bottom/right)
is built with ``F.pad``: ``-inf`` for the maximum; for the average, zeros,
and the window sums divided by the number of real elements in each window.
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet.layers import AveragePool2D, GlobalAveragePool2D, MaxPool2D

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = 1e-5


def random_settings(n: int, seed: int) -> list[tuple]:
    """``(input shape, pool, strides, padding)``: random sizes, overlaps and gaps."""
    rng = np.random.default_rng(seed)
    settings = []
    while len(settings) < n:
        pool = tuple(int(k) for k in rng.integers(1, 5, size=2))
        strides = tuple(int(s) for s in rng.integers(1, 4, size=2))
        padding = str(rng.choice(["valid", "same"]))
        shape = tuple(int(d) for d in rng.integers(1, 10, size=2)) + (int(rng.integers(1, 4)),)
        if padding == "valid" and (shape[0] < pool[0] or shape[1] < pool[1]):
            continue
        settings.append((shape, pool, strides, padding))
    return settings


def to_torch(x: np.ndarray):
    """channels-last NumPy -> channels-first torch tensor that records its gradient."""
    return torch.tensor(x.transpose(0, 3, 1, 2), dtype=torch.float64, requires_grad=True)


def to_numpy(t) -> np.ndarray:
    return t.detach().numpy().transpose(0, 2, 3, 1)


def torch_pool(layer, xt, kind: str):
    """PyTorch's pooling of ``xt`` with the layer's settings, Keras' padding built by hand."""
    (top, bottom), (left, right) = layer.padding_amounts(xt.shape[2], xt.shape[3])
    pads = (left, right, top, bottom)  # F.pad: last axis first
    if kind == "max":
        return F.max_pool2d(F.pad(xt, pads, value=-np.inf), layer.pool_size, layer.strides)
    sums = F.avg_pool2d(F.pad(xt, pads), layer.pool_size, layer.strides, divisor_override=1)
    real = F.pad(torch.ones_like(xt[:1, :1]), pads)  # 1 for a real cell, 0 for padding
    counts = F.avg_pool2d(real, layer.pool_size, layer.strides, divisor_override=1)
    return sums / counts


def compare(layer, x: np.ndarray, reference) -> None:
    """Forward and dL/dx of ``layer`` against ``reference(torch input)``."""
    y = layer.forward(x)
    grad_output = np.random.default_rng(1).normal(size=y.shape)
    grad_x = layer.backward(grad_output)
    xt = to_torch(x)
    yt = reference(xt)
    yt.backward(torch.tensor(grad_output.transpose(0, 3, 1, 2) if y.ndim == 4 else grad_output))
    expected_y = to_numpy(yt) if y.ndim == 4 else yt.detach().numpy()
    np.testing.assert_allclose(y, expected_y, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(grad_x, to_numpy(xt.grad), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("cls, kind", [(MaxPool2D, "max"), (AveragePool2D, "average")])
@pytest.mark.parametrize("shape, pool, strides, padding", random_settings(30, seed=14))
def test_pooling_matches_torch(cls, kind, shape, pool, strides, padding):
    layer = build_layer(cls(pool, strides, padding), shape)
    x = np.random.default_rng(0).normal(size=(3, *shape))
    compare(layer, x, lambda xt: torch_pool(layer, xt, kind))


@pytest.mark.parametrize("shape, pool, strides, padding", random_settings(15, seed=41))
def test_max_pool_ties_go_where_torch_sends_them(shape, pool, strides, padding):
    """Inputs drawn from {0, 1, 2}: most windows hold a tie; both pick the first maximum."""
    layer = build_layer(MaxPool2D(pool, strides, padding), shape)
    x = np.random.default_rng(0).integers(0, 3, size=(3, *shape)).astype(np.float64)
    compare(layer, x, lambda xt: torch_pool(layer, xt, "max"))


@pytest.mark.parametrize("shape, pool", [((5, 7, 2), (3, 3)), ((6, 6, 3), (3, 5)),
                                         ((4, 9, 1), (1, 3))])
def test_average_pool_same_matches_torch_count_include_pad_false(shape, pool):
    """Odd pools with stride 1 pad symmetrically, so torch's own padding applies."""
    layer = build_layer(AveragePool2D(pool, strides=1, padding="same"), shape)
    x = np.random.default_rng(0).normal(size=(2, *shape))
    padding = (pool[0] // 2, pool[1] // 2)
    compare(layer, x, lambda xt: F.avg_pool2d(xt, pool, 1, padding=padding,
                                              count_include_pad=False))


@pytest.mark.parametrize("shape", [(1, 1, 3), (5, 7, 2), (8, 3, 4)])
def test_global_average_pool_matches_torch(shape):
    layer = build_layer(GlobalAveragePool2D(), shape)
    x = np.random.default_rng(0).normal(size=(3, *shape))
    compare(layer, x, lambda xt: xt.mean(dim=(2, 3)))
