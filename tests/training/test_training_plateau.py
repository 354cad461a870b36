"""Tests for ReduceLROnPlateau: Keras's counting (patience, cooldown, min_lr, min_delta,
modes), the rate each epoch in the history, a resumed run, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import SGD, Dense, ExponentialDecay, Sequential
from plainnet.callbacks import ReduceLROnPlateau


def linear_model(learning_rate=0.1):
    model = Sequential([Dense(2, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(learning_rate))
    return model


def data(n=16):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    return X, X @ np.array([1.0, -1.0])


def rates_after_each_epoch(callback, values, learning_rate=0.1, key="val_loss"):
    """Feed ``values`` to ``callback`` as one epoch each; the learning rate after each."""
    model = linear_model(learning_rate)
    callback.set_model(model)
    callback.on_train_begin({})
    rates = []
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch, {})
        callback.on_epoch_end(epoch, {key: value})
        rates.append(model.optimizer.learning_rate)
    return rates


def test_patience_cooldown_and_factor_follow_keras():
    plateau = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_delta=0.0)
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 0.5, 0.6]
    # epoch 3: 2 epochs without improvement -> 0.05, then 1 cooldown epoch (wait stays 0);
    # epoch 4 counts 1, epoch 5 counts 2 -> 0.025; epoch 7 improves
    assert rates_after_each_epoch(plateau, values) == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025])
    assert plateau.best == 0.5 and plateau.wait == 1


def test_min_lr_is_a_floor_and_min_delta_counts():
    plateau = ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.03)
    assert rates_after_each_epoch(plateau, [1.0, 1.0, 1.0, 1.0]) == pytest.approx(
        [0.1, 0.05, 0.03, 0.03])
    # improvements smaller than min_delta (default 1e-4) do not count
    assert rates_after_each_epoch(ReduceLROnPlateau(patience=1),
                                  [1.0, 1.0 - 5e-5, 0.5]) == pytest.approx([0.1, 0.01, 0.01])


@pytest.mark.parametrize("monitor, mode, values", [
    ("val_accuracy", "auto", [0.5, 0.6, 0.6, 0.7]),
    ("val_r2", "auto", [0.5, 0.6, 0.6, 0.7]),
    ("val_loss", "max", [0.5, 0.6, 0.6, 0.7]),
    ("val_loss", "min", [0.7, 0.6, 0.6, 0.5]),
])
def test_modes(monitor, mode, values):
    plateau = ReduceLROnPlateau(monitor, mode=mode, patience=1)
    assert rates_after_each_epoch(plateau, values, key=monitor) == pytest.approx(
        [0.1, 0.1, 0.01, 0.01])


def test_in_fit_the_rate_of_each_epoch_is_logged_and_verbose_says_so(capsys):
    X, y = data()
    model = linear_model()
    plateau = ReduceLROnPlateau("loss", factor=0.5, patience=2, min_delta=10.0, verbose=1)
    history = model.fit(X, y, epochs=7, batch_size=16, callbacks=[plateau], verbose=0)
    assert history.history["learning_rate"] == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    assert model.optimizer.learning_rate == pytest.approx(0.0125)
    err = capsys.readouterr().err
    assert "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05." in err
    assert err.count("ReduceLROnPlateau") == 3


def test_a_resumed_run_lowers_the_rate_when_an_uninterrupted_one_does():
    X, y = data()

    def plateau():
        return ReduceLROnPlateau("loss", factor=0.5, patience=2, cooldown=1, min_delta=10.0)

    whole = linear_model()
    expected = whole.fit(X, y, epochs=8, batch_size=16, callbacks=[plateau()], verbose=0)
    resumed = linear_model()
    resumed.fit(X, y, epochs=4, batch_size=16, callbacks=[plateau()], verbose=0)
    history = resumed.fit(X, y, epochs=8, batch_size=16, callbacks=[plateau()], verbose=0,
                          resume=True)
    assert history.history["learning_rate"] == expected.history["learning_rate"]
    np.testing.assert_array_equal(resumed.get_weights()[0], whole.get_weights()[0])


def test_a_new_fit_starts_counting_afresh():
    plateau = ReduceLROnPlateau(patience=2)
    rates_after_each_epoch(plateau, [1.0, 2.0])
    assert plateau.wait == 1
    assert rates_after_each_epoch(plateau, [3.0]) == [0.1]  # wait 0, best 3.0 again
    assert plateau.wait == 0 and plateau.best == 3.0


def test_errors():
    X, y = data()
    model = linear_model()
    with pytest.raises(ValueError, match=r"monitors 'val_loss'.*validation_data"):
        model.fit(X, y, epochs=1, callbacks=[ReduceLROnPlateau()], verbose=0)
    scheduled = Sequential([Dense(2, 1)], seed=0)
    scheduled.compile(loss="mse", optimizer=SGD(ExponentialDecay(0.1, 10, 0.5)))
    with pytest.raises(ValueError, match="schedule"):
        scheduled.fit(X, y, epochs=1, callbacks=[ReduceLROnPlateau("loss")], verbose=0)
    for kwargs, error in (({"factor": 1.0}, ValueError), ({"factor": 0.0}, ValueError),
                          ({"patience": -1}, ValueError), ({"cooldown": 1.5}, TypeError),
                          ({"min_lr": -1.0}, ValueError), ({"mode": "up"}, ValueError),
                          ({"monitor": 3}, TypeError)):
        with pytest.raises(error, match=next(iter(kwargs))):
            ReduceLROnPlateau(**kwargs)


def test_exported_with_the_other_callbacks():
    import plainnet.callbacks

    assert "ReduceLROnPlateau" in plainnet.callbacks.__all__
    defaults = ReduceLROnPlateau()
    assert (defaults.monitor, defaults.factor, defaults.patience, defaults.min_delta,
            defaults.cooldown, defaults.min_lr, defaults.mode) == (
        "val_loss", 0.1, 10, 1e-4, 0, 0.0, "min")  # Keras's defaults
