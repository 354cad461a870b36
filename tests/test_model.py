"""Tests for plainnet.Sequential: building, weights, training loop, dtype, determinism, errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import plainnet
from plainnet import (
    SGD,
    Adam,
    BatchNormalization,
    Dense,
    Dropout,
    Identity,
    NotCompiledError,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from plainnet.losses import BinaryCrossEntropy, CategoricalCrossEntropy


def small_classifier(seed=0, dtype=np.float32):
    return Sequential([Dense(4, 6, activation="relu"), Dense(6, 3), Softmax()],
                      seed=seed, dtype=dtype)


def classification_data(n=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.arange(n) % 3
    return X, y


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for wa, wb in zip(a, b):
        np.testing.assert_array_equal(wa, wb)


# ---------------------------------------------------------------- construction


def test_weights_exist_at_construction_and_have_the_documented_shapes():
    model = Sequential([Dense(3, 5), Tanh(), Dense(5, 2)], seed=0)
    dense1, _, dense2 = model.layers
    assert dense1.weights.shape == (3, 5) and dense1.bias.shape == (5,)
    assert dense2.weights.shape == (5, 2) and dense2.bias.shape == (2,)
    assert np.any(dense1.weights != 0)  # initialised, not left empty
    assert model.n_inputs == 3 and model.n_outputs == 2
    assert model.count_params() == 3 * 5 + 5 + 5 * 2 + 2


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


def test_fit_never_reinitialises_the_weights():
    X, y = classification_data()
    model = small_classifier(dtype=np.float64)
    chosen = [np.random.default_rng(7).normal(size=w.shape) for w in model.get_weights()]
    model.set_weights(chosen)
    model.compile("categorical_crossentropy", SGD(learning_rate=0.0))
    model.fit(X, y, epochs=1, verbose=0)
    assert_weights_equal(model.get_weights(), chosen)
    # compiling again does not re-initialise either
    model.compile("categorical_crossentropy", "adam")
    assert_weights_equal(model.get_weights(), chosen)


def test_dense_activation_shortcut_becomes_its_own_layer():
    model = Sequential([Dense(2, 4, activation="relu"), Dense(4, 3, activation="tanh"),
                        Dense(3, 1, activation="sigmoid")], seed=0)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [Dense, ReLU, Dense, Tanh, Dense, Sigmoid]
    assert all(layer.activation is None for layer in model.layers if isinstance(layer, Dense))
    X = np.array([[0.3, -1.2], [2.0, 0.5]])
    d1, _, d2, _, d3, _ = model.layers
    h = np.maximum(X @ d1.weights + d1.bias, 0)
    h = np.tanh(h @ d2.weights + d2.bias)
    expected = 1 / (1 + np.exp(-(h @ d3.weights + d3.bias)))
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5)


def test_layer_names_are_unique():
    model = Sequential([Dense(2, 3, activation="relu"), Dense(3, 3, activation="relu"),
                        Dense(3, 1)], seed=0)
    names = [layer.name for layer in model.layers]
    assert names == ["dense", "relu", "dense_1", "relu_1", "dense_2"]
    assert [name for name, _, _ in model.parameters()] == [
        "dense/weights", "dense/bias", "dense_1/weights", "dense_1/bias",
        "dense_2/weights", "dense_2/bias"]


# ----------------------------------------------------------- hand-worked step


def test_one_full_batch_sgd_step_matches_the_hand_worked_arithmetic():
    """One step of a 2-4-1 network (sigmoid hidden layer, linear output, MSE, SGD lr=1/2).

    The weights are multiples of L = ln 3, so every hidden value is exact:
    sigmoid(0) = 1/2, sigmoid(L) = 3/4, sigmoid(-L) = 1/4, and sigmoid'(z) = s (1 - s)
    is 1/4 at s = 1/2 and 3/16 at s = 1/4 or 3/4. Everything below is a dyadic
    fraction (times L), so float64 reproduces it to the last bit or two.
    """
    L = np.log(3.0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0, 1, 1, 0])
    W1 = L * np.array([[1.0, -1.0, 0.0, 1.0],
                       [0.0, 1.0, -1.0, 1.0]])
    b1 = L * np.array([0.0, 0.0, 1.0, -1.0])
    W2 = np.array([[1.0], [2.0], [-1.0], [-2.0]])
    b2 = np.array([0.25])

    # Forward, in units of L:  z1 = X @ W1 + b1
    #   s0 (0,0): [0, 0, 1, -1]   -> h0 = [1/2, 1/2, 3/4, 1/4]
    #   s1 (0,1): [0, 1, 0,  0]   -> h1 = [1/2, 3/4, 1/2, 1/2]
    #   s2 (1,0): [1, -1, 1, 0]   -> h2 = [3/4, 1/4, 3/4, 1/2]
    #   s3 (1,1): [1, 0, 0,  1]   -> h3 = [3/4, 1/2, 1/2, 3/4]
    # yhat = h @ W2 + b2, W2 = [1, 2, -1, -2]:
    #   s0: 1/2 + 1 - 3/4 - 1/2 + 1/4 = 1/2
    #   s1: 1/2 + 3/2 - 1/2 - 1 + 1/4 = 3/4
    #   s2: 3/4 + 1/2 - 3/4 - 1 + 1/4 = -1/4
    #   s3: 3/4 + 1 - 1/2 - 3/2 + 1/4 = 0
    # error e = yhat - y = [1/2, -1/4, -5/4, 0]
    # loss = mean(e**2) = (1/4 + 1/16 + 25/16 + 0) / 4 = 15/32
    expected_loss = 15 / 32
    # Backward. MSE: dL/dyhat = 2 e / 4 = [1/4, -1/8, -5/8, 0] = delta2 (linear output)
    # grad_W2 = h.T @ delta2:
    #   [1/2, 1/2, 3/4, 3/4] . delta2 = 1/8 - 1/16 - 15/32      = -13/32
    #   [1/2, 3/4, 1/4, 1/2] . delta2 = 1/8 - 3/32 - 5/32       = -1/8
    #   [3/4, 1/2, 3/4, 1/2] . delta2 = 3/16 - 1/16 - 15/32     = -11/32
    #   [1/4, 1/2, 1/2, 3/4] . delta2 = 1/16 - 1/16 - 5/16      = -5/16
    # grad_b2 = sum(delta2) = 1/4 - 1/8 - 5/8 = -1/2
    # dL/dh = delta2 @ W2.T (rows: delta2_i * [1, 2, -1, -2]):
    #   s0: [1/4, 1/2, -1/4, -1/2]   s1: [-1/8, -1/4, 1/8, 1/4]
    #   s2: [-5/8, -5/4, 5/8, 5/4]   s3: 0
    # h (1 - h):  s0 [1/4, 1/4, 3/16, 3/16]  s1 [1/4, 3/16, 1/4, 1/4]
    #             s2 [3/16, 3/16, 3/16, 1/4]
    # delta1 = dL/dh * h (1 - h):
    #   s0: [1/16, 1/8, -3/64, -3/32]
    #   s1: [-1/32, -3/64, 1/32, 1/16]
    #   s2: [-15/128, -15/64, 15/128, 5/16]
    #   s3: [0, 0, 0, 0]
    # grad_W1 = X.T @ delta1: row 0 = s2 + s3, row 1 = s1 + s3
    #   [[-15/128, -15/64, 15/128, 5/16],
    #    [-1/32,   -3/64,  1/32,   1/16]]
    # grad_b1 = sum of the rows of delta1:
    #   [1/16 - 1/32 - 15/128, 1/8 - 3/64 - 15/64, -3/64 + 1/32 + 15/128, -3/32 + 1/16 + 5/16]
    #   = [-11/128, -5/32, 13/128, 9/32]
    # Update with lr = 1/2: w_new = w - grad / 2
    W1_new = np.array([[L + 15 / 256, -L + 15 / 128, -15 / 256, L - 5 / 32],
                       [1 / 64, L + 3 / 128, -L - 1 / 64, L - 1 / 32]])
    b1_new = np.array([11 / 256, 5 / 64, L - 13 / 256, -L - 9 / 64])
    W2_new = np.array([[1 + 13 / 64], [2 + 1 / 16], [-1 + 11 / 64], [-2 + 5 / 32]])
    b2_new = np.array([0.25 + 0.25])

    model = Sequential([Dense(2, 4), Sigmoid(), Dense(4, 1)], seed=0, dtype=np.float64)
    model.set_weights([W1, b1, W2, b2])
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.5))
    history = model.fit(X, y, epochs=1, batch_size=4, shuffle=False, verbose=0)

    assert history.history["loss"][0] == pytest.approx(expected_loss, rel=1e-14)
    for got, want in zip(model.get_weights(), [W1_new, b1_new, W2_new, b2_new]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # the gradients of that step are kept on the layers
    np.testing.assert_allclose(model.layers[2].grad_weights,
                               [[-13 / 32], [-1 / 8], [-11 / 32], [-5 / 16]], atol=1e-14)
    np.testing.assert_allclose(model.layers[0].grad_bias,
                               [-11 / 128, -5 / 32, 13 / 128, 9 / 32], atol=1e-14)


# ----------------------------------------------------------------- convergence


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_xor_converges(seed, xor):
    X, y = xor
    model = Sequential([Dense(2, 8, activation="tanh"), Dense(8, 1), Sigmoid()], seed=seed)
    model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=0.05),
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=300, batch_size=4, verbose=0)
    predictions = model.predict(X)
    assert predictions.shape == (4, 1)
    np.testing.assert_array_less(np.abs(predictions.ravel() - y), 0.1)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0


# ---------------------------------------------------------------- determinism


def train_once(seed, epochs=3):
    X, y = classification_data()
    model = Sequential([Dense(4, 8, activation="relu"), Dropout(0.2), Dense(8, 3), Softmax()],
                       seed=seed)
    initial = model.get_weights()
    model.compile("categorical_crossentropy", "adam", metrics=["accuracy"])
    history = model.fit(X, y, epochs=epochs, batch_size=4, shuffle=True, verbose=0)
    return initial, model.get_weights(), history.history


def test_same_seed_gives_identical_weights_and_history():
    init_a, final_a, hist_a = train_once(seed=123)
    init_b, final_b, hist_b = train_once(seed=123)
    assert_weights_equal(init_a, init_b)
    assert_weights_equal(final_a, final_b)
    assert hist_a == hist_b


def test_different_seeds_give_different_weights():
    init_a, final_a, _ = train_once(seed=1)
    init_b, final_b, _ = train_once(seed=2)
    assert not np.array_equal(init_a[0], init_b[0])
    assert not np.array_equal(final_a[0], final_b[0])


def test_shuffle_uses_the_model_generator():
    # same initial weights, but shuffling from different generator states -> different results
    X, y = classification_data()
    a = small_classifier(seed=0)
    b = small_classifier(seed=0)
    b.rng = np.random.default_rng(99)
    for model in (a, b):
        model.compile("categorical_crossentropy", SGD(0.1))
        model.fit(X, y, epochs=2, batch_size=3, verbose=0)
    assert not np.array_equal(a.get_weights()[0], b.get_weights()[0])


@pytest.mark.parametrize("seed", [None, 5])
def test_global_numpy_random_state_is_never_touched(seed):
    X, y = classification_data()
    np.random.seed(2024)
    before = np.random.get_state()
    model = Sequential([Dense(4, 5, activation="relu", weight_init="he_normal"), Dropout(0.5),
                        BatchNormalization(), Dense(5, 3)], seed=seed)
    model.compile("categorical_crossentropy", "adam")
    model.fit(X, y, epochs=2, batch_size=5, shuffle=True, verbose=0)
    model.predict(X)
    model.evaluate(X, y)
    plainnet.gradcheck(model, X[:3], y[:3])
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_a_generator_can_be_passed_as_seed():
    a = Sequential([Dense(3, 2)], seed=np.random.default_rng(4))
    b = Sequential([Dense(3, 2)], seed=4)
    assert_weights_equal(a.get_weights(), b.get_weights())


# ----------------------------------------------------------------------- dtype


@pytest.mark.parametrize("X_kind", ["float64", "int"])
def test_float32_end_to_end(X_kind):
    X, y = classification_data()
    X = X if X_kind == "float64" else np.round(X * 3).astype(int)
    model = Sequential([Dense(4, 6, activation="tanh"), Dropout(0.1), BatchNormalization(),
                        Dense(6, 3), Softmax()], seed=0)
    assert model.dtype == np.float32
    model.compile("categorical_crossentropy", Adam(0.01), metrics=["accuracy"])
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    for name, param, grad in model.parameters():
        assert param.dtype == np.float32, name
        assert grad.dtype == np.float32, name
    for array in model.get_weights():
        assert array.dtype == np.float32
    assert model.optimizer.state  # Adam keeps moments per parameter
    for name, slots in model.optimizer.state.items():
        assert set(slots) == {"m", "v"}
        for slot, array in slots.items():
            assert array.dtype == np.float32, (name, slot)
    assert model.predict(X).dtype == np.float32
    assert model.predict(X.astype(np.float64)).dtype == np.float32


@pytest.mark.parametrize("loss, y", [
    ("mse", np.linspace(0, 1, 20).reshape(-1, 1)),
    ("binary_crossentropy", np.arange(20) % 2),
])
def test_float32_end_to_end_other_losses_and_sgd_momentum(loss, y):
    X, _ = classification_data()
    model = Sequential([Dense(4, 5, activation="sigmoid"), Dense(5, 1)], seed=0)
    model.compile(loss, SGD(0.1, momentum=0.9, nesterov=True))
    model.fit(X, y, epochs=2, batch_size=6, verbose=0)
    for _, param, grad in model.parameters():
        assert param.dtype == grad.dtype == np.float32
    for slots in model.optimizer.state.values():
        assert slots["velocity"].dtype == np.float32
    assert model.predict(X).dtype == np.float32


def test_float64_option():
    X, y = classification_data()
    model = small_classifier(dtype=np.float64)
    model.compile("categorical_crossentropy", "adam")
    model.fit(X.astype(np.float32), y, epochs=1, verbose=0)
    for _, param, grad in model.parameters():
        assert param.dtype == grad.dtype == np.float64
    assert model.predict(X.astype(np.float32)).dtype == np.float64
    assert Sequential([Dense(2, 1)], dtype="float64").dtype == np.float64


@pytest.mark.parametrize("dtype, error", [(np.int32, ValueError), (np.float16, ValueError),
                                           ("banana", TypeError)])
def test_unsupported_dtype_is_rejected(dtype, error):
    with pytest.raises(error, match="dtype must be float32 or float64"):
        Sequential([Dense(2, 1)], dtype=dtype)


# ----------------------------------------------------------- compile/fit/API


def test_compile_accepts_names_and_objects():
    X, y = classification_data()
    by_name = small_classifier(seed=3)
    by_name.compile(loss="categorical_crossentropy", optimizer="sgd")
    optimizer, loss = SGD(learning_rate=0.01), CategoricalCrossEntropy()
    by_object = small_classifier(seed=3)
    by_object.compile(loss=loss, optimizer=optimizer)
    assert isinstance(by_name.loss, CategoricalCrossEntropy)
    assert isinstance(by_name.optimizer, SGD)
    assert by_object.loss is loss and by_object.optimizer is optimizer
    for model in (by_name, by_object):
        model.fit(X, y, epochs=2, batch_size=5, verbose=0)
    assert_weights_equal(by_name.get_weights(), by_object.get_weights())


def test_history_evaluate_and_predict():
    X, y = classification_data(n=21)
    model = small_classifier()
    model.compile("categorical_crossentropy", Adam(0.01), metrics=["accuracy"])
    history = model.fit(X, y, epochs=4, batch_size=5, verbose=0)
    assert history is model.history
    assert set(history.history) == {"loss", "accuracy"}
    assert len(history.history["loss"]) == 4 and len(history.history["accuracy"]) == 4
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.epoch == [0, 1, 2, 3]

    scores = model.evaluate(X, y)
    assert set(scores) == {"loss", "accuracy"}
    probs = model.predict(X)
    assert probs.shape == (21, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    expected_loss = -np.mean(np.log(probs[np.arange(21), y]))
    assert scores["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert scores["accuracy"] == pytest.approx(np.mean(probs.argmax(axis=1) == y))
    # predict in chunks gives the same result
    np.testing.assert_allclose(model.predict(X, batch_size=4), probs, rtol=1e-6)


def test_binary_accuracy_metric_and_regression_predict_shape():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = Sequential([Dense(1, 1), Sigmoid()], dtype=np.float64)
    model.set_weights([np.array([[10.0]]), np.array([-15.0])])  # threshold at 1.5
    model.compile("binary_crossentropy", SGD(0.0), metrics=["accuracy"])
    assert model.evaluate(X, np.array([0, 0, 1, 1]))["accuracy"] == 1.0
    assert model.evaluate(X, np.array([0, 1, 1, 1]))["accuracy"] == 0.75
    reg = Sequential([Dense(3, 4, activation="relu"), Dense(4, 2)], seed=0)
    assert reg.predict(np.zeros((7, 3))).shape == (7, 2)


def test_accuracy_on_logits_uses_threshold_zero():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    model = Sequential([Dense(1, 1)], dtype=np.float64)  # raw scores: BCE reads logits
    model.set_weights([np.array([[1.0]]), np.array([0.0])])
    model.compile("binary_crossentropy", SGD(0.0), metrics=["accuracy"])
    assert model.outputs_are_logits
    np.testing.assert_array_equal(model.predict(X).ravel(), X.ravel())  # logits, not probs
    assert model.evaluate(X, [0, 0, 1, 1])["accuracy"] == 1.0
    assert model.evaluate(X, [0, 1, 1, 1])["accuracy"] == 0.75


def test_epoch_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    # With lr 0 the weights stay fixed, so the epoch loss must equal evaluate's loss
    # even when the last batch is smaller than the others.
    X, y = classification_data(n=10)
    model = small_classifier(dtype=np.float64)
    model.compile("categorical_crossentropy", SGD(0.0))
    history = model.fit(X, y, epochs=1, batch_size=4, verbose=0)
    assert history.history["loss"][0] == pytest.approx(model.evaluate(X, y)["loss"], rel=1e-12)


def test_summary_prints_layers_shapes_and_parameter_counts(capsys):
    model = Sequential([Dense(4, 8, activation="relu"), BatchNormalization(), Dense(8, 3),
                        Softmax()], seed=0)
    model.summary()
    out = capsys.readouterr().out
    for text in ("dense (Dense)", "relu (ReLU)", "batch_normalization (BatchNormalization)",
                 "dense_1 (Dense)", "softmax (Softmax)", "(None, 8)", "(None, 3)"):
        assert text in out
    assert re.search(r"dense \(Dense\)\s+\(None, 8\)\s+40\b", out)
    assert re.search(r"batch_normalization \(BatchNormalization\)\s+\(None, 8\)\s+16\b", out)
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 3\)\s+27\b", out)
    assert re.search(r"Total params: 83\b", out)
    assert model.count_params() == 83


def test_verbose_2_prints_one_line_per_epoch(capsys):
    X, y = classification_data()
    model = small_classifier()
    model.compile("categorical_crossentropy", "adam")
    model.fit(X, y, epochs=3, verbose=2)
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.count("loss") >= 3


def test_fused_softmax_cross_entropy_gradient_is_softmax_minus_onehot():
    """The gradient reaching the last Dense is (softmax(z) - onehot) / n, Softmax is skipped."""
    X, y = classification_data(n=6)
    model = small_classifier(dtype=np.float64)
    dense = model.layers[2]
    seen = {}
    original_backward = dense.backward

    def spy(grad_output):
        seen["grad"] = grad_output.copy()
        return original_backward(grad_output)

    dense.backward = spy
    softmax_layer = model.layers[3]
    softmax_layer.backward = lambda g: pytest.fail("fused Softmax.backward must not be called")
    model.compile("categorical_crossentropy", SGD(0.0))
    model.fit(X, y, epochs=1, batch_size=6, shuffle=False, verbose=0)

    hidden = np.maximum(X @ model.layers[0].weights + model.layers[0].bias, 0)
    z = hidden @ dense.weights + dense.bias
    probs = np.exp(z - z.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    expected = (probs - np.eye(3)[y]) / 6
    np.testing.assert_allclose(seen["grad"], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dense.grad_bias, expected.sum(axis=0), atol=1e-15)


def test_categorical_loss_on_a_dense_output_reads_logits():
    X, y = classification_data(n=9)
    model = Sequential([Dense(4, 3)], seed=0, dtype=np.float64)
    model.compile("categorical_crossentropy", SGD(0.0))
    z = model.predict(X)  # raw scores
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expected = -np.mean(log_probs[np.arange(9), y])
    assert model.evaluate(X, y)["loss"] == pytest.approx(expected, rel=1e-12)


def test_compile_rejects_from_logits_true_on_a_softmax_model():
    with pytest.raises(ValueError, match="from_logits=True.*ends in Softmax"):
        small_classifier().compile(CategoricalCrossEntropy(from_logits=True), "sgd")
    model = Sequential([Dense(2, 1), Sigmoid()])
    with pytest.raises(ValueError, match="from_logits=True.*ends in Sigmoid"):
        model.compile(BinaryCrossEntropy(from_logits=True), "sgd")


# --------------------------------------------------------------------- errors


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
    assert issubclass(NotCompiledError, Exception)
    with pytest.raises(NotCompiledError, match=r"compile\(.*before fit\(\)"):
        model.fit(X4, Y4, verbose=0)
    with pytest.raises(NotCompiledError, match=r"compile\(.*before evaluate\(\)"):
        model.evaluate(X4, Y4)
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


def test_compile_metrics_as_a_single_name():
    model = Sequential([Dense(2, 1), Sigmoid()], seed=0)
    model.compile("binary_crossentropy", "sgd", metrics="accuracy")
    assert model.metric_names == ["accuracy"]


def test_categorical_loss_needs_two_outputs():
    model = Sequential([Dense(2, 1)], seed=0)
    model.compile("categorical_crossentropy", "sgd")
    with pytest.raises(ValueError, match="at least 2 outputs"):
        model.fit([[0, 1]], [0], verbose=0)


def test_sequential_construction_errors():
    with pytest.raises(TypeError, match=r"layers\[1\] must be a plainnet layer, got str"):
        Sequential([Dense(2, 3), "relu"])
    with pytest.raises(TypeError, match=r"layers\[0\] must be a plainnet layer, got function"):
        Sequential([lambda x: x])
    with pytest.raises(TypeError, match="layers must be a list of plainnet layers, got int"):
        Sequential(5)
    with pytest.raises(ValueError, match="layers is empty"):
        Sequential([])
    with pytest.raises(ValueError,
                       match="dense_1 expects 4 inputs, but the layer before it gives 3"):
        Sequential([Dense(2, 3), Dense(4, 1)])
    with pytest.raises(ValueError, match="expects 4 inputs, but the layer before it gives 3"):
        Sequential([Dense(2, 3, activation="relu"), Identity(), Dense(4, 1)])
    with pytest.raises(ValueError, match="cannot tell how many inputs"):
        Sequential([ReLU(), Tanh()])
    # a width-keeping layer before the first Dense takes the Dense's input width
    assert Sequential([ReLU(), Dense(2, 1)]).n_inputs == 2
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


def test_a_failed_fit_on_bad_validation_data_leaves_weights_untouched(compiled):
    before = compiled.get_weights()
    with pytest.raises(ValueError, match="X_val has 3 features, but the model expects 4"):
        compiled.fit(X4, Y4, validation_data=(np.ones((2, 3)), [0, 1]), verbose=0)
    assert_weights_equal(compiled.get_weights(), before)


def test_inference_and_copies_do_not_keep_activations():
    # a fitted model must not hold on to (or pickle) the last data it saw
    import pickle

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
