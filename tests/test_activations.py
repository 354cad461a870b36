"""Tests for plainnet.activations: values, derivatives, numerical stability, registry."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import plainnet
from conftest import assert_gradcheck, assert_layer_input_gradient, build_layer
from plainnet import (
    Dense,
    Identity,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    activations,
)
from plainnet.activations import sigmoid, softmax

ALL_ACTIVATIONS = [Sigmoid, Tanh, ReLU, lambda: LeakyReLU(alpha=0.2), Softmax, Identity]
IDS = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"]


def away_from_zero(shape, seed=0):
    """Random inputs with |x| >= 0.1, so ReLU's kink is never within a finite difference."""
    x = np.random.default_rng(seed).normal(size=shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


class no_float_warnings:
    """Fail on any RuntimeWarning or overflow/invalid/divide-by-zero (underflow to 0 is fine)."""

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("error")
        self._err = np.errstate(over="raise", invalid="raise", divide="raise")
        self._err.__enter__()

    def __exit__(self, *exc):
        self._err.__exit__(*exc)
        self._warnings.__exit__(*exc)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("make", ALL_ACTIVATIONS, ids=IDS)
def test_input_gradient_matches_finite_differences(make):
    layer = build_layer(make(), 4)
    assert_layer_input_gradient(layer, away_from_zero((5, 4)))


@pytest.mark.parametrize("make", ALL_ACTIVATIONS, ids=IDS)
def test_gradcheck_inside_a_small_model(make, tiny_data):
    model = Sequential([Dense(3, 4, bias_init="normal"), make(), Dense(4, 2)],
                       seed=1, dtype=np.float64)
    model.compile(loss="mse", optimizer="sgd")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


@pytest.mark.parametrize("make", ALL_ACTIVATIONS, ids=IDS)
def test_gradient_is_chain_rule_with_explicit_derivative(make):
    """backward(g) == g * f'(x) elementwise (Softmax: the row Jacobian times g)."""
    x = away_from_zero((3, 4), seed=1)
    g = np.random.default_rng(2).normal(size=(3, 4))
    layer = build_layer(make(), 4)
    y = layer.forward(x)
    got = layer.backward(g)
    if isinstance(layer, Softmax):
        expected = np.stack([(np.diag(row) - np.outer(row, row)) @ gi for row, gi in zip(y, g)])
    else:
        derivative = {
            Sigmoid: lambda: y * (1 - y),
            Tanh: lambda: 1 - np.tanh(x) ** 2,
            ReLU: lambda: (x > 0).astype(float),
            LeakyReLU: lambda: np.where(x > 0, 1.0, 0.2),
            Identity: lambda: np.ones_like(x),
        }[type(layer)]()
        expected = g * derivative
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_backward_does_not_depend_on_an_earlier_batch():
    layer = build_layer(Tanh(), 2)
    a, b = np.array([[0.1, 2.0]]), np.array([[-1.0, 0.3], [0.5, 0.5]])
    layer.forward(a)
    layer.forward(b)
    np.testing.assert_allclose(layer.backward(np.ones((2, 2))), 1 - np.tanh(b) ** 2)


# ------------------------------------------------------------------- values


def test_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(build_layer(Sigmoid(), 5).forward(x), 1 / (1 + np.exp(-x)),
                               rtol=1e-15)
    np.testing.assert_allclose(build_layer(Tanh(), 5).forward(x), np.tanh(x))
    np.testing.assert_array_equal(build_layer(ReLU(), 5).forward(x), [[0, 0, 0, 0.5, 3.0]])
    np.testing.assert_allclose(build_layer(LeakyReLU(), 5).forward(x),
                               [[-0.02, -0.005, 0, 0.5, 3.0]], rtol=1e-15)
    np.testing.assert_allclose(build_layer(LeakyReLU(alpha=0.3), 5).forward(x),
                               [[-0.6, -0.15, 0, 0.5, 3.0]], rtol=1e-15)
    np.testing.assert_array_equal(build_layer(Identity(), 5).forward(x), x)
    e = np.exp(x)
    np.testing.assert_allclose(build_layer(Softmax(), 5).forward(x), e / e.sum(), rtol=1e-15)
    assert sigmoid(np.array([np.log(3.0)]))[0] == pytest.approx(0.75, rel=1e-15)
    assert sigmoid(np.array([0.0]))[0] == 0.5


def test_sigmoid_function_accepts_ints_and_lists():
    ints = np.array([0, 2, -3])
    np.testing.assert_allclose(sigmoid(ints), 1 / (1 + np.exp(-ints.astype(float))))
    assert sigmoid(np.array([1, 2])).dtype == np.float64  # not truncated to int
    np.testing.assert_allclose(sigmoid([0.0, np.log(3.0)]), [0.5, 0.75], rtol=1e-15)
    assert float(sigmoid(0)) == 0.5


def test_relu_gradient_at_zero_is_zero():
    layer = build_layer(ReLU(), 3)
    layer.forward(np.array([[-1.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


# ---------------------------------------------------------------- stability


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_at_extremes(dtype):
    x = np.array([[-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0]], dtype=dtype)
    with no_float_warnings():
        y = sigmoid(x)
        layer_y = build_layer(Sigmoid(), 7, dtype=dtype).forward(x)
    assert y.dtype == dtype and layer_y.dtype == dtype
    assert y[0, 0] == 0.0 and y[0, -1] == 1.0  # exact limits
    assert y[0, 3] == 0.5
    assert 0 < y[0, 2] < 1e-12
    assert np.all(np.isfinite(y)) and np.all((y >= 0) & (y <= 1))
    np.testing.assert_array_equal(y, layer_y)
    # symmetric: sigmoid(-x) == 1 - sigmoid(x)
    np.testing.assert_allclose(sigmoid(-x), 1 - y, atol=float(np.finfo(dtype).eps))


def test_sigmoid_backward_is_finite_at_extremes():
    layer = build_layer(Sigmoid(), 2)
    with no_float_warnings():
        layer.forward(np.array([[-1000.0, 1000.0]]))
        grad = layer.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(grad, [[0.0, 0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_with_huge_logits(dtype):
    x = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-1e4, -1e4 + 1, -1e4],
                  [3.0, 1.0, 0.2]], dtype=dtype)
    with no_float_warnings():
        y = softmax(x)
        layer = build_layer(Softmax(), 3, dtype=dtype)
        layer_y = layer.forward(x)
        layer.backward(np.ones_like(x))
    assert y.dtype == dtype and layer_y.dtype == dtype
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(y[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(y[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(y[2], np.array([1, np.e, 1]) / (2 + np.e), rtol=1e-6)
    # shift invariance: softmax(x + c) == softmax(x) (up to rounding x + c in dtype)
    np.testing.assert_allclose(softmax(x[3:] + 500), y[3:], rtol=1e-4 if dtype == np.float32
                               else 1e-12)


@pytest.mark.parametrize("make", ALL_ACTIVATIONS, ids=IDS)
def test_float32_in_float32_out(make):
    layer = build_layer(make(), 3, dtype=np.float32)
    x = away_from_zero((4, 3)).astype(np.float32)
    assert layer.forward(x, training=True).dtype == np.float32
    assert layer.backward(np.ones((4, 3), dtype=np.float32)).dtype == np.float32


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize("name, cls", [
    ("sigmoid", Sigmoid), ("logistic", Sigmoid), ("tanh", Tanh), ("relu", ReLU),
    ("ReLU", ReLU), ("leaky_relu", LeakyReLU), ("softmax", Softmax), ("identity", Identity),
    ("linear", Identity),
])
def test_get_by_name(name, cls):
    first, second = activations.get(name), activations.get(name)
    assert type(first) is cls
    assert first is not second  # a new layer each time


def test_get_unknown_name_lists_options():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; expected one of \[.*'relu'"):
        activations.get("swish")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Dense(2, 3, activation="swish")
    with pytest.raises(TypeError, match="activation must be a name"):
        activations.get(3)


def test_leaky_relu_alpha_validation():
    with pytest.raises(ValueError, match="alpha must be >= 0.0, got -0.1"):
        LeakyReLU(alpha=-0.1)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        LeakyReLU(alpha="0.1")
    assert LeakyReLU(0.3).get_config() == {"alpha": 0.3}


def test_activations_are_reexported():
    assert plainnet.layers.ReLU is ReLU is plainnet.ReLU
    assert plainnet.layers.Softmax is activations.Softmax
