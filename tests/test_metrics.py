"""Tests for plainnet.metrics: values by hand and against scikit-learn, use in compile()."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import Dense, Sequential, Sigmoid, Softmax
from plainnet import metrics as M


# ---------------------------------------------------------------------- accuracy
def test_binary_accuracy_from_probabilities():
    y = np.array([0, 1, 1, 0, 1])
    p = np.array([0.2, 0.7, 0.4, 0.6, 0.99])  # right, right, wrong, wrong, right
    assert M.binary_accuracy(y, p) == pytest.approx(3 / 5)
    assert M.accuracy(y, p.reshape(-1, 1)) == pytest.approx(3 / 5)
    assert M.accuracy(y.reshape(-1, 1), p) == pytest.approx(3 / 5)


def test_binary_accuracy_from_logits_uses_threshold_zero():
    y = np.array([0, 1, 1, 0, 1])
    z = np.array([-1.0, 0.3, 0.2, 0.1, 5.0])  # right, right, right, wrong, right
    assert M.binary_accuracy(y, z, from_logits=True) == pytest.approx(4 / 5)
    assert M.accuracy(y, z, from_logits=True) == pytest.approx(4 / 5)
    # the same numbers read as probabilities (threshold 0.5): right, wrong, wrong, right, right
    assert M.binary_accuracy(y, z) == pytest.approx(3 / 5)
    # logits and their sigmoid agree
    assert M.binary_accuracy(y, 1 / (1 + np.exp(-z))) == pytest.approx(4 / 5)


def test_categorical_accuracy_from_probabilities_labels_and_one_hot():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3], [0.5, 0.1, 0.4]])
    labels = np.array([0, 2, 0, 0])  # right, right, wrong, right
    one_hot = np.eye(3)[labels]
    assert M.categorical_accuracy(labels, p) == pytest.approx(0.75)
    assert M.categorical_accuracy(one_hot, p) == pytest.approx(0.75)
    assert M.accuracy(labels, p) == pytest.approx(0.75)
    assert M.accuracy(one_hot, p) == pytest.approx(0.75)


def test_categorical_accuracy_from_logits():
    z = np.array([[2.0, -1.0, 0.0], [-3.0, -2.0, -2.5], [0.0, 0.1, 5.0]])
    labels = np.array([0, 1, 1])  # right, right, wrong
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    for from_logits in (True, False):
        assert M.accuracy(labels, z, from_logits=from_logits) == pytest.approx(2 / 3)
    assert M.categorical_accuracy(labels, softmax) == pytest.approx(2 / 3)


def test_multilabel_accuracy_is_element_wise():
    y = np.array([[1, 0, 1], [0, 0, 1]])
    p = np.array([[0.9, 0.6, 0.8], [0.1, 0.2, 0.3]])  # 5 of 6 elements right
    assert M.accuracy(y, p) == pytest.approx(4 / 6)


def test_accuracy_matches_sklearn():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=200)
    scores = rng.normal(size=(200, 4))
    assert M.accuracy(labels, scores, from_logits=True) == pytest.approx(
        skm.accuracy_score(labels, scores.argmax(axis=1)), abs=1e-15)
    y = rng.integers(0, 2, size=200)
    p = rng.random(200)
    assert M.accuracy(y, p) == pytest.approx(skm.accuracy_score(y, p > 0.5), abs=1e-15)


# ------------------------------------------------------------------- regression
def test_mae_mse_r2_by_hand():
    y = np.array([3.0, -0.5, 2.0, 7.0])
    p = np.array([2.5, 0.0, 2.0, 8.0])
    assert M.mae(y, p) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    assert M.mse(y, p) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    ss_res = 0.25 + 0.25 + 0 + 1
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    assert M.r2(y, p) == pytest.approx(1 - ss_res / ss_tot)
    assert M.r2(y, y) == 1.0
    assert M.r2(y, np.full(4, y.mean())) == pytest.approx(0.0, abs=1e-15)
    assert M.mae(y.reshape(-1, 1), p) == M.mae(y, p.reshape(-1, 1))  # (n,) and (n, 1) agree


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regression_metrics_match_sklearn(n_outputs):
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(n_outputs)
    y = rng.normal(size=(50, n_outputs)) * [1, 5, 0.1][:n_outputs]
    p = y + rng.normal(size=(50, n_outputs)) * 0.3
    assert M.mae(y, p) == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-12)
    assert M.mse(y, p) == pytest.approx(skm.mean_squared_error(y, p), rel=1e-12)
    assert M.r2(y, p) == pytest.approx(skm.r2_score(y, p), rel=1e-12)


def test_r2_constant_target_matches_sklearn():
    skm = pytest.importorskip("sklearn.metrics")
    y = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])  # first output constant
    exact = np.array([[1.0, 2.1], [1.0, 2.9], [1.0, 4.2]])
    off = np.array([[1.5, 2.1], [1.0, 2.9], [1.0, 4.2]])
    assert M.r2(y, exact) == pytest.approx(skm.r2_score(y, exact), rel=1e-12)
    assert M.r2(y, off) == pytest.approx(skm.r2_score(y, off), rel=1e-12)


# ------------------------------------------------------------- confusion matrix
def test_confusion_matrix_counts():
    y_true, y_pred = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2])
    matrix = M.confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert matrix.dtype == np.int64
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(y_true))  # rows: true class
    assert np.trace(matrix) / len(y_true) == M.categorical_accuracy(y_true, np.eye(3)[y_pred])


def test_confusion_matrix_keeps_absent_classes_and_infers_their_number():
    matrix = M.confusion_matrix([1, 1], [1, 3], n_classes=5)
    assert matrix.shape == (5, 5) and matrix[1, 1] == 1 and matrix[1, 3] == 1
    assert M.confusion_matrix([1, 1], [1, 3]).shape == (4, 4)  # 1 + the largest label
    assert M.confusion_matrix([0.0, 2.0], [2.0, 2.0]).tolist() == [[0, 0, 1], [0, 0, 0],
                                                                  [0, 0, 1]]
    assert M.confusion_matrix([], [], 2).tolist() == [[0, 0], [0, 0]]


def test_confusion_matrix_matches_sklearn():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 4, size=300), rng.integers(0, 4, size=300)
    np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred, 4),
                                  skm.confusion_matrix(y_true, y_pred, labels=range(4)))


@pytest.mark.parametrize("y_true, y_pred, n_classes, error, match", [
    ([0, 1], [0], 2, ValueError, "same length"),
    ([[0, 1]], [[0, 1]], 2, ValueError, r"1-D.*argmax"),
    ([0, 3], [0, 1], 3, ValueError, r"y_true has the label 3.*n_classes=3"),
    ([0, 1], [0, 5], 3, ValueError, "y_pred has the label 5"),
    ([0, -1], [0, 1], 2, ValueError, ">= 0"),
    ([0, 0.5], [0, 1], 2, ValueError, "whole-number"),
    ([0, np.nan], [0, 1], 2, ValueError, "whole-number"),
    (["a", "b"], [0, 1], 2, TypeError, "integer class labels"),
    ([0, 1], [0, 1], 0, ValueError, "n_classes"),
    ([0, 1], [0, 1], 2.0, TypeError, "n_classes"),
])
def test_confusion_matrix_rejects_bad_input(y_true, y_pred, n_classes, error, match):
    with pytest.raises(error, match=match):
        M.confusion_matrix(y_true, y_pred, n_classes)


# --------------------------------------------------------------------- by name
def test_get_by_name():
    assert M.get("accuracy") is M.accuracy
    assert M.get("ACC") is M.accuracy
    for name in ("mae", "mse", "r2", "binary_accuracy", "categorical_accuracy"):
        assert M.get(name) is getattr(M, name)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        M.get("f1")
    with pytest.raises(TypeError):
        M.get(len)


def test_compile_rejects_unknown_metric():
    model = Sequential([Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile(loss="mse", metrics=["precision"])


def test_regression_metrics_by_name_in_history_and_evaluate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1
    model = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer="adam", metrics=["mae", "mse", "r2"])
    history = model.fit(X, y, epochs=3, batch_size=40, shuffle=False,
                        validation_data=(X[:10], y[:10]), verbose=0)
    assert set(history.history) == {"loss", "mae", "mse", "r2", "val_loss", "val_mae",
                                    "val_mse", "val_r2"}
    assert all(len(v) == 3 for v in history.history.values())
    scores = model.evaluate(X, y)
    pred = model.predict(X).ravel()
    assert scores["mae"] == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-12)
    assert scores["mse"] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-12)
    assert scores["mse"] == pytest.approx(scores["loss"], rel=1e-12)
    assert scores["r2"] == pytest.approx(M.r2(y, pred), rel=1e-12)
    val = model.evaluate(X[:10], y[:10])
    assert history.history["val_r2"][-1] == pytest.approx(val["r2"], rel=1e-12)


def test_training_metric_is_computed_on_the_epochs_batches():
    """With one full batch and lr 0, the epoch's training metric equals evaluate's."""
    from plainnet import SGD

    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = rng.normal(size=30)
    model = Sequential([Dense(2, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.0), metrics=["mae", "r2"])
    history = model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    scores = model.evaluate(X, y)
    assert history.history["mae"][0] == pytest.approx(scores["mae"], rel=1e-12)
    assert history.history["r2"][0] == pytest.approx(scores["r2"], rel=1e-12)
    assert history.history["loss"][0] == pytest.approx(scores["loss"], rel=1e-12)


@pytest.mark.parametrize("last", ["sigmoid", "logits"])
def test_binary_accuracy_by_name_with_probabilities_or_logits(last):
    X = np.array([[-2.0], [-1.0], [-0.5], [0.5], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1, 1, 0])
    layers = [Dense(1, 1)] + ([Sigmoid()] if last == "sigmoid" else [])
    model = Sequential(layers, seed=0, dtype=np.float64)
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.layers[0].weights[:] = 1.0
    model.layers[0].bias[:] = 0.0  # predicts class 1 exactly when x > 0: 4 of 6 right
    assert model.outputs_are_logits == (last == "logits")
    assert model.evaluate(X, y)["accuracy"] == pytest.approx(4 / 6)
    history = model.fit(X, y, epochs=2, verbose=0, validation_data=(X, y))
    assert {"accuracy", "val_accuracy"} <= set(history.history)


@pytest.mark.parametrize("last", ["softmax", "logits"])
def test_categorical_accuracy_by_name_with_probabilities_or_logits(last):
    X = np.eye(3)
    y = np.array([0, 1, 0])  # identity weights predict 0, 1, 2: 2 of 3 right
    layers = [Dense(3, 3)] + ([Softmax()] if last == "softmax" else [])
    model = Sequential(layers, seed=0, dtype=np.float64)
    model.compile(loss="categorical_crossentropy", metrics=["accuracy", "acc"])
    model.layers[0].weights[:] = np.eye(3)
    model.layers[0].bias[:] = 0
    scores = model.evaluate(X, y)
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert scores["acc"] == pytest.approx(2 / 3)
    assert model.evaluate(X, np.eye(3)[y])["accuracy"] == pytest.approx(2 / 3)


def test_one_dimensional_inputs_get_clear_answers():
    from plainnet.activations import softmax

    with pytest.raises(ValueError, match=r"y_pred must be 2-D.*reshape\(1, -1\)"):
        M.categorical_accuracy(np.array([2]), np.array([0.1, 0.2, 0.7]))
    assert M.categorical_accuracy(np.array([2]), np.array([[0.1, 0.2, 0.7]])) == 1.0
    np.testing.assert_allclose(softmax(np.array([0.0, np.log(3.0)])), [0.25, 0.75])
