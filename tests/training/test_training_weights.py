"""fit(sample_weight=..., class_weight=...): the weighted loss, against a hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import Dense, Sequential
from plainnet.optimizers import SGD


def classifier(seed=0, dtype=np.float64):
    model = Sequential([Dense(5, activation="tanh"), Dense(3, activation="softmax")], seed=seed,
                       dtype=dtype, input_shape=(4,))
    model.compile(loss="categorical_crossentropy", optimizer=SGD(learning_rate=0.1),
                  metrics=["accuracy"])
    return model


def data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, size=n)


def test_weighted_evaluate_is_the_hand_weighted_mean():
    X, y = data()
    model = classifier()
    w = np.linspace(0.0, 2.0, len(X))
    p = model.predict(X)
    losses = -np.log(p[np.arange(len(y)), y])
    scores = model.evaluate(X, y, sample_weight=w)
    assert scores["loss"] == pytest.approx((w * losses).sum() / len(y), rel=1e-10)


def test_a_weight_of_two_is_the_sample_seen_twice():
    """One full-batch step with weights (1, 2, 1, ...) equals the step on the data with the
    weighted sample repeated, once the batch-size divisor is matched (lr scaled by n'/n)."""
    X, y = data(6)
    w = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    weighted = classifier()
    weighted.fit(X, y, epochs=1, batch_size=6, sample_weight=w, shuffle=False, verbose=0)
    repeated = classifier()
    repeated.optimizer.learning_rate = 0.1 * 7 / 6
    X2, y2 = np.concatenate([X, X[1:2]]), np.concatenate([y, y[1:2]])
    repeated.fit(X2, y2, epochs=1, batch_size=7, shuffle=False, verbose=0)
    for a, b in zip(weighted.get_weights(), repeated.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_zero_weights_leave_samples_out_of_training():
    X, y = data(10)
    w = np.r_[np.ones(5), np.zeros(5)]
    weighted = classifier()
    weighted.fit(X, y, epochs=3, batch_size=10, sample_weight=w, shuffle=False, verbose=0)
    # the same steps on the first five samples, whose batch divisor is 5, not 10
    only_first = classifier()
    only_first.optimizer.learning_rate = 0.1 * 5 / 10
    only_first.fit(X[:5], y[:5], epochs=3, batch_size=5, shuffle=False, verbose=0)
    for a, b in zip(weighted.get_weights(), only_first.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_balanced_class_weight_is_n_over_classes_times_count():
    X, y = data(12)
    y = np.array([0] * 6 + [1] * 4 + [2] * 2)
    expected = 12 / (3 * np.bincount(y))  # 2/3, 1, 2
    a, b = classifier(), classifier()
    a.fit(X, y, epochs=2, batch_size=4, class_weight="balanced", shuffle=False, verbose=0)
    b.fit(X, y, epochs=2, batch_size=4, sample_weight=expected[y], shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    # a dict: classes left out weigh 1; it multiplies sample_weight
    c, d = classifier(), classifier()
    sw = np.linspace(0.5, 1.5, 12)
    c.fit(X, y, epochs=1, batch_size=4, class_weight={2: 3.0}, sample_weight=sw,
          shuffle=False, verbose=0)
    d.fit(X, y, epochs=1, batch_size=4, sample_weight=sw * np.array([1, 1, 3.0])[y],
          shuffle=False, verbose=0)
    for wc, wd in zip(c.get_weights(), d.get_weights()):
        np.testing.assert_array_equal(wc, wd)


def test_weighted_metrics_and_history():
    X, y = data(8)
    model = classifier()
    w = np.arange(8, dtype=float)
    history = model.fit(X, y, epochs=1, batch_size=8, sample_weight=w, verbose=0,
                        validation_data=(X, y, w))
    correct = np.argmax(model.predict(X), axis=1) == y
    scores = model.evaluate(X, y, sample_weight=w)
    assert scores["accuracy"] == pytest.approx((w * correct).sum() / w.sum())
    assert history.history["val_loss"][0] == pytest.approx(scores["loss"], rel=1e-12)


def test_binary_class_weight_and_validation_split_keep_weights_with_rows():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(20, 2)), (rng.random(20) > 0.7).astype(float)
    model = Sequential([Dense(1, activation="sigmoid")], seed=0, input_shape=(2,),
                       dtype=np.float64)
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.1))
    history = model.fit(X, y, epochs=1, batch_size=20, class_weight={1: 5.0},
                        validation_split=0.25, shuffle=False, verbose=0)
    held_out_weights = np.where(y[15:] == 1, 5.0, 1.0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(X[15:], y[15:], sample_weight=held_out_weights)["loss"], rel=1e-12)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"sample_weight": np.ones(5)}, ValueError, r"sample_weight must have one weight per "
                                                r"sample, shape \(12,\), got shape \(5,\)"),
    ({"sample_weight": -np.ones(12)}, ValueError, "sample_weight must be non-negative"),
    ({"sample_weight": np.full(12, np.nan)}, ValueError, "sample_weight must be finite"),
    ({"sample_weight": "heavy"}, TypeError, "sample_weight must be numbers"),
    ({"class_weight": {7: 2.0}}, ValueError, "class_weight names the class 7, but the "
                                             "classes are the integers 0 to 2"),
    ({"class_weight": {0: -1.0}}, ValueError, r"class_weight\[0\] must be a finite number"),
    ({"class_weight": "even"}, ValueError, "class_weight must be a dict"),
    ({"class_weight": [1, 2]}, TypeError, "class_weight must be a dict"),
])
def test_bad_weights_are_refused_before_training(kwargs, error, message):
    X, y = data()
    model = classifier()
    before = model.get_weights()
    with pytest.raises(error, match=message):
        model.fit(X, y, epochs=1, verbose=0, **kwargs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_class_weight_needs_a_classification_loss():
    X = np.random.default_rng(0).normal(size=(6, 4))
    model = Sequential([Dense(1)], input_shape=(4,), seed=0)
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="class_weight needs classes"):
        model.fit(X, X[:, 0], class_weight="balanced", verbose=0)


def test_weighted_metrics_equal_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is not installed")
    from plainnet.metrics import accuracy, mae, mse, r2

    rng = np.random.default_rng(7)
    w = rng.random(30)
    y, p = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    assert r2(y, p, sample_weight=w) == pytest.approx(metrics.r2_score(y, p, sample_weight=w))
    assert mae(y, p, sample_weight=w) == pytest.approx(
        metrics.mean_absolute_error(y, p, sample_weight=w))
    assert mse(y, p, sample_weight=w) == pytest.approx(
        metrics.mean_squared_error(y, p, sample_weight=w))
    labels, scores = rng.integers(0, 3, 30), rng.normal(size=(30, 3))
    assert accuracy(labels, scores, sample_weight=w) == pytest.approx(
        metrics.accuracy_score(labels, scores.argmax(axis=1), sample_weight=w))
