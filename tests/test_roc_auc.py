"""Tests for plainnet.metrics.roc_auc_score: by hand (ranks and ties), equal to scikit-learn's
on random binary and one-vs-rest cases, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import metrics as M
from plainnet.roc_auc import average_ranks


def sklearn_metrics():
    return pytest.importorskip("sklearn.metrics", reason="comparisons need scikit-learn")


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_auc_by_hand_counts_ranked_pairs_and_half_ties():
    # pairs (positive, negative): 0.35 > 0.1 yes, 0.35 > 0.4 no, 0.8 > both: 3 of 4
    assert M.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert M.roc_auc_score([0, 1], [0.5, 0.5]) == 0.5  # a tie counts one half
    assert M.roc_auc_score([1, 0, 1], [3.0, 1.0, 2.0]) == 1.0
    assert M.roc_auc_score(["no", "yes", "yes"], [3.0, 1.0, 2.0]) == 0.0  # "yes" is positive
    np.testing.assert_array_equal(average_ranks(np.array([5.0, 1.0, 5.0, 3.0])), [3.5, 1, 3.5, 2])


@pytest.mark.parametrize("seed", range(5))
def test_binary_auc_equals_sklearns(seed):
    skm = sklearn_metrics()
    rng = np.random.default_rng(seed)
    n = [2, 10, 50, 300, 40][seed]
    y = rng.integers(0, 2, size=n)
    y[:2] = [0, 1]
    score = rng.normal(size=n) + y
    if seed == 4:
        score = np.round(score)  # many ties
    expected = skm.roc_auc_score(y, score)
    assert M.roc_auc_score(y, score) == pytest.approx(expected, rel=1e-12)
    assert M.roc_auc_score(y, score.reshape(-1, 1)) == pytest.approx(expected, rel=1e-12)
    both = np.c_[1 - score, score]  # predict_proba-like columns: the second is read
    assert M.roc_auc_score(y, both) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_one_vs_rest_auc_equals_sklearns(seed, average):
    skm = sklearn_metrics()
    rng = np.random.default_rng(seed)
    k = 3 + seed
    y = np.r_[np.arange(k), rng.integers(0, k, size=80)]
    scores = softmax_rows(rng.normal(size=(len(y), k)) + 1.5 * np.eye(k)[y])
    expected = skm.roc_auc_score(y, scores, multi_class="ovr", average=average)
    assert M.roc_auc_score(y, scores, average=average) == pytest.approx(expected, rel=1e-12)
    per_class = M.roc_auc_score(y, scores, average=None)
    assert per_class.shape == (k,)
    names = np.array(["a", "b", "c", "d", "e"])[:k]
    assert M.roc_auc_score(names[y], scores, average=average) == pytest.approx(expected)


def test_one_class_is_nan_with_a_warning():
    with pytest.warns(M.UndefinedMetricWarning, match="one class"):
        assert np.isnan(M.roc_auc_score([1, 1, 1], [0.2, 0.5, 0.9]))


@pytest.mark.parametrize("y_true, y_score, kwargs, match", [
    ([0, 1], [0.5], {}, "same length"),
    ([], [], {}, "empty"),
    ([0, 1], [0.5, np.nan], {}, "NaN"),
    ([0, 1, 2], [0.1, 0.5, 0.9], {}, r"3 classes.*one column per class"),
    ([0, 1, 2], np.eye(3)[:, :2], {}, "3 columns|2 columns"),
    ([0, 1, 2], np.eye(3), {"labels": [0, 1, 5]}, r"classes \[2\].*labels does not list"),
    ([0, 1, 1], np.eye(3), {"labels": [0, 1, 2]}, r"\[2\] have no sample"),
    ([0, 1], [0.1, 0.9], {"average": "micro"}, "average must be"),
])
def test_bad_input_gets_one_clear_error(y_true, y_score, kwargs, match):
    with pytest.raises(ValueError, match=match):
        M.roc_auc_score(y_true, y_score, **kwargs)
