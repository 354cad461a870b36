"""Loss functions: how wrong a batch of predictions is, and the gradient of that.

A loss is written once, per *position*: one sample of a table, or one time
step of a sequence (every axis of the output but the last). ``per_position``
gives those losses ``l``, ``position_gradient`` their derivatives ``dl/dy_pred``;
the loss of the batch is their mean, or with weights ``w`` (a sample's weight,
or 0 for a padded step)

    L = sum_i w_i l_i / n          dL/dy_pred_i = w_i dl_i/dy_pred_i / n

with ``n`` the number of positions (Keras's rule: weights are not
renormalised). Every loss has ``__call__(y_true, y_pred) -> float``,
``gradient(y_true, y_pred) -> dL/dy_pred`` (shape of ``y_pred``),
``value_and_gradient`` (both in one pass, what ``fit`` calls) and
``prepare_targets`` (checks and converts the labels once per ``fit``).

========================  ====================================================
loss                      l for one position (``k`` outputs, ``d = p - y``)
========================  ====================================================
MSE                       mean_k d**2
MAE                       mean_k |d|
Huber(delta)              mean_k (d**2 / 2 if |d| <= delta else delta (|d| - delta/2))
BinaryCrossEntropy        -mean_k [y log p + (1 - y) log(1 - p)]
CategoricalCrossEntropy   -sum_k y_k log p_k  (= -log p[label] for integer labels)
========================  ====================================================

These are Keras's and PyTorch's definitions (binary cross-entropy averages
over the outputs, as ``BCELoss`` and Keras' ``BinaryCrossentropy`` do).

The cross-entropies also accept *logits* (raw scores ``z``) instead of
probabilities. Then they use the stable forms

* binary: ``max(z, 0) - z y + log(1 + exp(-|z|))``, gradient ``sigmoid(z) - y``;
* categorical: ``logsumexp(z) - z_y``, gradient ``softmax(z) - onehot(y)``,

which never take the log of a rounded-to-zero probability. ``Sequential``
uses them automatically when the model ends in ``Sigmoid``/``Softmax``
(the fused gradient skips that last layer) or in raw scores, as PyTorch's
``BCEWithLogitsLoss`` and ``CrossEntropyLoss`` do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_float_array, check_bool, check_float, resolve
from .activations import sigmoid, softmax
from .layers.activation import Sigmoid, Softmax

__all__ = ["MAE", "MSE", "BinaryCrossEntropy", "CategoricalCrossEntropy", "Huber", "Loss",
           "get"]


def _match_output_shape(y: np.ndarray, n_outputs: int, name: str) -> np.ndarray:
    """Return ``y`` as ``(n_samples, n_outputs)``; accept ``(n,)`` for one output."""
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

    def prepare_targets(self, y: Any, n_outputs: int, dtype: np.dtype, name: str = "y"):
        """Check ``y`` against the model's outputs and convert it once, before training."""
        y = as_float_array(name, y, dtype)
        return _match_output_shape(y, n_outputs, name)

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

    def prepare_targets(self, y, n_outputs, dtype, name="y"):
        y = super().prepare_targets(y, n_outputs, dtype, name)
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
            return per_output.mean(axis=-1)
        p = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        return -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p)).mean(axis=-1)

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
        losses = (np.maximum(z, 0) - z * y_true + np.log1p(e)).mean(axis=-1)
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

    def prepare_targets(self, y, n_outputs, dtype, name="y"):
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
        y = _match_output_shape(y_float, n_outputs, name)
        if y.size and (y.min() < 0 or not np.allclose(y.sum(axis=1), 1.0, atol=1e-4)):
            raise ValueError(
                f"{name} given as a 2-D array must be one-hot (or probabilities): each row "
                "non-negative and summing to 1"
            )
        return y.astype(dtype)

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
        return np.take_along_axis(values, labels[..., None], axis=-1)[..., 0]

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
                np.put_along_axis(grad, y_true[..., None],
                                  self._labelled(grad, y_true)[..., None] - 1, axis=-1)
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
            np.put_along_axis(probs, y_true[..., None],
                              self._labelled(probs, y_true)[..., None] - 1, axis=-1)
        else:
            losses = (y_true * (np.log(total) - shifted)).sum(axis=-1)
            probs -= y_true
        return weighted_mean(losses, sample_weight), weighted_gradient(probs, sample_weight)


LOSS_TYPES: dict[str, type[Loss]] = {
    "mse": MSE,
    "mean_squared_error": MSE,
    "mae": MAE,
    "mean_absolute_error": MAE,
    "huber": Huber,
    "binary_crossentropy": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
    "sparse_categorical_crossentropy": CategoricalCrossEntropy,
}


def get(loss: str | Loss) -> Loss:
    """Return a loss object from a name (``"mse"``) or the object itself."""
    return resolve("loss", loss, LOSS_TYPES, Loss)


def output_mode(loss: Loss, last_layer: Any) -> tuple[bool, bool]:
    """``(fused, from_logits)``: how a model ending in ``last_layer`` feeds ``loss``.

    ``fused``: the last layer is the ``Sigmoid``/``Softmax`` matching a
    cross-entropy, so training skips it and the loss reads its inputs, the
    logits (the stable, exact gradient ``p - y``). ``from_logits``: whether
    the loss reads logits at all (fused, or a model without a final
    activation whose loss did not say otherwise).
    """
    if not isinstance(loss, (CategoricalCrossEntropy, BinaryCrossEntropy)):
        return False, False
    matching = Softmax if isinstance(loss, CategoricalCrossEntropy) else Sigmoid
    if isinstance(last_layer, matching):
        if loss.from_logits is True:
            raise ValueError(
                "the loss has from_logits=True, but the model ends in "
                f"{type(last_layer).__name__}, so its outputs are probabilities; drop "
                "from_logits (the gradient is fused automatically) or remove the last layer"
            )
        return True, True
    if isinstance(last_layer, (Sigmoid, Softmax)):
        return False, bool(loss.from_logits)
    return False, loss.from_logits is not False

