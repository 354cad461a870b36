"""Losses for real-valued targets: squared, absolute and Huber errors, per position.

``d = y_pred - y_true``; each loss is the mean over a position's ``k`` outputs,
and the batch's loss the (weighted) mean over positions (see :class:`Loss`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_float
from .base import Loss

__all__ = ["MAE", "MSE", "Huber"]


class MSE(Loss):
    """Mean squared error, ``l = mean_k (p_k - y_k)**2`` per position.

    Over a batch that is the mean over every element; gradient
    ``2 (p - y) / n_elements`` (as PyTorch's ``MSELoss`` and Keras'
    ``MeanSquaredError``).
    """

    name = "mse"

    def __init__(self) -> None:
        super().__init__(None)

    def per_position(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return np.mean(np.square(y_pred - y_true), axis=-1)

    def position_gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return (2.0 / y_pred.shape[-1]) * (y_pred - y_true)

    def value_and_gradient(self, y_true, y_pred, from_logits=None, sample_weight=None):
        if sample_weight is not None:
            return super().value_and_gradient(y_true, y_pred, from_logits, sample_weight)
        diff = y_pred - y_true  # (batch, outputs)
        loss = float(np.vdot(diff, diff)) / diff.size  # sum of squares / n, in one call
        diff *= 2.0 / diff.size  # becomes the gradient
        return loss, diff


class MAE(Loss):
    """Mean absolute error, ``l = mean_k |p_k - y_k|`` per position.

    Gradient ``sign(p - y) / k`` per position (0 where ``p == y``, as
    PyTorch's ``L1Loss``). Less swayed by outliers than :class:`MSE`.
    """

    name = "mae"

    def __init__(self) -> None:
        super().__init__(None)

    def per_position(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return np.mean(np.abs(y_pred - y_true), axis=-1)

    def position_gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return np.sign(y_pred - y_true) / y_pred.shape[-1]


class Huber(Loss):
    """Huber loss: squared for small errors, absolute for large ones.

    With ``d = p - y``, per output::

        h(d) = d**2 / 2                     if |d| <= delta
        h(d) = delta * (|d| - delta / 2)    otherwise

    and ``l = mean_k h(d_k)``; gradient ``clip(d, -delta, delta) / k``.
    Keras' ``Huber`` and PyTorch's ``HuberLoss`` (``reduction="mean"``).

    Parameters
    ----------
    delta : float, default 1.0
        Where the loss turns from quadratic to linear (> 0).
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__(None)
        self.delta = check_float("delta", delta, 0.0, min_inclusive=False)

    def per_position(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        error = np.abs(y_pred - y_true)
        quadratic = 0.5 * np.square(error)
        linear = self.delta * (error - 0.5 * self.delta)
        return np.mean(np.where(error <= self.delta, quadratic, linear), axis=-1)

    def position_gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return np.clip(y_pred - y_true, -self.delta, self.delta) / y_pred.shape[-1]

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta}
