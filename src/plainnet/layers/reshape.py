"""``Flatten`` and ``Reshape``: change the shape of each sample, not its numbers.

Neither has parameters; the backward pass reshapes the gradient back::

    forward:  (batch, *input_shape)  -> (batch, *output_shape)
    backward: (batch, *output_shape) -> (batch, *input_shape)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .base import Layer, Shape

__all__ = ["Flatten", "Reshape"]


def _known(layer: Layer, input_shape: Shape) -> tuple[int, ...]:
    if any(d is None for d in input_shape):
        raise ValueError(
            f"{layer.name} expects an input shape with every size known, got "
            f"{tuple(input_shape)}"
        )
    return tuple(input_shape)


class Flatten(Layer):
    """Turn each sample into one row: ``(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)``.

    The usual bridge from images (or sequences) to ``Dense`` layers.
    """

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.dtype = np.dtype(dtype)
        return (math.prod(_known(self, input_shape)),)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x.reshape(len(x), -1)  # (batch, features)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output.reshape(-1, *self.input_shape)  # (batch, *input_shape)


class Reshape(Layer):
    """Give each sample the shape ``target_shape`` (same number of values).

    Parameters
    ----------
    target_shape : tuple of int
        The shape of one sample, without the batch axis; one entry may be
        ``-1``, meaning "whatever size makes the count right" (as in NumPy).

    Examples
    --------
    ``Reshape((28, 28, 1))`` turns rows of 784 pixels into images.
    """

    def __init__(self, target_shape: list[int] | tuple[int, ...]) -> None:
        super().__init__()
        if isinstance(target_shape, numbers.Integral) and not isinstance(target_shape, bool):
            target_shape = (target_shape,)
        if not isinstance(target_shape, (tuple, list)) or not target_shape or not all(
                isinstance(d, numbers.Integral) and not isinstance(d, bool)
                and (d > 0 or d == -1) for d in target_shape):
            raise ValueError(f"target_shape must be a tuple of positive integers (one may be "
                             f"-1), got {target_shape!r}")
        if list(target_shape).count(-1) > 1:
            raise ValueError(f"target_shape may contain -1 once, got {tuple(target_shape)}")
        self.target_shape = tuple(int(d) for d in target_shape)

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.dtype = np.dtype(dtype)
        size = math.prod(_known(self, input_shape))
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise ValueError(f"{self.name} cannot reshape inputs of shape "
                                 f"{tuple(input_shape)} ({size} values) to {self.target_shape}")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(
                f"{self.name} expects inputs of {known} values to reshape to "
                f"{self.target_shape}, got shape {tuple(input_shape)} ({size} values)"
            )
        return self.target_shape

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x.reshape(len(x), *self.output_shape)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output.reshape(-1, *self.input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"target_shape": list(self.target_shape)}
