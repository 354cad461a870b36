"""Activation functions: element-wise (or row-wise, for softmax) non-linearities.

The layers that apply them inside a model (``ReLU``, ``Sigmoid``, ...) are in
:mod:`plainnet.layers.activation`; ``plainnet.activations.ReLU`` finds them there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["gelu", "gelu_derivative", "sigmoid", "softmax"]

#: sqrt(2 / pi) and the cubic coefficient of GELU's tanh form
GELU_SCALE = float(np.sqrt(2.0 / np.pi))
GELU_CUBIC = 0.044715


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function ``1 / (1 + exp(-x))``.

    ``exp`` is only ever taken of ``-|x|`` (at most 1, never overflowing):
    for ``x >= 0`` the formula as written, for ``x < 0`` the same value as
    ``exp(x) / (1 + exp(x))``, accurate far into the negative tail
    (``sigmoid(-30) = 9.4e-14``).
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":  # ints/bools/lists: compute in float64, never truncate to int
        x = x.astype(np.float64)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1, e) / (1 + e)


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable because ``softmax(x) == softmax(x - max(x))``."""
    shifted = x - x.max(axis=-1, keepdims=True)  # (batch, classes), every entry <= 0
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def gelu(x: np.ndarray) -> np.ndarray:
    """Gaussian error linear unit, in its tanh form (GPT-2's and BERT's)::

        gelu(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))

    a close approximation (within 5e-4) of the exact ``x * Phi(x)``, with
    ``Phi`` the standard normal CDF. It is PyTorch's
    ``torch.nn.GELU(approximate="tanh")`` and Keras's ``gelu(x, approximate=True)``;
    the tanh form is used because NumPy has no vectorised ``erf``.
    """
    u = GELU_SCALE * (x + GELU_CUBIC * x * x * x)  # x * x * x: many times faster than x**3
    return 0.5 * x * (1.0 + np.tanh(u))


def gelu_derivative(x: np.ndarray) -> np.ndarray:
    """``d gelu / dx`` of the tanh form, with ``u = sqrt(2/pi) (x + 0.044715 x**3)``::

        0.5 * (1 + tanh(u)) + 0.5 * x * (1 - tanh(u)**2) * sqrt(2/pi) * (1 + 3 * 0.044715 x**2)
    """
    t = np.tanh(GELU_SCALE * (x + GELU_CUBIC * x * x * x))
    du_dx = GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * x**2)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * du_dx


def __getattr__(name: str) -> Any:
    """``plainnet.activations.ReLU`` and ``get`` still work: the layers live in
    :mod:`plainnet.layers.activation` and are looked up there when asked for."""
    if name in _LAYER_NAMES:
        from .layers import activation

        return getattr(activation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_LAYER_NAMES = ("GELU", "Identity", "LeakyReLU", "ReLU", "Sigmoid", "Softmax", "Tanh", "get")

