"""``Dense``: the affine map by hand, its constructor forms, N-D inputs, L1/L2 penalties.

Shapes, config, dtypes and finite-difference gradients of every Dense form are
checked by the layer-contract harness (``test_layers_contract.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import assert_gradcheck, assert_layer_input_gradient, build_layer
from plainnet import SGD, Dense, Sequential, Tanh, gradcheck
from plainnet.layers import ReLU

INITS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "normal", "zeros"]


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# ------------------------------------------------------------------- the maths
def test_forward_is_the_affine_map():
    layer = build_layer(Dense(2), 3)
    layer.weights[...] = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    layer.bias[...] = [0.5, -0.5]
    y = layer.forward(np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]))
    np.testing.assert_array_equal(y, [[1 - 5 + 0.5, 2 - 6 - 0.5], [2 + 3 + 0.5, 4 + 4 - 0.5]])


def test_backward_formulas():
    layer = build_layer(Dense(2, bias_init="normal"), 3)
    x, g = rand(5, 3, seed=1), rand(5, 2, seed=2)
    layer.forward(x)
    grad_x = layer.backward(g)
    np.testing.assert_allclose(layer.grad_weights, x.T @ g, rtol=1e-14)
    np.testing.assert_allclose(layer.grad_bias, g.sum(axis=0), rtol=1e-14)
    np.testing.assert_allclose(grad_x, g @ layer.weights.T, rtol=1e-14)
    assert layer.grad_weights.shape == layer.weights.shape == (3, 2)
    assert layer.grad_bias.shape == layer.bias.shape == (2,)


def test_on_n_d_input_it_is_the_same_map_at_every_position():
    """(batch, time, in) -> (batch, time, out); the gradients sum over batch and time."""
    layer = build_layer(Dense(4, bias_init="normal"), (3, 5))
    flat = build_layer(Dense(4), 5)
    flat.weights[...], flat.bias[...] = layer.weights, layer.bias
    x, g = rand(2, 3, 5), rand(2, 3, 4, seed=1)
    y = layer.forward(x)
    assert y.shape == (2, 3, 4) and layer.output_shape == (3, 4)
    for t in range(3):
        np.testing.assert_allclose(y[:, t], x[:, t] @ layer.weights + layer.bias, rtol=1e-14)
    grad_x = layer.backward(g)
    flat.forward(x.reshape(6, 5))
    np.testing.assert_allclose(grad_x, flat.backward(g.reshape(6, 4)).reshape(2, 3, 5),
                               rtol=1e-14)
    np.testing.assert_allclose(layer.grad_weights, flat.grad_weights, rtol=1e-14)
    np.testing.assert_allclose(layer.grad_bias, flat.grad_bias, rtol=1e-14)


@pytest.mark.parametrize("activation", [None, "tanh", "sigmoid", "relu", "softmax"])
def test_input_gradient_with_each_activation_shortcut(activation):
    layer = build_layer(Dense(4, activation=activation, bias_init="normal"), 3)
    assert_layer_input_gradient(layer, rand(5, 3))


def test_activation_shortcut_standalone():
    layer = build_layer(Dense(3, activation="tanh", bias_init="normal"), 2)
    x = rand(4, 2)
    np.testing.assert_allclose(layer.forward(x), np.tanh(x @ layer.weights + layer.bias))
    g = rand(4, 3, seed=1)
    layer.backward(g)
    delta = g * (1 - np.tanh(x @ layer.weights + layer.bias) ** 2)
    np.testing.assert_allclose(layer.grad_weights, x.T @ delta, rtol=1e-12)


@pytest.mark.parametrize("init", INITS)
def test_gradcheck_with_each_initializer(init, tiny_data):
    model = Sequential([Dense(5, weight_init=init, bias_init="normal"), Tanh(),
                        Dense(2, weight_init=init, bias_init="normal")],
                       seed=2, dtype=np.float64, input_shape=(3,))
    model.compile("mse", "sgd")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


def test_parameters_are_reachable_by_name():
    layer = build_layer(Dense(2), 3)
    names = [name for name, _, _ in layer.parameters()]
    assert names == ["weights", "bias"]
    for name, param, grad in layer.parameters():
        assert param is getattr(layer, name)
        assert grad is getattr(layer, "grad_" + name)
    assert layer.count_params() == 8


# ------------------------------------------------------------ constructor forms
def test_units_alone_takes_the_width_from_the_input():
    layer = build_layer(Dense(4), 7)
    assert layer.weights.shape == (7, 4) and layer.n_inputs == 7
    assert (layer.units, layer.n_outputs) == (4, 4)
    model = Sequential([Dense(6), ReLU(), Dense(2)], seed=0)
    model.predict(np.ones((3, 9)))  # the data tells the first layer its width
    assert model.layers[0].weights.shape == (9, 6) and model.layers[2].weights.shape == (6, 2)


def test_two_integers_are_n_inputs_and_units_and_the_width_is_checked():
    layer = Dense(3, 4)
    assert (layer.n_inputs, layer.units) == (3, 4)
    assert Sequential([Dense(3, 4)], seed=0).input_shape == (3,)  # built at once
    with pytest.raises(ValueError, match="dense expects 3 inputs, but the layer before it "
                                         "gives 2"):
        build_layer(Dense(3, 4), 2)


@pytest.mark.parametrize("args, kwargs, expected", [
    ((64, "relu"), {}, (None, 64, "relu")),
    ((64,), {"activation": "relu"}, (None, 64, "relu")),
    ((3, 4, "tanh"), {}, (3, 4, "tanh")),
    ((3, 4), {}, (3, 4, None)),
    ((5, None), {}, (None, 5, None)),
    ((), {"units": 8}, (None, 8, None)),
    ((), {"n_outputs": 8, "n_inputs": 2}, (2, 8, None)),
    ((8,), {"n_inputs": 2, "activation": "sigmoid"}, (2, 8, "sigmoid")),
    ((np.int64(3), np.int32(2)), {}, (3, 2, None)),
])
def test_the_accepted_forms(args, kwargs, expected):
    layer = Dense(*args, **kwargs)
    assert (layer.n_inputs, layer.units, layer.activation) == expected
    config = layer.get_config()
    assert (config["n_inputs"], config["units"], config["activation"]) == expected


def test_an_int_and_a_name_is_never_read_as_two_widths():
    model = Sequential([Dense(64, "relu"), Dense(1)], seed=0, input_shape=(5,))
    dense, relu, out = model.layers
    assert type(relu) is ReLU
    assert dense.weights.shape == (5, 64) and out.weights.shape == (64, 1)


@pytest.mark.parametrize("args, kwargs, error, message", [
    (("2", 4), {}, TypeError, "n_inputs must be an integer, got '2'"),
    ((2.0, 4), {}, TypeError, "n_inputs must be an integer, got 2.0"),
    ((2.0,), {}, TypeError, "units must be an integer, got 2.0"),
    ((True,), {}, TypeError, "units must be an integer, got True"),
    (("relu",), {}, TypeError, "units must be an integer"),
    ((0, 4), {}, ValueError, "n_inputs must be >= 1, got 0"),
    ((2, -1), {}, ValueError, "units must be >= 1, got -1"),
    ((0,), {}, ValueError, "units must be >= 1, got 0"),
    ((2, "4"), {}, ValueError, "unknown activation '4'"),  # read as Dense(units, activation)
    ((2, True), {}, TypeError, "activation must be a name"),
    ((), {}, TypeError, r"Dense needs the number of units, e\.g\. Dense\(64\)"),
    ((), {"n_inputs": 2}, TypeError, "Dense needs the number of units"),
    ((2, 3, "relu", "x"), {}, TypeError, "at most .*positionally, got 4 arguments"),
    ((2, "relu"), {"activation": "tanh"}, TypeError, "activation twice"),
    ((2,), {"units": 3}, TypeError, "number of units twice"),
    ((), {"units": 3, "n_outputs": 3}, TypeError, "number of units twice"),
    ((2, 3), {"n_inputs": 2}, TypeError, "n_inputs twice"),
    ((2, 4), {"activation": "swish"}, ValueError, "unknown activation 'swish'"),
    ((2, 4), {"weight_init": "xavier"}, ValueError,
     r"unknown initializer 'xavier'; expected one of \[.*'glorot_uniform'"),
    ((2, 4), {"bias_init": "bogus"}, ValueError, "unknown initializer 'bogus'"),
    ((2, 4), {"weight_init": None}, TypeError, "initializer must be a name"),
    ((2, 4), {"l2": -0.1}, ValueError, "l2 must be >= 0.0"),
    ((2, 4), {"l1": "0.1"}, TypeError, "l1 must be a real number"),
])
def test_constructor_validation(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(*args, **kwargs)


def test_build_needs_a_known_last_axis():
    with pytest.raises(ValueError, match=r"dense expects inputs of shape \(\.\.\., features\) "
                                         r"with a known number of features, got \(3, None\)"):
        build_layer(Dense(2), (3, None))


# ------------------------------------------------------------------ L1 and L2
def test_regularization_penalty_value_and_gradient():
    layer = build_layer(Dense(2, 2, l1=0.1, l2=0.2), 2)
    layer.weights[...] = [[1.0, -2.0], [0.5, 0.0]]
    layer.bias[...] = [10.0, 10.0]  # never penalised
    # l1 * (1 + 2 + 0.5 + 0) + l2 * (1 + 4 + 0.25 + 0)
    assert layer.regularization_loss() == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    layer.forward(np.zeros((1, 2)))
    layer.backward(np.zeros((1, 2)))
    # data gradient is 0 here, so only the penalty remains: l1 sign(w) + 2 l2 w
    np.testing.assert_allclose(layer.grad_weights,
                               [[0.1 + 0.4, -0.1 - 0.8], [0.1 + 0.2, 0.0]])
    np.testing.assert_array_equal(layer.grad_bias, [0.0, 0.0])


def regularised_model(l1, l2):
    model = Sequential([Dense(4, activation="tanh", l1=l1, l2=l2), Dense(2, l2=l2 / 2)],
                       seed=1, dtype=np.float64, input_shape=(3,))
    model.compile(loss="mse", optimizer=SGD(0.0))
    model.layers[0].bias[:] = [0.5, -1.0, 2.0, 0.1]  # non-zero, to show it is not penalised
    model.layers[2].bias[:] = [-0.3, 0.7]
    return model


@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.02), (0.03, 0.05)])
def test_penalty_gradient_in_a_model(l1, l2):
    """gradcheck passes, and the gradient is exactly the data's plus the penalty's derivative."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    model = regularised_model(l1, l2)
    assert gradcheck(model, X, y) < 1e-6
    plain = regularised_model(0.0, 0.0)
    model.compute_gradients(X, y)
    plain.compute_gradients(X, y)
    W1 = model.layers[0].weights
    np.testing.assert_allclose(model.layers[0].grad_weights - plain.layers[0].grad_weights,
                               l1 * np.sign(W1) + 2 * l2 * W1, rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(model.layers[0].grad_bias, plain.layers[0].grad_bias)


def test_l2_training_converges_to_the_ridge_solution():
    # minimise mean((X w + b - y)^2) + l2 |w|^2: with centred data,
    # w = (Xc^T Xc / n + l2 I)^-1 Xc^T yc / n and b = mean(y) - mean(X) w
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ rng.normal(size=3) + 0.1 * rng.normal(size=40)
    l2, n = 0.3, len(X)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc / n + l2 * np.eye(3), Xc.T @ yc / n)
    b = y.mean() - X.mean(axis=0) @ w
    model = Sequential([Dense(1, l2=l2)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.1, momentum=0.5))
    model.fit(X, y, epochs=500, batch_size=n, verbose=0)
    np.testing.assert_allclose(model.layers[0].weights.ravel(), w, atol=1e-8)
    np.testing.assert_allclose(model.layers[0].bias, [b], atol=1e-8)
    unregularised = np.linalg.lstsq(np.c_[X, np.ones(n)], y, rcond=None)[0][:3]
    assert np.linalg.norm(w) < 0.9 * np.linalg.norm(unregularised)
