"""Activation layers: values, derivatives written out, stability, N-D inputs, the name registry.

Shapes, config, dtypes and finite-difference gradients are checked by the
layer-contract harness (``test_layers_contract.py``); the functions ``sigmoid``
and ``softmax`` by ``tests/test_activations.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import plainnet
from core_helpers import away_from_zero, build_layer
from plainnet import Dense, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, activations
from plainnet.layers import activation as activation_layers

ALL_ACTIVATIONS = [Sigmoid, Tanh, ReLU, lambda: LeakyReLU(alpha=0.2), Softmax, Identity]
IDS = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"]


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


@pytest.mark.parametrize("make", ALL_ACTIVATIONS, ids=IDS)
def test_gradient_is_the_chain_rule_with_the_explicit_derivative(make):
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


def test_softmax_on_3d_input_works_on_the_last_axis():
    layer = build_layer(Softmax(), (3, 4))
    x = away_from_zero((2, 3, 4))
    y = layer.forward(x)
    for t in range(3):
        e = np.exp(x[:, t])
        np.testing.assert_allclose(y[:, t], e / e.sum(axis=1, keepdims=True), rtol=1e-14)
    g = np.random.default_rng(1).normal(size=(2, 3, 4))
    flat = build_layer(Softmax(), 4)
    flat.forward(x.reshape(6, 4))
    np.testing.assert_allclose(layer.backward(g), flat.backward(g.reshape(6, 4)).reshape(
        2, 3, 4), rtol=1e-14)


def test_relu_gradient_at_zero_is_zero():
    layer = build_layer(ReLU(), 3)
    layer.forward(np.array([[-1.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_layer_is_stable_and_finite_at_extremes(dtype):
    layer = build_layer(Sigmoid(), 4, dtype=dtype)
    x = np.array([[-1000.0, -30.0, 30.0, 1000.0]], dtype=dtype)
    with no_float_warnings():
        y = layer.forward(x)
        grad = layer.backward(np.ones_like(x))
    assert y.dtype == grad.dtype == dtype
    np.testing.assert_array_equal(y[0, [0, 3]], [0.0, 1.0])
    np.testing.assert_array_equal(grad[0, [0, 3]], [0.0, 0.0])
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_layer_is_stable_with_huge_logits(dtype):
    x = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]], dtype=dtype)
    layer = build_layer(Softmax(), 3, dtype=dtype)
    with no_float_warnings():
        y = layer.forward(x)
        grad = layer.backward(np.ones_like(x))
    assert y.dtype == dtype and np.all(np.isfinite(grad))
    np.testing.assert_array_equal(y[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(y[1], [1 / 3] * 3, rtol=1e-6)


# --------------------------------------------------------------------- registry
@pytest.mark.parametrize("name, cls", [
    ("sigmoid", Sigmoid), ("logistic", Sigmoid), ("tanh", Tanh), ("relu", ReLU),
    ("ReLU", ReLU), ("leaky_relu", LeakyReLU), ("softmax", Softmax), ("identity", Identity),
    ("linear", Identity),
])
def test_get_by_name(name, cls):
    first, second = activations.get(name), activations.get(name)
    assert type(first) is cls
    assert first is not second  # a new layer each time
    assert activations.get is activation_layers.get


def test_get_unknown_name_lists_options():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; expected one of \[.*'relu'"):
        activations.get("swish")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Dense(3, activation="swish")
    with pytest.raises(TypeError, match="activation must be a name"):
        activations.get(3)


def test_leaky_relu_alpha_validation():
    with pytest.raises(ValueError, match="alpha must be >= 0.0, got -0.1"):
        LeakyReLU(alpha=-0.1)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        LeakyReLU(alpha="0.1")
    assert LeakyReLU(0.3).get_config() == {"alpha": 0.3}


def test_the_layers_are_found_under_every_public_name():
    for name in ("Identity", "LeakyReLU", "ReLU", "Sigmoid", "Softmax", "Tanh"):
        cls = getattr(activation_layers, name)
        assert getattr(plainnet.layers, name) is cls
        assert getattr(plainnet, name) is cls
        assert getattr(activations, name) is cls  # found lazily by plainnet.activations
