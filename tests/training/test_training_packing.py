"""``PackedParameters``: every trainable array a view into one flat vector, invisibly.

The same array objects before and after ``fit``, the same numbers as separate
arrays, and every way of replacing an array (between fits, by a callback, by a
``backward`` that makes new gradients) still honoured.
"""

from __future__ import annotations

import numpy as np
import pytest

import plainnet
from core_helpers import assert_weights_equal
from plainnet import Adam, Callback, Dense, Sequential
from plainnet.layers import BatchNormalization, Dropout
from plainnet.optimizers import SGD
from plainnet.training.loop import packed_parameters
from plainnet.training.packing import PackedParameters


def data(n=48, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def model(width=8, seed=0, dtype=np.float64, batchnorm=False, dropout=True):
    layers = [Dense(width, activation="tanh")]
    if batchnorm:
        layers.append(BatchNormalization())
    layers += [Dropout(0.1)] if dropout else []
    layers += [Dense(2, activation="softmax")]
    return Sequential(layers, seed=seed, dtype=dtype, input_shape=(5,))


def test_layers_hold_views_into_one_vector():
    net = model(batchnorm=True)
    packed = PackedParameters(net.layers, net.dtype)
    dense, bn = net.layers[0], net.layers[2]
    for layer in (dense, bn):
        for name in layer.param_names:
            assert np.shares_memory(getattr(layer, name), packed.param)
            assert np.shares_memory(getattr(layer, "grad_" + name), packed.grad)
    assert not np.shares_memory(bn.moving_mean, packed.param)  # state is not trained
    assert [segment[0] for segment in packed.segments] == [
        name for name, _, _ in net.trainable_parameters()]
    assert packed.param.size == packed.grad.size == net.count_params()
    for (name, param, grad), (key, p, g) in zip(packed.triples(), net.trainable_parameters()):
        assert name == key and param is p and grad is g


def test_frozen_layers_are_left_out():
    net = model()
    net.layers[0].trainable = False
    packed = PackedParameters(net.layers, net.dtype)
    assert [segment[0] for segment in packed.segments] == ["dense_1/weights", "dense_1/bias"]
    assert not np.shares_memory(net.layers[0].weights, packed.param)
    assert packed.fits(net.layers)
    net.layers[0].trainable = True
    assert not packed.fits(net.layers)


def test_replaced_arrays_are_copied_in():
    net = model()
    packed = PackedParameters(net.layers, net.dtype)
    dense = net.layers[0]
    view, grad_view = dense.weights, dense.grad_weights
    dense.weights = np.full((5, 8), 0.25)  # a parameter replaced by a new array
    packed.sync_params()
    assert dense.weights is view and np.all(view == 0.25)
    dense.grad_weights = np.full((5, 8), 2.0)  # a backward that makes new gradients
    dense.weights = np.full((5, 8), 0.5)  # ... and a layer that replaced its weights
    packed.collect()
    assert np.all(grad_view == 2.0) and np.all(view == 0.5)
    assert dense.grad_weights is grad_view and dense.weights is view  # pointed back
    dense.weights = np.zeros((6, 8))  # another shape: the packing no longer fits
    assert not packed.fits(net.layers)


def test_the_packing_is_made_once_and_kept():
    net = model()
    first = packed_parameters(net)
    assert packed_parameters(net) is first
    net.layers[0].trainable = False
    assert packed_parameters(net) is not first


@pytest.mark.parametrize("width", [8, 5000])
def test_fits_keep_the_same_array_objects_and_update_them(width):
    X, y = data()
    net = model(width=width)
    net.compile("categorical_crossentropy", "adam")
    net.fit(X, y, epochs=1, batch_size=16, verbose=0)
    weights, grad = net.layers[0].weights, net.layers[0].grad_weights
    before = weights.copy()
    for _ in range(2):
        net.fit(X, y, epochs=1, batch_size=16, verbose=0)
        assert net.layers[0].weights is weights and net.layers[0].grad_weights is grad
    assert not np.array_equal(weights, before)


def test_arrays_taken_before_the_first_fit_follow_training():
    X, y = data()
    net = model()
    net.compile("categorical_crossentropy", "adam")
    weights = net.layers[0].weights
    before = weights.copy()
    net.fit(X, y, epochs=1, batch_size=16, verbose=0)
    assert net.layers[0].weights is weights
    assert not np.array_equal(weights, before)


def test_an_array_replaced_between_fits_is_used():
    X, y = data()
    net = model()
    net.compile("categorical_crossentropy", SGD(0.0))  # a zero step keeps the weights
    net.fit(X, y, epochs=1, verbose=0)
    net.layers[0].weights = np.full((5, 8), 0.25)
    net.fit(X, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(net.layers[0].weights, 0.25)
    assert np.shares_memory(net.layers[0].weights, packed_parameters(net).param)


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


def test_optimizer_state_given_as_plain_arrays_is_taken_over():
    """As after loading a file: the state arrays are new, and training continues alike."""
    X, y = data()
    net = model(width=5000, dropout=False)
    net.compile("categorical_crossentropy", Adam(0.01))
    net.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    m = net.optimizer.state["dense/weights"]["m"]
    assert m.shape == (5, 5000) and np.any(m != 0)
    other = model(width=5000, seed=1, dropout=False)
    other.set_weights(net.get_weights())
    optimizer = Adam(0.01)
    optimizer.iterations = net.optimizer.iterations
    optimizer.state = {key: {slot: array.copy() for slot, array in slots.items()}
                       for key, slots in net.optimizer.state.items()}
    other.compile("categorical_crossentropy", optimizer)
    net.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    other.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert_weights_equal(net.get_weights(), other.get_weights())


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
    assert_weights_equal(net.get_weights(), before)
    assert not np.shares_memory(clone.layers[0].weights, net.layers[0].weights)
    assert np.shares_memory(clone.layers[0].weights, packed_parameters(clone).param)


def test_a_step_writes_the_spare_buffer_and_undo_flips_back():
    """Double buffering: the values before a step stay in the other buffer."""
    from plainnet.training.fused import FusedStep

    net = model()
    packed = PackedParameters(net.layers, net.dtype)
    weights = net.layers[0].weights
    before = packed.param.copy()
    packed.grad[...] = 1.0
    step = FusedStep(plainnet.SGD(0.1), packed)
    step()
    assert packed.live == 1 and not np.array_equal(packed.param, before)
    assert np.array_equal(packed.spare, before)  # kept, not copied
    assert np.shares_memory(net.layers[0].weights, packed.param)
    step.undo()
    assert np.array_equal(packed.param, before) and packed.live == 0
    step()
    packed.settle()  # after fit: buffer 0 live, the layers hold their first arrays again
    assert packed.live == 0 and net.layers[0].weights is weights
    assert not np.array_equal(weights, before[:weights.size].reshape(weights.shape))

