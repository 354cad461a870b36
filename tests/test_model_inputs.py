"""Sequential: what fit, evaluate, predict and compile refuse; a refusal changes nothing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import plainnet
from core_helpers import assert_weights_equal
from plainnet import Adam, Dense, NotCompiledError, Sequential, Sigmoid, Softmax
from plainnet.layers import Flatten


@pytest.fixture
def compiled():
    model = Sequential([Dense(4, 5, activation="relu"), Dense(5, 3), Softmax()], seed=0)
    model.compile("categorical_crossentropy", Adam(0.1))
    return model


X4 = np.random.default_rng(0).normal(size=(6, 4))
Y4 = np.array([0, 1, 2, 0, 1, 2])


@pytest.mark.parametrize("X, y, error, message", [
    (np.ones((6, 5)), Y4, ValueError, "X has 5 features, but the model expects 4"),
    (np.ones((6, 2, 4)), Y4, ValueError, r"X must be a 2-D array .*shape \(6, 2, 4\)"),
    (np.ones(4), Y4[:1], ValueError, r"X must be a 2-D array"),
    (np.ones((0, 4)), Y4[:0], ValueError, "X is empty"),
    ([], [], ValueError, "X must be a 2-D array"),
    (np.where(X4 > 1, np.nan, X4), Y4, ValueError, r"X contains \d+ NaN or infinite"),
    (np.where(X4 > 1, np.inf, X4), Y4, ValueError, r"X contains \d+ NaN or infinite"),
    (X4, np.array([0, 1, 2, 0, 1, np.nan]), ValueError, "y contains 1 NaN or infinite"),
    (X4, Y4[:4], ValueError, "X has 6 samples but y has 4"),
    (X4, np.eye(4)[[0, 1, 2, 3, 0, 1]], ValueError,
     r"y has shape \(6, 4\), but the model gives 3 output\(s\)"),
    (X4, Y4 + 1, ValueError, r"class labels in \[0, 2\] .* got labels from 1 to 3"),
    (X4, Y4 - 1, ValueError, r"class labels in \[0, 2\]"),
    (X4, Y4 + 0.5, ValueError, "integer class labels"),
    (X4, np.full((6, 3), 0.5), ValueError, "one-hot"),
    ([["a", "b", "c", "d"]] * 6, Y4, TypeError, "X must contain numbers"),
    ([[1, 2, 3, None]] * 6, Y4, TypeError, "X must contain numbers"),
    (X4, ["a"] * 6, TypeError, "y must contain numbers"),
    (None, Y4, TypeError, "X must be an array of numbers"),
    ([[1, 2, 3, 4], [1, 2]], Y4[:2], ValueError, "X must be a rectangular array"),
])
def test_fit_and_evaluate_reject_bad_data(compiled, X, y, error, message):
    before = compiled.get_weights()
    with pytest.raises(error, match=message):
        compiled.fit(X, y, epochs=2, verbose=0)
    with pytest.raises(error, match=message):
        compiled.evaluate(X, y)
    assert_weights_equal(compiled.get_weights(), before)  # a failed fit changes nothing
    assert compiled.optimizer.state == {}


@pytest.mark.parametrize("X, message", [
    (np.ones((3, 5)), "X has 5 features, but the model expects 4"),
    (np.ones((3, 4, 1)), "X must be a 2-D array"),
    (np.full((2, 4), np.inf), "X contains 8 NaN or infinite"),
])
def test_predict_rejects_bad_X(compiled, X, message):
    with pytest.raises(ValueError, match=message):
        compiled.predict(X)


def test_n_d_inputs_are_checked_too():
    model = Sequential([Flatten(), Dense(3)], seed=0, input_shape=(4, 4, 1))
    model.compile("categorical_crossentropy", "sgd")
    X = np.random.default_rng(0).normal(size=(6, 4, 4, 1))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 4, 4, 1\), got an "
                                         r"array of shape \(6, 4, 4\)"):
        model.predict(X[..., 0])
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 4, 4, 1\), got an "
                                         r"array of shape \(6, 4, 1, 4\)"):
        model.fit(X.transpose(0, 1, 3, 2), Y4, verbose=0)
    X[0, 1, 2, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN or infinite"):
        model.fit(X, Y4, verbose=0)
    with pytest.raises(ValueError, match="X is empty"):
        model.predict(X[:0])


@pytest.mark.parametrize("loss, y", [
    ("mse", np.ones((4, 2, 3))),
    ("categorical_crossentropy", np.array([0, 1, 2, 1])),
    ("categorical_crossentropy", np.zeros(4, dtype=int)),
    ("binary_crossentropy", np.array([0, 1, 1, 0])),
], ids=["mse", "cce-labels", "cce-zeros", "bce"])
def test_a_model_with_n_d_outputs_trains_or_refuses_clearly(loss, y):
    units = 1 if loss == "binary_crossentropy" else 3
    model = Sequential([Dense(units)], seed=0, input_shape=(2, 5))
    model.compile(loss, "sgd")
    X = np.random.default_rng(0).normal(size=(4, 2, 5))
    try:
        model.fit(X, y, epochs=1, verbose=0)
    except ValueError as error:
        assert f"(n_samples, 2, {units})" in str(error), str(error)
    else:  # only targets of the output's shape (or labels, one per position) may train
        assert y.shape[1:] == (2, units)


def test_sequence_labels_train_per_position():
    model = Sequential([Dense(3)], seed=0, input_shape=(2, 5))
    model.compile("sparse_categorical_crossentropy", "sgd", metrics=["accuracy"])
    X = np.random.default_rng(0).normal(size=(4, 2, 5))
    history = model.fit(X, np.array([[0, 1], [2, 2], [1, 0], [0, 0]]), epochs=2, verbose=0)
    assert len(history.history["accuracy"]) == 2
    with pytest.raises(ValueError, match=r"labels must have shape \(n_samples, 2\)"):
        model.fit(X, np.zeros((4, 3), dtype=int), verbose=0)
    with pytest.raises(ValueError, match=r"class labels in \[0, 2\]"):
        model.fit(X, np.full((4, 2), 3), verbose=0)


def test_values_too_large_for_float32_are_a_clear_error_not_a_numpy_warning(compiled):
    huge = np.full((6, 4), 1e300)  # finite in float64, infinite in float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from the cast may escape
        with pytest.raises(ValueError, match="X holds values too large for float32"):
            compiled.fit(huge, Y4, verbose=0)
        with pytest.raises(ValueError, match="X holds values too large for float32"):
            compiled.predict(huge)
        regression = Sequential([Dense(4, 1)], seed=0)
        regression.compile("mse", "sgd")
        with pytest.raises(ValueError, match="y holds values too large for float32"):
            regression.fit(X4, np.full(6, -1e300), verbose=0)
    float64 = Sequential([Dense(4, 1)], seed=0, dtype=np.float64)
    assert np.isfinite(float64.predict(np.full((1, 4), 1e300) * 0 + 1e30)).all()


def test_predict_rejects_strings(compiled):
    with pytest.raises(TypeError, match="X must contain numbers"):
        compiled.predict([["1", "2", "3", "4"]])


def test_binary_targets_outside_unit_interval():
    model = Sequential([Dense(2, 1), Sigmoid()], seed=0)
    model.compile("binary_crossentropy", "sgd")
    with pytest.raises(ValueError, match=r"values in \[0, 1\] for binary_crossentropy.*2"):
        model.fit([[0, 0], [1, 1]], [0, 2], verbose=0)
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        model.fit([[0, 0], [1, 1]], [-0.5, 1], verbose=0)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": "10"}, TypeError, r"epochs must be an integer, got '10'"),
    ({"epochs": 1.5}, TypeError, "epochs must be an integer, got 1.5"),
    ({"epochs": 0}, ValueError, "epochs must be >= 1, got 0"),
    ({"epochs": -3}, ValueError, "epochs must be >= 1"),
    ({"epochs": True}, TypeError, "epochs must be an integer"),
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
    ({"batch_size": "32"}, TypeError, "batch_size must be an integer"),
    ({"verbose": 5}, ValueError, "verbose must be 0, 1 or 2, got 5"),
    ({"verbose": -1}, ValueError, "verbose must be >= 0"),
    ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
    ({"resume": 1}, TypeError, "resume must be True or False"),
])
def test_fit_rejects_bad_arguments(compiled, kwargs, error, message):
    before = compiled.get_weights()
    kwargs = {"verbose": 0, **kwargs}
    with pytest.raises(error, match=message):
        compiled.fit(X4, Y4, **kwargs)
    assert_weights_equal(compiled.get_weights(), before)


def test_numpy_integer_arguments_are_accepted(compiled):
    compiled.fit(X4, Y4, epochs=np.int64(2), batch_size=np.int32(3), verbose=0)
    assert len(compiled.history.history["loss"]) == 2


def test_fit_or_evaluate_before_compile():
    model = Sequential([Dense(4, 3)], seed=0)
    with pytest.raises(NotCompiledError, match=r"compile\(.*before fit\(\)"):
        model.fit(X4, Y4, verbose=0)
    with pytest.raises(NotCompiledError, match=r"compile\(.*before evaluate\(\)"):
        model.evaluate(X4, Y4)
    with pytest.raises(NotCompiledError, match=r"compile\(.*before compute_gradients\(\)"):
        model.compute_gradients(X4, Y4)
    with pytest.raises(NotCompiledError, match=r"compile"):
        plainnet.gradcheck(model, X4, Y4)
    # predict needs no loss
    assert model.predict(X4).shape == (6, 3)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"loss": "hinge"}, ValueError, r"unknown loss 'hinge'; expected one of \[.*'mse'"),
    ({"loss": 3}, TypeError, "loss must be a name or a plainnet Loss object, got int"),
    ({"loss": "mse", "optimizer": "adadelta"}, ValueError,
     r"unknown optimizer 'adadelta'; expected one of \[.*'adam'.*'sgd'"),
    ({"loss": "mse", "optimizer": 0.1}, TypeError, "optimizer must be a name or a plainnet"),
    ({"loss": "mse", "metrics": ["f1"]}, ValueError,
     r"unknown metric 'f1'; expected one of \[.*'accuracy'"),
    ({"loss": "mse", "metrics": [len]}, TypeError, "metrics must be names"),
])
def test_compile_rejects_unknown_names(kwargs, error, message):
    model = Sequential([Dense(2, 1)], seed=0)
    with pytest.raises(error, match=message):
        model.compile(**kwargs)
    assert not model.compiled


def test_compile_refuses_an_optimizer_holding_another_models_state():
    X = np.ones((4, 2))
    optimizer = Adam()
    first = Sequential([Dense(2, 3), Dense(3, 1)], seed=0)
    first.compile(loss="mse", optimizer=optimizer)
    first.fit(X, X[:, 0], verbose=0)
    first.compile(loss="mse", optimizer=optimizer)  # its own state: fine
    other = Sequential([Dense(2, 5), Dense(5, 1)], seed=0)
    with pytest.raises(ValueError, match=r"'dense/weights' of shape \(2, 3\).*reset\(\)"):
        other.compile(loss="mse", optimizer=optimizer)
    assert not other.compiled
    optimizer.reset()
    other.compile(loss="mse", optimizer=optimizer)
    other.fit(X, X[:, 0], verbose=0)


def test_an_unbuilt_model_checks_the_optimizer_state_when_fit_builds_it():
    X = np.ones((4, 2))
    optimizer = Adam()
    first = Sequential([Dense(3), Dense(1)], seed=0)
    first.compile(loss="mse", optimizer=optimizer)
    first.fit(X, X[:, 0], verbose=0)
    other = Sequential([Dense(5), Dense(1)], seed=0)
    other.compile(loss="mse", optimizer=optimizer)  # not built: nothing to compare yet
    with pytest.raises(ValueError, match=r"'dense/weights' of shape \(2, 3\)"):
        other.fit(X, X[:, 0], verbose=0)


def test_compile_metrics_as_a_single_name():
    model = Sequential([Dense(2, 1), Sigmoid()], seed=0)
    model.compile("binary_crossentropy", "sgd", metrics="accuracy")
    assert model.metric_names == ["accuracy"]


def test_categorical_loss_needs_two_outputs():
    model = Sequential([Dense(2, 1)], seed=0)
    model.compile("categorical_crossentropy", "sgd")
    with pytest.raises(ValueError, match="at least 2 outputs"):
        model.fit([[0, 1]], [0], verbose=0)
