"""``PositionalEmbedding``: a learned vector for each position, added to the sequence.

Attention treats its input as a set: shuffle the positions and each output
is shuffled the same way. A transformer learns where each token stands by
adding one learned vector per position to the token's embedding::

    x          (batch, time, dim)       token embeddings, say
    positions  (max_length, dim)        one row per position 0 .. max_length - 1
    y = x + positions[:time]            (batch, time, dim)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .._validation import check_int
from .base import Layer, Shape

__all__ = ["PositionalEmbedding"]


class PositionalEmbedding(Layer):
    """Add a learned vector per position: ``y[b, t] = x[b, t] + positions[t]``.

    Sequences may have any length up to ``max_length`` (the model's
    context); a longer one is refused.

    Parameters
    ----------
    max_length : int >= 1
        Longest sequence the layer accepts.
    dim : int or None, default None
        Width of the input (its last axis); taken from the layer before
        when None, checked when given.
    positions_init : str, default "uniform"
        Initializer of the table (Keras's ``U(-0.05, 0.05)``).

    Attributes
    ----------
    positions : ndarray of shape (max_length, dim)
    grad_positions : ndarray of shape (max_length, dim)
        ``grad_positions[t] = sum over the batch of g[:, t]`` for ``t < time``,
        zero for positions the batch did not reach. ``dL/dx = g``.
    """

    param_names = ("positions",)
    cache_names = ("time",)
    supports_masking = True

    def __init__(self, max_length: int, dim: int | None = None,
                 positions_init: str = "uniform") -> None:
        super().__init__()
        self.max_length = check_int("max_length", max_length, 1)
        self.dim = None if dim is None else check_int("dim", dim, 1)
        initializers.get(positions_init)  # fail early on a bad name
        self.positions_init = positions_init

    def _check_length(self, time: int | None) -> None:
        if time is not None and time > self.max_length:
            raise ValueError(f"{self.name} (PositionalEmbedding) takes sequences of at most "
                             f"max_length={self.max_length} steps, got {time}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input's shape ``(time, dim)``."""
        shape = tuple(input_shape)
        if len(shape) != 2 or shape[1] is None:
            raise ValueError(f"{self.name} (PositionalEmbedding) expects inputs of shape "
                             f"(time, features) with a known number of features, got {shape}")
        if self.dim is not None and shape[1] != self.dim:
            raise ValueError(f"{self.name} (PositionalEmbedding) expects {self.dim} features "
                             f"(dim), but the layer before it gives {shape[1]}")
        self._check_length(shape[0])
        return shape

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """``{"positions": (max_length, dim)}``."""
        return {"positions": (self.max_length, self.compute_output_shape(input_shape)[1])}

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        shape = self.parameter_shapes(input_shape)["positions"]
        self.dim = shape[1]
        self.dtype = np.dtype(dtype)
        self.positions = initializers.get(self.positions_init)(shape, rng, self.dtype)
        self.grad_positions = np.zeros_like(self.positions)
        return tuple(input_shape)

    def forward(self, x: np.ndarray, training: bool = False,
                mask: np.ndarray | None = None) -> np.ndarray:
        if x.ndim != 3 or x.shape[2] != self.dim:
            raise ValueError(f"{self.name} (PositionalEmbedding) expects inputs of shape "
                             f"(batch, time, {self.dim}), got {x.shape}")
        self._check_length(x.shape[1])
        self.time = x.shape[1]
        return x + self.positions[:self.time]  # (batch, time, dim) + (time, dim)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        self.grad_positions = np.zeros_like(self.positions)  # (max_length, dim)
        self.grad_positions[:self.time] = grad_output.sum(axis=0)  # (time, dim)
        return grad_output

    def compute_mask(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
        """Positions stay where they are: the mask goes on unchanged."""
        return mask

    def get_config(self) -> dict[str, Any]:
        return {"max_length": self.max_length, "dim": self.dim,
                "positions_init": self.positions_init}
