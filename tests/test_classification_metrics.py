"""Tests for the classification metrics of plainnet.metrics: precision, recall, F1, their
support and averages, the confusion matrix with labels=, classification_report and ROC AUC;
by hand and equal to scikit-learn's on random cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from plainnet import metrics as M

AVERAGES = [None, "micro", "macro", "weighted"]


def sklearn_metrics():
    return pytest.importorskip("sklearn.metrics", reason="comparisons need scikit-learn")


def quietly(function, *args, **kwargs):
    """``function(*args, **kwargs)`` with the undefined-metric warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def random_labels(seed, n=60, k=4, text=False):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, size=n)
    # mostly right, so the scores are not all near chance; some classes never predicted
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, max(k - 1, 1), size=n))
    if text:
        names = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])
        return names[y_true], names[y_pred]
    return y_true, y_pred


# ------------------------------------------------------------------- by hand
def test_binary_scores_by_hand():
    y_true = [0, 1, 1, 1, 0, 0, 1]
    y_pred = [1, 1, 0, 1, 0, 0, 1]  # TP = 3, FP = 1, FN = 1
    assert M.precision_score(y_true, y_pred) == pytest.approx(3 / 4)
    assert M.recall_score(y_true, y_pred) == pytest.approx(3 / 4)
    assert M.f1_score(y_true, y_pred) == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    # the other class as the positive one: TP = 2, FP = 1, FN = 1
    assert M.precision_score(y_true, y_pred, pos_label=0) == pytest.approx(2 / 3)


def test_averages_by_hand():
    y_true = ["a", "a", "b", "b", "b", "c"]
    y_pred = ["a", "b", "b", "b", "c", "c"]
    p, r, f, support = M.precision_recall_fscore_support(y_true, y_pred)
    np.testing.assert_allclose(p, [1, 2 / 3, 1 / 2])
    np.testing.assert_allclose(r, [1 / 2, 2 / 3, 1])
    np.testing.assert_allclose(f, [2 / 3, 2 / 3, 2 / 3])
    np.testing.assert_array_equal(support, [2, 3, 1])
    macro = M.precision_score(y_true, y_pred, average="macro")
    assert macro == pytest.approx((1 + 2 / 3 + 0.5) / 3)
    assert M.recall_score(y_true, y_pred, average="weighted") == pytest.approx(
        (2 * 0.5 + 3 * 2 / 3 + 1 * 1) / 6)
    assert M.f1_score(y_true, y_pred, average="micro") == pytest.approx(4 / 6)  # accuracy


def test_zero_division_warns_by_default_and_can_be_chosen():
    y_true, y_pred = [0, 1, 2, 2], [0, 0, 2, 2]  # class 1 is never predicted
    with pytest.warns(M.UndefinedMetricWarning, match="ill-defined"):
        p = M.precision_score(y_true, y_pred, average=None)
    assert p[1] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.precision_score(y_true, y_pred, average=None, zero_division=1.0)[1] == 1.0
        assert M.precision_score(y_true, y_pred, average="macro", zero_division=np.nan) == (
            pytest.approx((0.5 + 1.0) / 2))  # the NaN is left out of the mean
        assert M.recall_score(y_true, y_pred, average=None).tolist() == [1, 0, 1]  # defined
    with pytest.raises(ValueError, match="zero_division"):
        M.f1_score(y_true, y_pred, average="macro", zero_division=0.5)


def test_labels_restrict_the_classes_but_count_every_sample():
    y_true, y_pred = [0, 1, 2, 2, 1], [0, 2, 2, 1, 1]
    with pytest.warns(M.UndefinedMetricWarning):
        p, r, _, support = M.precision_recall_fscore_support(y_true, y_pred, labels=[2, 7])
    np.testing.assert_allclose(p, [1 / 2, 0])  # 7 never predicted (a warning, value 0)
    np.testing.assert_allclose(r, [1 / 2, 0])
    np.testing.assert_array_equal(support, [2, 0])


# ------------------------------------------------------------ against sklearn
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("average", AVERAGES)
def test_multiclass_scores_equal_sklearns(seed, average):
    skm = sklearn_metrics()
    y_true, y_pred = random_labels(seed, k=3 + seed % 3, text=seed % 2 == 1)
    for ours, theirs in ((M.precision_score, skm.precision_score),
                         (M.recall_score, skm.recall_score), (M.f1_score, skm.f1_score)):
        for zero_division in ("warn", 0.0, 1.0, np.nan):
            expected = quietly(theirs, y_true, y_pred, average=average,
                               zero_division=zero_division)
            got = quietly(ours, y_true, y_pred, average=average, zero_division=zero_division)
            np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)
    labels = np.unique(y_true)[::-1][:2]  # a subset, in another order
    np.testing.assert_allclose(
        quietly(M.precision_recall_fscore_support, y_true, y_pred, labels=labels,
                average=average)[:3],
        quietly(skm.precision_recall_fscore_support, y_true, y_pred, labels=labels,
                average=average)[:3], rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_binary_scores_equal_sklearns(seed):
    skm = sklearn_metrics()
    rng = np.random.default_rng(seed)
    n = [1, 5, 40, 40, 200, 3][seed]
    y_true, y_pred = rng.integers(0, 2, size=n), rng.integers(0, 2, size=n)
    if seed == 5:
        y_true, y_pred = np.array([-1, 1, 1]), np.array([-1, -1, 1])  # other labels
    for ours, theirs in ((M.precision_score, skm.precision_score),
                         (M.recall_score, skm.recall_score), (M.f1_score, skm.f1_score)):
        for pos_label in np.unique(np.r_[y_true, y_pred]).tolist():
            assert quietly(ours, y_true, y_pred, pos_label=pos_label) == pytest.approx(
                quietly(theirs, y_true, y_pred, pos_label=pos_label), rel=1e-12)


def test_confusion_matrix_with_labels_equals_sklearns():
    skm = sklearn_metrics()
    for seed in range(3):
        y_true, y_pred = random_labels(seed, k=4, text=seed == 1)
        classes = np.unique(y_true)
        shuffled = np.concatenate([classes[1:3], classes[:1]])
        for labels in (None, classes[::-1], classes[:2], shuffled):
            if labels is None and seed != 1:
                continue  # integers without labels: 0..largest, checked below
            np.testing.assert_array_equal(
                M.confusion_matrix(y_true, y_pred, labels=labels),
                skm.confusion_matrix(y_true, y_pred, labels=labels))
        np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred),
                                      skm.confusion_matrix(y_true, y_pred))


def test_confusion_matrix_labels_by_hand_and_errors():
    matrix = M.confusion_matrix(["cat", "dog", "dog", "eel"], ["cat", "cat", "dog", "dog"],
                                labels=["dog", "cat"])
    np.testing.assert_array_equal(matrix, [[1, 1], [0, 1]])  # the eel is left out
    assert M.confusion_matrix([], [], labels=[0, 1]).tolist() == [[0, 0], [0, 0]]
    with pytest.raises(ValueError, match="at least one"):
        M.confusion_matrix([0, 1], [0, 1], labels=[])
    with pytest.raises(ValueError, match="none of the classes in y_true"):
        M.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="repeat"):
        M.confusion_matrix([0, 1], [0, 1], labels=[0, 0])
    with pytest.raises(ValueError, match="either n_classes or labels"):
        M.confusion_matrix([0, 1], [0, 1], 2, labels=[0, 1])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("digits", [2, 4])
def test_classification_report_is_sklearns_text_and_dict(seed, digits):
    skm = sklearn_metrics()
    y_true, y_pred = random_labels(seed, k=3 + seed, text=seed == 1)
    names = [f"class number {i}" for i in range(len(np.unique(np.r_[y_true, y_pred])))]
    for kwargs in ({}, {"target_names": names}, {"labels": np.unique(y_true)[:2]}):
        assert quietly(M.classification_report, y_true, y_pred, digits=digits, **kwargs) == (
            quietly(skm.classification_report, y_true, y_pred, digits=digits, **kwargs))
        ours = quietly(M.classification_report, y_true, y_pred, output_dict=True, **kwargs)
        theirs = quietly(skm.classification_report, y_true, y_pred, output_dict=True, **kwargs)
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert ours[key] == pytest.approx(theirs[key], rel=1e-12)


def test_classification_report_by_hand():
    text = M.classification_report([0, 0, 1, 1], [0, 1, 1, 1], target_names=["no", "yes"])
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["no", "1.00", "0.50", "0.67", "2"]
    assert lines[5].split() == ["accuracy", "0.75", "4"]
    report = M.classification_report([0, 0, 1, 1], [0, 1, 1, 1], output_dict=True)
    assert report["accuracy"] == 0.75 and report["1"]["precision"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="target_names has 3 names"):
        M.classification_report([0, 1], [0, 1], target_names=["a", "b", "c"])


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("function", [M.precision_score, M.recall_score, M.f1_score,
                                      M.classification_report])
@pytest.mark.parametrize("y_true, y_pred, error, match", [
    ([0, 1], [0], ValueError, "same length"),
    ([], [], ValueError, "empty"),
    ([0, np.nan], [0, 1], ValueError, "NaN"),
    ([0, 0.5], [0, 1], ValueError, "fractional.*0.5"),
    ([[0, 1], [1, 0]], [0, 1], ValueError, r"1-D.*argmax"),
    (["a", "b"], [0, 1], TypeError, "strings.*numbers"),
    (np.array(["a", 1], dtype=object), ["a", "b"], TypeError, "mixes strings and numbers"),
])
def test_bad_labels_get_one_clear_error(function, y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        function(y_true, y_pred)


def test_binary_average_needs_two_classes_and_a_present_pos_label():
    with pytest.raises(ValueError, match=r"average='binary' needs at most two classes.*'macro'"):
        M.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match=r"pos_label=1 is not one of the two classes \['a', 'b'\]"):
        M.precision_score(["a", "b"], ["a", "b"])
    assert M.precision_score(["a", "b"], ["b", "b"], pos_label="b") == 0.5
    with pytest.raises(ValueError, match="average must be one of"):
        M.recall_score([0, 1], [0, 1], average="samples")
    with pytest.warns(UserWarning, match="pos_label=2 is ignored"):
        M.recall_score([0, 1, 2], [0, 1, 2], average="macro", pos_label=2)


def test_column_vectors_and_object_arrays_are_accepted():
    assert M.f1_score(np.array([[0], [1], [1]]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    labels = np.array(["x", "y", "y"], dtype=object)
    assert M.recall_score(labels, labels, average="macro") == 1.0
