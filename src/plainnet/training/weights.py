"""Sample and class weights: how much each sample counts in the loss.

``fit(..., sample_weight=w, class_weight=c)`` trains on the weighted loss

    L = sum_i w_i c[y_i] l_i / n

(``n`` the batch size: Keras's rule, the weights are not renormalised), so a
sample of weight 2 counts as that sample seen twice, and ``class_weight=
"balanced"`` gives each class the weight ``n_samples / (n_classes *
count(class))`` (scikit-learn's rule), making every class count as much in
total. The weights also weight the metrics (a weighted accuracy is
``sum_i w_i [correct_i] / sum_i w_i``).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import losses as losses_module

__all__ = ["class_labels", "combined_weights", "check_sample_weight"]


def check_sample_weight(sample_weight: Any, n_samples: int, name: str = "sample_weight"
                        ) -> np.ndarray:
    """``sample_weight`` as a float64 vector of ``n_samples`` finite, non-negative weights."""
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers, one per sample, got "
                        f"{type(sample_weight).__name__}") from None
    if weights.ndim != 1 or len(weights) != n_samples:
        raise ValueError(f"{name} must have one weight per sample, shape ({n_samples},), got "
                         f"shape {weights.shape}")
    if not np.isfinite(weights).all():
        raise ValueError(f"{name} must be finite numbers, got NaN or infinite values")
    if weights.size and weights.min() < 0:
        raise ValueError(f"{name} must be non-negative, got {weights.min():g}")
    return weights


def class_labels(y: np.ndarray, loss: Any) -> np.ndarray:
    """The class (an integer) of each sample, from targets prepared for ``loss``.

    Integer labels for the categorical cross-entropy (one-hot rows: their
    largest entry); 0/1 for the binary cross-entropy with one output.
    """
    if isinstance(loss, losses_module.CategoricalCrossEntropy):
        return y if y.ndim == 1 else np.argmax(y, axis=-1)
    if isinstance(loss, losses_module.BinaryCrossEntropy) and y.ndim == 2 and y.shape[1] == 1:
        return (y[:, 0] >= 0.5).astype(np.intp)
    raise ValueError(
        "class_weight needs classes: a categorical_crossentropy loss, or "
        f"binary_crossentropy with one output; this model has {loss!r} with targets of "
        f"shape {y.shape}; use sample_weight instead")


def _class_weight_table(class_weight: Any, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The weight of each class ``0 .. n_classes-1`` (1 for a class the dict leaves out)."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be a dict {{class: weight}} or 'balanced', "
                             f"got {class_weight!r}")
        counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
        present = counts > 0
        table = np.ones(n_classes)
        table[present] = len(labels) / (present.sum() * counts[present])
        return table
    if not isinstance(class_weight, Mapping):
        raise TypeError(f"class_weight must be a dict {{class: weight}} or 'balanced', got "
                        f"{type(class_weight).__name__}")
    table = np.ones(n_classes)
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, numbers.Integral) or not (
                0 <= label < n_classes):
            raise ValueError(f"class_weight names the class {label!r}, but the classes are "
                             f"the integers 0 to {n_classes - 1}")
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not (
                np.isfinite(weight) and weight >= 0):
            raise ValueError(f"class_weight[{label}] must be a finite number >= 0, got "
                             f"{weight!r}")
        table[int(label)] = float(weight)
    return table


def combined_weights(y: np.ndarray, loss: Any, n_outputs: int, sample_weight: Any,
                     class_weight: Any, dtype: np.dtype) -> np.ndarray | None:
    """One weight per sample, ``sample_weight * class_weight[class]``, or None for neither.

    Parameters
    ----------
    y : ndarray
        Targets already prepared by ``loss.prepare_targets``.
    loss : Loss
    n_outputs : int
        The model's outputs (the number of classes for a categorical loss).
    sample_weight : array-like of shape (n_samples,) or None
    class_weight : dict, "balanced" or None
    dtype : numpy dtype
        The model's dtype, given to the result.
    """
    if sample_weight is None and class_weight is None:
        return None
    weights = np.ones(len(y)) if sample_weight is None else check_sample_weight(
        sample_weight, len(y))
    if class_weight is not None:
        labels = class_labels(y, loss)
        n_classes = max(n_outputs, 2)
        weights = weights * _class_weight_table(class_weight, labels, n_classes)[labels]
    return weights.astype(dtype)
