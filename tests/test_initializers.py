"""Tests for plainnet.initializers: names, distributions, reproducibility, dtype."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import Dense, Sequential, initializers

NAMES = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "normal", "uniform",
         "orthogonal", "zeros", "ones"]
SHAPE = (400, 600)  # fan_in 400, fan_out 600: 240 000 draws, tight statistics


@pytest.mark.parametrize("name", NAMES)
def test_get_by_name(name):
    init = initializers.get(name)
    assert init is getattr(initializers, name)
    w = init((3, 4), np.random.default_rng(0), np.float64)
    assert w.shape == (3, 4)


def test_unknown_name_is_a_value_error_listing_options():
    with pytest.raises(ValueError, match=r"unknown initializer 'xavier'; expected one of") as info:
        initializers.get("xavier")
    for name in NAMES:
        assert repr(name) in str(info.value)
    with pytest.raises(TypeError, match="initializer must be a name"):
        initializers.get(42)


@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", np.sqrt(6 / (400 + 600))),
    ("he_uniform", np.sqrt(6 / 400)),
])
def test_uniform_limits_and_variance(name, limit):
    w = initializers.get(name)(SHAPE, np.random.default_rng(0), np.float64)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.999 * limit  # the whole range is used
    assert w.mean() == pytest.approx(0.0, abs=0.01 * limit)
    assert w.var() == pytest.approx(limit**2 / 3, rel=0.01)  # variance of U(-a, a)


@pytest.mark.parametrize("name, std", [
    ("glorot_normal", np.sqrt(2 / (400 + 600))),
    ("he_normal", np.sqrt(2 / 400)),
    ("normal", 1.0),
])
def test_normal_standard_deviations(name, std):
    w = initializers.get(name)(SHAPE, np.random.default_rng(0), np.float64)
    assert w.std() == pytest.approx(std, rel=0.01)
    assert w.mean() == pytest.approx(0.0, abs=0.01 * std)
    assert np.abs(w).max() > 3 * std  # untruncated


def test_zeros_and_ones():
    np.testing.assert_array_equal(initializers.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.ones((4,), None, np.float64), np.ones(4))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_respected(name, dtype):
    w = initializers.get(name)((5, 7), np.random.default_rng(0), dtype)
    assert w.dtype == dtype


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                                  "normal", "uniform", "orthogonal"])
def test_reproducible_with_a_generator(name):
    init = initializers.get(name)
    a = init((6, 5), np.random.default_rng(11), np.float64)
    b = init((6, 5), np.random.default_rng(11), np.float64)
    c = init((6, 5), np.random.default_rng(12), np.float64)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_bias_shape_uses_its_own_length_as_fans():
    rng = np.random.default_rng(0)
    b = initializers.he_uniform((10_000,), rng, np.float64)
    assert np.abs(b).max() <= np.sqrt(6 / 10_000)


@pytest.mark.parametrize("name", ["he_normal", "glorot_uniform", "normal", "zeros"])
def test_dense_uses_its_initializers(name):
    model = Sequential([Dense(300, 200, weight_init=name, bias_init="zeros")], seed=0)
    dense = model.layers[0]
    np.testing.assert_array_equal(dense.bias, 0.0)
    expected_std = {"he_normal": np.sqrt(2 / 300), "glorot_uniform": np.sqrt(2 / 500),
                    "normal": 1.0, "zeros": 0.0}[name]
    assert dense.weights.std() == pytest.approx(expected_std, rel=0.02, abs=1e-12)
    assert dense.weights.dtype == np.float32


def test_default_dense_init_is_glorot_uniform_with_zero_bias():
    dense = Sequential([Dense(20, 30)], seed=0).layers[0]
    assert dense.weight_init == "glorot_uniform" and dense.bias_init == "zeros"
    assert np.abs(dense.weights).max() <= np.sqrt(6 / 50)
    np.testing.assert_array_equal(dense.bias, 0.0)


def test_names_are_case_insensitive_like_the_other_registries():
    assert initializers.get("He_Normal") is initializers.he_normal


# ------------------------------------------- convolution kernels: the receptive field
@pytest.mark.parametrize("shape, fan_in, fan_out", [
    ((5, 5, 8, 40), 5 * 5 * 8, 5 * 5 * 40),  # Conv2D: (kh, kw, in_channels, filters)
    ((7, 30, 50), 7 * 30, 7 * 50),  # Conv1D: (k, in_channels, filters)
])
@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"])
def test_kernels_count_the_receptive_field_in_fan_in_and_fan_out(name, shape, fan_in, fan_out):
    w = initializers.get(name)(shape, np.random.default_rng(0), np.float64)
    assert w.shape == shape
    scale = {"glorot_uniform": np.sqrt(6 / (fan_in + fan_out)) / np.sqrt(3),
             "glorot_normal": np.sqrt(2 / (fan_in + fan_out)),
             "he_uniform": np.sqrt(6 / fan_in) / np.sqrt(3),
             "he_normal": np.sqrt(2 / fan_in)}[name]
    assert w.std() == pytest.approx(scale, rel=0.02)
    if name.endswith("uniform"):
        assert np.abs(w).max() <= scale * np.sqrt(3)  # the limit


@pytest.mark.parametrize("shape, fan_in, fan_out", [((3, 4), 3, 4), ((6,), 6, 6)])
@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"])
def test_matrices_and_vectors_keep_their_fans(name, shape, fan_in, fan_out):
    """Dense's (fan_in, fan_out) matrices and 1-D shapes draw exactly what they drew before."""
    rng = np.random.default_rng(5)
    if name == "glorot_uniform":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        expected = rng.uniform(-limit, limit, size=shape)
    elif name == "he_uniform":
        limit = np.sqrt(6.0 / fan_in)
        expected = rng.uniform(-limit, limit, size=shape)
    elif name == "glorot_normal":
        expected = np.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal(size=shape)
    else:
        expected = np.sqrt(2.0 / fan_in) * rng.standard_normal(size=shape)
    got = initializers.get(name)(shape, np.random.default_rng(5), np.float64)
    np.testing.assert_array_equal(got, expected)


# ------------------------------------------------ orthogonal and small uniform
@pytest.mark.parametrize("shape", [(5, 5), (7, 3), (3, 7), (2, 3, 4)])
def test_orthogonal_has_orthonormal_columns_or_rows(shape):
    w = initializers.orthogonal(shape, np.random.default_rng(0), np.float64)
    assert w.shape == shape
    matrix = w.reshape(-1, shape[-1])  # (rows, columns)
    rows, cols = matrix.shape
    gram = matrix.T @ matrix if rows >= cols else matrix @ matrix.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_keeps_the_length_of_a_state():
    """Why RNNs start with it: h @ U has the length of h, step after step."""
    u = initializers.orthogonal((16, 16), np.random.default_rng(1), np.float64)
    h = np.random.default_rng(2).normal(size=16)
    for _ in range(100):
        h_next = h @ u
        assert np.linalg.norm(h_next) == pytest.approx(np.linalg.norm(h), rel=1e-12)
        h = h_next


def test_orthogonal_is_not_biased_towards_one_sign():
    """The sign fix of Q by diag(R) makes Q uniform: its diagonal is not always positive."""
    diagonals = np.stack([initializers.orthogonal((4, 4), np.random.default_rng(s), np.float64)
                          .diagonal() for s in range(200)])
    assert 0.3 < np.mean(diagonals > 0) < 0.7


def test_uniform_is_kerass_small_range():
    w = initializers.uniform(SHAPE, np.random.default_rng(0), np.float64)
    assert np.abs(w).max() <= 0.05
    assert w.var() == pytest.approx(0.05**2 / 3, rel=0.01)
