"""Tests for plainnet.data.scaling: standardise to train, then fold the scaling into the weights."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import Dense, Sequential, Sigmoid
from plainnet.data.preprocessing import Standardizer
from plainnet.data.scaling import Scaling, fold_standardization


def raw_data(n=60, seed=0):
    """Features of very different scales and offsets, and a target far from 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 50.0, 0.01] + [0.0, 1000.0, -5.0]
    y = 500.0 + 30.0 * X[:, 0] - 0.4 * X[:, 1] + 900.0 * X[:, 2] + rng.normal(size=n)
    return X, y


def regression_model(dtype=np.float64):
    model = Sequential([Dense(3, 8, activation="tanh"), Dense(8, 1)], seed=0, dtype=dtype)
    model.compile(loss="mse", optimizer="adam")
    return model


def test_fit_learns_the_standardizers_statistics():
    X, y = raw_data()
    scaling = Scaling.fit(X, y)
    reference = Standardizer().fit(X)
    np.testing.assert_array_equal(scaling.mean, reference.mean_)
    np.testing.assert_array_equal(scaling.scale, reference.scale_)
    assert scaling.target_mean == float(y.mean()) and scaling.target_scale == float(y.std())
    X_std, y_std = scaling.inputs(X), scaling.targets(y)
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_std.std(axis=0), 1.0)
    assert abs(y_std.mean()) < 1e-12 and y_std.std() == pytest.approx(1.0)


def test_without_a_target_or_with_a_constant_column():
    X = np.array([[1.0, 7.0], [3.0, 7.0]])
    scaling = Scaling.fit(X)
    np.testing.assert_array_equal(scaling.scale, [1.0, 1.0])  # constant column: scale 1
    np.testing.assert_array_equal(scaling.inputs(X), [[-1.0, 0.0], [1.0, 0.0]])
    labels = np.array([0, 1])
    assert scaling.target_mean is None
    np.testing.assert_array_equal(scaling.targets(labels), labels)  # classes: unchanged
    assert Scaling.fit(X, np.array([4.0, 4.0])).target_scale == 1.0  # constant target


def test_identity_changes_nothing():
    X, _ = raw_data(5)
    scaling = Scaling.identity(3)
    np.testing.assert_array_equal(scaling.inputs(X), X)
    model = regression_model()
    model.predict(X)  # build
    before = model.get_weights()
    scaling.fold_into(model)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_json_round_trip():
    X, y = raw_data()
    for scaling in (Scaling.fit(X, y), Scaling.fit(X), Scaling.fit(X, np.column_stack([y, -y]))):
        record = scaling.to_json()
        assert set(record) <= {"feature_mean", "feature_scale", "target_mean", "target_scale"}
        assert Scaling.from_json(record) == scaling
    assert isinstance(Scaling.fit(X, y).to_json()["target_mean"], float)
    assert Scaling.from_json({**Scaling.fit(X).to_json(), "folded": True}) == Scaling.fit(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_folding_gives_the_same_outputs_on_raw_data(dtype):
    X, y = raw_data()
    scaling = Scaling.fit(X, y)
    model = regression_model(dtype)
    model.fit(scaling.inputs(X), scaling.targets(y), epochs=5, verbose=0)
    expected = model.predict(scaling.inputs(X)).astype(np.float64) * scaling.target_scale \
        + scaling.target_mean  # standardised predictions, in the target's units
    scaling.fold_into(model)
    tolerance = 1e-10 if dtype == np.float64 else 1e-3
    np.testing.assert_allclose(model.predict(X), expected, rtol=tolerance,
                               atol=tolerance * np.abs(expected).max())
    assert model.layers[0].weights.dtype == dtype


def test_folding_into_a_classifier_scales_the_inputs_only():
    X, _ = raw_data()
    y = (X[:, 0] > 0).astype(int)
    scaling = Scaling.fit(X)
    model = Sequential([Dense(3, 4, activation="relu"), Dense(4, 1), Sigmoid()], seed=1,
                       dtype=np.float64)
    model.compile(loss="binary_crossentropy", optimizer="adam")
    model.fit(scaling.inputs(X), y, epochs=3, verbose=0)
    expected = model.predict(scaling.inputs(X))
    fold_standardization(model, scaling.mean, scaling.scale)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-10, atol=1e-12)


def test_fold_standardization_matches_the_formula():
    model = Sequential([Dense(2, 2)], seed=0, dtype=np.float64)
    model.predict(np.zeros((1, 2)))  # build
    W, b = model.layers[0].weights.copy(), model.layers[0].bias.copy()
    mean, scale = np.array([1.0, -2.0]), np.array([2.0, 4.0])
    fold_standardization(model, mean, scale, target_mean=[10.0, 20.0], target_scale=[3.0, 5.0])
    layer = model.layers[0]  # first and last at once
    np.testing.assert_allclose(layer.weights, W / scale[:, None] * [3.0, 5.0])
    np.testing.assert_allclose(layer.bias, (b - (mean / scale) @ W) * [3.0, 5.0] + [10, 20])


def test_folding_checks_the_model():
    X, y = raw_data(10)
    scaling = Scaling.fit(X, y)
    with pytest.raises(ValueError, match="not built"):  # Dense(8): its input width unknown
        scaling.fold_into(Sequential([Dense(8, activation="tanh"), Dense(1)], seed=0))
    model = regression_model()
    with pytest.raises(ValueError, match="2 features.*takes 3 inputs"):
        Scaling.fit(X[:, :2]).fold_into(model)
    classifier = Sequential([Dense(3, 1), Sigmoid()], seed=0)
    classifier.predict(X)
    with pytest.raises(ValueError, match="last layer is Dense without activation.*got Sigmoid"):
        scaling.fold_into(classifier)
    activated = Sequential([Dense(3, 1, activation="relu")], seed=0)
    activated.predict(X)
    with pytest.raises(ValueError, match=r"without activation.*got (ReLU|dense\S* with)"):
        scaling.fold_into(activated)
    with pytest.raises(ValueError, match="first layer is Dense"):
        fold_standardization(Sequential([Sigmoid(), Dense(3, 1)]), scaling.mean, scaling.scale)


def test_bad_statistics_are_refused():
    with pytest.raises(ValueError, match="scale must be positive"):
        Scaling([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        Scaling([0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="both target_mean and target_scale"):
        Scaling([0.0], [1.0], target_mean=1.0)
    with pytest.raises(ValueError, match="mean contains 1 NaN"):
        Scaling([np.nan], [1.0])
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        Scaling.fit(np.ones((2, 1)), [1.0, np.inf])
    with pytest.raises(TypeError, match="scale must contain numbers"):
        Scaling([0.0], ["one"])
    with pytest.raises(ValueError, match="rows"):
        Scaling.fit(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        Scaling.fit(np.ones((3, 2))).inputs(np.ones((3, 3)))
    with pytest.raises(ValueError, match="feature_mean"):
        Scaling.from_json({"mean": [0.0]})
