"""The base of every loss: one loss per position, reduced to the batch's (weighted) mean.

See :mod:`plainnet.losses` for the losses themselves and their formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_float_array, check_bool

__all__ = ["Loss", "describe_shape", "fits_shape", "match_output_shape", "weighted_gradient",
           "weighted_mean"]


def describe_shape(shape: tuple) -> str:
    return "(n_samples, " + ", ".join("any" if d is None else str(d) for d in shape) + ")"


def fits_shape(shape: tuple, expected: tuple) -> bool:
    """Whether ``shape`` (no batch axis) is ``expected``, ``None`` there matching any length."""
    return len(shape) == len(expected) and all(
        e is None or e == d for d, e in zip(shape, expected))


def match_output_shape(y: np.ndarray, n_outputs: int, name: str,
                        output_shape: tuple | None = None) -> np.ndarray:
    """Return ``y`` as ``(n_samples, n_outputs)``; accept ``(n,)`` for one output.

    For outputs of several axes (a sequence's ``(time, outputs)``), ``y`` must
    have the outputs' shape.
    """
    if output_shape is not None and len(output_shape) > 1:
        if not fits_shape(y.shape[1:], output_shape):
            raise ValueError(f"{name} has shape {y.shape}, but the model's outputs have shape "
                             f"{describe_shape(output_shape)}: expected that shape")
        return y
    if y.ndim == 1 and n_outputs == 1:
        return y.reshape(-1, 1)
    if y.ndim == 2 and y.shape[1] == n_outputs:
        return y
    raise ValueError(
        f"{name} has shape {y.shape}, but the model gives {n_outputs} output(s) per sample: "
        f"expected shape (n_samples, {n_outputs})"
        + (" or (n_samples,)" if n_outputs == 1 else "")
    )


def _broadcast_weights(weights: np.ndarray, positions: tuple[int, ...]) -> np.ndarray:
    """Weights per sample ``(batch,)`` or per position, as an array of the positions' shape."""
    return weights.reshape(weights.shape + (1,) * (len(positions) - weights.ndim))


def weighted_mean(losses: np.ndarray, weights: np.ndarray | None) -> float:
    """``sum_i w_i l_i / n`` over the ``n`` positions of ``losses`` (``w = 1`` if None)."""
    n = max(losses.size, 1)
    if weights is None:
        return float(losses.sum()) / n
    w = np.broadcast_to(_broadcast_weights(weights, losses.shape), losses.shape)
    return float(np.vdot(w, losses)) / n


def weighted_gradient(grad: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """``w_i dl_i / n`` from ``grad = dl_i/dy_pred`` (scaled in place; positions: all axes
    but the last)."""
    n = max(grad[..., 0].size, 1)
    if weights is None:
        grad *= 1.0 / n
    else:
        grad *= (_broadcast_weights(weights, grad.shape[:-1]) / n)[..., None]
    return grad


class Loss:
    """Base class of the losses.

    A loss of your own defines ``per_position`` and ``position_gradient``
    (then weights, masks and every reduction work), or, as before, only
    ``__call__`` and ``gradient`` (then it cannot take sample weights).

    Parameters
    ----------
    from_logits : bool or None
        Only for the cross-entropies: whether ``y_pred`` holds raw scores.
        ``None`` lets ``Sequential`` decide from the model's last layer.
    """

    name = "loss"

    def __init__(self, from_logits: bool | None = None) -> None:
        if from_logits is not None:
            from_logits = check_bool("from_logits", from_logits)
        self.from_logits = from_logits

    def prepare_targets(self, y: Any, n_outputs: int, dtype: np.dtype, name: str = "y",
                        output_shape: tuple | None = None):
        """Check ``y`` against the model's outputs and convert it once, before training.

        ``output_shape`` (no batch axis) is given for outputs of several axes.
        """
        y = as_float_array(name, y, dtype)
        return match_output_shape(y, n_outputs, name, output_shape)

    # ---------------------------------------------------- written once per loss
    def per_position(self, y_true, y_pred, from_logits: bool | None = None) -> np.ndarray:
        """The loss of each position, shape ``y_pred.shape[:-1]``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define per_position(y_true, y_pred), so it "
            "cannot weight samples; define per_position and position_gradient")

    def position_gradient(self, y_true, y_pred, from_logits: bool | None = None) -> np.ndarray:
        """``d l_i / d y_pred`` for each position ``i``, shape of ``y_pred`` (not divided by n)."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define position_gradient(y_true, y_pred)")

    # ------------------------------------------------------------- reductions
    def __call__(self, y_true, y_pred, from_logits: bool | None = None,
                 sample_weight: np.ndarray | None = None) -> float:
        """``L = sum_i w_i l_i / n``, the (weighted) mean loss over the positions."""
        return weighted_mean(self.per_position(y_true, y_pred, from_logits), sample_weight)

    def gradient(self, y_true, y_pred, from_logits: bool | None = None,
                 sample_weight: np.ndarray | None = None) -> np.ndarray:
        """``dL/dy_pred = w_i dl_i/dy_pred / n``, shaped like ``y_pred``."""
        return weighted_gradient(self.position_gradient(y_true, y_pred, from_logits),
                                 sample_weight)

    def value_and_gradient(self, y_true, y_pred, from_logits: bool | None = None,
                           sample_weight: np.ndarray | None = None):
        """``(loss, dL/dy_pred)`` in one pass (the training loop calls this)."""
        if sample_weight is None:
            return (self(y_true, y_pred, from_logits=from_logits),
                    self.gradient(y_true, y_pred, from_logits=from_logits))
        return (weighted_mean(self.per_position(y_true, y_pred, from_logits), sample_weight),
                self.gradient(y_true, y_pred, from_logits, sample_weight))

    def _logits(self, from_logits: bool | None) -> bool:
        if from_logits is None:
            from_logits = self.from_logits
        return bool(from_logits)

    def get_config(self) -> dict[str, Any]:
        return {} if self.from_logits is None else {"from_logits": self.from_logits}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


