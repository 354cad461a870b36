"""What ``fit`` sets up before its loop: the validation set (``validation_split`` takes the
last rows before shuffling, ``validation_data`` is checked like the training data).
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import assert_weights_equal, regression_data
from core_helpers import tanh_classifier as small_classifier
from core_helpers import two_feature_classes as classification_data
from plainnet import SGD, Adam, Callback, Dense, Sequential


class EpochWeights(Callback):
    def __init__(self):
        super().__init__()
        self.after_epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.after_epoch.append(self.model.get_weights())


def test_validation_split_takes_the_last_rows_before_shuffling():
    X, y = regression_data(n=40)
    model = Sequential([Dense(3, 4, activation="tanh"), Dense(4, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.0), metrics=["mae"])  # lr 0: weights fixed
    history = model.fit(X, y, epochs=2, batch_size=7, validation_split=0.25, verbose=0)
    train, val = model.evaluate(X[:30], y[:30]), model.evaluate(X[30:], y[30:])
    for epoch in range(2):
        assert history.history["val_loss"][epoch] == pytest.approx(val["loss"], rel=1e-12)
        assert history.history["val_mae"][epoch] == pytest.approx(val["mae"], rel=1e-12)
        assert history.history["loss"][epoch] == pytest.approx(train["loss"], rel=1e-12)
        assert history.history["mae"][epoch] == pytest.approx(train["mae"], rel=1e-12)


def test_validation_split_trains_only_on_the_first_rows():
    """Training with a split is bit-identical to training on the first rows alone."""
    X, y = regression_data(n=50)

    def trained(X_fit, y_fit, **kwargs):
        model = Sequential([Dense(3, 5, activation="tanh"), Dense(5, 1)], seed=3)
        model.compile(loss="mse", optimizer=Adam(0.01))
        history = model.fit(X_fit, y_fit, epochs=3, batch_size=8, verbose=0, **kwargs)
        return model, history

    # int(50 * (1 - 0.3)) = 35 training rows; the last 15 validate
    split_model, split_history = trained(X, y, validation_split=0.3)
    plain_model, plain_history = trained(X[:35], y[:35])
    assert_weights_equal(split_model.get_weights(), plain_model.get_weights())
    assert split_history.history["loss"] == plain_history.history["loss"]
    assert split_history.history["val_loss"][-1] == pytest.approx(
        split_model.evaluate(X[35:], y[35:])["loss"], rel=1e-6)


@pytest.mark.parametrize("n, split", [(1, 0.5), (3, 0.7), (10, 1e-17)])
def test_validation_split_leaving_an_empty_part_is_an_error(n, split):
    X, y = regression_data(n=n)
    model = Sequential([Dense(3, 1)], seed=0)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(X, y, validation_split=split, verbose=0)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5])
def test_validation_split_out_of_range(split):
    X, y = regression_data(n=10)
    model = Sequential([Dense(3, 1)], seed=0)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(X, y, validation_split=split, verbose=0)


def test_validation_data():
    X, y = classification_data(60)
    X_val, y_val = classification_data(20, seed=1)
    model = small_classifier()
    recorder = EpochWeights()
    history = model.fit(X, y, epochs=3, batch_size=16, validation_data=(X_val, y_val),
                        callbacks=[recorder], verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == [0, 1, 2]
    assert all(len(values) == 3 for values in history.history.values())
    # every epoch's val_* is evaluate() with that epoch's final weights
    for epoch, weights in enumerate(recorder.after_epoch):
        model.set_weights(weights)
        scores = model.evaluate(X_val, y_val)
        assert history.history["val_loss"][epoch] == pytest.approx(scores["loss"], rel=1e-12)
        assert history.history["val_accuracy"][epoch] == scores["accuracy"]


def test_validation_data_as_a_list_and_bad_forms():
    X, y = classification_data(30)
    model = small_classifier()
    history = model.fit(X, y, validation_data=[X[:5], y[:5]], verbose=0)
    assert "val_loss" in history.history
    with pytest.raises(TypeError, match="validation_data"):
        model.fit(X, y, validation_data=X, verbose=0)
    with pytest.raises(ValueError, match="X_val"):
        model.fit(X, y, validation_data=(X[:, :1], y), verbose=0)
    with pytest.raises(ValueError, match="y_val"):
        model.fit(X, y, validation_data=(X[:5], y[:4]), verbose=0)
    with pytest.raises(ValueError, match="either"):
        model.fit(X, y, validation_data=(X, y), validation_split=0.2, verbose=0)


def test_no_validation_means_no_val_keys():
    X, y = classification_data(30)
    history = small_classifier().fit(X, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
