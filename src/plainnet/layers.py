"""Layers with parameters or randomness: ``Dense``, ``Dropout``, ``BatchNormalization``.

The activation layers live in :mod:`plainnet.activations` and are re-exported
here, so ``from plainnet.layers import Dense, ReLU`` works. The contract every
layer follows is described in :mod:`plainnet.base`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import activations, initializers
from ._validation import check_float, check_int
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer

__all__ = [
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Identity",
    "Layer",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "LAYER_TYPES",
]


class Dense(Layer):
    """Fully connected layer ``y = x @ weights + bias``.

    Parameters
    ----------
    n_inputs, n_outputs : int
        Width of the input and of the output.
    activation : str or None, default None
        Shortcut: ``Dense(4, 8, activation="relu")`` applies ``ReLU`` after the
        affine map. Inside a ``Sequential`` model the activation becomes a
        layer of its own, right after this one, so ``model.layers`` shows it.
    weight_init, bias_init : str
        Names of initializers (see :mod:`plainnet.initializers`).
    l1, l2 : float, default 0.0
        Penalties ``l1 * sum(|weights|) + l2 * sum(weights**2)`` added to the
        loss (the bias is not penalised).

    Attributes
    ----------
    weights : ndarray of shape (n_inputs, n_outputs)
    bias : ndarray of shape (n_outputs,)
    grad_weights, grad_bias : ndarray
        Gradients of the loss from the last ``backward`` (overwritten each call).
    needs_input_grad : bool, default True
        Whether ``backward`` computes ``dL/dx``. ``Sequential`` turns it off
        for its first layer, whose input is the data: nobody needs that
        gradient, and skipping it saves a third of the layer's work.
        ``backward`` then returns None.

    Notes
    -----
    With ``x`` of shape ``(batch, in)`` and ``g = dL/dy`` of shape ``(batch, out)``::

        grad_weights = x.T @ g        # (in, batch) @ (batch, out) -> (in, out)
        grad_bias    = g.sum(axis=0)  # (out,)
        dL/dx        = g @ weights.T  # (batch, out) @ (out, in) -> (batch, in)
    """

    param_names = ("weights", "bias")
    cache_names = ("input",)

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        activation: str | None = None,
        weight_init: str = "glorot_uniform",
        bias_init: str = "zeros",
        l1: float = 0.0,
        l2: float = 0.0,
    ) -> None:
        super().__init__()
        self.n_inputs = check_int("n_inputs", n_inputs, 1)
        self.n_outputs = check_int("n_outputs", n_outputs, 1)
        self.activation = activation
        self.activation_layer = None if activation is None else activations.get(activation)
        self.weight_init = weight_init
        self.bias_init = bias_init
        initializers.get(weight_init), initializers.get(bias_init)  # fail early on bad names
        self.l1 = check_float("l1", l1, 0.0)
        self.l2 = check_float("l2", l2, 0.0)
        self.needs_input_grad = True

    def build(self, n_inputs: int, rng: np.random.Generator, dtype: np.dtype) -> int:
        if n_inputs != self.n_inputs:
            raise ValueError(
                f"{self.name} expects {self.n_inputs} inputs, but the layer before it "
                f"gives {n_inputs}"
            )
        self.dtype = np.dtype(dtype)
        shape = (self.n_inputs, self.n_outputs)
        self.weights = initializers.get(self.weight_init)(shape, rng, self.dtype)
        self.bias = initializers.get(self.bias_init)((self.n_outputs,), rng, self.dtype)
        self.grad_weights = np.zeros_like(self.weights)
        self.grad_bias = np.zeros_like(self.bias)
        if self.activation_layer is not None:
            self.activation_layer.build(self.n_outputs, rng, dtype)
        self.built = True
        return self.n_outputs

    def pop_activation(self) -> Layer | None:
        """Detach and return the activation shortcut (``Sequential`` uses this)."""
        layer, self.activation_layer, self.activation = self.activation_layer, None, None
        return layer

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.input = x  # (batch, in), kept for grad_weights
        z = x @ self.weights  # (batch, in) @ (in, out) -> (batch, out)
        z += self.bias
        if self.activation_layer is not None:
            return self.activation_layer.forward(z, training)
        return z

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        if self.activation_layer is not None:
            grad_output = self.activation_layer.backward(grad_output)
        np.matmul(self.input.T, grad_output, out=self.grad_weights)  # (in, out)
        grad_output.sum(axis=0, out=self.grad_bias)  # (out,)
        if self.l1:
            self.grad_weights += self.l1 * np.sign(self.weights)
        if self.l2:
            self.grad_weights += (2.0 * self.l2) * self.weights
        if not self.needs_input_grad:
            return None
        return grad_output @ self.weights.T  # (batch, in)

    def clear_cache(self) -> None:
        super().clear_cache()
        if self.activation_layer is not None:
            self.activation_layer.clear_cache()

    def regularization_loss(self) -> float:
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(self.weights).sum())
        if self.l2:
            penalty += self.l2 * float(np.square(self.weights).sum())
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {
            "n_inputs": self.n_inputs,
            "n_outputs": self.n_outputs,
            "activation": self.activation,
            "weight_init": self.weight_init,
            "bias_init": self.bias_init,
            "l1": self.l1,
            "l2": self.l2,
        }


class Dropout(Layer):
    """Inverted dropout: during training, zero each input with probability ``rate``.

    The surviving inputs are scaled by ``1 / (1 - rate)`` so the expected
    output equals the input; at inference (``training=False``) the layer is
    the identity. The random mask is drawn from the model's generator, so a
    seeded model drops the same units every run.

    Parameters
    ----------
    rate : float in [0, 1)
        Fraction of inputs to drop.
    """

    cache_names = ("mask",)

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = check_float("rate", rate, 0.0, 1.0, max_inclusive=False)
        self.rng: np.random.Generator | None = None
        self.mask: np.ndarray | None = None

    def build(self, n_inputs: int, rng: np.random.Generator, dtype: np.dtype) -> int:
        self.rng = rng
        return super().build(n_inputs, rng, dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        if self.rng is None:
            self.rng = np.random.default_rng()
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.rate
        self.mask = keep * x.dtype.type(1.0 / (1.0 - self.rate))  # (batch, features)
        return x * self.mask

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output if self.mask is None else grad_output * self.mask

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}


class BatchNormalization(Layer):
    """Normalise each feature over the batch, then scale and shift.

    Training::

        mean, var = x.mean(axis=0), x.var(axis=0)         # (features,)
        x_hat = (x - mean) / sqrt(var + epsilon)           # (batch, features)
        y = gamma * x_hat + beta

    and the running statistics move towards the batch's:
    ``moving_mean = momentum * moving_mean + (1 - momentum) * mean`` (same for
    the variance). At inference ``moving_mean``/``moving_variance`` replace
    the batch statistics, so a prediction does not depend on its batch.

    Parameters
    ----------
    momentum : float in [0, 1), default 0.99
    epsilon : float > 0, default 1e-3
    n_features : int or None
        Width of the input; inferred from the previous layer when None.
    """

    param_names = ("gamma", "beta")
    state_names = ("moving_mean", "moving_variance")
    cache_names = ("x_hat", "inv_std", "training")

    def __init__(
        self, momentum: float = 0.99, epsilon: float = 1e-3, n_features: int | None = None
    ) -> None:
        super().__init__()
        self.momentum = check_float("momentum", momentum, 0.0, 1.0, max_inclusive=False)
        self.epsilon = check_float("epsilon", epsilon, 0.0, min_inclusive=False)
        self.n_features = None if n_features is None else check_int("n_features", n_features, 1)

    def build(self, n_inputs: int, rng: np.random.Generator, dtype: np.dtype) -> int:
        if self.n_features is not None and n_inputs != self.n_features:
            raise ValueError(
                f"{self.name} expects {self.n_features} features, but the layer before it "
                f"gives {n_inputs}"
            )
        super().build(n_inputs, rng, dtype)
        self.n_features = n_inputs
        self.gamma = np.ones(n_inputs, dtype=self.dtype)
        self.beta = np.zeros(n_inputs, dtype=self.dtype)
        self.grad_gamma = np.zeros_like(self.gamma)
        self.grad_beta = np.zeros_like(self.beta)
        self.moving_mean = np.zeros(n_inputs, dtype=self.dtype)
        self.moving_variance = np.ones(n_inputs, dtype=self.dtype)
        return n_inputs

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.training = training
        if training:
            mean = x.mean(axis=0)  # (features,)
            var = x.var(axis=0)
            m = self.momentum
            self.moving_mean *= m
            self.moving_mean += (1 - m) * mean
            self.moving_variance *= m
            self.moving_variance += (1 - m) * var
        else:
            mean, var = self.moving_mean, self.moving_variance
        self.inv_std = 1.0 / np.sqrt(var + self.epsilon)  # (features,)
        self.x_hat = (x - mean) * self.inv_std  # (batch, features)
        return self.gamma * self.x_hat + self.beta

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        g = grad_output  # (batch, features)
        np.sum(g * self.x_hat, axis=0, out=self.grad_gamma)
        np.sum(g, axis=0, out=self.grad_beta)
        grad_x_hat = g * self.gamma
        if not self.training:  # statistics are constants at inference
            return grad_x_hat * self.inv_std
        # The batch mean and variance depend on every x; their terms give:
        # dL/dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))
        mean_grad = grad_x_hat.mean(axis=0)
        mean_grad_x_hat = (grad_x_hat * self.x_hat).mean(axis=0)
        return self.inv_std * (grad_x_hat - mean_grad - self.x_hat * mean_grad_x_hat)

    def get_config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "epsilon": self.epsilon, "n_features": self.n_features}


#: Every layer type plainnet can rebuild from a file, by name. Loading uses
#: this fixed table and nothing else: a name not in it is an error.
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Dense,
        Dropout,
        BatchNormalization,
        Identity,
        Sigmoid,
        Tanh,
        ReLU,
        LeakyReLU,
        Softmax,
    )
}
