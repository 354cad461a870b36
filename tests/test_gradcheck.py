"""Tests for plainnet.gradcheck: it passes correct models and catches wrong backward passes."""

from __future__ import annotations

import numpy as np
import pytest

import plainnet
from core_helpers import assert_gradcheck, assert_layer_input_gradient, build_layer
from plainnet import (
    BatchNormalization,
    Dense,
    Dropout,
    NotCompiledError,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    gradcheck,
)
from plainnet.gradcheck import gradient_errors, relative_error
from plainnet.layers import Flatten

WRONG = 1e-2  # a wrong backward must be reported at least this loudly


class TanhWithoutDerivative(Tanh):
    """Forgets the chain rule: returns grad_output instead of grad_output * (1 - y**2)."""

    def backward(self, grad_output):
        return grad_output


class DenseWithWrongBiasGrad(Dense):
    """Averages the bias gradient over the batch instead of summing it."""

    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.grad_bias[...] = grad_output.mean(axis=0)
        return grad_input


class DenseWithTransposedInputGrad(Dense):
    """Propagates with the wrong weights layout (only square layers, so shapes still fit)."""

    def backward(self, grad_output):
        super().backward(grad_output)
        return grad_output @ self.weights


class SigmoidWithWrongDerivative(Sigmoid):
    def backward(self, grad_output):
        return grad_output * self.output  # y instead of y (1 - y)


def test_returns_a_small_float_for_a_correct_model(tiny_data):
    model = Sequential([Dense(3, 5, activation="tanh"), Dense(5, 2)], seed=0,
                       dtype=np.float64)
    model.compile("mse", "sgd")
    error = gradcheck(model, tiny_data.X, tiny_data.y_reg)
    assert isinstance(error, float)
    assert 0.0 <= error < 1e-7


def test_everything_at_once(tiny_data):
    model = Sequential([Dense(3, 6, activation="relu", l2=0.01), Dropout(0.2),
                        Dense(6, 5, activation="tanh", l1=0.01), BatchNormalization(),
                        Dense(5, 3), Softmax()], seed=3, dtype=np.float64)
    model.compile("categorical_crossentropy", "adam")
    assert_gradcheck(model, tiny_data.X, tiny_data.labels)


@pytest.mark.parametrize("bad_layer", [TanhWithoutDerivative, SigmoidWithWrongDerivative])
def test_reports_a_large_error_for_an_activation_with_a_wrong_backward(bad_layer, tiny_data):
    model = Sequential([Dense(3, 4, bias_init="normal"), bad_layer(), Dense(4, 2)],
                       seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    assert gradcheck(model, tiny_data.X, tiny_data.y_reg) > WRONG


def test_reports_a_large_error_for_a_wrong_bias_gradient(tiny_data):
    model = Sequential([DenseWithWrongBiasGrad(3, 4, activation="tanh"), Dense(4, 2)],
                       seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    assert gradcheck(model, tiny_data.X, tiny_data.y_reg) > WRONG


def test_reports_a_large_error_for_a_wrong_input_gradient(tiny_data):
    model = Sequential([Dense(3, 3), Tanh(), DenseWithTransposedInputGrad(3, 3), Tanh(),
                        Dense(3, 2)], seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    assert gradcheck(model, tiny_data.X, tiny_data.y_reg) > WRONG


def test_layer_helper_also_catches_a_wrong_input_gradient():
    layer = build_layer(TanhWithoutDerivative(), 3)
    with pytest.raises(AssertionError, match="relative error"):
        assert_layer_input_gradient(layer, np.random.default_rng(0).normal(size=(4, 3)))


def test_float32_model_is_checked_in_float64_on_a_copy(tiny_data):
    model = Sequential([Dense(3, 4, activation="sigmoid"), Dense(4, 2)], seed=0)
    model.compile("mse", "adam")
    before = model.get_weights()
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)
    after = model.get_weights()
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.float32
    assert all(p.dtype == np.float32 for _, p, _ in model.parameters())
    assert model.optimizer.state == {}  # no optimizer step was taken


def test_model_state_is_not_changed(tiny_data):
    model = Sequential([Dense(3, 4), Tanh(), BatchNormalization(), Dropout(0.5), Dense(4, 2)],
                       seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    weights = model.get_weights()
    rng_state = model.rng.bit_generator.state
    gradcheck(model, tiny_data.X, tiny_data.y_reg)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # includes BatchNormalization's running statistics
    assert model.rng.bit_generator.state == rng_state


def test_epsilon_is_used_and_validated(tiny_data):
    model = Sequential([Dense(3, 2, activation="tanh")], seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    coarse = gradcheck(model, tiny_data.X, tiny_data.y_reg, epsilon=1e-1)
    fine = gradcheck(model, tiny_data.X, tiny_data.y_reg, epsilon=1e-5)
    assert fine < coarse < 1e-1  # O(eps**2) truncation error
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        gradcheck(model, tiny_data.X, tiny_data.y_reg, epsilon=0)
    with pytest.raises(TypeError, match="epsilon must be a real number"):
        gradcheck(model, tiny_data.X, tiny_data.y_reg, epsilon="1e-6")


def test_input_errors(tiny_data):
    model = Sequential([Dense(3, 2)], seed=0)
    with pytest.raises(NotCompiledError, match="compile"):
        gradcheck(model, tiny_data.X, tiny_data.y_reg)
    model.compile("mse", "sgd")
    with pytest.raises(ValueError, match="X has 4 features, but the model expects 3"):
        gradcheck(model, np.ones((2, 4)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"y has shape \(2, 3\)"):
        gradcheck(model, np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(TypeError, match="model must be a plainnet Sequential, got Dense"):
        gradcheck(Dense(3, 2), tiny_data.X, tiny_data.y_reg)


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    # ||a - n|| / (||a|| + ||n||) = 2 / (1 + 1) for opposite unit vectors
    assert relative_error(np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(1.0)
    a, n = np.array([[3.0, 0.0]]), np.array([[0.0, 4.0]])
    assert relative_error(a, n) == pytest.approx(5.0 / 7.0)


def test_gradcheck_is_public():
    assert plainnet.gradcheck is gradcheck
    assert "gradcheck" in plainnet.__all__
    assert gradcheck.__doc__ and "relative error" in gradcheck.__doc__.lower()


def test_n_d_models_and_frozen_layers_are_checked_too():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 2))
    model = Sequential([Dense(4, "tanh"), BatchNormalization(), Flatten(), Dense(2)],
                       seed=0, dtype=np.float64, input_shape=(3, 5))
    model.layers[0].trainable = False  # gradcheck checks every parameter, frozen or not
    model.compile("mse", "sgd")
    assert_gradcheck(model, X, y)
    broken = Sequential([Dense(4), TanhWithoutDerivative(), Flatten(), Dense(2)],
                        seed=0, dtype=np.float64, input_shape=(3, 5))
    broken.compile("mse", "sgd")
    assert gradcheck(broken, X, y) > WRONG


def test_a_model_built_from_its_data_is_checked():
    model = Sequential([Dense(4, "tanh"), Dense(2)], seed=0)
    model.compile("mse", "sgd")
    X = np.random.default_rng(0).normal(size=(5, 3))
    model.predict(X)  # built by its first data
    assert_gradcheck(model, X, X[:, :2])


# ------------------------------------------------- a gradient that is truly zero
class DenseWithZeroBiasGrad(Dense):
    """Reports a zero bias gradient, whatever the truth."""

    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.grad_bias[...] = 0.0
        return grad_input


def bias_before_batch_norm(target_scale=1.0):
    """A model whose first bias has a true gradient of 0 (batch norm removes any shift)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2)) * target_scale
    model = Sequential([Dense(3, 4), BatchNormalization(), Dense(4, 2)], seed=0,
                       dtype=np.float64)
    model.compile("mse", "sgd")
    return model, X, y


@pytest.mark.parametrize("target_scale", [1.0, 100.0])
def test_a_zero_gradient_is_not_reported_as_wrong(target_scale):
    model, X, y = bias_before_batch_norm(target_scale)
    assert gradcheck(model, X, y) < 1e-7  # the floor: noise is judged in absolute terms
    assert gradcheck(model, X, y, floor=0.0) > 0.5  # the plain relative error: noise vs noise
    errors = gradient_errors(model, X, y)
    bias = errors["dense/bias"]
    assert bias["relative"] > 0.5 and bias["error"] < 1e-7
    assert bias["absolute"] < 1e-6 * target_scale**2 and bias["norm"] < 1e-9 * target_scale**2
    assert errors["dense/weights"]["relative"] < 1e-6  # the others are as before
    assert max(e["error"] for e in errors.values()) == gradcheck(model, X, y)


def test_a_small_gradient_reported_as_zero_is_still_caught():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(8, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 1e-3 * rng.normal(size=(8, 1))
    for layer_type, expected in ((Dense, "right"), (DenseWithZeroBiasGrad, "wrong")):
        model = Sequential([layer_type(3, 1)], seed=0, dtype=np.float64)
        model.compile("mse", "sgd")
        model.layers[0].weights[:] = [[1.0], [-2.0], [0.5]]  # nearly exact: tiny gradients
        errors = gradient_errors(model, X, y)[f"{model.layers[0].name}/bias"]
        if expected == "right":
            assert 1e-6 < errors["norm"] < 1e-2  # a small, non-zero true gradient
            assert gradcheck(model, X, y) < 1e-7
        else:
            assert errors["norm"] == 0.0
            assert gradcheck(model, X, y) > 1e-4


def test_floor_is_validated(tiny_data):
    model = Sequential([Dense(3, 2)], seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    with pytest.raises(ValueError, match="floor must be >= 0"):
        gradcheck(model, tiny_data.X, tiny_data.y_reg, floor=-1.0)
    assert relative_error(np.array([1e-12]), np.array([0.0]), floor=1.0) == pytest.approx(1e-12)
