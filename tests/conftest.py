"""Shared helpers and fixtures for plainnet's tests.

Helpers (import them with ``from conftest import ...``):

* :func:`build_layer` builds a standalone layer (outside a ``Sequential``).
* :func:`numeric_layer_gradient` is the finite-difference ``dL/dx`` of one layer
  for ``L = sum(layer.forward(x) * grad_out)``, which is what ``backward(grad_out)``
  must return. ``plainnet.gradcheck`` only checks parameter gradients; this
  checks the gradient a layer hands to the layer below it.
* :func:`assert_layer_input_gradient` compares the two.
* :func:`assert_gradcheck` runs ``plainnet.gradcheck`` and asserts the error is small.

Fixtures: ``tiny_data`` (a small seeded float64 regression/classification set)
and ``xor`` (the four XOR points).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pytest

import plainnet
from plainnet.gradcheck import relative_error

GRADCHECK_TOL = 1e-6


def build_layer(layer, n_inputs: int, seed: int = 0, dtype=np.float64):
    """Build ``layer`` on its own for inputs of width ``n_inputs``; return the layer."""
    layer.build(n_inputs, np.random.default_rng(seed), np.dtype(dtype))
    return layer


def _rng_state(layer):
    rng = getattr(layer, "rng", None)
    if isinstance(rng, np.random.Generator):
        return rng, copy.deepcopy(rng.bit_generator.state)
    return None, None


def numeric_layer_gradient(layer, x, grad_out, training: bool = False, eps: float = 1e-6):
    """Central-difference ``dL/dx`` for ``L = sum(layer.forward(x, training) * grad_out)``.

    If the layer draws random numbers (``Dropout``) its generator is rewound
    before every forward pass, so every evaluation sees the same mask, and it
    is left rewound so that a following ``forward`` draws that mask again.
    ``x`` must be float64; it is not modified.
    """
    x = np.array(x, dtype=np.float64)
    rng, state = _rng_state(layer)
    numeric = np.zeros_like(x)
    flat_x, flat_numeric = x.reshape(-1), numeric.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        values = []
        for shifted in (original + eps, original - eps):
            flat_x[i] = shifted
            if rng is not None:
                rng.bit_generator.state = state
            values.append(float(np.sum(layer.forward(x, training) * grad_out)))
        flat_x[i] = original
        flat_numeric[i] = (values[0] - values[1]) / (2 * eps)
    if rng is not None:
        rng.bit_generator.state = state
    return numeric


def assert_layer_input_gradient(layer, x, grad_out=None, training: bool = False,
                                tol: float = 1e-7, seed: int = 12345) -> float:
    """Assert ``layer.backward`` returns the finite-difference ``dL/dx``; return the error.

    ``grad_out`` defaults to a random array shaped like the output, so every
    output element matters. The relative error is plainnet's
    ``||a - n|| / (||a|| + ||n||)``.
    """
    x = np.array(x, dtype=np.float64)
    if grad_out is None:
        out = layer.forward(x, training)
        grad_out = np.random.default_rng(seed).normal(size=out.shape)
    numeric = numeric_layer_gradient(layer, x, grad_out, training)
    layer.forward(x, training)  # same generator state as the numeric passes
    analytic = layer.backward(grad_out)
    assert analytic.shape == x.shape
    error = relative_error(analytic, numeric)
    assert error < tol, f"input gradient of {layer!r}: relative error {error:.3g}"
    return error


def assert_gradcheck(model, X, y, tol: float = GRADCHECK_TOL) -> float:
    """Run ``plainnet.gradcheck(model, X, y)``, assert it is below ``tol``, return it."""
    error = plainnet.gradcheck(model, X, y)
    assert isinstance(error, float)
    assert error < tol, f"gradcheck relative error {error:.3g} >= {tol:g}"
    return error


@dataclass(frozen=True)
class TinyData:
    """A small seeded data set: 8 samples, 3 features (float64).

    ``y_reg`` (8, 2) real targets, ``y_bin`` (8,) 0/1 labels with both classes,
    ``y_multi`` (8, 4) independent 0/1 labels, ``labels`` (8,) classes 0..2 (each
    present), ``onehot`` (8, 3) the same classes one-hot.
    """

    X: np.ndarray
    y_reg: np.ndarray
    y_bin: np.ndarray
    y_multi: np.ndarray
    labels: np.ndarray
    onehot: np.ndarray


def make_tiny_data(seed: int = 0) -> TinyData:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, 3))
    labels = np.array([0, 1, 2, 0, 1, 2, 1, 0])
    return TinyData(
        X=X,
        y_reg=rng.normal(size=(8, 2)),
        y_bin=np.array([0, 1, 1, 0, 1, 0, 0, 1]),
        y_multi=(rng.random((8, 4)) > 0.5).astype(float),
        labels=labels,
        onehot=np.eye(3)[labels],
    )


@pytest.fixture
def tiny_data() -> TinyData:
    """A fresh :class:`TinyData` (seed 0)."""
    return make_tiny_data(0)


@pytest.fixture
def xor():
    """``(X, y)``: the four XOR points (int arrays, y of shape (4,))."""
    return np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
