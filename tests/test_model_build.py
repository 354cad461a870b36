"""Sequential: construction, building (declared or inferred input shapes), weights, summary.

Errors of layers that do not fit together come at build time, with one message
naming the layer, never as a NumPy broadcasting error during ``fit``.
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

import plainnet
from core_helpers import assert_weights_equal
from plainnet import (
    BatchNormalization,
    Dense,
    Identity,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from plainnet.layers import Flatten, Reshape


# ---------------------------------------------------------------- construction
def test_weights_exist_at_construction_and_have_the_documented_shapes():
    model = Sequential([Dense(3, 5), Tanh(), Dense(5, 2)], seed=0)
    dense1, _, dense2 = model.layers
    assert model.built and model.input_shape == (3,) and model.output_shape == (2,)
    assert dense1.weights.shape == (3, 5) and dense1.bias.shape == (5,)
    assert dense2.weights.shape == (5, 2) and dense2.bias.shape == (2,)
    assert np.any(dense1.weights != 0)  # initialised, not left empty
    assert model.n_inputs == 3 and model.n_outputs == 2
    assert model.count_params() == 3 * 5 + 5 + 5 * 2 + 2


@pytest.mark.parametrize("input_shape, expected", [((4,), (4,)), (4, (4,)), ([4], (4,)),
                                                   ((28, 28, 1), (28, 28, 1))])
def test_input_shape_builds_the_model_at_construction(input_shape, expected):
    model = Sequential([Flatten(), Dense(8), Dense(2)], seed=0, input_shape=input_shape)
    assert model.built and model.input_shape == expected
    assert model.layers[1].weights.shape == (int(np.prod(expected)), 8)
    assert model.n_inputs == int(np.prod(expected)) and model.n_outputs == 2
    assert model.get_config()["input_shape"] == list(expected)


@pytest.mark.parametrize("call", ["fit", "predict", "evaluate"])
def test_without_input_shape_the_first_data_builds_the_model(call):
    model = Sequential([Flatten(), Dense(6, "relu"), Dense(3, "softmax")], seed=0)
    model.compile("categorical_crossentropy", "adam")
    assert not model.built and model.input_shape is None and model.n_inputs is None
    assert model.get_config()["input_shape"] is None
    X, y = np.random.default_rng(0).normal(size=(5, 4, 2, 1)), np.arange(5) % 3
    {"fit": lambda: model.fit(X, y, verbose=0), "predict": lambda: model.predict(X),
     "evaluate": lambda: model.evaluate(X, y)}[call]()
    assert model.built and model.input_shape == (4, 2, 1) and model.output_shape == (3,)
    assert model.layers[1].weights.shape == (8, 6)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 4, 2, 1\), got an "
                                         r"array of shape \(5, 4, 2\)"):
        model.predict(X[..., 0])


def test_the_same_seed_gives_the_same_weights_however_the_shape_is_known():
    declared = Sequential([Dense(4), Dense(2)], seed=3, input_shape=(5,))
    inferred = Sequential([Dense(4), Dense(2)], seed=3)
    inferred.predict(np.ones((1, 5)))
    built = Sequential([Dense(4), Dense(2)], seed=3)
    built.build((5,))
    assert_weights_equal(declared.get_weights(), inferred.get_weights())
    assert_weights_equal(declared.get_weights(), built.get_weights())


def test_build_checks_its_argument_and_runs_once():
    model = Sequential([Dense(2)], seed=0)
    for bad in ("x", (0,), (), (2.5,), (True,), None):
        with pytest.raises(ValueError, match=r"input_shape must be a tuple of positive "
                                             r"integers \(no batch axis\)"):
            model.build(bad)
    assert not model.built
    model.build((3,))
    with pytest.raises(ValueError, match=r"already built for inputs of shape \(3,\)"):
        model.build((3,))
    with pytest.raises(ValueError, match="input_shape must be a tuple"):
        Sequential([Dense(2)], input_shape=(3, 0))
    with pytest.raises(ValueError, match="must have a batch axis first"):
        Sequential([Dense(2)]).predict(np.ones(3))


def test_a_width_keeping_layer_before_a_declared_dense_takes_its_width():
    assert Sequential([ReLU(), Dense(2, 1)]).input_shape == (2,)
    assert Sequential([BatchNormalization(n_features=3), Dense(1)]).input_shape == (3,)
    model = Sequential([ReLU(), Tanh()])  # nothing declares a width: the data will tell
    assert not model.built
    assert model.predict(np.zeros((2, 3, 4))).shape == (2, 3, 4)


# ------------------------------------------------------ layers that do not fit
@pytest.mark.parametrize("how", ["build", "predict", "fit"])
def test_layers_that_do_not_fit_fail_at_build_time_naming_the_layer(how):
    model = Sequential([Dense(5), ReLU(), Dense(3, 4)], seed=0)
    model.compile("mse", "sgd")
    X = np.ones((4, 2))
    with pytest.raises(ValueError) as info:
        {"build": lambda: model.build((2,)), "predict": lambda: model.predict(X),
         "fit": lambda: model.fit(X, np.ones((4, 4)), verbose=0)}[how]()
    assert str(info.value) == "dense_1 expects 3 inputs, but the layer before it gives 5"
    assert not model.built and not any(layer.built for layer in model.layers)


def test_construction_that_does_not_fit_fails_at_once():
    with pytest.raises(ValueError, match="^dense_1 expects 3 inputs, but the layer before it "
                                         "gives 5$"):
        Sequential([Dense(5), ReLU(), Dense(3, 4)], input_shape=(2,))
    with pytest.raises(ValueError,
                       match="dense_1 expects 4 inputs, but the layer before it gives 3"):
        Sequential([Dense(2, 3), Dense(4, 1)])
    with pytest.raises(ValueError, match="expects 4 inputs, but the layer before it gives 3"):
        Sequential([Dense(2, 3, activation="relu"), Identity(), Dense(4, 1)])
    with pytest.raises(ValueError, match=r"^flatten expects an input shape with every size "
                                         r"known, got \(None, 2\)$"):
        Sequential([Dense(2), Flatten()], input_shape=(None, 6))


def test_layers_of_a_failed_construction_can_be_reused():
    first, second = Dense(2, 3, activation="relu"), Dense(4, 1, activation="tanh")
    with pytest.raises(ValueError, match="expects 4 inputs"):
        Sequential([first, second])
    assert first.activation == "relu" and second.activation == "tanh"
    assert not first.built
    model = Sequential([first, Dense(3, 1, activation="tanh")], seed=0)
    assert [type(layer) for layer in model.layers] == [Dense, ReLU, Dense, Tanh]
    # a layer already in a model is refused before anything is changed
    fresh = Dense(3, 2, activation="relu")
    with pytest.raises(ValueError, match="already part of a model"):
        Sequential([fresh, model.layers[0]])
    assert fresh.activation == "relu" and not fresh.built


def test_sequential_construction_errors():
    with pytest.raises(TypeError, match=r"layers\[1\] must be a plainnet layer, got str"):
        Sequential([Dense(2, 3), "relu"])
    with pytest.raises(TypeError, match=r"layers\[0\] must be a plainnet layer, got function"):
        Sequential([lambda x: x])
    with pytest.raises(TypeError, match="layers must be a list of plainnet layers, got int"):
        Sequential(5)
    with pytest.raises(ValueError, match="layers is empty"):
        Sequential([])
    with pytest.raises(TypeError, match="seed must be None, a non-negative integer"):
        Sequential([Dense(2, 1)], seed="0")
    with pytest.raises(ValueError, match="seed must be non-negative"):
        Sequential([Dense(2, 1)], seed=-1)
    layer = Dense(2, 2)
    with pytest.raises(ValueError, match="appears twice"):
        Sequential([layer, layer])
    Sequential([layer])
    with pytest.raises(ValueError, match="already part of a model"):
        Sequential([layer])


@pytest.mark.parametrize("dtype, error", [(np.int32, ValueError), (np.float16, ValueError),
                                           ("banana", TypeError)])
def test_unsupported_dtype_is_rejected(dtype, error):
    with pytest.raises(error, match="dtype must be float32 or float64"):
        Sequential([Dense(2, 1)], dtype=dtype)


def test_dense_activation_shortcut_becomes_its_own_layer():
    model = Sequential([Dense(2, 4, activation="relu"), Dense(3, "tanh"),
                        Dense(1, activation="sigmoid")], seed=0)
    assert [type(layer) for layer in model.layers] == [Dense, ReLU, Dense, Tanh, Dense, Sigmoid]
    assert all(layer.activation is None for layer in model.layers if isinstance(layer, Dense))
    X = np.array([[0.3, -1.2], [2.0, 0.5]])
    d1, _, d2, _, d3, _ = model.layers
    h = np.maximum(X @ d1.weights + d1.bias, 0)
    h = np.tanh(h @ d2.weights + d2.bias)
    expected = 1 / (1 + np.exp(-(h @ d3.weights + d3.bias)))
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5)


def test_layer_names_are_unique():
    model = Sequential([Dense(2, 3, activation="relu"), Dense(3, activation="relu"),
                        Dense(1), BatchNormalization(), Flatten()], seed=0)
    names = [layer.name for layer in model.layers]
    assert names == ["dense", "relu", "dense_1", "relu_1", "dense_2", "batch_normalization",
                     "flatten"]
    assert [name for name, _, _ in model.parameters()] == [
        "dense/weights", "dense/bias", "dense_1/weights", "dense_1/bias",
        "dense_2/weights", "dense_2/bias", "batch_normalization/gamma",
        "batch_normalization/beta"]


def test_a_generator_can_be_passed_as_seed():
    a = Sequential([Dense(3, 2)], seed=np.random.default_rng(4))
    b = Sequential([Dense(3, 2)], seed=4)
    assert_weights_equal(a.get_weights(), b.get_weights())
    assert (a.seed, b.seed) == (None, 4)


# --------------------------------------------------------------------- weights
def test_weights_can_be_read_and_set_before_fit():
    model = Sequential([Dense(2, 3), Dense(3, 1)], seed=0)
    new = [np.full((2, 3), 0.5), np.arange(3.0), np.ones((3, 1)), np.array([-1.0])]
    model.set_weights(new)
    assert_weights_equal(model.get_weights(), [w.astype(np.float32) for w in new])
    assert model.layers[0].weights.dtype == np.float32
    # get_weights returns copies: changing them does not change the model
    model.get_weights()[0][:] = 99
    assert model.layers[0].weights[0, 0] == 0.5


def test_set_weights_checks_everything_before_changing_anything():
    model = Sequential([Dense(2, 3), Dense(3, 1)], seed=0)
    before = model.get_weights()
    bad = [np.zeros((2, 3)), np.zeros(3), np.zeros((3, 2)), np.zeros(1)]  # third is wrong
    with pytest.raises(ValueError, match=r"must have shape \(3, 1\), got \(3, 2\)"):
        model.set_weights(bad)
    with pytest.raises(ValueError, match="weights has 2 arrays, but the model has 4"):
        model.set_weights(bad[:2])
    assert_weights_equal(model.get_weights(), before)


@pytest.mark.parametrize("weights", [5, None, {"dense": np.zeros((2, 3))}])
def test_set_weights_needs_a_list(weights):
    model = Sequential([Dense(2, 3)], seed=0)
    with pytest.raises(TypeError, match="weights must be a list of arrays"):
        model.set_weights(weights)


@pytest.mark.parametrize("call", ["get_weights", "set_weights", "count_params", "parameters",
                                  "gradcheck"])
def test_an_unbuilt_model_says_so(call):
    model = Sequential([Dense(3), Dense(2)], seed=0)
    model.compile("mse", "sgd")
    X, y = np.ones((4, 5)), np.ones((4, 2))
    run = {"get_weights": model.get_weights, "set_weights": lambda: model.set_weights([]),
           "count_params": model.count_params, "parameters": model.parameters,
           "gradcheck": lambda: plainnet.gradcheck(model, X, y)}[call]
    try:
        result = run()
    except ValueError as error:
        assert "not built" in str(error)
    else:
        assert call == "gradcheck" and result < 1e-6  # gradcheck may build from X instead


def test_inference_and_copies_do_not_keep_activations():
    # a fitted model must not hold on to (or pickle) the last data it saw
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    model = Sequential([Dense(3, 8, activation="relu"), Dense(8, 2), Softmax()], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.fit(X, rng.integers(0, 2, 64), epochs=1, verbose=0)
    assert hasattr(model.layers[0], "input")  # training leaves the caches of the last batch
    clone = pickle.loads(pickle.dumps(model))
    for layer in clone.layers:
        assert not any(hasattr(layer, name) for name in layer.cache_names), layer
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))
    for layer in model.layers:
        assert not any(hasattr(layer, name) for name in layer.cache_names), layer


# --------------------------------------------------------------------- summary
def test_summary_prints_layers_shapes_and_parameter_counts(capsys):
    model = Sequential([Dense(4, 8, activation="relu"), BatchNormalization(), Dense(8, 3),
                        Softmax()], seed=0)
    model.summary()
    out = capsys.readouterr().out
    for text in ("4 inputs", "dense (Dense)", "relu (ReLU)",
                 "batch_normalization (BatchNormalization)", "dense_1 (Dense)",
                 "softmax (Softmax)"):
        assert text in out
    assert re.search(r"dense \(Dense\)\s+\(None, 8\)\s+40\b", out)
    assert re.search(r"batch_normalization \(BatchNormalization\)\s+\(None, 8\)\s+16\b", out)
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 3\)\s+27\b", out)
    assert re.search(r"Total params: 83\b", out)
    assert "Non-trainable" not in out
    assert model.count_params() == 83


def test_summary_shows_n_d_shapes(capsys):
    model = Sequential([Reshape((28, 28, 1)), Dense(2), Flatten(), Dense(10)], seed=0,
                       input_shape=(784,))
    lines = []
    model.summary(print_fn=lines.append)
    out = lines[0]
    assert re.search(r"reshape \(Reshape\)\s+\(None, 28, 28, 1\)\s+0\b", out)
    assert re.search(r"dense \(Dense\)\s+\(None, 28, 28, 2\)\s+4\b", out)
    assert re.search(r"flatten \(Flatten\)\s+\(None, 1568\)\s+0\b", out)
    assert re.search(r"Total params: 15,694\b", out)
    images = Sequential([Flatten(), Dense(10)], seed=0, input_shape=(28, 28, 1))
    images.summary()
    assert "(28, 28, 1)" in capsys.readouterr().out.splitlines()[0]  # the input shape


def test_summary_of_an_unbuilt_model_says_how_to_build_it():
    with pytest.raises(ValueError, match="not built yet.*input_shape=.*fit, predict or build"):
        Sequential([Dense(2)]).summary()
