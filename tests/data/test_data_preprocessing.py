"""Tests for plainnet.data.preprocessing: Standardizer, standardize, one_hot."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plainnet.data import Standardizer, one_hot, standardize


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal([1.0, -3.0], [2.0, 0.5], size=(200, 2))
    X_test = rng.normal([50.0, 50.0], 10.0, size=(30, 2))
    train_copy, test_copy = X_train.copy(), X_test.copy()

    X_train_std, X_test_std, (mean, std) = standardize(X_train, X_test)
    np.testing.assert_allclose(mean, X_train.mean(axis=0))
    np.testing.assert_allclose(std, X_train.std(axis=0))
    np.testing.assert_allclose(X_train_std.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_train_std.std(axis=0), 1.0)
    np.testing.assert_allclose(X_test_std, (X_test - mean) / std)
    assert np.all(X_test_std.mean(axis=0) > 5)  # test data far away stays far away
    np.testing.assert_array_equal(X_train, train_copy)  # inputs are not modified
    np.testing.assert_array_equal(X_test, test_copy)


def test_standardize_without_test_set_and_constant_column():
    X = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    X_std, X_test_std, (mean, scale) = standardize(X)
    assert X_test_std is None
    np.testing.assert_allclose(scale, [np.std([1, 3, 5]), 1.0])  # constant column: scale 1
    np.testing.assert_allclose(X_std[:, 1], 0.0)
    assert np.all(np.isfinite(X_std))
    _, shifted, _ = standardize(X, [[3.0, 9.0]])
    np.testing.assert_allclose(shifted, [[0.0, 2.0]])  # centred but not divided


def test_constant_column_with_inexact_mean_is_not_blown_up():
    X = np.full((7, 1), 0.1)  # the float mean of 0.1s is not exactly 0.1
    X_std, _, (_, scale) = standardize(X)
    assert scale[0] == 1.0
    assert np.all(np.abs(X_std) < 1e-12)


def test_standardizer_class_round_trip():
    rng = np.random.default_rng(1)
    X = rng.normal(3.0, 4.0, size=(50, 3))
    scaler = Standardizer()
    assert scaler.fit(X) is scaler
    np.testing.assert_allclose(scaler.fit_transform(X), scaler.transform(X))
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match="fit"):
        Standardizer().transform(np.zeros((2, 2)))
    scaler = Standardizer().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="columns"):
        scaler.transform(np.zeros((3, 4)))
    with pytest.raises(ValueError):
        Standardizer().fit(np.zeros(5))  # not 2-D
    with pytest.raises(ValueError):
        Standardizer().fit(np.zeros((0, 2)))  # no rows
    with pytest.raises(ValueError, match="NaN"):
        standardize(np.array([[1.0], [np.nan]]))


def test_one_hot_values_and_round_trip():
    y = np.array([2, 0, 1, 2])
    encoded = one_hot(y)
    assert encoded.dtype == np.float64 and encoded.shape == (4, 3)
    np.testing.assert_array_equal(encoded, np.eye(3)[y])
    np.testing.assert_array_equal(encoded.argmax(axis=1), y)
    assert one_hot(y, n_classes=5).shape == (4, 5)
    assert one_hot(np.array([], dtype=int), n_classes=3).shape == (0, 3)


@given(st.lists(st.integers(0, 9), min_size=1, max_size=50))
def test_one_hot_round_trip_property(labels):
    encoded = one_hot(labels, n_classes=10)
    np.testing.assert_array_equal(encoded.sum(axis=1), 1.0)
    np.testing.assert_array_equal(encoded.argmax(axis=1), labels)


@pytest.mark.parametrize(
    ("y", "n_classes", "error"),
    [
        ([0, 1, 3], 3, ValueError),  # label too large
        ([0, -1], None, ValueError),  # negative
        ([0.0, 1.0], None, TypeError),  # not integers
        ([True, False], None, TypeError),
        (["a", "b"], None, TypeError),
        ([[0, 1]], None, ValueError),  # not 1-D
        (np.array([], dtype=int), None, ValueError),  # cannot infer n_classes
        ([0, 1], 0, ValueError),
        ([0, 1], 2.0, TypeError),
    ],
)
def test_one_hot_errors(y, n_classes, error):
    with pytest.raises(error):
        one_hot(y, n_classes=n_classes)
