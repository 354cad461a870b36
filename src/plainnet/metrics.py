"""Metrics: numbers people read to judge a model (not differentiated).

Each metric is ``metric(y_true, y_pred) -> float`` on whole arrays:
``y_true`` holds targets as ``(n,)`` labels/values or ``(n, k)`` arrays and
``y_pred`` the model's outputs ``(n, k)``. ``compile(metrics=[...])`` takes
them by name: ``"accuracy"``, ``"mae"``, ``"mse"``, ``"r2"``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
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


METRICS: dict[str, Metric] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "mae": mae,
    "mse": mse,
    "r2": r2,
}


def get(name: str) -> Metric:
    """Return the metric function called ``name``."""
    if not isinstance(name, str):
        raise TypeError(f"metrics must be names such as 'accuracy', got {name!r}")
    try:
        return METRICS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; expected one of {sorted(METRICS)}") from None
