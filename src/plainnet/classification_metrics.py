"""Classification metrics from predicted labels: precision, recall, F1 and their report.

Public through :mod:`plainnet.metrics` (``from plainnet.metrics import f1_score``).
Every function takes the true and predicted class labels of ``n`` samples,
``(n,)`` arrays of integers, whole-number floats, booleans or strings, and
counts, for each class ``c``::

    TP_c = #{s : y_true[s] == c and y_pred[s] == c}     true positives
    FP_c = #{s : y_true[s] != c and y_pred[s] == c}     false positives
    FN_c = #{s : y_true[s] == c and y_pred[s] != c}     false negatives

    precision_c = TP_c / (TP_c + FP_c)    of the samples predicted c, how many are c
    recall_c    = TP_c / (TP_c + FN_c)    of the samples that are c, how many were found
    F1_c        = 2 TP_c / (2 TP_c + FP_c + FN_c)  (the harmonic mean of the two)

The numbers are scikit-learn's (``sklearn.metrics``), tested equal on random
cases, with the same names, defaults and averages. A ratio whose
denominator is 0 (no sample predicted as ``c``, say) is *undefined*: by
default it counts as 0 and an :class:`UndefinedMetricWarning` says so, as in
scikit-learn; ``zero_division=0.0``, ``1.0`` or ``nan`` chooses the value
silently (a NaN is then left out of the averages).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ._validation import check_bool, check_int
from .confusion import check_label_pair, given_labels, label_indices

__all__ = [
    "UndefinedMetricWarning",
    "f1_score",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

AVERAGES = (None, "binary", "micro", "macro", "weighted")


class UndefinedMetricWarning(UserWarning):
    """A metric divided by zero (e.g. precision of a class never predicted)."""


# ------------------------------------------------ precision, recall, F-score
def precision_recall_fscore_support(
        y_true: Any, y_pred: Any, *, beta: float = 1.0, labels: Any = None,
        pos_label: Any = 1, average: str | None = None,
        zero_division: str | float = "warn",
        warn_for: tuple[str, ...] = ("precision", "recall", "f-score")) -> tuple:
    """Precision, recall, F-beta score and support of each class, or their averages.

    Per class ``c`` (``TP``, ``FP``, ``FN`` counted as in the module docstring)::

        precision_c = TP_c / (TP_c + FP_c)
        recall_c    = TP_c / (TP_c + FN_c)
        F_beta_c    = (1 + beta**2) TP_c / ((1 + beta**2) TP_c + beta**2 FN_c + FP_c)
        support_c   = TP_c + FN_c           (samples of class c)

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        True and predicted class labels (numbers or strings).
    beta : float, default 1.0
        Weight of recall against precision in the F-score (1: the F1 score).
    labels : array_like, optional
        The classes to report, in this order; default every class in either
        array, sorted. Counts are over all samples.
    pos_label : label, default 1
        With ``average="binary"``: the positive class.
    average : {None, "binary", "micro", "macro", "weighted"}, default None
        None: one value per class. "binary": the values of ``pos_label``
        only (the data must have at most two classes). "micro": from the
        summed counts ``sum TP / sum (TP + FP)``, ... (the accuracy, when
        every class is counted). "macro": the plain mean over classes.
        "weighted": the mean weighted by each class's support.
    zero_division : "warn", 0.0, 1.0 or nan, default "warn"
        The value of a ratio whose denominator is 0; "warn" gives 0 and an
        :class:`UndefinedMetricWarning`. NaN values are left out of averages.
    warn_for : tuple of str
        Which of "precision", "recall" and "f-score" warn when undefined.

    Returns
    -------
    precision, recall, fscore : float or ndarray of shape (n_labels,)
    support : ndarray of int64, shape (n_labels,), or None when averaged

    Raises
    ------
    ValueError
        If the arrays are empty, differ in length, hold NaN or fractional
        numbers; if ``average`` is unknown; if ``average="binary"`` with more
        than two classes, or a ``pos_label`` that is not one of two classes.
    """
    beta = float(beta)
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {list(AVERAGES)}, got {average!r}")
    zero_value = _zero_division_value(zero_division)
    y_true, y_pred = check_label_pair(y_true, y_pred)
    present = np.unique(np.concatenate([y_true, y_pred]))
    if average == "binary":
        labels = _binary_labels(present, pos_label)
    else:
        if pos_label not in (None, 1):
            warnings.warn(f"pos_label={pos_label!r} is ignored when average={average!r} "
                          "(not 'binary'); use labels=[pos_label] to score one class",
                          UserWarning, stacklevel=2)
        labels = present if labels is None else given_labels(labels)
    k = len(labels)
    rows, cols = label_indices(y_true, labels), label_indices(y_pred, labels)
    true_sum = np.bincount(rows[rows >= 0], minlength=k)     # TP + FN
    pred_sum = np.bincount(cols[cols >= 0], minlength=k)     # TP + FP
    tp_sum = np.bincount(rows[(rows == cols) & (rows >= 0)], minlength=k)
    if average == "micro":
        tp_sum, pred_sum, true_sum = (np.array([a.sum()]) for a in (tp_sum, pred_sum, true_sum))

    warn = zero_division == "warn"
    precision = _divide(tp_sum, pred_sum, zero_value,
                        warn and "precision" in warn_for and "Precision", "predicted")
    recall = _divide(tp_sum, true_sum, zero_value,
                     warn and "recall" in warn_for and "Recall", "true")
    b2 = beta**2
    fscore = _divide((1 + b2) * tp_sum, b2 * true_sum + pred_sum, zero_value,
                     warn and "f-score" in warn_for and "F-score", "true nor predicted")
    if average is None:
        return precision, recall, fscore, true_sum
    weights = true_sum if average == "weighted" else None
    return (_nan_average(precision, weights), _nan_average(recall, weights),
            _nan_average(fscore, weights), None)


def _binary_labels(present: np.ndarray, pos_label: Any) -> np.ndarray:
    if len(present) > 2:
        raise ValueError(
            f"average='binary' needs at most two classes, but the labels have "
            f"{len(present)} ({present.tolist()[:10]}); choose average='macro', 'weighted' "
            "or 'micro', or None for one value per class")
    if pos_label not in present.tolist() and len(present) == 2:
        raise ValueError(f"pos_label={pos_label!r} is not one of the two classes "
                         f"{present.tolist()}")
    return np.asarray([pos_label])


def _zero_division_value(zero_division: Any) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if (isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool)
            and (zero_division in (0, 1) or np.isnan(zero_division))):
        return float(zero_division)
    raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or nan, got {zero_division!r}")


def _divide(numerator: np.ndarray, denominator: np.ndarray, zero_value: float,
            warn_as: str | bool, which: str) -> np.ndarray:
    """``numerator / denominator``, with ``zero_value`` (and perhaps a warning) where 0."""
    undefined = denominator == 0
    result = numerator / np.where(undefined, 1, denominator).astype(np.float64)
    if undefined.any():
        result[undefined] = zero_value
        if warn_as:
            warnings.warn(f"{warn_as} is ill-defined and set to 0.0 for {int(undefined.sum())} "
                          f"label(s) with no {which} samples; choose the value with "
                          "zero_division=0.0, 1.0 or nan", UndefinedMetricWarning, stacklevel=4)
    return result


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """The (weighted) mean of the values that are not NaN; NaN if none is."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:  # all weights 0: a plain mean
        return float(values[keep].mean())
    return float(np.average(values[keep], weights=weights[keep]))


def precision_score(y_true: Any, y_pred: Any, *, labels: Any = None, pos_label: Any = 1,
                    average: str | None = "binary", zero_division: str | float = "warn"):
    """Precision ``TP / (TP + FP)``: of the samples predicted positive, the fraction that are.

    See :func:`precision_recall_fscore_support` for the parameters; the
    default ``average="binary"`` scores the class ``pos_label`` (1) of
    two-class data.

    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 0, 0])  # 1 right of 2 predicted 1
    0.5
    >>> precision_score(["a", "b", "b", "c"], ["a", "b", "c", "b"], average="macro")
    0.5
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division, warn_for=("precision",))[0]


def recall_score(y_true: Any, y_pred: Any, *, labels: Any = None, pos_label: Any = 1,
                 average: str | None = "binary", zero_division: str | float = "warn"):
    """Recall ``TP / (TP + FN)``: of the positive samples, the fraction found.

    See :func:`precision_recall_fscore_support` for the parameters.

    Examples
    --------
    >>> recall_score([0, 1, 1, 1], [1, 1, 0, 1])  # 2 of the 3 ones found
    0.6666666666666666
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division, warn_for=("recall",))[1]


def f1_score(y_true: Any, y_pred: Any, *, labels: Any = None, pos_label: Any = 1,
             average: str | None = "binary", zero_division: str | float = "warn"):
    """F1 score ``2 TP / (2 TP + FP + FN)``, the harmonic mean of precision and recall.

    ``F1 = 2 P R / (P + R)``. See :func:`precision_recall_fscore_support`
    for the parameters; "macro" averages the F1 of each class (not the F1 of
    the averaged precision and recall), as scikit-learn does.

    Examples
    --------
    >>> f1_score([0, 1, 1, 1], [1, 1, 0, 1])  # P = 2/3, R = 2/3
    0.6666666666666666
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division, warn_for=("f-score",))[2]


# -------------------------------------------------------------------- report
def classification_report(y_true: Any, y_pred: Any, *, labels: Any = None,
                          target_names: Any = None, digits: int = 2, output_dict: bool = False,
                          zero_division: str | float = "warn") -> str | dict:
    """A table of precision, recall, F1 and support per class, and their averages.

    The text is scikit-learn's ``classification_report``, character for
    character: one row per class, then "accuracy" (the micro average, when
    every class is counted), "macro avg" (the plain mean over classes) and
    "weighted avg" (weighted by support). See
    :func:`precision_recall_fscore_support` for the formulas.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        True and predicted class labels.
    labels : array_like, optional
        The classes to report, in this order; default every class in either array.
    target_names : sequence of str, optional
        Names shown for ``labels`` (e.g. ``["setosa", "versicolor", "virginica"]``
        for labels 0, 1, 2); default the labels themselves.
    digits : int, default 2
        Decimals of the scores (the text only).
    output_dict : bool, default False
        Return ``{"setosa": {"precision": ..., "recall": ..., "f1-score": ...,
        "support": ...}, ..., "accuracy": ..., "macro avg": {...}, "weighted avg":
        {...}}`` instead of text.
    zero_division : "warn", 0.0, 1.0 or nan, default "warn"

    Returns
    -------
    str or dict

    Raises
    ------
    ValueError
        As :func:`precision_recall_fscore_support`; also when ``target_names``
        has another length than the classes (and ``labels`` is not given).

    Examples
    --------
    >>> print(classification_report([0, 0, 1, 1], [0, 1, 1, 1], target_names=["no", "yes"]))
                  precision    recall  f1-score   support
    <BLANKLINE>
              no       1.00      0.50      0.67         2
             yes       0.67      1.00      0.80         2
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.83      0.75      0.73         4
    weighted avg       0.83      0.75      0.73         4
    <BLANKLINE>
    """
    digits = check_int("digits", digits, 0)
    output_dict = check_bool("output_dict", output_dict)
    y_true, y_pred = check_label_pair(y_true, y_pred)
    present = np.unique(np.concatenate([y_true, y_pred]))
    labels_given = labels is not None
    labels = given_labels(labels) if labels_given else present
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(present.tolist())
    if target_names is not None:
        target_names = [str(name) for name in target_names]
        if len(target_names) != len(labels):
            if not labels_given:
                raise ValueError(f"target_names has {len(target_names)} names, but the data "
                                 f"have {len(labels)} classes ({labels.tolist()[:10]}); give "
                                 "one name per class, or the classes with labels=")
            warnings.warn(f"labels has {len(labels)} classes but target_names "
                          f"{len(target_names)} names", UserWarning, stacklevel=2)
    else:
        target_names = [str(label) for label in labels]
    scores = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None,
                                             zero_division=zero_division)
    total = int(scores[3].sum())
    headers = ["precision", "recall", "f1-score", "support"]
    rows = [(name, [*map(float, values)]) for name, *values in zip(target_names, *scores)]
    averages = {}
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                     average=average,
                                                     zero_division=zero_division)
        averages[heading] = [p, r, f, float(total)]
    if output_dict:
        report = {name: dict(zip(headers, values)) for name, values in rows}
        report.update({name: dict(zip(headers, values)) for name, values in averages.items()})
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    width = max(*(len(name) for name in target_names), len("weighted avg"), digits)
    text = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in headers) + "\n\n"
    line = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for name, (p, r, f, support) in rows:
        text += line.format(name, p, r, f, int(support), width=width, digits=digits)
    text += "\n"
    for heading, (p, r, f, support) in averages.items():
        if heading == "accuracy":
            text += (f"{heading:>{width}s} " + f" {'':>9}" * 2
                     + f" {f:>9.{digits}f} {int(support):>9}\n")
        else:
            text += line.format(heading, p, r, f, int(support), width=width, digits=digits)
    return text
