"""Loss functions: how wrong a batch of predictions is, and the gradient of that.

Every loss has ``__call__(y_true, y_pred) -> float`` and
``gradient(y_true, y_pred) -> dL/dy_pred`` (same shape as ``y_pred``), plus
``prepare_targets`` which checks and converts the labels once per ``fit``.

========================  ===============================================  ==================
loss                      value                                            mean over
========================  ===============================================  ==================
MSE                       mean((p - y)**2)                                 every element
BinaryCrossEntropy        -[y log p + (1 - y) log(1 - p)], summed over     samples
                          outputs
CategoricalCrossEntropy   -sum_k y_k log p_k                               samples
========================  ===============================================  ==================

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

__all__ = ["BinaryCrossEntropy", "CategoricalCrossEntropy", "Loss", "MSE", "get"]


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


class Loss:
    """Base class of the losses.

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

    def __call__(self, y_true, y_pred, from_logits: bool | None = None) -> float:
        raise NotImplementedError

    def gradient(self, y_true, y_pred, from_logits: bool | None = None) -> np.ndarray:
        raise NotImplementedError

    def value_and_gradient(self, y_true, y_pred, from_logits: bool | None = None):
        """``(loss, dL/dy_pred)`` in one pass (the training loop calls this)."""
        return (self(y_true, y_pred, from_logits=from_logits),
                self.gradient(y_true, y_pred, from_logits=from_logits))

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
    """Mean squared error ``mean((y_pred - y_true)**2)`` over all elements.

    Gradient: ``2 (y_pred - y_true) / n_elements`` (as PyTorch's ``MSELoss``
    and Keras' ``MeanSquaredError`` with one output).
    """

    name = "mse"

    def __init__(self) -> None:
        super().__init__(None)

    def __call__(self, y_true, y_pred, from_logits=None) -> float:
        return float(np.mean(np.square(y_pred - y_true)))

    def gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return (2.0 / y_pred.size) * (y_pred - y_true)

    def value_and_gradient(self, y_true, y_pred, from_logits=None):
        diff = y_pred - y_true  # (batch, outputs)
        loss = float(np.vdot(diff, diff)) / diff.size  # sum of squares / n, in one call
        diff *= 2.0 / diff.size  # becomes the gradient
        return loss, diff


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

    ``L = -(1/n) sum_i sum_k [y log p + (1 - y) log(1 - p)]``, the mean over
    samples of the sum over outputs (one output: the usual mean).

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

    def __call__(self, y_true, y_pred, from_logits=None) -> float:
        n = y_pred.shape[0]
        if self._logits(from_logits):
            z = y_pred
            per_element = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
            return float(per_element.sum() / n)
        p = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        per_element = y_true * np.log(p) + (1 - y_true) * np.log1p(-p)
        return float(-per_element.sum() / n)

    def gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        n = y_pred.shape[0]
        if self._logits(from_logits):
            return (sigmoid(y_pred) - y_true) / n
        p = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
        return (p - y_true) / (p * (1 - p)) / n

    def value_and_gradient(self, y_true, y_pred, from_logits=None):
        if not self._logits(from_logits):
            return super().value_and_gradient(y_true, y_pred, from_logits)
        n, z = y_pred.shape[0], y_pred
        e = np.exp(-np.abs(z))  # shared by the stable loss and the stable sigmoid
        loss = float((np.maximum(z, 0) - z * y_true + np.log1p(e)).sum() / n)
        grad = np.where(z >= 0, 1, e) / (1 + e)  # sigmoid(z), as activations.sigmoid
        grad -= y_true
        grad /= n  # (sigmoid(z) - y) / n
        return loss, grad


class CategoricalCrossEntropy(_CrossEntropy):
    """Cross-entropy for one class per sample, ``-(1/n) sum_i log p_i[y_i]``.

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
    def _one_hot(y_true: np.ndarray, like: np.ndarray) -> np.ndarray:
        if y_true.ndim == 2:
            return y_true
        one_hot = np.zeros_like(like)
        one_hot[np.arange(len(y_true)), y_true] = 1
        return one_hot

    def __call__(self, y_true, y_pred, from_logits=None) -> float:
        n = y_pred.shape[0]
        if self._logits(from_logits):
            shifted = y_pred - y_pred.max(axis=1, keepdims=True)  # (batch, classes)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        else:
            log_probs = np.log(np.clip(y_pred, self.epsilon, 1.0))
        if y_true.ndim == 1:
            return float(-log_probs[np.arange(n), y_true].sum() / n)
        return float(-(y_true * log_probs).sum() / n)

    def gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        n = y_pred.shape[0]
        if self._logits(from_logits):
            grad = softmax(y_pred)
            if y_true.ndim == 1:
                grad[np.arange(n), y_true] -= 1
            else:
                grad -= y_true
            return grad / n
        p = np.clip(y_pred, self.epsilon, 1.0)
        return -self._one_hot(y_true, y_pred) / p / n

    def value_and_gradient(self, y_true, y_pred, from_logits=None):
        if not self._logits(from_logits):
            return super().value_and_gradient(y_true, y_pred, from_logits)
        n = y_pred.shape[0]
        shifted = y_pred - y_pred.max(axis=1, keepdims=True)  # (batch, classes)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)  # (batch, 1)
        probs = exp / total
        if y_true.ndim == 1:
            rows = np.arange(n)
            loss = float((np.log(total[:, 0]) - shifted[rows, y_true]).sum() / n)
            probs[rows, y_true] -= 1
        else:
            loss = float((y_true * (np.log(total) - shifted)).sum() / n)
            probs -= y_true
        probs /= n
        return loss, probs


LOSS_TYPES: dict[str, type[Loss]] = {
    "mse": MSE,
    "mean_squared_error": MSE,
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

