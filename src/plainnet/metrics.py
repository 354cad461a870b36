"""Metrics: numbers people read to judge a model (not differentiated).

Each metric is ``metric(y_true, y_pred) -> float`` on whole arrays:
``y_true`` holds targets as ``(n,)`` labels/values or ``(n, k)`` arrays and
``y_pred`` the model's outputs ``(n, k)``. ``compile(metrics=[...])`` takes
them by name: ``"accuracy"``, ``"mae"``, ``"mse"``, ``"r2"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import losses
from ._validation import check_int, lookup

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "confusion_matrix",
    "get",
    "mae",
    "mse",
    "r2",
]

Metric = Callable[..., float]


def _as_2d(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def binary_accuracy(y_true, y_pred, from_logits: bool = False) -> float:
    """Fraction of outputs on the right side of the threshold (0.5, or 0 for logits)."""
    threshold = 0.0 if from_logits else 0.5
    y_true, y_pred = _as_2d(y_true), _as_2d(y_pred)
    return float(np.mean((y_pred > threshold) == (y_true > 0.5)))


def categorical_accuracy(y_true, y_pred, from_logits: bool = False) -> float:
    """Fraction of samples whose highest output is the true class.

    ``y_true`` is integer labels ``(n,)`` or one-hot ``(n, k)``. The arg-max of
    logits and of probabilities agree, so ``from_logits`` changes nothing.
    """
    y_true = np.asarray(y_true)
    labels = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(
            f"y_pred must be 2-D, (n_samples, n_classes), got shape {y_pred.shape}; for one "
            "sample use y_pred.reshape(1, -1)"
        )
    return float(np.mean(y_pred.argmax(axis=1) == labels))


def accuracy(y_true, y_pred, from_logits: bool = False) -> float:
    """Accuracy that picks its kind from the shapes.

    One output column: binary (threshold 0.5 on probabilities, 0 on logits).
    Several columns with integer labels or one-hot rows: categorical
    (arg-max). Several columns with other 0/1 rows: element-wise binary
    (multi-label).
    """
    y_true = np.asarray(y_true)
    y_pred = _as_2d(y_pred)
    if y_pred.shape[1] == 1:
        return binary_accuracy(y_true, y_pred, from_logits)
    if y_true.ndim == 1 or np.allclose(y_true.sum(axis=1), 1.0):
        return categorical_accuracy(y_true, y_pred)
    return binary_accuracy(y_true, y_pred, from_logits)


def mae(y_true, y_pred, from_logits: bool = False) -> float:
    """Mean absolute error over all elements."""
    return float(np.mean(np.abs(_as_2d(y_pred) - _as_2d(y_true))))


def mse(y_true, y_pred, from_logits: bool = False) -> float:
    """Mean squared error over all elements."""
    return float(np.mean(np.square(_as_2d(y_pred) - _as_2d(y_true))))


def r2(y_true, y_pred, from_logits: bool = False) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``, averaged over outputs.

    As scikit-learn's ``r2_score``: an output whose targets are constant
    scores 1 if predicted exactly and 0 otherwise.
    """
    y_true, y_pred = _as_2d(y_true).astype(np.float64), _as_2d(y_pred).astype(np.float64)
    ss_res = np.square(y_true - y_pred).sum(axis=0)  # (outputs,)
    ss_tot = np.square(y_true - y_true.mean(axis=0)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, np.where(ss_res == 0, 1.0, 0.0))
    return float(scores.mean())


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Count how often each class was predicted as each class.

    ``C[i, j]`` is the number of samples of true class ``i`` predicted as
    class ``j``::

        C[i, j] = sum over samples s of [y_true[s] == i and y_pred[s] == j]

    so row ``i`` sums to the number of samples of class ``i``, the diagonal
    holds the correct predictions, and ``trace(C) / n`` is the accuracy.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        True and predicted classes, numbered ``0 .. n_classes - 1`` (whole
        numbers stored as floats are accepted). For a classifier's outputs
        ``(n, k)``, pass ``outputs.argmax(axis=1)``.
    n_classes : int, optional
        The number of classes, so that classes absent from both arrays still
        get a row and a column; default ``1 + the largest label``.

    Returns
    -------
    ndarray of int64, shape (n_classes, n_classes)

    Raises
    ------
    ValueError
        If the arrays are not 1-D, differ in length, or hold labels that are
        negative, fractional or not below ``n_classes``.

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], n_classes=3)
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
    """
    y_true, y_pred = _class_labels("y_true", y_true), _class_labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} "
                         f"and {len(y_pred)}")
    largest = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
    if n_classes is None:
        n_classes = max(largest + 1, 1)
    n_classes = check_int("n_classes", n_classes, 1)
    if largest >= n_classes:
        which = "y_true" if y_true.max(initial=-1) == largest else "y_pred"
        raise ValueError(f"{which} has the label {largest}, but n_classes={n_classes} allows "
                         f"only 0..{n_classes - 1}")
    k = n_classes
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def _class_labels(name: str, labels) -> np.ndarray:
    """``labels`` as a 1-D int64 array of non-negative whole numbers, or a clear error."""
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape "
                         f"{array.shape}; for (n, k) outputs pass outputs.argmax(axis=1)")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold integer class labels, got dtype {array.dtype}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
        raise ValueError(f"{name} must hold whole-number class labels, got fractional or "
                         "non-finite values")
    if np.any(array < 0):
        raise ValueError(f"{name} must hold class labels >= 0, got {array.min()}")
    return array.astype(np.int64)


METRICS: dict[str, Metric] = {
    "acc": accuracy,  # Keras' short name
    **{f.__name__: f for f in (accuracy, binary_accuracy, categorical_accuracy, mae, mse, r2)},
}


def get(name: str) -> Metric:
    """Return the metric function called ``name``."""
    if not isinstance(name, str):
        raise TypeError(f"metrics must be names such as 'accuracy', got {name!r}")
    return lookup("metric", name, METRICS)


def accuracy_for(loss: Any) -> Metric:
    """The accuracy that fits ``loss``: binary for a binary cross-entropy, categorical
    for a categorical one, :func:`accuracy` (which guesses from the shapes) otherwise."""
    return {losses.BinaryCrossEntropy: binary_accuracy,
            losses.CategoricalCrossEntropy: categorical_accuracy}.get(type(loss), accuracy)

