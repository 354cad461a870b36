"""What ``fit`` updates, and with which rule: frozen layers (``trainable=False``), optimizers
a user writes (only ``update``), ``clipnorm``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from core_helpers import assert_weights_equal, textbook_fit
from core_helpers import four_feature_classes as classification_data
from core_helpers import relu_classifier as small_classifier
from plainnet import SGD, Adam, AdamW, BatchNormalization, Dense, Sequential, Softmax
from plainnet.optimizers import Optimizer

# ------------------------------------------------------------- frozen layers
OPTIMIZERS = {
    "sgd": lambda: SGD(0.1, momentum=0.9),
    "adamw": lambda: AdamW(0.01, weight_decay=0.5),  # would shrink a frozen layer's weights
    "clipnorm": lambda: Adam(0.01, clipnorm=0.1),
}


def frozen_model(optimizer, freeze=True):
    model = Sequential([Dense(6, "tanh"), Dense(5, "tanh"), BatchNormalization(), Dense(3),
                        Softmax()], seed=0, dtype=np.float64, input_shape=(4,))
    model.layers[2].trainable = not freeze  # dense_1
    model.layers[4].trainable = not freeze  # batch_normalization
    model.compile("categorical_crossentropy", optimizer, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_frozen_layer_keeps_its_parameters_while_the_others_train(name):
    X, y = classification_data(30)
    model = frozen_model(OPTIMIZERS[name]())
    frozen = {key: param.copy() for key, param, _ in model.parameters()
              if key.startswith(("dense_1/", "batch_normalization/"))}
    others = {key: param.copy() for key, param, _ in model.trainable_parameters()}
    assert set(others) == {"dense/weights", "dense/bias", "dense_2/weights", "dense_2/bias"}
    model.fit(X, y, epochs=3, batch_size=8, verbose=0)
    for key, param, _ in model.parameters():
        if key in frozen:
            np.testing.assert_array_equal(param, frozen[key], err_msg=key)
        else:
            assert not np.array_equal(param, others[key]), key
    # the frozen layer's own statistics still follow the data (only parameters are frozen)
    assert not np.array_equal(model.layers[4].moving_mean, 0.0)
    assert not any(key in model.optimizer.state for key in frozen)


def test_gradients_flow_through_a_frozen_layer():
    X, y = classification_data(12)
    frozen, free = frozen_model(SGD(0.1)), frozen_model(SGD(0.1), freeze=False)
    frozen.compute_gradients(X, y)
    free.compute_gradients(X, y)
    for (key, _, a), (_, _, b) in zip(frozen.parameters(), free.parameters()):
        np.testing.assert_array_equal(a, b, err_msg=key)  # frozen or not, the same gradients
    # and fit is the textbook loop that steps the trainable parameters only
    frozen, reference = frozen_model(Adam(0.01)), frozen_model(Adam(0.01))
    frozen.fit(X, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
    textbook_fit(reference, X, y, epochs=2, batch_size=5)
    assert_weights_equal(frozen.get_weights(), reference.get_weights())


def test_freezing_and_unfreezing_between_fits():
    X, y = classification_data(30)
    model = frozen_model(Adam(0.01), freeze=False)
    model.fit(X, y, epochs=1, verbose=0)
    dense_1 = model.layers[2]
    dense_1.trainable = False
    before = dense_1.weights.copy()
    model.fit(X, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(dense_1.weights, before)
    dense_1.trainable = True
    model.fit(X, y, epochs=1, verbose=0)
    assert not np.array_equal(dense_1.weights, before)


def test_summary_reports_non_trainable_params():
    model = frozen_model(SGD())
    lines = []
    model.summary(print_fn=lines.append)
    assert re.search(r"Total params: 93\b", lines[0])  # 30 + 35 + 10 + 18
    assert re.search(r"Non-trainable params: 45\b", lines[0])  # dense_1: 35, BN gamma/beta: 10
    assert model.count_params() == 93


# ----------------------------------------------------------- your own optimizer
class MySGD(Optimizer):
    """Plain SGD as a user writes it: only the rule."""

    def update(self, p, g, state, lr):
        return p - lr * g


class MyMomentum(Optimizer):
    """Momentum with a state slot, written by a user."""

    slots = ("velocity",)

    def __init__(self, learning_rate, momentum):
        super().__init__(learning_rate)
        self.momentum = momentum
        self.calls = 0

    def update(self, p, g, state, lr):
        self.calls += 1
        state["velocity"] = self.momentum * state["velocity"] + g
        return p - lr * state["velocity"]


class HalfStepSGD(SGD):
    """A subclass of a built-in optimizer with its own rule: fit must run this rule."""

    def update(self, p, g, state, lr):
        return super().update(p, g * 0.5, state, lr)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ours, theirs", [
    (lambda: MySGD(0.1), lambda: SGD(0.1)),
    (lambda: MyMomentum(0.05, 0.9), lambda: SGD(0.05, momentum=0.9)),
    (lambda: HalfStepSGD(0.2), lambda: SGD(0.1)),
], ids=["sgd", "momentum", "subclass"])
def test_an_optimizer_overriding_only_update_trains_as_plainnets_does(ours, theirs, dtype):
    X, y = classification_data(30)
    mine, reference = small_classifier(dtype=dtype), small_classifier(dtype=dtype)
    mine.compile("categorical_crossentropy", ours())
    reference.compile("categorical_crossentropy", theirs())
    mine.fit(X, y, epochs=3, batch_size=8, verbose=0)
    reference.fit(X, y, epochs=3, batch_size=8, verbose=0)
    assert_weights_equal(mine.get_weights(), reference.get_weights())
    if isinstance(mine.optimizer, MyMomentum):
        assert mine.optimizer.calls == 4 * 3 * 4  # its rule ran: 4 steps x 3 epochs x 4 arrays


@pytest.mark.parametrize("make", [lambda: Adam(0.05, clipnorm=0.05),
                                  lambda: SGD(0.5, momentum=0.5, clipnorm=0.05)],
                         ids=["adam", "sgd"])
def test_clipnorm_in_fit(make):
    X, y = classification_data(30)
    model, reference, unclipped = (small_classifier(dtype=np.float64) for _ in range(3))
    model.compile("categorical_crossentropy", make())
    reference.compile("categorical_crossentropy", make())
    optimizer = make()
    optimizer.clipnorm = None
    unclipped.compile("categorical_crossentropy", optimizer)
    model.fit(X, y, epochs=2, batch_size=10, shuffle=False, verbose=0)
    textbook_fit(reference, X, y, epochs=2, batch_size=10)
    unclipped.fit(X, y, epochs=2, batch_size=10, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert not np.allclose(model.get_weights()[0], unclipped.get_weights()[0])
