"""Tests for plainnet.datasets."""

from __future__ import annotations

import gzip
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainnet.datasets import (
    CSVData,
    Standardizer,
    batches,
    blobs,
    circles,
    digits,
    iris,
    load_csv,
    load_mnist,
    moons,
    one_hot,
    read_idx,
    spirals,
    standardize,
    train_test_split,
    xor,
)

# (generator, keyword arguments other than n_samples and seed, number of classes, n_features)
GENERATORS = [
    pytest.param(moons, {}, 2, 2, id="moons"),
    pytest.param(circles, {}, 2, 2, id="circles"),
    pytest.param(spirals, {}, 3, 2, id="spirals"),
    pytest.param(spirals, {"classes": 5}, 5, 2, id="spirals-5"),
    pytest.param(blobs, {}, 3, 2, id="blobs"),
    pytest.param(blobs, {"centers": 4, "n_features": 6}, 4, 6, id="blobs-6d"),
]


# ---------------------------------------------------------------------------
# Generated data sets
# ---------------------------------------------------------------------------


def test_xor():
    X, y = xor()
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 1, 0]
    np.testing.assert_array_equal(y, X[:, 0].astype(int) ^ X[:, 1].astype(int))
    assert {tuple(row) for row in X} == {(0, 0), (0, 1), (1, 0), (1, 1)}


@pytest.mark.parametrize(("make", "kwargs", "k", "d"), GENERATORS)
@pytest.mark.parametrize("n", [101, 12])
def test_generator_shapes_dtypes_and_balance(make, kwargs, k, d, n):
    X, y = make(n_samples=n, seed=0, **kwargs)
    assert X.shape == (n, d) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.sum() == n
    assert counts.max() - counts.min() <= 1  # as balanced as possible


@pytest.mark.parametrize(("make", "kwargs", "k", "d"), GENERATORS)
def test_generators_are_shuffled(make, kwargs, k, d):
    _, y = make(n_samples=90, seed=0, **kwargs)
    assert not np.all(np.diff(y) >= 0)  # labels are not sorted


@pytest.mark.parametrize(("make", "kwargs", "k", "d"), GENERATORS)
def test_same_seed_same_data_different_seed_different_data(make, kwargs, k, d):
    X1, y1 = make(n_samples=50, seed=7, **kwargs)
    X2, y2 = make(n_samples=50, seed=7, **kwargs)
    X3, y3 = make(n_samples=50, seed=8, **kwargs)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize(("make", "kwargs", "k", "d"), GENERATORS)
def test_generator_object_as_seed(make, kwargs, k, d):
    X_int, _ = make(n_samples=30, seed=3, **kwargs)
    rng = np.random.default_rng(3)
    X_first, _ = make(n_samples=30, seed=rng, **kwargs)
    X_second, _ = make(n_samples=30, seed=rng, **kwargs)
    np.testing.assert_array_equal(X_int, X_first)
    assert not np.array_equal(X_first, X_second)  # the generator's state advanced


@pytest.mark.parametrize(("make", "kwargs", "k", "d"), GENERATORS)
def test_seed_none_gives_fresh_data(make, kwargs, k, d):
    X1, _ = make(n_samples=30, seed=None, **kwargs)
    X2, _ = make(n_samples=30, seed=None, **kwargs)
    assert not np.array_equal(X1, X2)


def _global_state_equal(a, b) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def _call_everything_seeded(seed):
    X, y = blobs(n_samples=40, seed=seed)
    return [
        *moons(seed=seed),
        *circles(seed=seed),
        *spirals(seed=seed),
        X,
        y,
        *train_test_split(X, y, stratify=True, seed=seed),
        *[xb for xb, _ in batches(X, y, batch_size=7, shuffle=True, seed=seed)],
    ]


def test_global_numpy_rng_is_neither_used_nor_changed():
    np.random.seed(1)
    before = np.random.get_state()
    first = _call_everything_seeded(5)
    assert _global_state_equal(before, np.random.get_state())

    np.random.seed(2)  # a different global state must not change seeded output
    second = _call_everything_seeded(5)
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)

    np.random.seed(3)
    before = np.random.get_state()
    moons(seed=None)
    blobs(seed=None)
    assert _global_state_equal(before, np.random.get_state())


def test_moons_geometry_without_noise():
    X, y = moons(n_samples=101, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= -1e-12) and np.all(lower[:, 1] <= 0.5 + 1e-12)
    # Both arcs run end to end: x from -1 to 1 and from 0 to 2.
    np.testing.assert_allclose([upper[:, 0].min(), upper[:, 0].max()], [-1.0, 1.0])
    np.testing.assert_allclose([lower[:, 0].min(), lower[:, 0].max()], [0.0, 2.0])


def test_moons_noise_has_requested_scale():
    X0, y0 = moons(n_samples=4000, noise=0.0, seed=1)
    X1, y1 = moons(n_samples=4000, noise=0.3, seed=1)
    np.testing.assert_array_equal(y0, y1)  # same shuffle, only the noise differs
    assert abs((X1 - X0).std() - 0.3) < 0.02


@pytest.mark.parametrize("factor", [0.3, 0.5, 0.8])
def test_circles_radii_without_noise(factor):
    X, y = circles(n_samples=200, noise=0.0, factor=factor, seed=0)
    radius = np.hypot(*X.T)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], factor)
    angles = np.sort(np.arctan2(X[y == 0, 1], X[y == 0, 0]))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 100)  # evenly spread


def test_circles_with_noise_keep_mean_radii():
    X, y = circles(n_samples=2000, noise=0.05, factor=0.4, seed=0)
    radius = np.hypot(*X.T)
    assert abs(radius[y == 0].mean() - 1.0) < 0.02
    assert abs(radius[y == 1].mean() - 0.4) < 0.02


def test_spirals_geometry_without_noise():
    X, y = spirals(n_samples=301, classes=3, noise=0.0, seed=0)
    radius = np.hypot(*X.T)
    assert radius.min() >= 0.0 and radius.max() <= 1.0 + 1e-12
    for label in range(3):  # every arm runs from the centre to radius 1
        np.testing.assert_allclose([radius[y == label].min(), radius[y == label].max()], [0, 1])
    # Point (r sin t, r cos t) with t = 4 * (label + r): check the angle (away from r = 0).
    far = radius > 1e-9
    expected = 4.0 * (y[far] + radius[far])
    actual = np.arctan2(X[far, 0], X[far, 1])
    np.testing.assert_allclose(np.cos(actual - expected), 1.0)


def test_spirals_noise_perturbs_angle_only():
    X0, y0 = spirals(n_samples=300, noise=0.0, seed=4)
    X1, y1 = spirals(n_samples=300, noise=0.5, seed=4)
    np.testing.assert_array_equal(y0, y1)
    np.testing.assert_allclose(np.hypot(*X0.T), np.hypot(*X1.T))
    assert not np.allclose(X0, X1)


def test_blobs_with_given_centers_and_zero_std():
    centers = np.array([[0.0, 0.0, 0.0], [5.0, -5.0, 1.0]])
    X, y = blobs(n_samples=11, centers=centers, cluster_std=0.0, seed=0)
    assert X.shape == (11, 3)
    np.testing.assert_array_equal(X, centers[y])


def test_blobs_cluster_means_and_per_cluster_std():
    centers = [[-5.0, 0.0], [5.0, 0.0]]
    X, y = blobs(n_samples=4000, centers=centers, cluster_std=[0.5, 2.0], seed=0)
    for label, std in enumerate([0.5, 2.0]):
        cluster = X[y == label]
        np.testing.assert_allclose(cluster.mean(axis=0), centers[label], atol=0.15)
        np.testing.assert_allclose(cluster.std(axis=0), std, rtol=0.1)


def test_blobs_random_centers_lie_in_box():
    X, y = blobs(n_samples=300, centers=5, cluster_std=0.0, center_box=(2.0, 3.0), seed=0)
    assert np.all((X >= 2.0) & (X <= 3.0))
    assert len(np.unique(X, axis=0)) == 5  # one point per (distinct) centre


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: moons(n_samples="10"), TypeError),
        (lambda: moons(n_samples=10.0), TypeError),
        (lambda: moons(n_samples=True), TypeError),
        (lambda: moons(n_samples=0), ValueError),
        (lambda: moons(n_samples=1), ValueError),
        (lambda: moons(noise=-0.1), ValueError),
        (lambda: moons(noise=float("nan")), ValueError),
        (lambda: moons(noise="0.1"), TypeError),
        (lambda: moons(seed="1"), TypeError),
        (lambda: moons(seed=1.5), TypeError),
        (lambda: moons(seed=-1), ValueError),
        (lambda: circles(n_samples=-5), ValueError),
        (lambda: circles(factor=1.0), ValueError),
        (lambda: circles(factor=0.0), ValueError),
        (lambda: circles(factor=None), TypeError),
        (lambda: circles(noise=-1), ValueError),
        (lambda: spirals(classes=0), ValueError),
        (lambda: spirals(classes=2.0), TypeError),
        (lambda: spirals(n_samples=2, classes=3), ValueError),
        (lambda: spirals(noise=-0.2), ValueError),
        (lambda: blobs(n_samples="100"), TypeError),
        (lambda: blobs(centers=0), ValueError),
        (lambda: blobs(centers="3"), TypeError),
        (lambda: blobs(centers=2.5), TypeError),
        (lambda: blobs(centers=[1.0, 2.0]), ValueError),
        (lambda: blobs(centers=np.zeros((0, 2))), ValueError),
        (lambda: blobs(n_features=0), ValueError),
        (lambda: blobs(cluster_std=-1.0), ValueError),
        (lambda: blobs(centers=2, cluster_std=[1.0, 2.0, 3.0]), ValueError),
        (lambda: blobs(center_box=(5, 5)), ValueError),
        (lambda: blobs(center_box=(0, 1, 2)), ValueError),
    ],
)
def test_generator_argument_validation(call, error):
    with pytest.raises(error):
        call()


def test_validation_messages_name_the_argument():
    with pytest.raises(TypeError, match="n_samples"):
        moons(n_samples="10")
    with pytest.raises(ValueError, match="noise"):
        circles(noise=-1.0)
    with pytest.raises(ValueError, match="factor"):
        circles(factor=2.0)


# ---------------------------------------------------------------------------
# train_test_split
# ---------------------------------------------------------------------------


def _rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    """X whose row i is [i, 10 i] and y = i, so alignment can be checked."""
    index = np.arange(n)
    return np.column_stack([index, 10 * index]).astype(float), index


@pytest.mark.parametrize(
    ("n", "test_size", "n_test"), [(100, 0.25, 25), (10, 0.25, 3), (100, 0.07, 7), (10, 4, 4)]
)
def test_split_sizes_disjoint_cover_and_aligned(n, test_size, n_test):
    X, y = _rows(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=0)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == n - n_test
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(X_train[:, 0], y_train)
    np.testing.assert_array_equal(X_test[:, 1], 10 * y_test)


def test_split_shuffles_deterministically():
    X, y = _rows(50)
    first = train_test_split(X, y, seed=1)
    second = train_test_split(X, y, seed=1)
    other = train_test_split(X, y, seed=2)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], other[3])
    assert not np.all(np.diff(first[2]) > 0)  # training order is shuffled


def test_split_without_shuffle_keeps_order_and_puts_tail_in_test():
    X, y = _rows(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=3, shuffle=False)
    assert y_train.tolist() == list(range(7)) and y_test.tolist() == [7, 8, 9]


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100)[:, None]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=True, seed=0)
    assert np.bincount(y_test).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]


def test_stratify_with_separate_group_array():
    y = np.arange(40)  # unique targets: stratify on groups instead
    groups = np.repeat([0, 1], [30, 10])
    _, _, y_train, y_test = train_test_split(y[:, None], y, test_size=0.5, stratify=groups, seed=0)
    assert np.bincount(groups[y_test]).tolist() == [15, 5]
    assert np.bincount(groups[y_train]).tolist() == [15, 5]


def test_stratified_split_without_shuffle_takes_last_of_each_class():
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    X_train, X_test, y_train, y_test = train_test_split(
        np.arange(8), y, test_size=4, stratify=True, shuffle=False
    )
    assert X_train.tolist() == [0, 1, 2, 3] and X_test.tolist() == [4, 5, 6, 7]
    assert y_train.tolist() == [0, 1, 0, 1] and y_test.tolist() == [0, 1, 0, 1]


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 30), min_size=1, max_size=6),
    fraction=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
def test_stratified_split_property(counts, fraction, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    n_test = int(np.ceil(round(fraction * n, 9)))
    if not 0 < n_test < n:
        with pytest.raises(ValueError):
            train_test_split(y, y, test_size=fraction, stratify=True, seed=seed)
        return
    _, _, y_train, y_test = train_test_split(y, y, test_size=fraction, stratify=True, seed=seed)
    assert len(y_test) == n_test and len(y_train) == n - n_test
    test_counts = np.bincount(y_test, minlength=len(counts))
    ideal = np.array(counts) * n_test / n
    assert np.all(np.abs(test_counts - ideal) < 1.0)  # each class within one of its share
    np.testing.assert_array_equal(test_counts + np.bincount(y_train, minlength=len(counts)), counts)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"test_size": 0}, ValueError),
        ({"test_size": 10}, ValueError),
        ({"test_size": 12}, ValueError),
        ({"test_size": -1}, ValueError),
        ({"test_size": 0.0}, ValueError),
        ({"test_size": 1.0}, ValueError),
        ({"test_size": 0.99}, ValueError),  # ceil(9.9) = 10 leaves no training data
        ({"test_size": "0.2"}, TypeError),
        ({"test_size": True}, TypeError),
        ({"stratify": np.zeros(3)}, ValueError),
        ({"shuffle": "yes"}, TypeError),
        ({"seed": "0"}, TypeError),
    ],
)
def test_split_validation(kwargs, error):
    X, y = _rows(10)
    with pytest.raises(error):
        train_test_split(X, y, **kwargs)


def test_split_rejects_length_mismatch():
    with pytest.raises(ValueError, match="10 and 9"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))


# ---------------------------------------------------------------------------
# standardize / Standardizer
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# one_hot
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# batches
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_sample_once(shuffle):
    X, y = _rows(103)
    parts = list(batches(X, y, batch_size=10, shuffle=shuffle, seed=0))
    assert [len(xb) for xb, _ in parts] == [10] * 10 + [3]
    seen = np.concatenate([yb for _, yb in parts])
    assert sorted(seen.tolist()) == list(range(103))
    for xb, yb in parts:  # rows stay paired with their targets
        np.testing.assert_array_equal(xb[:, 0], yb)
    assert (seen.tolist() == list(range(103))) is not shuffle


def test_unshuffled_batches_are_views():
    X, y = _rows(20)
    for xb, yb in batches(X, y, batch_size=8):
        assert np.shares_memory(xb, X) and np.shares_memory(yb, y)


def test_shuffled_batches_are_deterministic_per_seed():
    X = np.arange(50)
    first = np.concatenate([xb for xb, _ in batches(X, batch_size=8, shuffle=True, seed=3)])
    again = np.concatenate([xb for xb, _ in batches(X, batch_size=8, shuffle=True, seed=3)])
    other = np.concatenate([xb for xb, _ in batches(X, batch_size=8, shuffle=True, seed=4)])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_batches_without_targets_and_large_batch():
    parts = list(batches(np.ones((5, 2)), batch_size=100))
    assert len(parts) == 1
    assert parts[0][0].shape == (5, 2) and parts[0][1] is None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"y": np.zeros(9)}, ValueError),
        ({"batch_size": 0}, ValueError),
        ({"batch_size": "8"}, TypeError),
        ({"batch_size": 8.0}, TypeError),
        ({"shuffle": 1}, TypeError),
    ],
)
def test_batches_validate_when_called(kwargs, error):
    with pytest.raises(error):
        batches(np.zeros((10, 2)), **kwargs)  # no iteration needed to get the error


# ---------------------------------------------------------------------------
# Bundled scikit-learn data sets
# ---------------------------------------------------------------------------


def test_digits():
    pytest.importorskip("sklearn")
    X, y = digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert set(np.unique(y).tolist()) == set(range(10))
    full = digits(return_X_y=False)
    np.testing.assert_array_equal(full.X, X)
    assert len(full.feature_names) == 64 and len(full.target_names) == 10


def test_iris():
    pytest.importorskip("sklearn")
    X, y = iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [50, 50, 50] and y.dtype == np.int64
    assert iris(return_X_y=False).target_names == ["setosa", "versicolor", "virginica"]


@pytest.mark.parametrize("loader", [digits, iris])
def test_missing_sklearn_gives_clear_import_error(monkeypatch, loader):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=r'pip install "plainnet\[sklearn\]"'):
        loader()


# ---------------------------------------------------------------------------
# load_csv
# ---------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_integer_target_by_name(tmp_path):
    path = _write(tmp_path, "a,label,b\n1.5,0,2\n-3,1,4e2\n0,1,5\n")
    X, y, classes = load_csv(path, target="label")
    np.testing.assert_array_equal(X, [[1.5, 2.0], [-3.0, 400.0], [0.0, 5.0]])
    assert X.dtype == np.float64
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 1]
    assert classes is None


def test_load_csv_float_target_by_negative_index(tmp_path):
    path = _write(tmp_path, "x1,x2,price\n1,2,3.5\n4,5,6\n")
    result = load_csv(str(path), target=-1)
    assert isinstance(result, CSVData)
    assert result.y.dtype == np.float64 and result.y.tolist() == [3.5, 6.0]
    np.testing.assert_array_equal(result.X, [[1, 2], [4, 5]])


def test_load_csv_text_target_becomes_labels(tmp_path):
    text = "species,len\nsetosa,1.0\nvirginica,2.0\nsetosa,1.5\nversicolor,3.0\n"
    X, y, classes = load_csv(_write(tmp_path, text), target="species")
    assert classes.tolist() == ["setosa", "versicolor", "virginica"]  # sorted
    assert y.dtype == np.int64 and y.tolist() == [0, 2, 0, 1]
    assert [classes[i] for i in y] == ["setosa", "virginica", "setosa", "versicolor"]
    np.testing.assert_array_equal(X, [[1.0], [2.0], [1.5], [3.0]])


def test_load_csv_without_header_other_delimiter_blank_lines_and_spaces(tmp_path):
    path = _write(tmp_path, "1; 2; yes\n\n3 ;4;no\n5;6; yes \n\n")
    X, y, classes = load_csv(path, target=2, delimiter=";", header=False)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6]])
    assert classes.tolist() == ["no", "yes"] and y.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("text", "kwargs", "pattern"),
    [
        ("a,b,y\n1,2,0\n3,oops,1\n", {"target": "y"}, r"line 3, column 2 \('b'\).*'oops'"),
        ("a,b,y\n1,2,0\n3,,1\n", {"target": "y"}, r"line 3, column 2.*''"),
        ("a,b,y\n1,2,0\n3,4\n", {"target": "y"}, r"line 3: expected 3 columns, found 2"),
        ("a,b,y\n1,2,0\n3,4,5,6\n", {"target": "y"}, r"line 3: expected 3 columns, found 4"),
        ("a,b,y\n1,2,0\n", {"target": "label"}, r"no column named 'label'.*'a', 'b', 'y'"),
        ("a,b,y\n1,2,0\n", {"target": 3}, r"index 3 is out of range for 3 columns"),
        ("a,b,y\n1,2,0\n", {"target": -4}, r"out of range"),
        ("1,2,0\n", {"target": "y", "header": False}, r"needs header=True"),
        ("", {"target": 0}, r"empty"),
        ("\n\n", {"target": 0}, r"empty"),
        ("a,b,y\n", {"target": "y"}, r"line 1 is not followed by data"),
        ("a,b,y\n1,2,0\n\n3,4,\n", {"target": "y"}, r"line 4, column 3: the target is empty"),
    ],
)
def test_load_csv_errors_name_file_line_and_column(tmp_path, text, kwargs, pattern):
    path = _write(tmp_path, text, name="broken.csv")
    with pytest.raises(ValueError, match=pattern) as info:
        load_csv(path, **kwargs)
    assert "broken.csv" in str(info.value)


def test_load_csv_type_errors_and_missing_file(tmp_path):
    path = _write(tmp_path, "a,y\n1,2\n")
    with pytest.raises(TypeError):
        load_csv(path, target=1.0)
    with pytest.raises(TypeError):
        load_csv(path, target=True)
    with pytest.raises(FileNotFoundError):
        load_csv(tmp_path / "missing.csv", target=0)


# ---------------------------------------------------------------------------
# read_idx / load_mnist
# ---------------------------------------------------------------------------

IDX_CODES = {
    "uint8": 0x08,
    "int8": 0x09,
    "int16": 0x0B,
    "int32": 0x0C,
    "float32": 0x0D,
    "float64": 0x0E,
}


def _idx_bytes(array: np.ndarray) -> bytes:
    """Encode ``array`` in the IDX format."""
    header = struct.pack(">BBBB", 0, 0, IDX_CODES[array.dtype.name], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write_idx(path: Path, data: bytes | np.ndarray, compress: bool = False) -> Path:
    if isinstance(data, np.ndarray):
        data = _idx_bytes(data)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def _fake_mnist(folder: Path, prefix: str, n: int, compress: bool, seed: int = 0):
    """Write ``n`` random 28x28 images and labels with the standard file names."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if compress else ""
    _write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
    _write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_read_idx_round_trip(tmp_path, dtype, compress):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    if dtype.startswith("float"):
        array = array / 7
    result = read_idx(_write_idx(tmp_path / "data.idx", array, compress))
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    assert result.shape == (2, 3, 4)
    np.testing.assert_array_equal(result, array)
    result[0, 0, 0] = 1  # the result is a writable array


def test_read_idx_detects_gzip_by_content(tmp_path):
    array = np.arange(6, dtype=np.int16)
    path = _write_idx(tmp_path / "no-suffix", array, compress=True)
    np.testing.assert_array_equal(read_idx(path), array)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("kind", "prefix"), [("train", "train"), ("test", "t10k"), ("t10k", "t10k")]
)
def test_load_mnist(tmp_path, compress, kind, prefix):
    images, labels = _fake_mnist(tmp_path, prefix, n=5, compress=compress)
    X, y = load_mnist(tmp_path, kind=kind)
    assert X.dtype == np.uint8 and X.shape == (5, 784)
    assert y.dtype == np.int64 and y.shape == (5,)
    np.testing.assert_array_equal(X, images.reshape(5, -1))
    np.testing.assert_array_equal(y, labels)

    X_norm, _ = load_mnist(str(tmp_path), kind=kind, normalize=True)
    assert X_norm.dtype == np.float64 and 0.0 <= X_norm.min() and X_norm.max() <= 1.0
    np.testing.assert_allclose(X_norm, images.reshape(5, -1) / 255.0)


def test_load_mnist_picks_the_requested_split(tmp_path):
    _fake_mnist(tmp_path, "train", n=6, compress=True, seed=1)
    _fake_mnist(tmp_path, "t10k", n=3, compress=False, seed=2)
    assert load_mnist(tmp_path, "train")[0].shape == (6, 784)
    assert load_mnist(tmp_path, "test")[0].shape == (3, 784)


def test_load_mnist_missing_files_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.idx")
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="validation")


def test_load_mnist_count_mismatch(tmp_path):
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, np.uint8), compress=True)
    with pytest.raises(ValueError, match="3 images.*4 labels"):
        load_mnist(tmp_path)


def test_load_mnist_rejects_wrong_kind_of_file(tmp_path):
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    _write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.int32))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.*uint8"):
        load_mnist(tmp_path)
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 784), np.uint8))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"\x01\x00\x08\x01" + struct.pack(">I", 2) + b"ab", "magic"),  # non-zero first byte
        (b"\x00\x00\x07\x01" + struct.pack(">I", 2) + b"ab", "magic"),  # unknown type code
        (b"\x00\x00", "truncated"),  # header cut short
        (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "truncated"),  # dims cut short
        (b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"abc", "truncated"),
        (b"\x00\x00\x0c\x01" + struct.pack(">I", 2) + b"\x00" * 7, "truncated"),
        (b"\x00\x00\x08\x01" + struct.pack(">I", 2) + b"abcd", "size mismatch"),  # extra data
        # A small file declaring a huge array: must fail fast, not try to allocate it.
        (
            b"\x00\x00\x0e\x03" + struct.pack(">III", 2**32 - 1, 2**32 - 1, 2**32 - 1) + b"x" * 64,
            "truncated",
        ),
    ],
)
def test_read_idx_rejects_bad_files(tmp_path, data, pattern, compress):
    path = _write_idx(tmp_path / "bad-idx1-ubyte", data, compress)
    with pytest.raises(ValueError, match=pattern) as info:
        read_idx(path)
    assert "bad-idx1-ubyte" in str(info.value)


def test_read_idx_rejects_corrupt_gzip(tmp_path):
    packed = gzip.compress(_idx_bytes(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "corrupt.gz"
    path.write_bytes(packed[: len(packed) // 2])  # gzip stream cut in the middle
    with pytest.raises(ValueError, match="corrupt.gz"):
        read_idx(path)


def test_load_mnist_reports_bad_file_by_name(tmp_path):
    _write_idx(
        tmp_path / "t10k-images-idx3-ubyte.gz", b"\x00\x00\x08\x03" + b"\x00" * 5, compress=True
    )
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz.*truncated"):
        load_mnist(tmp_path, kind="test")
