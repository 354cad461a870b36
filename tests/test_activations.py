"""Tests for the functions of plainnet.activations: values, numerical stability, lazy names.

The activation layers (``ReLU``, ``Softmax``, ...) are tested in
``tests/layers/test_layers_activation.py`` and the layer-contract harness.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from plainnet import activations
from plainnet.activations import gelu, gelu_derivative, sigmoid, softmax


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


def test_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    e = np.exp(x)
    np.testing.assert_allclose(softmax(x), e / e.sum(), rtol=1e-15)
    assert sigmoid(np.array([np.log(3.0)]))[0] == pytest.approx(0.75, rel=1e-15)
    assert sigmoid(np.array([0.0]))[0] == 0.5


def test_sigmoid_accepts_ints_and_lists():
    ints = np.array([0, 2, -3])
    np.testing.assert_allclose(sigmoid(ints), 1 / (1 + np.exp(-ints.astype(float))))
    assert sigmoid(np.array([1, 2])).dtype == np.float64  # not truncated to int
    np.testing.assert_allclose(sigmoid([0.0, np.log(3.0)]), [0.5, 0.75], rtol=1e-15)
    assert float(sigmoid(0)) == 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_at_extremes(dtype):
    x = np.array([[-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0]], dtype=dtype)
    with no_float_warnings():
        y = sigmoid(x)
    assert y.dtype == dtype
    assert y[0, 0] == 0.0 and y[0, -1] == 1.0  # exact limits
    assert y[0, 3] == 0.5
    assert 0 < y[0, 2] < 1e-12
    assert np.all(np.isfinite(y)) and np.all((y >= 0) & (y <= 1))
    # symmetric: sigmoid(-x) == 1 - sigmoid(x)
    np.testing.assert_allclose(sigmoid(-x), 1 - y, atol=float(np.finfo(dtype).eps))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_with_huge_logits(dtype):
    x = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-1e4, -1e4 + 1, -1e4],
                  [3.0, 1.0, 0.2]], dtype=dtype)
    with no_float_warnings():
        y = softmax(x)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(y[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(y[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(y[2], np.array([1, np.e, 1]) / (2 + np.e), rtol=1e-6)
    # shift invariance: softmax(x + c) == softmax(x) (up to rounding x + c in dtype)
    np.testing.assert_allclose(softmax(x[3:] + 500), y[3:], rtol=1e-4 if dtype == np.float32
                               else 1e-12)


def test_softmax_works_on_the_last_axis_of_any_array():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(y[1, 2], softmax(x[1, 2][None])[0], rtol=1e-15)


def test_unknown_names_are_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Swish'"):
        activations.Swish  # noqa: B018
    assert not hasattr(activations, "swish")


# ------------------------------------------------------------------- GELU
X_GELU = np.linspace(-6.0, 6.0, 241)


def test_gelu_is_the_tanh_form():
    # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    expected = [0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
                for x in X_GELU]
    np.testing.assert_allclose(gelu(X_GELU), expected, rtol=1e-12, atol=1e-13)
    # within 5e-4 of the exact x * Phi(x) = x * (1 + erf(x / sqrt(2))) / 2
    exact = [x * (1 + math.erf(x / math.sqrt(2))) / 2 for x in X_GELU]
    assert np.abs(gelu(X_GELU) - exact).max() < 5e-4


def test_gelu_derivative_matches_finite_differences():
    eps = 1e-6
    numeric = (gelu(X_GELU + eps) - gelu(X_GELU - eps)) / (2 * eps)
    np.testing.assert_allclose(gelu_derivative(X_GELU), numeric, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_keeps_the_dtype_and_is_stable(dtype):
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype)
    with no_float_warnings():
        y, d = gelu(x), gelu_derivative(x)
    assert y.dtype == d.dtype == dtype
    np.testing.assert_allclose(y, [0.0, 0.0, 0.0, 50.0, 1e4], atol=1e-6)


def test_gelu_matches_torch():
    torch = pytest.importorskip("torch")
    x = torch.tensor(X_GELU, requires_grad=True)
    y = torch.nn.GELU(approximate="tanh")(x)
    y.sum().backward()
    np.testing.assert_allclose(gelu(X_GELU), y.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(gelu_derivative(X_GELU), x.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_gelu_layer_by_name():
    layer = activations.get("gelu")
    assert type(layer) is activations.GELU
    x = np.array([[-1.0, 0.5, 2.0]])
    np.testing.assert_array_equal(layer.forward(x), gelu(x))
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), gelu_derivative(x))
