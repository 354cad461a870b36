"""Activation layers: element-wise (or row-wise, for softmax) non-linearities.

Each one caches what its derivative needs in ``forward`` and applies the
chain rule in ``backward``: ``dL/dx = dL/dy * dy/dx``.

========== ================================= ===================================
layer      y = f(x)                          dy/dx
========== ================================= ===================================
Identity   x                                 1
Sigmoid    1 / (1 + exp(-x))                 y (1 - y)
Tanh       tanh(x)                           1 - y**2
ReLU       max(x, 0)                         1 if x > 0 else 0
LeakyReLU  x if x > 0 else alpha x           1 if x > 0 else alpha
Softmax    exp(x_i) / sum_j exp(x_j)         Jacobian diag(y) - y y^T (per row)
GELU       0.5 x (1 + tanh(u)),              see :func:`plainnet.activations.gelu`
           u = sqrt(2/pi) (x + 0.044715 x^3)
========== ================================= ===================================

The functions themselves (``sigmoid``, ``softmax``, ``gelu``) are in :mod:`plainnet.activations`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_float, lookup
from ..activations import gelu, gelu_derivative, sigmoid, softmax
from .base import Layer

__all__ = ["ActivationShortcut", "GELU", "Identity", "LeakyReLU", "ReLU", "Sigmoid", "Softmax",
           "Tanh", "get"]


class Identity(Layer):
    """``y = x``: the "no activation" layer (a linear output for regression)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output


class Sigmoid(Layer):
    """Logistic sigmoid ``y = 1 / (1 + exp(-x))``, stable for any ``x``.

    ``dy/dx = y (1 - y)``, so the output is all ``backward`` needs.
    """

    cache_names = ("output",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.output = sigmoid(x)
        return self.output

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        y = self.output
        return grad_output * y * (1.0 - y)


class Tanh(Layer):
    """Hyperbolic tangent ``y = tanh(x)``; ``dy/dx = 1 - y**2``."""

    cache_names = ("output",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.output = np.tanh(x)
        return self.output

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output * (1.0 - self.output**2)


class ReLU(Layer):
    """Rectified linear unit ``y = max(x, 0)``; the gradient passes where ``x > 0``."""

    cache_names = ("mask",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.mask = x > 0  # (batch, features) booleans
        return np.maximum(x, 0)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output * self.mask


class LeakyReLU(Layer):
    """``y = x`` for ``x > 0`` and ``alpha * x`` otherwise, so no unit is ever fully dead.

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs, ``alpha >= 0``.
    """

    cache_names = ("mask",)

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_float("alpha", alpha, 0.0)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.mask = x > 0
        return np.where(self.mask, x, self.alpha * x)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return np.where(self.mask, grad_output, self.alpha * grad_output)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Softmax(Layer):
    """Row-wise softmax: turns scores into probabilities that sum to 1.

    Backward uses the Jacobian-vector product without building the
    ``(classes, classes)`` Jacobian: ``dL/dx = y * (g - sum(g * y))`` per row.
    With a categorical cross-entropy loss the model skips this and uses the
    fused, stable gradient ``softmax(x) - onehot`` instead.
    """

    cache_names = ("output",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.output = softmax(x)
        return self.output

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        y = self.output  # (batch, classes)
        dot = (grad_output * y).sum(axis=-1, keepdims=True)  # (batch, 1)
        return y * (grad_output - dot)


class GELU(Layer):
    """Gaussian error linear unit (tanh form): ``y = 0.5 x (1 + tanh(u))``.

    ``u = sqrt(2/pi) (x + 0.044715 x^3)``.

    The smooth ReLU of transformers (GPT-2, BERT). This is PyTorch's
    ``nn.GELU(approximate="tanh")``, within 5e-4 of the exact ``x * Phi(x)``
    (``nn.GELU()``); ``dy/dx`` is :func:`plainnet.activations.gelu_derivative`
    of the input, which ``forward`` keeps.
    """

    cache_names = ("input",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.input = x
        return gelu(x)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output * gelu_derivative(self.input)


ACTIVATIONS: dict[str, type[Layer]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
    "gelu": GELU,
}


def get(name: str) -> Layer:
    """A new activation layer from its name, e.g. ``get("relu")``."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'relu', got {name!r}")
    return lookup("activation", name, ACTIVATIONS)()


class ActivationShortcut:
    """What a layer with an ``activation="relu"`` shortcut shares (``Dense``, ``Conv2D`` ...).

    On its own, the layer applies the activation right after its own map
    (:meth:`activate` and :meth:`activation_backward`); inside a
    ``Sequential`` the model pops it (:meth:`pop_activation`) so that it
    becomes a layer of its own, visible in ``model.layers``.
    """

    activation: str | None
    activation_layer: Layer | None

    def set_activation(self, activation: str | None) -> None:
        """Take the shortcut's name (or None) and make its layer."""
        if activation is not None and not isinstance(activation, str):
            raise TypeError(f"activation must be a name such as 'relu' or None, got "
                            f"{activation!r}")
        self.activation = activation
        self.activation_layer = None if activation is None else get(activation)

    def pop_activation(self) -> Layer | None:
        """Detach and return the activation layer (``Sequential`` uses this)."""
        layer, self.activation_layer, self.activation = self.activation_layer, None, None
        return layer

    def build_activation(self, output_shape: tuple, rng: np.random.Generator,
                         dtype: np.dtype) -> tuple:
        """Build the activation for this layer's outputs; return ``output_shape``."""
        if self.activation_layer is not None:
            self.activation_layer.build(output_shape, rng, dtype)
        return output_shape

    def activate(self, z: np.ndarray, training: bool) -> np.ndarray:
        """The activation of ``z`` (``z`` itself without one)."""
        return z if self.activation_layer is None else self.activation_layer.forward(z, training)

    def activation_backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``dL/dz`` from ``dL/dy`` through the activation (unchanged without one)."""
        if self.activation_layer is None:
            return grad_output
        return self.activation_layer.backward(grad_output)

    def clear_cache(self) -> None:
        super().clear_cache()
        if self.activation_layer is not None:
            self.activation_layer.clear_cache()

