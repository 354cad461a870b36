"""Class labels, checked, and the confusion matrix: what every classification metric counts.

Public through :mod:`plainnet.metrics`. The labels of ``n`` samples are a
``(n,)`` array of integers, whole-number floats, booleans or strings;
:func:`class_labels` and :func:`check_label_pair` turn what a user passes
into such arrays or raise one clear error, and :func:`label_indices` maps
labels to the rows of a table of classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_int

__all__ = ["check_label_pair", "class_labels", "confusion_matrix", "given_labels",
           "label_indices"]


# ------------------------------------------------------------------ labels
def class_labels(name: str, labels: Any) -> np.ndarray:
    """``labels`` as a 1-D array of class labels (numbers or strings), or a clear error.

    A column ``(n, 1)`` is flattened. Floats must be whole numbers (a
    fractional value is a probability or a regression target, not a class).
    """
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape "
                         f"{array.shape}; for (n, k) outputs pass outputs.argmax(axis=1)")
    if array.dtype.kind == "O":  # e.g. a pandas column: all strings or all numbers
        is_text = [isinstance(v, str) for v in array]
        if all(is_text):
            array = array.astype(str)
        elif any(is_text):
            raise TypeError(f"{name} mixes strings and numbers; class labels must be all "
                            "strings or all numbers")
        elif array.size:
            array = np.asarray(array.tolist())
    if array.dtype.kind not in "biufUS":
        raise TypeError(f"{name} must hold class labels (integers or strings), got an array "
                        f"of dtype {array.dtype}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(f"{name} contains {int(bad.sum())} NaN or infinite value(s); "
                             "class labels must be whole numbers or strings")
        if np.any(array != np.round(array)):
            raise ValueError(f"{name} holds fractional values such as "
                             f"{array[array != np.round(array)][0]:g}: class labels are whole "
                             "numbers (threshold probabilities first, e.g. p > 0.5)")
    return array


def check_label_pair(y_true: Any, y_pred: Any, *, allow_empty: bool = False
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Both label arrays, checked: 1-D, the same length, comparable kinds, not empty."""
    y_true, y_pred = class_labels("y_true", y_true), class_labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} "
                         f"and {len(y_pred)}")
    if not allow_empty and len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty: there are no samples to score")
    if len(y_true) and (y_true.dtype.kind in "US") != (y_pred.dtype.kind in "US"):
        raise TypeError(f"y_true holds {_kind(y_true)} but y_pred holds {_kind(y_pred)}; "
                        "the labels must be of one kind")
    return y_true, y_pred


def _kind(array: np.ndarray) -> str:
    return "strings" if array.dtype.kind in "US" else "numbers"


def label_indices(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The position of each ``y[s]`` in ``labels``, or -1 where it is not there."""
    if len(y) and len(labels) and (y.dtype.kind in "US") != (labels.dtype.kind in "US"):
        return np.full(len(y), -1)  # strings are never numbers
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    at = np.searchsorted(ordered, y).clip(0, max(len(labels) - 1, 0))
    found = ordered[at] == y if len(labels) else np.zeros(len(y), dtype=bool)
    return np.where(found, order[at] if len(labels) else -1, -1)


def given_labels(labels: Any) -> np.ndarray:
    labels = class_labels("labels", labels)
    if len(labels) == 0:
        raise ValueError("labels must name at least one class, got an empty list")
    if len(np.unique(labels)) != len(labels):
        raise ValueError(f"labels must not repeat a class, got {labels.tolist()}")
    return labels


# -------------------------------------------------------- confusion matrix
def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None, *,
                     labels: Any = None) -> np.ndarray:
    """Count how often each class was predicted as each class.

    ``C[i, j]`` is the number of samples of true class ``i`` predicted as
    class ``j``::

        C[i, j] = sum over samples s of [y_true[s] == i and y_pred[s] == j]

    so row ``i`` sums to the number of samples of class ``i``, the diagonal
    holds the correct predictions, and ``trace(C) / n`` is the accuracy.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        True and predicted classes. For a classifier's outputs ``(n, k)``,
        pass ``outputs.argmax(axis=1)``.
    n_classes : int, optional
        For labels numbered ``0 .. n_classes - 1``: the number of classes, so
        that classes absent from both arrays still get a row and a column.
    labels : array_like, optional
        The classes of the rows and columns, in this order (any labels,
        strings too), as scikit-learn's ``labels=``: samples whose true or
        predicted class is not listed are left out.

    Without ``n_classes`` or ``labels``: integer labels get the classes
    ``0 .. largest label`` (so that a class never seen keeps its row);
    strings get their sorted distinct values (scikit-learn's default).

    Returns
    -------
    ndarray of int64, shape (n_classes, n_classes)

    Raises
    ------
    ValueError
        If the arrays are not 1-D, differ in length, hold NaN, or (with
        integer labels and no ``labels``) hold labels that are negative,
        fractional or not below ``n_classes``; if ``labels`` is empty,
        repeats a class or names none of ``y_true``'s classes.

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], n_classes=3)
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
    >>> confusion_matrix(["cat", "dog", "dog"], ["cat", "cat", "dog"], labels=["dog", "cat"])
    array([[1, 1],
           [0, 1]])
    """
    if labels is not None:
        if n_classes is not None:
            raise ValueError("give either n_classes or labels, not both")
        return _confusion_for_labels(y_true, y_pred, given_labels(labels))
    if n_classes is None:
        y_true_text = class_labels("y_true", y_true).dtype.kind in "US"
        if y_true_text or class_labels("y_pred", y_pred).dtype.kind in "US":
            t, p = check_label_pair(y_true, y_pred, allow_empty=True)
            return _confusion_for_labels(t, p, np.unique(np.concatenate([t, p])))
    y_true, y_pred = _class_numbers("y_true", y_true), _class_numbers("y_pred", y_pred)
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


def _confusion_for_labels(y_true: Any, y_pred: Any, labels: np.ndarray) -> np.ndarray:
    y_true, y_pred = check_label_pair(y_true, y_pred, allow_empty=True)
    k = len(labels)
    if len(y_true) == 0:
        return np.zeros((k, k), dtype=np.int64)
    rows, cols = label_indices(y_true, labels), label_indices(y_pred, labels)
    if np.all(rows < 0):
        raise ValueError(f"labels={labels.tolist()} names none of the classes in y_true "
                         f"({np.unique(y_true).tolist()[:10]}); at least one must be there")
    keep = (rows >= 0) & (cols >= 0)  # samples of classes outside labels are left out
    return np.bincount(rows[keep] * k + cols[keep], minlength=k * k).reshape(k, k)


def _class_numbers(name: str, labels: Any) -> np.ndarray:
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
