"""Packed parameters: one flat, double-buffered vector behind every layer's arrays.

``Sequential`` lays all parameters of its (built-in) layers out in one flat
vector and lets plainnet's own optimizers update it block by block. These
tests check that this is invisible: the same numbers as the general
per-parameter path, the same array objects before and after ``fit``, and
every way of replacing an array still honoured.
"""

from __future__ import annotations

import numpy as np
import pytest

import plainnet.optimizers as optimizers_module
from plainnet import Dense, Sequential, TrainingDivergedError
from plainnet.base import PackedParameters
from plainnet.callbacks import Callback
from plainnet.layers import BatchNormalization, Dropout
from plainnet.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop

OPTIMIZERS = {
    "sgd": lambda: SGD(0.05),
    "momentum": lambda: SGD(0.05, momentum=0.9),
    "nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
    "adamw": lambda: AdamW(0.01, weight_decay=0.1),
    "rmsprop": lambda: RMSprop(0.01),
    "adagrad": lambda: Adagrad(0.05, initial_accumulator_value=0.1),
    "clipnorm": lambda: Adam(0.01, clipnorm=0.05),
}


def general_path(optimizer):
    """The same optimizer as an instance of a subclass: Sequential then steps it per parameter."""
    subclass = type("Unpacked" + type(optimizer).__name__, (type(optimizer),), {})
    clone = subclass.__new__(subclass)
    clone.__dict__.update(optimizer.__dict__)
    return clone


def data(n=48, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def model(width=8, seed=0, dtype=np.float64, batchnorm=False):
    layers = [Dense(5, width, activation="tanh")]
    if batchnorm:
        layers.append(BatchNormalization())
    layers += [Dropout(0.1), Dense(width, 2, activation="softmax")]
    return Sequential(layers, seed=seed, dtype=dtype)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("width", [8, 10_000])  # one block; several (see below)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_packed_steps_equal_the_per_parameter_path_bit_for_bit(name, width, dtype):
    X, y = data()
    results = []
    for unpack in (False, True):
        net = model(width=width, batchnorm=True, dtype=dtype)
        optimizer = OPTIMIZERS[name]()
        net.compile("categorical_crossentropy", general_path(optimizer) if unpack else optimizer)
        net.fit(X, y, epochs=3, batch_size=16, verbose=0)
        state = {key: slots for key, slots in net.optimizer.state.items() if slots}
        results.append((net.get_weights(), state))
    (packed_weights, packed_state), (plain_weights, plain_state) = results
    for a, b in zip(packed_weights, plain_weights):
        np.testing.assert_array_equal(a, b)
    assert packed_state.keys() == plain_state.keys()
    for key in plain_state:
        for slot in plain_state[key]:
            np.testing.assert_array_equal(packed_state[key][slot], plain_state[key][slot])


def test_a_large_model_uses_several_blocks():
    net = model(width=10_000)
    packed = net._packed_parameters()
    assert packed.param.size > 2 * optimizers_module.block_size(packed.param.dtype)


def test_layers_hold_views_into_one_vector():
    net = model()
    packed = net._packed_parameters()
    assert isinstance(packed, PackedParameters)
    dense = net.layers[0]
    assert np.shares_memory(dense.weights, packed.param)
    assert np.shares_memory(dense.grad_bias, packed.grad)
    names = [segment[0] for segment in packed.segments]
    assert names == [name for name, _, _ in net.parameters()]
    assert packed.param.size == net.count_params()


@pytest.mark.parametrize("width", [8, 5000])
def test_fit_keeps_the_same_array_objects_and_updates_them(width):
    X, y = data()
    net = model(width=width)
    net.compile("categorical_crossentropy", "adam")
    weights, grad = net.layers[0].weights, net.layers[0].grad_weights
    before = weights.copy()
    for _ in range(2):  # odd and even numbers of steps: the live buffer may be either
        net.fit(X, y, epochs=1, batch_size=16, verbose=0)
        assert net.layers[0].weights is weights and net.layers[0].grad_weights is grad
    assert not np.array_equal(weights, before)


def test_an_array_replaced_between_fits_is_used():
    X, y = data()
    net = model()
    net.compile("categorical_crossentropy", SGD(0.0))  # a zero step keeps the weights
    net.layers[0].weights = np.full((5, 8), 0.25)
    net.fit(X, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(net.layers[0].weights, 0.25)
    assert np.shares_memory(net.layers[0].weights, net._packed_parameters().param)


class ReplaceBias(Callback):
    """Swaps the first layer's bias for a new array at the start of the second epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            self.model.layers[0].bias = np.full(8, 3.0)


def test_an_array_replaced_by_a_callback_is_used():
    X, y = data()
    net = model()
    net.compile("categorical_crossentropy", SGD(0.0))
    net.fit(X, y, epochs=3, callbacks=[ReplaceBias()], verbose=0)
    np.testing.assert_array_equal(net.layers[0].bias, 3.0)


class Snapshots(Callback):
    """The weights after every step."""

    def __init__(self):
        super().__init__()
        self.after_step = []

    def on_batch_end(self, batch, logs=None):
        self.after_step.append(self.model.get_weights())


@pytest.mark.parametrize("width", [8, 5000])
def test_divergence_restores_the_weights_before_the_last_step(width):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    y = 100 * rng.normal(size=(40, 1))
    net = Sequential([Dense(5, width, activation="relu"), Dense(width, 1)], seed=0)
    net.compile("mse", SGD(1e6))
    snapshots = Snapshots()
    with pytest.raises(TrainingDivergedError), np.errstate(all="ignore"):
        net.fit(X, y, epochs=50, batch_size=8, callbacks=[snapshots], verbose=0)
    assert len(snapshots.after_step) >= 2
    for restored, expected in zip(net.get_weights(), snapshots.after_step[-2]):
        np.testing.assert_array_equal(restored, expected)
        assert np.isfinite(restored).all()
    assert net.layers[0].weights is net._packed_parameters()._views[0][0]  # settled


def test_optimizer_state_is_views_that_save_and_load(tmp_path):
    from plainnet import io

    X, y = data()
    net = model(width=5000)
    net.compile("categorical_crossentropy", Adam(0.01))
    net.fit(X, y, epochs=2, batch_size=16, verbose=0)
    m = net.optimizer.state["dense/weights"]["m"]
    assert m.shape == (5, 5000) and np.any(m != 0)
    net.save(tmp_path / "m.pnet")
    loaded = io.load(tmp_path / "m.pnet")
    np.testing.assert_array_equal(loaded.optimizer.state["dense/weights"]["m"], m)
    # loaded state (plain arrays) is taken over by the packed step, then continues alike
    net.fit(X, y, epochs=1, batch_size=16, verbose=0)
    loaded.fit(X, y, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(net.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_reset_optimizer_state_is_honoured():
    X, y = data()
    net = model()
    optimizer = Adam(0.01)
    net.compile("categorical_crossentropy", optimizer)
    net.fit(X, y, epochs=1, batch_size=16, verbose=0)
    optimizer.reset()
    net.fit(X, y, epochs=1, batch_size=16, verbose=0)
    assert optimizer.iterations == 3
    assert np.any(optimizer.state["dense/weights"]["m"] != 0)


def test_copies_are_packed_afresh_and_independent():
    X, y = data()
    net = model()
    net.compile("categorical_crossentropy", "adam")
    net.fit(X, y, epochs=1, verbose=0)
    clone = net.copy()
    before = net.get_weights()
    clone.fit(X, y, epochs=2, verbose=0)
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(clone.layers[0].weights, net.layers[0].weights)
    assert np.shares_memory(clone.layers[0].weights, clone._packed_parameters().param)


class CustomDense(Dense):
    """A layer type of the user's own: not packed (its backward might rebind gradients)."""

    def backward(self, grad_output):
        result = super().backward(grad_output)
        self.grad_weights = self.grad_weights.copy()  # rebinding, the thing packing cannot see
        return result


def test_models_with_layer_types_of_their_own_are_not_packed_and_still_train():
    X, y = data()
    net = Sequential([CustomDense(5, 8, activation="tanh"), Dense(8, 2, activation="softmax")],
                     seed=0)
    assert net._packed_parameters() is None
    net.compile("categorical_crossentropy", Adam(0.05))
    before = net.evaluate(X, y)["loss"]
    net.fit(X, y, epochs=20, batch_size=16, verbose=0)
    assert net.evaluate(X, y)["loss"] < before
