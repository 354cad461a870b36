"""Metrics: numbers people read to judge a model (not differentiated).

Two families live here:

* metrics of a model's outputs, ``metric(y_true, y_pred) -> float`` on whole
  arrays: ``y_true`` holds targets as ``(n,)`` labels/values or ``(n, k)``
  arrays and ``y_pred`` the model's outputs ``(n, k)``. ``compile(metrics=[...])``
  takes them by name: ``"accuracy"``, ``"mae"``, ``"mse"``, ``"r2"``;
* scikit-learn's classification metrics, of predicted class labels (pass
  ``outputs.argmax(axis=1)``, or ``outputs[:, 0] > 0.5`` for one sigmoid
  output): :func:`confusion_matrix`, :func:`precision_score`,
  :func:`recall_score`, :func:`f1_score`, :func:`precision_recall_fscore_support`,
  :func:`classification_report`, and :func:`roc_auc_score` of scores. They
  live in :mod:`plainnet.confusion`, :mod:`plainnet.classification_metrics` and
  :mod:`plainnet.roc_auc`; import them from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import losses
from ._validation import lookup
from .classification_metrics import (
    UndefinedMetricWarning,
    classification_report,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from .confusion import confusion_matrix
from .roc_auc import roc_auc_score

__all__ = [
    "UndefinedMetricWarning",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "get",
    "mae",
    "mse",
    "precision_recall_fscore_support",
    "precision_score",
    "r2",
    "recall_score",
    "roc_auc_score",
]

Metric = Callable[..., float]


def _as_2d(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def _weighted_mean(values: np.ndarray, sample_weight: Any = None) -> float:
    """``sum_i w_i v_i / sum_i w_i``; ``values`` has one entry (or a row) per sample or
    position, ``sample_weight`` one per sample or per position (None: the plain mean)."""
    values = np.asarray(values, dtype=np.float64)
    if sample_weight is None:
        return float(np.mean(values))
    w = np.asarray(sample_weight, dtype=np.float64)
    w = np.broadcast_to(w.reshape(w.shape + (1,) * (values.ndim - w.ndim)), values.shape)
    total = w.sum()
    return float(np.vdot(w, values) / total) if total > 0 else 0.0


def binary_accuracy(y_true, y_pred, from_logits: bool = False, sample_weight=None) -> float:
    """Fraction of outputs on the right side of the threshold (0.5, or 0 for logits).

    With ``sample_weight`` ``w``: ``sum_i w_i [correct_i] / sum_i w_i``.
    """
    threshold = 0.0 if from_logits else 0.5
    y_true, y_pred = _as_2d(y_true), _as_2d(y_pred)
    return _weighted_mean((y_pred > threshold) == (y_true > 0.5), sample_weight)


def categorical_accuracy(y_true, y_pred, from_logits: bool = False,
                         sample_weight=None) -> float:
    """Fraction of samples (or sequence positions) whose highest output is the true class.

    ``y_true`` is integer labels ``(n,)`` or one-hot ``(n, k)`` (for sequences
    ``(n, time)`` or ``(n, time, k)``). The arg-max of logits and of
    probabilities agree, so ``from_logits`` changes nothing. Weighted as
    :func:`binary_accuracy`.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim < 2:
        raise ValueError(
            f"y_pred must be 2-D, (n_samples, n_classes), got shape {y_pred.shape}; for one "
            "sample use y_pred.reshape(1, -1)"
        )
    labels = y_true.argmax(axis=-1) if y_true.ndim == y_pred.ndim else y_true
    return _weighted_mean(y_pred.argmax(axis=-1) == labels, sample_weight)


def accuracy(y_true, y_pred, from_logits: bool = False, sample_weight=None) -> float:
    """Accuracy that picks its kind from the shapes.

    One output column: binary (threshold 0.5 on probabilities, 0 on logits).
    Several columns with integer labels or one-hot rows: categorical
    (arg-max; over every position of a sequence). Several columns with other
    0/1 rows: element-wise binary (multi-label).
    """
    y_true = np.asarray(y_true)
    y_pred = _as_2d(y_pred)
    if y_pred.shape[-1] == 1:
        return binary_accuracy(y_true, y_pred, from_logits, sample_weight)
    if y_true.ndim == y_pred.ndim - 1 or np.allclose(y_true.sum(axis=-1), 1.0):
        return categorical_accuracy(y_true, y_pred, sample_weight=sample_weight)
    return binary_accuracy(y_true, y_pred, from_logits, sample_weight)


def mae(y_true, y_pred, from_logits: bool = False, sample_weight=None) -> float:
    """Mean absolute error over all elements (weighted by sample, if weights are given)."""
    return _weighted_mean(np.abs(_as_2d(y_pred) - _as_2d(y_true)), sample_weight)


def mse(y_true, y_pred, from_logits: bool = False, sample_weight=None) -> float:
    """Mean squared error over all elements (weighted by sample, if weights are given)."""
    return _weighted_mean(np.square(_as_2d(y_pred) - _as_2d(y_true)), sample_weight)


def r2(y_true, y_pred, from_logits: bool = False, sample_weight=None) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``, averaged over outputs.

    As scikit-learn's ``r2_score``: an output whose targets are constant
    scores 1 if predicted exactly and 0 otherwise. With ``sample_weight``
    ``w``: ``SS_res = sum_i w_i (y_i - p_i)**2`` and ``SS_tot = sum_i w_i (y_i -
    ybar)**2`` with ``ybar`` the weighted mean.
    """
    y_true, y_pred = _as_2d(y_true).astype(np.float64), _as_2d(y_pred).astype(np.float64)
    w = (np.ones(len(y_true)) if sample_weight is None
         else np.asarray(sample_weight, dtype=np.float64))[:, None]  # (samples, 1)
    ss_res = (w * np.square(y_true - y_pred)).sum(axis=0)  # (outputs,)
    mean = (w * y_true).sum(axis=0) / max(w.sum(), np.finfo(float).tiny)
    ss_tot = (w * np.square(y_true - mean)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, np.where(ss_res == 0, 1.0, 0.0))
    return float(scores.mean())


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

