"""Sequential: compile, fit, evaluate, predict; penalties; randomness; dtypes.

Frozen layers and optimizers of one's own are in ``test_model_trainable.py``, bad
inputs in ``test_model_inputs.py``; what ``fit`` does around its loop
(validation, progress, Ctrl-C, rollback, speed) in ``tests/training/``.
"""

from __future__ import annotations

import numpy as np
import pytest

import plainnet
from core_helpers import assert_weights_equal
from core_helpers import four_feature_classes as classification_data
from core_helpers import relu_classifier as small_classifier
from plainnet import (
    SGD,
    Adam,
    BatchNormalization,
    Dense,
    Dropout,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from plainnet.losses import BinaryCrossEntropy, CategoricalCrossEntropy


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

    model = Sequential([Dense(4), Sigmoid(), Dense(1)], seed=0, dtype=np.float64,
                       input_shape=(2,))
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


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_xor_converges(seed, xor):
    X, y = xor
    model = Sequential([Dense(8, activation="tanh"), Dense(1), Sigmoid()], seed=seed)
    model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=0.05),
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=300, batch_size=4, verbose=0)
    predictions = model.predict(X)
    assert predictions.shape == (4, 1)
    np.testing.assert_array_less(np.abs(predictions.ravel() - y), 0.1)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0


def test_fit_on_images_through_flatten():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4, 4, 1))
    y = (X[:, :2].sum(axis=(1, 2, 3)) > X[:, 2:].sum(axis=(1, 2, 3))).astype(int)
    model = Sequential([plainnet.layers.Flatten(), Dense(8, "tanh"), Dense(1, "sigmoid")],
                       seed=0)
    model.compile("binary_crossentropy", Adam(0.05), metrics=["accuracy"])
    model.fit(X, y, epochs=60, batch_size=20, verbose=0)
    assert model.input_shape == (4, 4, 1)
    assert model.evaluate(X, y)["accuracy"] >= 0.95


# ------------------------------------------------------------ compile and API
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


def test_history_evaluate_and_predict():
    X, y = classification_data(n=21)
    model = small_classifier()
    model.compile("categorical_crossentropy", Adam(0.01), metrics=["accuracy"])
    history = model.fit(X, y, epochs=4, batch_size=5, verbose=0)
    assert isinstance(history, plainnet.History) and history is model.history
    assert set(history.history) == {"loss", "accuracy"}
    assert len(history.history["loss"]) == 4 and len(history.history["accuracy"]) == 4
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.epoch == [0, 1, 2, 3]
    second = model.fit(X, y, epochs=2, verbose=0)  # a new run, a new history
    assert second is not history and model.history is second and second.epoch == [0, 1]

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


def test_a_fit_without_resume_starts_a_new_run_that_resume_can_finish():
    X, y = classification_data(40)

    def model():
        net = small_classifier(dtype=np.float64)
        net.compile("categorical_crossentropy", Adam(0.01))
        return net

    reference = model()
    reference.fit(X, y, epochs=3, verbose=0)  # an earlier run (a warm start)
    reference.fit(X, y, epochs=4, verbose=0)  # a run of 4 epochs
    net = model()
    net.fit(X, y, epochs=3, verbose=0)
    net.fit(X, y, epochs=2, verbose=0)  # the run of 4, stopped after 2 ...
    assert net.epochs_done == 2 and net.history.epoch == [0, 1]
    history = net.fit(X, y, epochs=4, resume=True, verbose=0)  # ... and finished
    assert net.epochs_done == 4 and history.epoch == [0, 1, 2, 3]
    assert history.history["loss"] == reference.history.history["loss"]
    assert_weights_equal(net.get_weights(), reference.get_weights())


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


# ------------------------------------------------------------- L1/L2 in the loss
@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.02), (0.03, 0.05)])
def test_l1_l2_add_exactly_their_penalty_to_the_reported_loss(l1, l2):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))
    model = Sequential([Dense(4, activation="tanh", l1=l1, l2=l2), Dense(2, l2=l2 / 2)],
                       seed=1, dtype=np.float64, input_shape=(3,))
    model.compile(loss="mse", optimizer=SGD(0.0))
    W1, W2 = model.layers[0].weights, model.layers[2].weights
    data_loss = np.mean((model.predict(X) - y) ** 2)
    penalty = (l1 * np.abs(W1).sum() + l2 * np.square(W1).sum()
               + (l2 / 2) * np.square(W2).sum())  # the bias is not penalised
    assert penalty > 0
    assert model.evaluate(X, y)["loss"] == pytest.approx(data_loss + penalty, rel=1e-12)
    history = model.fit(X, y, epochs=1, batch_size=12, verbose=0)  # lr 0: nothing moves
    assert history.history["loss"][0] == pytest.approx(data_loss + penalty, rel=1e-12)


def test_changing_a_penalty_after_construction_changes_the_reported_loss():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    model = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer="sgd")
    plain = model.evaluate(X, y)["loss"]
    model.layers[0].l2 = 0.5
    penalty = 0.5 * float(np.square(model.layers[0].weights).sum())
    assert model.evaluate(X, y)["loss"] == pytest.approx(plain + penalty, rel=1e-12)


# ---------------------------------------------------------------- randomness
@pytest.mark.parametrize("seed", [None, 5])
def test_global_numpy_random_state_is_never_touched(seed):
    X, y = classification_data()
    np.random.seed(2024)
    before = np.random.get_state()
    model = Sequential([Dense(5, activation="relu", weight_init="he_normal"), Dropout(0.5),
                        BatchNormalization(), Dense(3)], seed=seed)
    model.compile("categorical_crossentropy", "adam")
    model.fit(X, y, epochs=2, batch_size=5, shuffle=True, verbose=0)
    model.predict(X)
    model.evaluate(X, y)
    plainnet.gradcheck(model, X[:3], y[:3])
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


# ----------------------------------------------------------------------- dtype
@pytest.mark.parametrize("X_kind", ["float64", "int"])
def test_float32_end_to_end(X_kind):
    X, y = classification_data()
    X = X if X_kind == "float64" else np.round(X * 3).astype(int)
    model = Sequential([Dense(6, activation="tanh"), Dropout(0.1), BatchNormalization(),
                        Dense(3), Softmax()], seed=0)
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


def test_float64_option_and_copies_in_another_dtype():
    X, y = classification_data()
    model = small_classifier(dtype=np.float64)
    model.compile("categorical_crossentropy", "adam")
    model.fit(X.astype(np.float32), y, epochs=1, verbose=0)
    for _, param, grad in model.parameters():
        assert param.dtype == grad.dtype == np.float64
    assert model.predict(X.astype(np.float32)).dtype == np.float64
    assert Sequential([Dense(2, 1)], dtype="float64").dtype == np.float64
    clone = model.copy(dtype=np.float32)
    assert clone.dtype == np.float32 and model.dtype == np.float64
    for _, param, grad in clone.parameters():
        assert param.dtype == grad.dtype == np.float32
    assert all(a.dtype == np.float32 for slots in clone.optimizer.state.values()
               for a in slots.values())
    np.testing.assert_allclose(clone.predict(X), model.predict(X), rtol=1e-5, atol=1e-6)
    clone.fit(X, y, epochs=1, verbose=0)  # trains in its own dtype
    assert clone.predict(X).dtype == np.float32


def test_tanh_hidden_layer_standalone_in_a_model():
    """A model of activation layers only (no parameters) needs no input_shape or optimizer."""
    model = Sequential([Tanh()])
    np.testing.assert_allclose(model.predict(np.array([[0.5, -1.0]])),
                               np.tanh([[0.5, -1.0]]), rtol=1e-6)
