"""``Dropout``: randomly silence inputs during training."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_float
from .base import Layer, Shape

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout: during training, zero each input with probability ``rate``.

    The surviving inputs are scaled by ``1 / (1 - rate)`` so the expected
    output equals the input; at inference (``training=False``) the layer is
    the identity. Works on inputs of any shape. The random mask is drawn
    from the model's generator, so a seeded model drops the same units every run.

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

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.rng = rng
        return super().build(input_shape, rng, dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        if self.rng is None:
            self.rng = np.random.default_rng()
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.rate
        self.mask = keep * x.dtype.type(1.0 / (1.0 - self.rate))  # same shape as x
        return x * self.mask

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return grad_output if self.mask is None else grad_output * self.mask

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}
