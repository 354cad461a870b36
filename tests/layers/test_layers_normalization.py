"""``BatchNormalization``: batch statistics in training, running ones at inference, N-D inputs.

Shapes, config, dtypes and finite-difference gradients (training and inference,
2-D and 3-D) are checked by the layer-contract harness (``test_layers_contract.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import assert_gradcheck, build_layer
from plainnet import SGD, BatchNormalization, Dense, Sequential, Softmax, Tanh


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def test_training_forward_normalises_each_feature_and_moves_the_running_statistics():
    layer = build_layer(BatchNormalization(epsilon=1e-8), 3)
    assert (layer.momentum, layer.epsilon) == (0.99, 1e-8)
    assert BatchNormalization().epsilon == 1e-3  # the documented default
    x = rand(50, 3) * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0]
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1.0, rtol=1e-6)
    # running statistics moved towards the batch's by (1 - momentum)
    np.testing.assert_allclose(layer.moving_mean, 0.01 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, 0.99 + 0.01 * x.var(axis=0), rtol=1e-12)


def test_on_3d_input_the_statistics_cover_the_batch_and_the_positions():
    layer = build_layer(BatchNormalization(momentum=0.5, epsilon=1e-8), (4, 3))
    assert layer.gamma.shape == layer.moving_mean.shape == (3,)
    x = rand(6, 4, 3) * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0]
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 1)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=(0, 1)), 1.0, rtol=1e-6)
    np.testing.assert_allclose(layer.moving_mean, 0.5 * x.mean(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, 0.5 + 0.5 * x.var(axis=(0, 1)),
                               rtol=1e-12)


def test_scale_and_shift_at_inference():
    layer = build_layer(BatchNormalization(epsilon=0.5), 2)
    layer.gamma[...] = [2.0, 3.0]
    layer.beta[...] = [1.0, -1.0]
    layer.moving_mean[...] = [1.0, 2.0]
    layer.moving_variance[...] = [3.5, 0.5]
    x = np.array([[3.0, 2.0], [1.0, 4.0]])
    # (x - mean) / sqrt(var + eps) * gamma + beta, with sqrt(4) = 2 and sqrt(1) = 1
    np.testing.assert_allclose(layer.forward(x), [[2 * 1 + 1, 0 - 1], [0 + 1, 3 * 2 - 1]])
    np.testing.assert_array_equal(layer.moving_mean, [1.0, 2.0])  # unchanged at inference


def test_predict_uses_the_running_statistics():
    X = np.random.default_rng(0).normal(loc=3.0, scale=2.0, size=(40, 2))
    model = Sequential([BatchNormalization(n_features=2, momentum=0.5)], seed=0,
                       dtype=np.float64)
    bn = model.layers[0]
    for _ in range(3):
        bn.forward(X, training=True)
    bn.gamma[:] = [2.0, 0.5]
    bn.beta[:] = [1.0, -1.0]
    expected = (bn.gamma * (X - bn.moving_mean) / np.sqrt(bn.moving_variance + bn.epsilon)
                + bn.beta)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-12)
    # a prediction does not depend on the rest of its batch, and does not move the statistics
    mean_before = bn.moving_mean.copy()
    np.testing.assert_allclose(model.predict(X[:1]), expected[:1], rtol=1e-12)
    np.testing.assert_array_equal(bn.moving_mean, mean_before)


def test_fit_moves_the_running_statistics_once_per_step():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[1.0, -2.0, 5.0], scale=[0.5, 2.0, 3.0], size=(32, 3))
    y = rng.normal(size=32)
    model = Sequential([Dense(3), BatchNormalization(momentum=0.9), Dense(1)], seed=0,
                       dtype=np.float64, input_shape=(3,))
    model.layers[0].weights[:] = np.eye(3)  # the BN layer sees X itself
    model.compile(loss="mse", optimizer=SGD(0.1))
    bn = model.layers[1]
    model.fit(X, y, epochs=1, batch_size=32, shuffle=False, verbose=0)  # one step
    # moving = momentum * initial + (1 - momentum) * batch; initial mean 0, variance 1
    np.testing.assert_allclose(bn.moving_mean, 0.1 * X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.moving_variance, 0.9 + 0.1 * X.var(axis=0), rtol=1e-12)


def test_gradcheck_in_a_model():
    # BatchNormalization after the activation: a Dense bias right before it would have an
    # exactly-zero gradient (the batch mean removes it), and the relative error of a zero
    # analytic gradient against finite-difference noise is ~1 (see the next test).
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 3, size=10)
    model = Sequential([Dense(5), Tanh(), BatchNormalization(), Dense(3), Softmax()],
                       seed=0, dtype=np.float64, input_shape=(3,))
    model.compile(loss="categorical_crossentropy")
    bn = model.layers[2]
    bn.gamma[:] = rng.normal(size=5)
    bn.beta[:] = rng.normal(size=5)
    assert_gradcheck(model, X, y)


def test_a_dense_bias_right_before_it_has_zero_gradient():
    """A constant shift before BN is normalised away, so its exact gradient is 0.

    (Finite differences of a zero gradient are pure rounding noise, so this case is
    checked directly rather than through gradcheck's relative error.)
    """
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 1))
    model = Sequential([Dense(5, bias_init="normal"), BatchNormalization(), Tanh(), Dense(1)],
                       seed=0, dtype=np.float64)
    model.compile(loss="mse")
    model.compute_gradients(X, y)
    assert np.abs(model.layers[0].grad_bias).max() < 1e-12
    assert np.abs(model.layers[0].grad_weights).max() > 1e-3


def test_as_first_layer_and_width_checks():
    model = Sequential([BatchNormalization(n_features=3), Dense(3, 1)], seed=0)
    assert model.input_shape == (3,) and model.n_inputs == 3
    with pytest.raises(ValueError, match="batch_normalization expects 5 features, but the "
                                         "layer before it gives 3"):
        Sequential([Dense(2, 3), BatchNormalization(n_features=5)])
    with pytest.raises(ValueError, match="momentum must be"):
        BatchNormalization(momentum=1.0)
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        BatchNormalization(epsilon=0.0)
    with pytest.raises(ValueError, match="n_features must be >= 1"):
        BatchNormalization(n_features=0)


def test_running_statistics_are_saved_but_not_trained():
    model = Sequential([Dense(2, 3), BatchNormalization()], seed=0)
    layer = model.layers[1]
    assert [name for name, _, _ in layer.parameters()] == ["gamma", "beta"]
    assert list(layer.arrays()) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert layer.count_params() == 6
    assert len(model.get_weights()) == 2 + 4
    assert [name for name, _, _ in model.trainable_parameters()] == [
        "dense/weights", "dense/bias", "batch_normalization/gamma",
        "batch_normalization/beta"]
