"""The area under the ROC curve, from scores rather than labels.

Public through :mod:`plainnet.metrics`. The ROC curve plots, for every
threshold on the score, the true-positive rate against the false-positive
rate; its area is the probability that a random positive sample scores
higher than a random negative one (a tie counts one half). That probability
is computed directly from the ranks of the scores (the Mann-Whitney U
statistic), which equals the area under the curve exactly::

    AUC = (sum of the ranks of the positives - P (P + 1) / 2) / (P N)

with ``P`` positives and ``N`` negatives, ranks counted from 1 in increasing
score and tied scores given the mean of their ranks. 0.5 is a coin toss, 1 a
perfect ranking.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._validation import as_float_array
from .classification_metrics import UndefinedMetricWarning
from .confusion import class_labels, given_labels

__all__ = ["roc_auc_score"]


def roc_auc_score(y_true: Any, y_score: Any, *, average: str | None = "macro",
                  labels: Any = None) -> float | np.ndarray:
    """Area under the ROC curve: binary, or one-vs-rest for several classes.

    Parameters
    ----------
    y_true : array_like, shape (n,)
        True class labels (numbers or strings).
    y_score : array_like, shape (n,) or (n, k)
        Two classes: the score of the positive class (the larger label, e.g.
        1), such as a probability or a logit, as ``(n,)`` or ``(n, 1)``; a
        ``(n, 2)`` array of both classes' probabilities is read from its
        second column. ``k > 2`` classes: one column per class, in the order
        of ``labels`` (default: the sorted classes of ``y_true``); each
        class is scored against the rest (one-vs-rest).
    average : {"macro", "weighted", None}, default "macro"
        Several classes: the mean of the classes' AUCs, or weighted by how
        many samples each class has, or None for one AUC per class.
    labels : array_like, optional
        The classes of the columns of ``y_score`` (several classes only).

    Returns
    -------
    float, or ndarray of shape (k,) with ``average=None``
        NaN, with an :class:`UndefinedMetricWarning`, when ``y_true`` holds a
        single class (scikit-learn does the same).

    Raises
    ------
    ValueError
        If the arrays are empty, differ in length, hold NaN; if ``y_score``
        has a column count that does not fit the classes.

    Notes
    -----
    Equal to ``sklearn.metrics.roc_auc_score`` (with ``multi_class="ovr"``
    for several classes), which also requires each row of ``y_score`` to
    sum to 1 there; plainnet scores the columns whatever they hold.

    Examples
    --------
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # 3 of 4 pairs ranked right
    0.75
    """
    if average not in ("macro", "weighted", None):
        raise ValueError(f"average must be 'macro', 'weighted' or None, got {average!r}")
    y_true = class_labels("y_true", y_true)
    y_score = as_float_array("y_score", y_score, np.float64)
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        y_score = y_score.reshape(-1)
    if y_score.ndim not in (1, 2):
        raise ValueError(f"y_score must have shape (n,) or (n, n_classes), got {y_score.shape}")
    if len(y_true) != len(y_score):
        raise ValueError(f"y_true and y_score must have the same length, got {len(y_true)} "
                         f"and {len(y_score)}")
    if len(y_true) == 0:
        raise ValueError("y_true and y_score are empty: there are no samples to score")
    classes = np.unique(y_true)
    if y_score.ndim == 1 or (y_score.shape[1] == 2 and len(classes) <= 2 and labels is None):
        score = y_score if y_score.ndim == 1 else y_score[:, 1]
        if len(classes) > 2:
            raise ValueError(f"y_true has {len(classes)} classes, so y_score needs one column "
                             f"per class, shape ({len(y_true)}, {len(classes)}); got "
                             f"{y_score.shape}")
        if len(classes) < 2:
            return _one_class(classes)
        return _binary_auc(y_true == classes[1], score)
    labels = classes if labels is None else given_labels(labels)
    if y_score.shape[1] != len(labels):
        raise ValueError(f"y_score has {y_score.shape[1]} columns, but there are "
                         f"{len(labels)} classes ({labels.tolist()[:10]}); give one column "
                         "per class (and labels= if y_true lacks some)")
    missing = np.setdiff1d(classes, labels)
    if len(missing):
        raise ValueError(f"y_true has classes {missing.tolist()[:10]} that labels does not list")
    is_class = y_true[:, None] == labels[None, :]  # (n, k) one-vs-rest targets
    counts = is_class.sum(axis=0)
    if np.any(counts == 0):
        absent = labels[counts == 0].tolist()
        raise ValueError(f"the classes {absent[:10]} have no sample in y_true, so their "
                         "one-vs-rest AUC is not defined")
    if len(labels) < 2:
        return _one_class(labels)
    aucs = np.array([_binary_auc(is_class[:, j], y_score[:, j]) for j in range(len(labels))])
    if average is None:
        return aucs
    return float(np.average(aucs, weights=counts if average == "weighted" else None))


def _one_class(classes: np.ndarray) -> float:
    warnings.warn(f"y_true holds one class only ({classes.tolist()}): the ROC AUC is not "
                  "defined and is NaN", UndefinedMetricWarning, stacklevel=3)
    return float("nan")


def average_ranks(values: np.ndarray) -> np.ndarray:
    """The rank of each value, from 1 in increasing order; tied values share their mean rank."""
    n = len(values)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]  # the first of each run of ties
    starts = np.flatnonzero(starts_group)
    ends = np.r_[starts[1:], n]  # one past the last of each run
    mean_rank = (starts + 1 + ends) / 2.0  # mean of the ranks starts+1 .. ends
    ranks = np.empty(n)
    ranks[order] = mean_rank[np.cumsum(starts_group) - 1]
    return ranks


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """AUC of ``score`` for the samples where ``positive`` is True against the rest."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return _one_class(np.array([bool(n_pos)]))
    rank_sum = average_ranks(score)[positive].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
