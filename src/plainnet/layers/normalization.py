"""Normalisation layers: ``BatchNormalization`` (each feature over the batch) and
``LayerNormalization`` (each sample over its features), then scale and shift."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_float, check_int
from .base import Layer, Shape

__all__ = ["BatchNormalization", "LayerNormalization"]


class BatchNormalization(Layer):
    """Normalise each feature (the last axis) over the batch, then scale and shift.

    Training, with the statistics taken over every axis but the last
    (the batch, and the positions of an image or a sequence)::

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
        Width of the input (its last axis); inferred from the previous layer when None.
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

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        width = input_shape[-1] if input_shape else None
        if width is None:
            raise ValueError(f"{self.name} expects inputs of shape (..., features), got "
                             f"{tuple(input_shape)}")
        if self.n_features is not None and width != self.n_features:
            raise ValueError(
                f"{self.name} expects {self.n_features} features, but the layer before it "
                f"gives {width}"
            )
        self.dtype = np.dtype(dtype)
        self.n_features = width
        self.gamma = np.ones(width, dtype=self.dtype)
        self.beta = np.zeros(width, dtype=self.dtype)
        self.grad_gamma = np.zeros_like(self.gamma)
        self.grad_beta = np.zeros_like(self.beta)
        self.moving_mean = np.zeros(width, dtype=self.dtype)
        self.moving_variance = np.ones(width, dtype=self.dtype)
        return tuple(input_shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.training = training
        if training:
            axes = tuple(range(x.ndim - 1))  # all but the features
            mean, var = x.mean(axis=axes), x.var(axis=axes)  # (features,)
            m = self.momentum
            self.moving_mean[...] = m * self.moving_mean + (1 - m) * mean
            self.moving_variance[...] = m * self.moving_variance + (1 - m) * var
        else:
            mean, var = self.moving_mean, self.moving_variance
        self.inv_std = 1.0 / np.sqrt(var + self.epsilon)  # (features,)
        self.x_hat = (x - mean) * self.inv_std  # (batch, ..., features)
        return self.gamma * self.x_hat + self.beta

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        g = grad_output  # (batch, ..., features)
        axes = tuple(range(g.ndim - 1))
        self.grad_gamma = (g * self.x_hat).sum(axis=axes)  # (features,)
        self.grad_beta = g.sum(axis=axes)
        grad_x_hat = g * self.gamma
        if not self.training:  # statistics are constants at inference
            return grad_x_hat * self.inv_std
        # The batch mean and variance depend on every x; their terms give:
        # dL/dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))
        mean_grad = grad_x_hat.mean(axis=axes)
        mean_grad_x_hat = (grad_x_hat * self.x_hat).mean(axis=axes)
        return self.inv_std * (grad_x_hat - mean_grad - self.x_hat * mean_grad_x_hat)

    def get_config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "epsilon": self.epsilon, "n_features": self.n_features}


class LayerNormalization(Layer):
    """Normalise each position over its own features (the last axis), then scale and shift.

    Unlike :class:`BatchNormalization`, the statistics belong to one sample
    at one position, so training and inference compute the same thing and
    the batch size does not matter; transformers use it around every block::

        mean = x.mean(axis=-1, keepdims=True)             # (batch, ..., 1)
        var  = x.var(axis=-1, keepdims=True)
        x_hat = (x - mean) / sqrt(var + epsilon)           # (batch, ..., features)
        y = gamma * x_hat + beta

    Backward, with ``dx_hat = g * gamma`` and means over the last axis::

        grad_gamma = sum of g * x_hat over all axes but the last     # (features,)
        grad_beta  = sum of g over all axes but the last
        dL/dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))

    Parameters
    ----------
    epsilon : float > 0, default 1e-3
        Added to the variance (Keras's default; PyTorch's ``nn.LayerNorm`` uses 1e-5).

    Attributes
    ----------
    gamma, beta : ndarray of shape (features,)
        Start at ones and zeros. ``torch.nn.LayerNorm(features, eps=epsilon)``
        computes the same with ``weight = gamma``, ``bias = beta``.
    """

    param_names = ("gamma", "beta")
    cache_names = ("x_hat", "inv_std")
    supports_masking = True

    def __init__(self, epsilon: float = 1e-3) -> None:
        super().__init__()
        self.epsilon = check_float("epsilon", epsilon, 0.0, min_inclusive=False)

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """``{"gamma": (features,), "beta": (features,)}``."""
        width = input_shape[-1] if input_shape else None
        if width is None:
            raise ValueError(f"{self.name} expects inputs of shape (..., features) with a known "
                             f"number of features, got {tuple(input_shape)}")
        return {"gamma": (width,), "beta": (width,)}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input's shape."""
        self.parameter_shapes(input_shape)
        return tuple(input_shape)

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        (width,) = self.parameter_shapes(input_shape)["gamma"]
        self.dtype = np.dtype(dtype)
        self.gamma = np.ones(width, dtype=self.dtype)
        self.beta = np.zeros(width, dtype=self.dtype)
        self.grad_gamma = np.zeros_like(self.gamma)
        self.grad_beta = np.zeros_like(self.beta)
        return tuple(input_shape)

    def forward(self, x: np.ndarray, training: bool = False,
                mask: np.ndarray | None = None) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)  # (batch, ..., 1)
        var = x.var(axis=-1, keepdims=True)
        self.inv_std = 1.0 / np.sqrt(var + self.epsilon)  # (batch, ..., 1)
        self.x_hat = (x - mean) * self.inv_std  # (batch, ..., features)
        return self.gamma * self.x_hat + self.beta

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        g = grad_output  # (batch, ..., features)
        axes = tuple(range(g.ndim - 1))
        self.grad_gamma = (g * self.x_hat).sum(axis=axes)  # (features,)
        self.grad_beta = g.sum(axis=axes)
        grad_x_hat = g * self.gamma
        # mean and variance depend on every feature of the position:
        mean_grad = grad_x_hat.mean(axis=-1, keepdims=True)  # (batch, ..., 1)
        mean_grad_x_hat = (grad_x_hat * self.x_hat).mean(axis=-1, keepdims=True)
        return self.inv_std * (grad_x_hat - mean_grad - self.x_hat * mean_grad_x_hat)

    def compute_mask(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
        """Positions stay where they are: the mask goes on unchanged."""
        return mask

    def get_config(self) -> dict[str, Any]:
        return {"epsilon": self.epsilon}
