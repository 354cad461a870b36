"""Divergence: one clear error (no NumPy warnings), state rolled back, a model that still saves,
and a warning when training blows up while its numbers stay finite."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import plainnet
from plainnet import Dense, Sequential
from plainnet.errors import DivergenceWarning, TrainingDivergedError
from plainnet.optimizers import SGD, Adagrad, Adam
from plainnet.training.divergence import DivergenceWatch


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)


@pytest.mark.parametrize("optimizer", [Adam(learning_rate=1e9), SGD(learning_rate=1e9),
                                       SGD(learning_rate=1e9, momentum=0.9)],
                         ids=["adam", "sgd", "momentum"])
def test_a_huge_learning_rate_gives_one_error_no_numpy_warnings_and_a_savable_model(
        optimizer, tmp_path):
    X, y = blobs()
    model = Sequential([Dense(32, activation="relu"), Dense(32, activation="relu"),
                        Dense(3, activation="softmax")], seed=1)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning would fail here
        with pytest.raises(TrainingDivergedError, match="training diverged"):
            model.fit(X, y, epochs=200, batch_size=16, verbose=0)
    # what is left is finite, weights and optimizer state alike: it saves, and loads
    for slots in model.optimizer.state.values():
        assert all(np.isfinite(a).all() for a in slots.values())
    model.save(tmp_path / "m.pnet")
    loaded = plainnet.load(tmp_path / "m.pnet")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_the_rolled_back_state_is_the_state_before_the_last_step():
    X, y = blobs()
    model = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0,
                       dtype=np.float64)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=0.01))
    model.fit(X, y, epochs=1, batch_size=20, verbose=0, shuffle=False)  # 3 steps
    weights = model.get_weights()
    state = {k: {s: a.copy() for s, a in v.items()} for k, v in model.optimizer.state.items()}
    run = plainnet.training.loop.TrainingRun(model, [], 1)
    run.packed.grad[:] = 1e200  # an update whose g**2 overflows float64
    run.epoch, run.batch = 0, 0
    with pytest.raises(TrainingDivergedError, match="overflowed"):
        run.step()
    run.packed.settle()
    assert model.optimizer.iterations == 3
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    for name, slots in model.optimizer.state.items():
        for slot, array in slots.items():
            np.testing.assert_array_equal(array, state[name][slot])


def test_finite_blow_up_warns_once():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.0, 2.0, -1.0])
    model = Sequential([Dense(16, activation="relu"), Dense(1)], seed=0, input_shape=(3,))
    model.compile(loss="mse", optimizer=Adagrad(learning_rate=100.0), metrics=["r2"])
    with pytest.warns(DivergenceWarning, match="training looks diverged at epoch") as caught:
        model.fit(X, y, epochs=15, batch_size=16, verbose=0, validation_split=0.25)
    assert len([w for w in caught if w.category is DivergenceWarning]) == 1


def test_the_watch_rules():
    watch = DivergenceWatch()
    assert watch.problem(5.0, None) is None
    watch.first_loss = 1.0
    assert watch.problem(99.0, 0.5) is None
    assert "more than 100 times" in watch.problem(101.0, None)
    assert "validation R² is -3.6e+14" in watch.problem(1.0, -3.6e14)
    assert watch.problem(1.0, -0.5) is None


def test_a_run_resumed_in_chunks_compares_with_its_first_epoch():
    """fit(resume=True) a few epochs at a time (as the playground does) must not warn because
    the loss of a later chunk's first epoch is tiny."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = X @ np.array([1.0, -1.0])
    model = Sequential([Dense(8, activation="tanh"), Dense(1)], seed=0, input_shape=(2,))
    model.compile(loss="mse", optimizer=Adam(learning_rate=0.05))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        for epochs in range(5, 60, 5):
            model.fit(X, y, epochs=epochs, batch_size=16, verbose=0, resume=True)
    assert model.history.history["loss"][-1] < model.history.history["loss"][0]
