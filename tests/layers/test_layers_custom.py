"""Layers a user writes: the textbook way, for the old ``build(n_inputs)`` contract, or
replacing their arrays. Each must train in ``fit`` exactly as the built-in equivalent.

Issue 12's case: a Dense whose ``backward`` assigns ``self.grad_weights = x.T @ g``
(a new array) passed gradcheck but stayed at accuracy 0.5 on moons in ``fit``.
"""

from __future__ import annotations

import numpy as np
import pytest
from layer_contract import LayerCase, check_dtype, check_gradients, check_shapes

from core_helpers import assert_gradcheck, assert_weights_equal, build_layer
from plainnet import Adam, Callback, Dense, Layer, Sequential, Sigmoid, Tanh, initializers
from plainnet.datasets import moons


class TextbookDense(Layer):
    """Dense written from scratch as a textbook writes it: new arrays in every backward."""

    param_names = ("weights", "bias")

    def __init__(self, units):
        super().__init__()
        self.units = units

    def build(self, input_shape, rng, dtype):
        # the same initializer calls as Dense, so the same seed gives the same weights
        self.weights = initializers.get("glorot_uniform")((input_shape[-1], self.units), rng,
                                                         dtype)
        self.bias = initializers.get("zeros")((self.units,), rng, dtype)
        self.grad_weights = np.zeros_like(self.weights)
        self.grad_bias = np.zeros_like(self.bias)
        return (*input_shape[:-1], self.units)

    def forward(self, x, training=False):
        self.input = x
        return x @ self.weights + self.bias

    def backward(self, grad_output):
        self.grad_weights = self.input.T @ grad_output  # a new array each time
        self.grad_bias = grad_output.sum(axis=0)
        return grad_output @ self.weights.T


class DenseWithTextbookBackward(Dense):
    """Issue 12's experiment: Dense with its backward replaced by the textbook lines."""

    def backward(self, grad_output):
        self.grad_weights = self.input.T @ grad_output
        self.grad_bias = grad_output.sum(axis=0)
        return grad_output @ self.weights.T


class OldScale(Layer):
    """A layer written for plainnet 0.1's contract: build(n_inputs, rng, dtype) -> int."""

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


def moons_model(dense, seed=0, optimizer=None):
    model = Sequential([dense(16), Tanh(), dense(16), Tanh(), dense(1), Sigmoid()], seed=seed,
                       dtype=np.float64, input_shape=(2,))
    model.compile("binary_crossentropy", optimizer or Adam(0.01), metrics=["accuracy"])
    return model


def fit_on_moons(model, epochs=40, callbacks=()):
    X, y = moons(200, noise=0.1, seed=0)
    history = model.fit(X, y, epochs=epochs, batch_size=32, verbose=0, callbacks=callbacks)
    return history, model.evaluate(X, y)["accuracy"]


# ------------------------------------------------------------ the textbook way
@pytest.mark.parametrize("dense", [TextbookDense, DenseWithTextbookBackward])
def test_a_textbook_layer_trains_as_the_built_in_dense_does(dense):
    history, accuracy = fit_on_moons(moons_model(dense))
    reference = moons_model(Dense)
    reference_history, _ = fit_on_moons(reference)
    assert accuracy >= 0.95
    np.testing.assert_allclose(history.history["loss"], reference_history.history["loss"],
                               rtol=1e-10)


def test_a_textbook_layer_gives_the_weights_of_the_built_in_dense():
    textbook, reference = moons_model(TextbookDense), moons_model(Dense)
    assert_weights_equal(textbook.get_weights(), reference.get_weights())  # same start
    fit_on_moons(textbook)
    fit_on_moons(reference)
    for a, b in zip(textbook.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_a_textbook_layer_passes_the_contract_checks():
    for case in (LayerCase("textbook", lambda: TextbookDense(3), (5,), (3,)),
                 LayerCase("old-contract", OldScale, (4,), (4,))):
        check_shapes(case)
        for dtype in (np.float32, np.float64):
            check_dtype(case, dtype)
        for training in (False, True):
            check_gradients(case, training, batch=3)


# ------------------------------------------------------- replaced parameters
class Reassign(Callback):
    """Replaces every parameter of every layer by a copy after each batch."""

    def on_batch_end(self, batch, logs=None):
        for layer in self.model.layers:
            for name in layer.param_names:
                setattr(layer, name, getattr(layer, name) * 1.0)


def test_parameters_replaced_by_a_callback_train_identically():
    model, reference = moons_model(Dense), moons_model(Dense)
    fit_on_moons(model, epochs=5, callbacks=[Reassign()])
    fit_on_moons(reference, epochs=5)
    assert_weights_equal(model.get_weights(), reference.get_weights())


class ReassigningDense(Dense):
    """Replaces its parameters by fresh copies in forward or in backward (the textbook
    ``self.weights = ...`` of a layer that, say, constrains its weights)."""

    when = "forward"

    def forward(self, x, training=False):
        if self.when == "forward":
            self.weights, self.bias = self.weights * 1.0, self.bias.copy()
        return super().forward(x, training)

    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        if self.when == "backward":
            self.weights, self.bias = self.weights * 1.0, self.bias.copy()
        return grad_input


class ReassigningInBackward(ReassigningDense):
    when = "backward"


@pytest.mark.parametrize("dense", [ReassigningDense, ReassigningInBackward],
                         ids=["in-forward", "in-backward"])
def test_a_layer_replacing_its_own_parameters_trains_identically(dense):
    model, reference = moons_model(dense), moons_model(Dense)
    fit_on_moons(model, epochs=5)
    fit_on_moons(reference, epochs=5)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------ the old contract
def test_an_old_contract_layer_works_in_a_model(tiny_data):
    layer = build_layer(OldScale(), 3)
    assert layer.output_shape == (3,) and layer.scale.shape == (3,)
    model = Sequential([Dense(3), OldScale(), Dense(2)], seed=0, dtype=np.float64,
                       input_shape=(3,))
    assert model.layers[1].output_shape == (3,)
    model.compile("mse", Adam(0.05))
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)
    before = model.evaluate(tiny_data.X, tiny_data.y_reg)["loss"]
    scale = model.layers[1].scale.copy()
    model.fit(tiny_data.X, tiny_data.y_reg, epochs=20, batch_size=4, verbose=0)
    assert model.evaluate(tiny_data.X, tiny_data.y_reg)["loss"] < before
    assert not np.array_equal(model.layers[1].scale, scale)  # trained too


def test_an_old_contract_layer_on_n_d_input_is_told_what_to_change():
    with pytest.raises(ValueError, match=r"old_scale \(OldScale\) is written for the old "
                                         r"contract build\(n_inputs, rng, dtype\).*shape "
                                         r"\(2, 3\); write its build as build\(self, "
                                         r"input_shape, rng, dtype\)"):
        Sequential([OldScale()], input_shape=(2, 3))
