"""Tests for plainnet.data.generated: the toy problems and how they are seeded."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet.data import batches, blobs, circles, moons, spirals, train_test_split, xor

GENERATORS = [
    pytest.param(moons, {}, 2, 2, id="moons"),
    pytest.param(circles, {}, 2, 2, id="circles"),
    pytest.param(spirals, {}, 3, 2, id="spirals"),
    pytest.param(spirals, {"classes": 5}, 5, 2, id="spirals-5"),
    pytest.param(blobs, {}, 3, 2, id="blobs"),
    pytest.param(blobs, {"centers": 4, "n_features": 6}, 4, 6, id="blobs-6d"),
]


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
    with pytest.raises(TypeError, match="seed"):
        spirals(seed="0")
    with pytest.raises(ValueError, match="seed"):
        blobs(seed=-1)
    with pytest.raises(TypeError, match="centers"):
        blobs(centers="3")
