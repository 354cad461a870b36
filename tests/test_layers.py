"""Tests for plainnet.layers: Dense, Dropout, BatchNormalization and the layer contract."""

from __future__ import annotations

import numpy as np
import pytest

import plainnet
from conftest import (
    assert_gradcheck,
    assert_layer_input_gradient,
    build_layer,
    numeric_layer_gradient,
)
from plainnet import SGD, BatchNormalization, Dense, Dropout, Layer, Sequential, Tanh
from plainnet.gradcheck import relative_error
from plainnet.layers import LAYER_TYPES

INITS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "normal", "zeros"]


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# ----------------------------------------------------------------------- Dense


def test_dense_forward_is_affine_map():
    layer = build_layer(Dense(3, 2), 3)
    layer.weights[...] = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    layer.bias[...] = [0.5, -0.5]
    y = layer.forward(np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]))
    np.testing.assert_array_equal(y, [[1 - 5 + 0.5, 2 - 6 - 0.5], [2 + 3 + 0.5, 4 + 4 - 0.5]])


def test_dense_backward_formulas():
    layer = build_layer(Dense(3, 2, bias_init="normal"), 3)
    x, g = rand(5, 3, seed=1), rand(5, 2, seed=2)
    layer.forward(x)
    grad_x = layer.backward(g)
    np.testing.assert_allclose(layer.grad_weights, x.T @ g, rtol=1e-14)
    np.testing.assert_allclose(layer.grad_bias, g.sum(axis=0), rtol=1e-14)
    np.testing.assert_allclose(grad_x, g @ layer.weights.T, rtol=1e-14)
    assert layer.grad_weights.shape == layer.weights.shape == (3, 2)
    assert layer.grad_bias.shape == layer.bias.shape == (2,)


def test_dense_gradients_are_overwritten_not_accumulated():
    layer = build_layer(Dense(3, 2), 3)
    x, g = rand(4, 3), rand(4, 2, seed=1)
    layer.forward(x)
    layer.backward(g)
    first = layer.grad_weights.copy(), layer.grad_bias.copy()
    layer.forward(x)
    layer.backward(g)
    np.testing.assert_array_equal(layer.grad_weights, first[0])
    np.testing.assert_array_equal(layer.grad_bias, first[1])


@pytest.mark.parametrize("activation", [None, "tanh", "sigmoid", "relu", "softmax"])
def test_dense_input_gradient(activation):
    layer = build_layer(Dense(3, 4, activation=activation, bias_init="normal"), 3)
    assert_layer_input_gradient(layer, rand(5, 3))


def test_dense_with_activation_shortcut_standalone():
    layer = build_layer(Dense(2, 3, activation="tanh", bias_init="normal"), 2)
    x = rand(4, 2)
    np.testing.assert_allclose(layer.forward(x), np.tanh(x @ layer.weights + layer.bias))
    g = rand(4, 3, seed=1)
    layer.backward(g)
    delta = g * (1 - np.tanh(x @ layer.weights + layer.bias) ** 2)
    np.testing.assert_allclose(layer.grad_weights, x.T @ delta, rtol=1e-12)


@pytest.mark.parametrize("init", INITS)
def test_gradcheck_dense_with_each_initializer(init, tiny_data):
    model = Sequential([Dense(3, 5, weight_init=init, bias_init="normal"), Tanh(),
                        Dense(5, 2, weight_init=init, bias_init="normal")],
                       seed=2, dtype=np.float64)
    model.compile("mse", "sgd")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.05), (0.02, 0.03)])
def test_gradcheck_dense_with_regularization(l1, l2, tiny_data):
    model = Sequential([Dense(3, 4, activation="tanh", l1=l1, l2=l2),
                        Dense(4, 2, l1=l1, l2=l2)], seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


def test_regularization_penalty_value_and_gradient():
    layer = build_layer(Dense(2, 2, l1=0.1, l2=0.2), 2)
    layer.weights[...] = [[1.0, -2.0], [0.5, 0.0]]
    layer.bias[...] = [10.0, 10.0]  # never penalised
    # l1 * (1 + 2 + 0.5 + 0) + l2 * (1 + 4 + 0.25 + 0)
    assert layer.regularization_loss() == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    x = np.zeros((1, 2))
    layer.forward(x)
    layer.backward(np.zeros((1, 2)))
    # data gradient is 0 here, so only the penalty remains: l1 sign(w) + 2 l2 w
    np.testing.assert_allclose(layer.grad_weights,
                               [[0.1 + 0.4, -0.1 - 0.8], [0.1 + 0.2, 0.0]])
    np.testing.assert_array_equal(layer.grad_bias, [0.0, 0.0])


def test_evaluate_includes_the_penalty(tiny_data):
    plain = Sequential([Dense(3, 2)], seed=0, dtype=np.float64)
    reg = Sequential([Dense(3, 2, l2=0.5)], seed=0, dtype=np.float64)
    for model in (plain, reg):
        model.compile("mse", "sgd")
    penalty = 0.5 * float(np.sum(reg.layers[0].weights ** 2))
    assert penalty > 0
    got = reg.evaluate(tiny_data.X, tiny_data.y_reg)["loss"]
    assert got == pytest.approx(plain.evaluate(tiny_data.X, tiny_data.y_reg)["loss"] + penalty)


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((2, "4"), {}, TypeError, "n_outputs must be an integer, got '4'"),
    (("2", 4), {}, TypeError, "n_inputs must be an integer"),
    ((2.0, 4), {}, TypeError, "n_inputs must be an integer, got 2.0"),
    ((0, 4), {}, ValueError, "n_inputs must be >= 1, got 0"),
    ((2, -1), {}, ValueError, "n_outputs must be >= 1, got -1"),
    ((2, 4), {"activation": "gelu"}, ValueError, "unknown activation 'gelu'"),
    ((2, 4), {"weight_init": "xavier"}, ValueError,
     r"unknown initializer 'xavier'; expected one of \[.*'glorot_uniform'"),
    ((2, 4), {"bias_init": "bogus"}, ValueError, "unknown initializer 'bogus'"),
    ((2, 4), {"weight_init": None}, TypeError, "initializer must be a name"),
    ((2, 4), {"l2": -0.1}, ValueError, "l2 must be >= 0.0"),
    ((2, 4), {"l1": "0.1"}, TypeError, "l1 must be a real number"),
])
def test_dense_constructor_validation(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(*args, **kwargs)


def test_dense_build_rejects_wrong_width():
    with pytest.raises(ValueError, match="expects 3 inputs, but the layer before it gives 2"):
        Dense(3, 1).build(2, np.random.default_rng(), np.float64)


# --------------------------------------------------------------------- Dropout


def test_dropout_is_identity_at_inference():
    layer = build_layer(Dropout(0.5), 4)
    x = rand(3, 4)
    assert layer.forward(x) is x
    np.testing.assert_array_equal(layer.backward(np.ones((3, 4))), np.ones((3, 4)))


def test_dropout_training_statistics():
    layer = build_layer(Dropout(0.25), 200, seed=3)
    x = np.ones((500, 200))
    y = layer.forward(x, training=True)
    dropped = np.mean(y == 0)
    assert dropped == pytest.approx(0.25, abs=0.01)
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.75])  # survivors scaled by 1/(1-rate)
    assert y.mean() == pytest.approx(1.0, abs=0.01)  # expectation preserved
    # backward applies the same mask and scale
    np.testing.assert_array_equal(layer.backward(np.full_like(x, 2.0)), 2.0 * y)


def test_dropout_rate_zero_is_identity_in_training():
    layer = build_layer(Dropout(0.0), 3)
    x = rand(2, 3)
    np.testing.assert_array_equal(layer.forward(x, training=True), x)


def test_dropout_input_gradient_with_fixed_mask():
    layer = build_layer(Dropout(0.4), 5, seed=1)
    assert_layer_input_gradient(layer, rand(6, 5), training=True)


def test_gradcheck_with_dropout_in_training_mode(tiny_data):
    model = Sequential([Dense(3, 6, activation="tanh"), Dropout(0.3), Dense(6, 2)],
                       seed=4, dtype=np.float64)
    model.compile("mse", "sgd")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


@pytest.mark.parametrize("rate, error", [(1.0, ValueError), (-0.1, ValueError),
                                         ("0.5", TypeError)])
def test_dropout_rate_validation(rate, error):
    with pytest.raises(error, match="rate must be"):
        Dropout(rate)


def test_dropout_is_float32_in_float32():
    layer = build_layer(Dropout(0.5), 4, dtype=np.float32)
    y = layer.forward(np.ones((3, 4), dtype=np.float32), training=True)
    assert y.dtype == np.float32


# ---------------------------------------------------------- BatchNormalization


def test_batchnorm_training_forward_normalises_each_feature():
    layer = build_layer(BatchNormalization(epsilon=1e-8), 3)
    x = rand(50, 3) * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0]
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1.0, rtol=1e-6)
    # running statistics moved towards the batch's by (1 - momentum)
    np.testing.assert_allclose(layer.moving_mean, 0.01 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, 0.99 + 0.01 * x.var(axis=0), rtol=1e-12)


def test_batchnorm_scale_and_shift_and_inference_mode():
    layer = build_layer(BatchNormalization(epsilon=0.5), 2)
    layer.gamma[...] = [2.0, 3.0]
    layer.beta[...] = [1.0, -1.0]
    layer.moving_mean[...] = [1.0, 2.0]
    layer.moving_variance[...] = [3.5, 0.5]
    x = np.array([[3.0, 2.0], [1.0, 4.0]])
    # inference: (x - mean) / sqrt(var + eps) * gamma + beta, with sqrt(4) = 2 and sqrt(1) = 1
    np.testing.assert_allclose(layer.forward(x), [[2 * 1 + 1, 0 - 1], [0 + 1, 3 * 2 - 1]])
    np.testing.assert_array_equal(layer.moving_mean, [1.0, 2.0])  # unchanged at inference


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_input_gradient(training):
    layer = build_layer(BatchNormalization(), 3)
    layer.gamma[...] = [0.5, 2.0, -1.0]
    layer.beta[...] = [0.1, 0.2, 0.3]
    layer.moving_mean[...] = [0.3, -0.2, 0.1]
    layer.moving_variance[...] = [2.0, 0.5, 1.5]
    assert_layer_input_gradient(layer, rand(6, 3, seed=5) * 2 + 1, training=training)


def test_gradcheck_with_batchnorm(tiny_data):
    # BatchNormalization after the activation: a Dense bias right before it would have an
    # exactly-zero gradient (the batch mean removes it), and the relative error of a zero
    # analytic gradient against finite-difference noise is ~1 (see the next test).
    model = Sequential([Dense(3, 4), Tanh(), BatchNormalization(), Dense(4, 2)],
                       seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    bn = model.layers[2]
    bn.gamma[...] = [1.5, 0.5, -1.0, 2.0]
    bn.beta[...] = [0.1, -0.2, 0.3, 0.0]
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


def test_a_dense_bias_right_before_batchnorm_has_zero_gradient(tiny_data):
    model = Sequential([Dense(3, 4, bias_init="normal"), BatchNormalization(), Tanh(),
                        Dense(4, 2)], seed=0, dtype=np.float64)
    model.compile("mse", SGD(0.0))
    model.fit(tiny_data.X, tiny_data.y_reg, epochs=1, batch_size=8, verbose=0)
    assert np.abs(model.layers[0].grad_bias).max() < 1e-15
    assert np.abs(model.layers[0].grad_weights).max() > 1e-3


def test_batchnorm_as_first_layer_and_width_checks():
    model = Sequential([BatchNormalization(n_features=3), Dense(3, 1)], seed=0)
    assert model.n_inputs == 3
    with pytest.raises(ValueError, match="expects 5 features, but the layer before it gives 3"):
        Sequential([Dense(2, 3), BatchNormalization(n_features=5)])
    with pytest.raises(ValueError, match="momentum must be"):
        BatchNormalization(momentum=1.0)
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        BatchNormalization(epsilon=0.0)


def test_batchnorm_state_is_saved_but_not_trained():
    layer = build_layer(BatchNormalization(), 2)
    assert [name for name, _, _ in layer.parameters()] == ["gamma", "beta"]
    assert list(layer.arrays()) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert layer.count_params() == 4


# --------------------------------------------------------------- the contract


@pytest.mark.parametrize("layer", [Dense(3, 2, activation="relu", l2=0.1), Dropout(0.3),
                                   BatchNormalization(momentum=0.9, epsilon=1e-4),
                                   plainnet.LeakyReLU(0.1), plainnet.Softmax()],
                         ids=lambda layer: type(layer).__name__)
def test_get_config_rebuilds_the_layer(layer):
    import json

    config = layer.get_config()
    assert json.loads(json.dumps(config)) == config
    clone = LAYER_TYPES[type(layer).__name__](**config)
    assert clone.get_config() == config
    assert repr(clone) == repr(layer)


def test_parameters_are_reachable_by_name():
    layer = build_layer(Dense(3, 2), 3)
    names = [name for name, _, _ in layer.parameters()]
    assert names == ["weights", "bias"]
    for name, param, grad in layer.parameters():
        assert param is getattr(layer, name)
        assert grad is getattr(layer, "grad_" + name)
    assert layer.count_params() == 8


def test_base_layer_requires_forward_and_backward():
    layer = Layer()
    with pytest.raises(NotImplementedError, match="Layer must implement forward"):
        layer.forward(np.zeros((1, 1)))
    with pytest.raises(NotImplementedError, match="Layer must implement backward"):
        layer.backward(np.zeros((1, 1)))


def test_a_custom_layer_works_in_a_model_and_its_input_gradient_checks(tiny_data):
    """Learners subclass Layer; the helpers check both gradients of their layer."""

    class Scale(Layer):
        param_names = ("scale",)

        def build(self, n_inputs, rng, dtype):
            width = super().build(n_inputs, rng, dtype)
            self.scale = np.linspace(0.5, 1.5, width).astype(dtype)
            self.grad_scale = np.zeros_like(self.scale)
            return width

        def forward(self, x, training=False):
            self.input = x
            return x * self.scale

        def backward(self, grad_output):
            self.grad_scale[...] = (grad_output * self.input).sum(axis=0)
            return grad_output * self.scale

    layer = build_layer(Scale(), 3)
    x = rand(4, 3)
    g = rand(4, 3, seed=1)
    numeric = numeric_layer_gradient(layer, x, g)
    layer.forward(x)
    assert relative_error(layer.backward(g), numeric) < 1e-8
    model = Sequential([Dense(3, 3), Scale(), Dense(3, 2)], seed=0, dtype=np.float64)
    model.compile("mse", "sgd")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)
