"""The cross-entropies: binary (one 0/1 label per output) and categorical (one class).

Both read probabilities or logits; from logits they use the stable forms
``max(z, 0) - z y + log(1 + exp(-|z|))`` and ``logsumexp(z) - z_y``, whose
gradients are ``sigmoid(z) - y`` and ``softmax(z) - onehot(y)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_float_array, check_float
from ..activations import sigmoid, softmax
from .base import (
    Loss,
    describe_shape,
    fits_shape,
    match_output_shape,
    weighted_gradient,
    weighted_mean,
)

__all__ = ["BinaryCrossEntropy", "CategoricalCrossEntropy"]


def _mean_over_outputs(values: np.ndarray) -> np.ndarray:
    """The mean over the last axis (the outputs); one output: the values themselves."""
    if values.shape[-1] == 1:  # the common binary case: no reduction to pay for
        return values[..., 0]
    return values.sum(axis=-1) / values.shape[-1]


class _CrossEntropy(Loss):
    """What the two cross-entropies share: ``from_logits`` and the clipping ``epsilon``."""

    def __init__(self, from_logits: bool | None = None, epsilon: float = 1e-7) -> None:
        super().__init__(from_logits)
        self.epsilon = check_float("epsilon", epsilon, 0.0, 0.5,
                                   min_inclusive=False, max_inclusive=False)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}


class BinaryCrossEntropy(_CrossEntropy):
    """Binary cross-entropy for 0/1 targets, one column per independent label.

    ``l = -mean_k [y_k log p_k + (1 - y_k) log(1 - p_k)]`` per sample, the
    mean over its outputs (as Keras' ``BinaryCrossentropy`` and PyTorch's
    ``BCELoss``), then the mean over samples.

    Parameters
    ----------
    from_logits : bool or None
        Whether ``y_pred`` holds logits ``z`` (then the stable form
        ``max(z, 0) - z y + log(1 + exp(-|z|))`` is used); see :class:`Loss`.
    epsilon : float, default 1e-7
        Probabilities are clipped to ``[epsilon, 1 - epsilon]`` (unused with logits).
    """

    name = "binary_crossentropy"

    def prepare_targets(self, y, n_outputs, dtype, name="y", output_shape=None):
        y = super().prepare_targets(y, n_outputs, dtype, name, output_shape)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(
                f"{name} must hold values in [0, 1] for binary_crossentropy, got values from "
                f"{y.min():g} to {y.max():g}"
            )
        return y

    def per_position(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        if self._logits(from_logits):
            z = y_pred
            per_output = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
            return _mean_over_outputs(per_output)
        p = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        return -_mean_over_outputs(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))

    def position_gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        k = y_pred.shape[-1]
        if self._logits(from_logits):
            grad = sigmoid(y_pred) - y_true
            grad *= 1.0 / k
            return grad
        p = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        return (p - y_true) / (p * (1 - p)) / k

    def value_and_gradient(self, y_true, y_pred, from_logits=None, sample_weight=None):
        if not self._logits(from_logits):
            return super().value_and_gradient(y_true, y_pred, from_logits, sample_weight)
        z = y_pred  # (batch, outputs)
        e = np.exp(-np.abs(z))  # shared by the stable loss and the stable sigmoid
        losses = _mean_over_outputs(np.maximum(z, 0) - z * y_true + np.log1p(e))
        grad = np.where(z >= 0, 1, e) / (1 + e)  # sigmoid(z), as activations.sigmoid
        grad -= y_true
        grad *= 1.0 / z.shape[-1]  # (sigmoid(z) - y) / k
        return weighted_mean(losses, sample_weight), weighted_gradient(grad, sample_weight)


class CategoricalCrossEntropy(_CrossEntropy):
    """Cross-entropy for one class per sample, ``l = -log p[y]`` (``-sum_k y_k log p_k``).

    Targets may be integer labels ``(n,)`` in ``[0, n_classes)`` or one-hot
    (or soft) rows ``(n, n_classes)`` that sum to 1. From logits ``z`` the
    loss is ``logsumexp(z) - z[y]`` and its gradient the fused
    ``(softmax(z) - onehot(y)) / n``.

    Parameters
    ----------
    from_logits, epsilon
        As for :class:`BinaryCrossEntropy`, except that probabilities are
        clipped to ``[epsilon, 1]`` only (one log per sample).
    """

    name = "categorical_crossentropy"

    def prepare_targets(self, y, n_outputs, dtype, name="y", output_shape=None):
        """Integer labels (one axis fewer than the outputs), or one-hot rows."""
        if output_shape is not None and len(output_shape) > 1:
            return self._sequence_targets(y, n_outputs, dtype, name, tuple(output_shape))
        if n_outputs < 2:
            raise ValueError(
                "categorical_crossentropy needs a model with at least 2 outputs (one per "
                f"class), this one has {n_outputs}; use binary_crossentropy for 2 classes "
                "with one output"
            )
        if isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu":
            return self._check_labels(y, n_outputs, name)  # labels already: no float copy
        y_float = as_float_array(name, y, np.dtype(np.float64))
        if y_float.ndim == 1:  # integer labels, written as floats
            if y_float.size and (np.any(y_float != np.round(y_float))):
                raise ValueError(f"{name} must hold integer class labels, got non-integers")
            return self._check_labels(y_float, n_outputs, name)
        if y_float.ndim == 2 and y_float.shape[1] == 1:  # a column of labels
            raise ValueError(
                f"{name} has shape {y_float.shape}, but class labels must be 1-D, shape "
                f"(n_samples,) (use {name}.ravel()), or one-hot rows of shape (n_samples, "
                f"{n_outputs})"
            )
        y = match_output_shape(y_float, n_outputs, name)
        if y.size and (y.min() < 0 or not np.allclose(y.sum(axis=1), 1.0, atol=1e-4)):
            raise ValueError(
                f"{name} given as a 2-D array must be one-hot (or probabilities): each row "
                "non-negative and summing to 1"
            )
        return y.astype(dtype)

    def _sequence_targets(self, y, n_outputs, dtype, name, output_shape):
        """Targets of outputs of several axes: labels ``(n, time)``, one-hot ``(n, time, k)``."""
        y = np.asarray(y)
        if y.dtype.kind not in "iufb" or y.ndim not in (len(output_shape), len(output_shape) + 1):
            raise ValueError(
                f"{name} has shape {y.shape}, but the model's outputs have shape "
                f"{describe_shape(output_shape)}: expected integer labels of shape "
                f"{describe_shape(output_shape[:-1])} or one-hot rows of that shape")
        if y.ndim == len(output_shape) + 1:  # one-hot or probabilities
            return match_output_shape(as_float_array(name, y, dtype), n_outputs, name,
                                       output_shape)
        if not fits_shape(y.shape[1:], output_shape[:-1]):
            raise ValueError(f"{name} has shape {y.shape}, but the labels must have shape "
                             f"{describe_shape(output_shape[:-1])}")
        if y.dtype.kind == "f":
            y = as_float_array(name, y, np.dtype(np.float64))
            if y.size and np.any(y != np.round(y)):
                raise ValueError(f"{name} must hold integer class labels, got non-integers")
        return self._check_labels(y, n_outputs, name)

    @staticmethod
    def _check_labels(y: np.ndarray, n_outputs: int, name: str) -> np.ndarray:
        """Integer class labels, checked against the number of classes, as ``intp``."""
        if y.size and (y.min() < 0 or y.max() >= n_outputs):
            raise ValueError(
                f"{name} must hold class labels in [0, {n_outputs - 1}] for a model with "
                f"{n_outputs} outputs, got labels from {y.min():g} to {y.max():g}"
            )
        return y.astype(np.intp, copy=False)

    @staticmethod
    def _labelled(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """``values[..., label]`` at each position: the true class's entry."""
        if values.ndim == 2:  # a table: one fancy index (take_along_axis costs more)
            return values[np.arange(len(labels)), labels]
        return np.take_along_axis(values, labels[..., None], axis=-1)[..., 0]

    @staticmethod
    def _subtract_one(values: np.ndarray, labels: np.ndarray) -> None:
        """``values[..., label] -= 1`` at each position (softmax(z) - onehot(y), in place)."""
        if values.ndim == 2:
            values[np.arange(len(labels)), labels] -= 1
        else:
            np.put_along_axis(values, labels[..., None],
                              np.take_along_axis(values, labels[..., None], axis=-1) - 1, axis=-1)

    def _log_probs(self, y_pred, from_logits) -> np.ndarray:
        if self._logits(from_logits):
            shifted = y_pred - y_pred.max(axis=-1, keepdims=True)  # (..., classes)
            return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return np.log(np.clip(y_pred, self.epsilon, 1.0))

    def per_position(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        log_probs = self._log_probs(y_pred, from_logits)
        if y_true.ndim == y_pred.ndim - 1:  # integer labels
            return -self._labelled(log_probs, y_true)
        return -(y_true * log_probs).sum(axis=-1)

    def position_gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        labels = y_true.ndim == y_pred.ndim - 1
        if self._logits(from_logits):
            grad = softmax(y_pred)  # softmax(z) - onehot(y)
            if labels:
                self._subtract_one(grad, y_true)
            else:
                grad -= y_true
            return grad
        p = np.clip(y_pred, self.epsilon, 1.0)
        if labels:
            grad = np.zeros_like(p)
            np.put_along_axis(grad, y_true[..., None], -1.0 / self._labelled(p, y_true)[..., None],
                              axis=-1)
            return grad
        return -y_true / p

    def value_and_gradient(self, y_true, y_pred, from_logits=None, sample_weight=None):
        if not self._logits(from_logits):
            return super().value_and_gradient(y_true, y_pred, from_logits, sample_weight)
        shifted = y_pred - y_pred.max(axis=-1, keepdims=True)  # (batch, classes)
        exp = np.exp(shifted)
        total = exp.sum(axis=-1, keepdims=True)  # (batch, 1)
        probs = exp / total  # softmax(z), becomes the gradient
        if y_true.ndim == y_pred.ndim - 1:  # integer labels
            losses = np.log(total[..., 0]) - self._labelled(shifted, y_true)
            self._subtract_one(probs, y_true)
        else:
            losses = (y_true * (np.log(total) - shifted)).sum(axis=-1)
            probs -= y_true
        return weighted_mean(losses, sample_weight), weighted_gradient(probs, sample_weight)
