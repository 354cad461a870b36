"""Helpers shared by the tests of plainnet's core (layers, model, training, gradcheck).

Import them with ``from core_helpers import ...``: ``tests/`` is on ``sys.path``
because ``tests/conftest.py`` lives there. (Not ``from conftest import ...``:
``tests/cli/conftest.py`` is another module named ``conftest``, and whichever was
imported last answers to that name.)

* :func:`build_layer` builds a standalone layer (outside a ``Sequential``).
* :func:`numeric_gradient` is the central difference of any scalar function
  with respect to one array, changed in place and put back.
* :func:`numeric_layer_gradient` / :func:`assert_layer_input_gradient` check the
  gradient a layer hands to the layer below it, ``dL/dx`` for
  ``L = sum(layer.forward(x) * grad_out)``; ``plainnet.gradcheck`` only checks
  parameter gradients.
* :func:`assert_gradcheck` runs ``plainnet.gradcheck`` and asserts the error is small.
* :func:`assert_weights_equal` compares two lists of arrays bit for bit.
* :func:`textbook_fit` is the training loop of ``fit``'s docstring on the public
  API only (no packing, kernels or fused updates): what ``fit`` must equal.
* :class:`TinyData` / :func:`make_tiny_data`: a small seeded data set (the
  ``tiny_data`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import plainnet
from plainnet.gradcheck import relative_error

GRADCHECK_TOL = 1e-6


def build_layer(layer, input_shape, seed: int = 0, dtype=np.float64):
    """Build ``layer`` on its own for samples of ``input_shape`` (an int: a width); return it."""
    if isinstance(input_shape, int):
        input_shape = (input_shape,)
    plainnet.layers.build_layer(layer, input_shape, np.random.default_rng(seed), np.dtype(dtype))
    return layer


def away_from_zero(shape, seed: int = 0) -> np.ndarray:
    """Random float64 values with ``|x| >= 0.1``: no ReLU kink within a finite difference."""
    x = np.random.default_rng(seed).normal(size=shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


class FrozenRandomness:
    """Rewinds a layer's own generator (``Dropout.rng``) to where it was when this was made.

    Call the object before every forward pass of a finite difference, so that
    each pass draws the same random mask.
    """

    def __init__(self, layer) -> None:
        rng = getattr(layer, "rng", None)
        self.rng = rng if isinstance(rng, np.random.Generator) else None
        self.state = None if self.rng is None else copy.deepcopy(self.rng.bit_generator.state)

    def __call__(self) -> None:
        if self.rng is not None:
            self.rng.bit_generator.state = copy.deepcopy(self.state)


def numeric_gradient(loss: Callable[[], float], array: np.ndarray,
                     eps: float = 1e-6) -> np.ndarray:
    """Central differences ``(loss(a + eps) - loss(a - eps)) / (2 eps)``, entry by entry.

    ``array`` (float64) is changed in place, one entry at a time, and put back.
    """
    numeric = np.zeros_like(array)
    flat, flat_numeric = array.reshape(-1), numeric.reshape(-1)
    assert np.shares_memory(flat, array), "array must be contiguous"
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = loss()
        flat[i] = original - eps
        minus = loss()
        flat[i] = original
        flat_numeric[i] = (plus - minus) / (2 * eps)
    return numeric


def numeric_layer_gradient(layer, x, grad_out, training: bool = False, eps: float = 1e-6):
    """Central-difference ``dL/dx`` for ``L = sum(layer.forward(x, training) * grad_out)``.

    If the layer draws random numbers (``Dropout``) its generator is rewound
    before every forward pass, so every evaluation sees the same mask, and it
    is left rewound so that a following ``forward`` draws that mask again.
    ``x`` must be float64; it is not modified.
    """
    x = np.array(x, dtype=np.float64)
    rewind = FrozenRandomness(layer)

    def loss() -> float:
        rewind()
        return float(np.sum(layer.forward(x, training) * grad_out))

    numeric = numeric_gradient(loss, x, eps)
    rewind()
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
        rewind = FrozenRandomness(layer)
        out = layer.forward(x, training)
        rewind()
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


def assert_weights_equal(a, b) -> None:
    """Two lists of arrays (``get_weights()``) are equal bit for bit."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def textbook_fit(model, X, y, epochs: int, batch_size: int) -> list[float]:
    """Train ``model`` (compiled) as ``fit(..., shuffle=False)`` must; return the batch losses.

    For each batch in order: ``compute_gradients`` (forward, loss, backward, every
    layer's own methods), then ``optimizer.step`` on the trainable parameters.
    """
    losses = []
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):
            stop = start + batch_size
            losses.append(model.compute_gradients(X[start:stop], y[start:stop]))
            model.optimizer.step(model.trainable_parameters())
    return losses


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


# ------------------------------------------------------- small data sets and models
def regression_data(n=40, n_features=3, seed=0):
    """``(X, y)``: a noisy linear target of ``n_features`` normal features."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = X @ rng.normal(size=n_features) + 0.1 * rng.normal(size=n)
    return X, y


def two_feature_classes(n=60, seed=0):
    """``(X, y)``: 2 normal features, 3 classes cut by thresholds."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    return X, y


def tanh_classifier(seed=0):
    """2-8-3 tanh network, float64, compiled with Adam(0.01) and accuracy."""
    model = plainnet.Sequential([plainnet.Dense(8, activation="tanh"), plainnet.Dense(3),
                                 plainnet.Softmax()], seed=seed, dtype=np.float64,
                                input_shape=(2,))
    model.compile(loss="categorical_crossentropy", optimizer=plainnet.Adam(0.01),
                  metrics=["accuracy"])
    return model


def four_feature_classes(n=20, seed=0):
    """``(X, y)``: 4 normal features, classes 0, 1, 2 in turn."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.arange(n) % 3
    return X, y


def relu_classifier(seed=0, dtype=np.float32):
    """4-6-3 ReLU network, not compiled."""
    return plainnet.Sequential([plainnet.Dense(4, 6, activation="relu"), plainnet.Dense(6, 3),
                                plainnet.Softmax()], seed=seed, dtype=dtype)

