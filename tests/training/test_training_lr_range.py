"""Tests for lr_find, the learning-rate range test: the sweep, the early stop when the loss
explodes, and a model left exactly as it was (weights, optimizer state, generator)."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import SGD, Adam, BatchNormalization, Dense, NotCompiledError, Sequential, Softmax
from plainnet.schedules import ExponentialDecay
from plainnet.training import LRFindResult, lr_find


def blobs(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 4)) + 2.0 * np.eye(4)[y]
    return X, y


def classifier(optimizer=None, seed=0):
    model = Sequential([Dense(4, 16, activation="relu"), BatchNormalization(), Dense(16, 3),
                        Softmax()], seed=seed, dtype=np.float64)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer or Adam(0.01),
                  metrics=["accuracy"])
    return model


def optimizer_state(model):
    optimizer = model.optimizer
    return (optimizer.iterations, optimizer.learning_rate,
            {name: {slot: a.copy() for slot, a in slots.items()}
             for name, slots in optimizer.state.items()})


def assert_same_state(before, after):
    assert before[:2] == after[:2]
    assert before[2].keys() == after[2].keys()
    for name, slots in before[2].items():
        assert slots.keys() == after[2][name].keys()
        for slot, array in slots.items():
            np.testing.assert_array_equal(after[2][name][slot], array)


@pytest.mark.parametrize("optimizer", [Adam(0.01), SGD(0.05, momentum=0.9)],
                         ids=["adam", "sgd-momentum"])
def test_the_model_is_left_exactly_as_it_was(optimizer):
    X, y = blobs()
    model, twin = classifier(optimizer), classifier(type(optimizer)(**_config(optimizer)))
    for m in (model, twin):  # trained a little: the optimizer has state, BN has statistics
        m.fit(X, y, epochs=2, batch_size=16, verbose=0)
    weights, state = model.get_weights(), optimizer_state(model)
    rng_state = model.rng.bit_generator.state
    result = lr_find(model, X, y, num_steps=40, batch_size=16)
    assert len(result.losses) >= 10
    for got, expected in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, expected)
    assert_same_state(state, optimizer_state(model))
    assert model.rng.bit_generator.state == rng_state
    # and training goes on exactly as it would have without the test
    model.fit(X, y, epochs=1, batch_size=16, verbose=0)
    twin.fit(X, y, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def _config(optimizer):
    config = optimizer.get_config()
    config.pop("clipnorm")
    return config


def test_the_sweep_is_exponential_and_stops_when_the_loss_explodes():
    X, y = blobs()
    model = classifier(SGD(0.01))
    result = lr_find(model, X, y, start_lr=1e-4, end_lr=1e4, num_steps=80, batch_size=16)
    assert isinstance(result, LRFindResult)
    expected = 1e-4 * (1e8) ** (np.arange(80) / 79)
    np.testing.assert_allclose(result.learning_rates, expected[:len(result.learning_rates)])
    assert result.stopped_early and len(result.losses) < 80  # SGD at 1e3 does not survive
    assert np.all(np.isfinite(result.losses))
    assert result.smoothed_losses.shape == result.losses.shape
    assert result.smoothed_losses[0] == result.losses[0]  # the bias correction
    bottom = result.learning_rates[np.argmin(result.smoothed_losses)]
    assert result.suggestion() == pytest.approx(bottom / 10)
    # the loss fell somewhere before it exploded
    assert result.smoothed_losses.min() < result.smoothed_losses[0]


def test_a_gentle_sweep_runs_every_step_and_smoothing_zero_is_the_raw_loss():
    X, y = blobs()
    result = lr_find(classifier(), X, y, start_lr=1e-6, end_lr=1e-5, num_steps=12,
                     batch_size=32, smoothing=0.0)
    assert not result.stopped_early and len(result.losses) == 12  # 3 batches a pass: 4 passes
    np.testing.assert_array_equal(result.smoothed_losses, result.losses)


def test_a_schedule_and_an_unbuilt_model_are_handled():
    X, y = blobs()
    schedule = ExponentialDecay(0.01, 10, 0.5)
    model = Sequential([Dense(8, activation="tanh"), Dense(3), Softmax()], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(schedule))
    result = lr_find(model, X, y, num_steps=10)
    assert model.built and model.optimizer.learning_rate is schedule
    assert model.optimizer.iterations == 0 and model.optimizer.state == {}
    assert len(result.learning_rates) == len(result.losses)


def test_bad_arguments_are_named():
    X, y = blobs()
    model = classifier()
    for kwargs, error, match in (
            ({"start_lr": 0.0}, ValueError, "start_lr"),
            ({"start_lr": 1.0, "end_lr": 0.5}, ValueError, "end_lr"),
            ({"num_steps": 1}, ValueError, "num_steps"),
            ({"batch_size": 0}, ValueError, "batch_size"),
            ({"smoothing": 1.0}, ValueError, "smoothing"),
            ({"diverge_factor": 1.0}, ValueError, "diverge_factor"),
            ({"shuffle": "yes"}, TypeError, "shuffle")):
        with pytest.raises(error, match=match):
            lr_find(model, X, y, **kwargs)
    with pytest.raises(ValueError, match="X has 96 samples but y has 95"):
        lr_find(model, X, y[:-1])
    with pytest.raises(ValueError, match="X has 3 features"):
        lr_find(model, X[:, :3], y)
    with pytest.raises(NotCompiledError, match="compile"):
        lr_find(Sequential([Dense(4, 1)], seed=0), X, y)
    with pytest.raises(ValueError, match="no step"):
        LRFindResult(np.array([]), np.array([]), np.array([]), True).suggestion()
