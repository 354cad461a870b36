"""Tests for plainnet.tutorial: the beginner tutorial's NeuralNetwork, repaired."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from plainnet.gradcheck import relative_error
from plainnet.tutorial import NeuralNetwork, sigmoid

ROOT = Path(__file__).resolve().parents[1]
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])
LN3 = np.log(3.0)  # sigmoid(ln 3) = 3/4 and sigmoid(-ln 3) = 1/4 exactly


# ------------------------------------------------------------------- sigmoid


def test_sigmoid_is_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow RuntimeWarning fails the test
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            values = sigmoid(np.array([-1000.0, -745.0, -50.0, 50.0, 745.0, 1000.0]))
    assert np.all(np.isfinite(values))
    assert values[0] == 0.0 and values[-1] == 1.0
    assert 0.0 < values[2] < 1e-20 and values[3] == pytest.approx(1.0)


def test_sigmoid_values():
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(sigmoid(-x), 1.0 - sigmoid(x), atol=1e-15)
    assert sigmoid(0.0) == 0.5
    assert sigmoid(LN3) == pytest.approx(0.75, rel=1e-15)
    assert sigmoid([[0.0, 0.0]]).shape == (1, 2)
    assert sigmoid(np.array([1, 2])).dtype == np.float64


def test_sigmoid_derivative_takes_the_sigmoid_output():
    s = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(sigmoid(s, derivative=True), s * (1 - s))
    # It is the slope of the sigmoid at the z whose output is s.
    z = np.linspace(-6, 6, 25)
    h = 1e-6
    slope = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    np.testing.assert_allclose(sigmoid(sigmoid(z), derivative=True), slope, rtol=1e-7, atol=1e-12)


# ------------------------------------------------------ construction, shapes


def test_defaults_and_attributes():
    nn = NeuralNetwork(seed=0)
    assert (nn.input_layer, nn.hidden_layer, nn.output_layer) == (2, 4, 1)
    assert nn.weights1.shape == (2, 4) and nn.bias1.shape == (4,)
    assert nn.weights2.shape == (4, 1) and nn.bias2.shape == (1,)
    for name in ("weights1", "bias1", "weights2", "bias2"):
        assert getattr(nn, name).dtype == np.float64
    assert nn.layer1 is None and nn.layer2 is None
    assert nn.get_config() == {"input_layer": 2, "hidden_layer": 4, "output_layer": 1}
    assert repr(nn) == "NeuralNetwork(input_layer=2, hidden_layer=4, output_layer=1)"


def test_initialisation_is_standard_normal_from_one_generator():
    nn = NeuralNetwork(3, 5, 2, seed=123)
    rng = np.random.default_rng(123)
    np.testing.assert_array_equal(nn.weights1, rng.standard_normal((3, 5)))
    np.testing.assert_array_equal(nn.bias1, rng.standard_normal(5))
    np.testing.assert_array_equal(nn.weights2, rng.standard_normal((5, 2)))
    np.testing.assert_array_equal(nn.bias2, rng.standard_normal(2))
    big = NeuralNetwork(50, 200, 10, seed=1)
    assert abs(big.weights1.mean()) < 0.05 and abs(big.weights1.std() - 1) < 0.05


def test_same_seed_same_weights_and_global_state_untouched():
    np.random.seed(7)
    state = np.random.get_state()[1].copy()
    a, b = NeuralNetwork(seed=42), NeuralNetwork(seed=42)
    for name, value in a.get_weights().items():
        np.testing.assert_array_equal(value, b.get_weights()[name])
    a.train(XOR_X, XOR_Y, epochs=50)
    b.train(XOR_X, XOR_Y, epochs=50)
    for name, value in a.get_weights().items():
        np.testing.assert_array_equal(value, b.get_weights()[name])
    assert not np.array_equal(NeuralNetwork(seed=43).weights1, a.weights1)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    NeuralNetwork()  # unseeded networks do not use the global state either
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_seed_accepts_a_generator():
    from_generator = NeuralNetwork(seed=np.random.default_rng(5))
    np.testing.assert_array_equal(from_generator.weights1, NeuralNetwork(seed=5).weights1)


def test_forward_shapes_for_batch_and_single_sample():
    nn = NeuralNetwork(seed=0)
    single = nn.forward_propagation(np.array([0, 1]))
    assert single.shape == (1,)
    assert nn.layer1.shape == (4,) and nn.layer2.shape == (1,)
    batch = nn.forward_propagation(XOR_X)
    assert batch.shape == (4, 1)
    assert nn.layer1.shape == (4, 4) and nn.layer2 is batch
    assert single[0] == pytest.approx(batch[1, 0], rel=1e-15)
    assert np.all((batch > 0) & (batch < 1))

    wide = NeuralNetwork(3, 6, 2, seed=0)
    assert wide.forward_propagation([1.0, 2.0, 3.0]).shape == (2,)
    assert wide.forward_propagation(np.ones((7, 3))).shape == (7, 2)


def test_predict_matches_forward_without_storing():
    nn = NeuralNetwork(seed=3)
    expected = nn.forward_propagation(XOR_X)
    layer1 = nn.layer1
    np.testing.assert_array_equal(nn.predict(XOR_X), expected)
    nn.predict(np.array([1, 1]))
    assert nn.layer1 is layer1 and nn.layer2 is expected


def test_forward_accepts_lists_ints_and_bools():
    nn = NeuralNetwork(seed=0)
    expected = nn.forward_propagation(XOR_X.astype(float))
    np.testing.assert_array_equal(nn.forward_propagation(XOR_X.tolist()), expected)
    np.testing.assert_array_equal(nn.forward_propagation(XOR_X.astype(bool)), expected)


# ----------------------------------------------------------------- training


def test_one_training_step_by_hand():
    """One step on a 2-4-1 network, worked out with fractions on paper.

    Inputs are the two unit vectors, so X.T @ anything just reads off rows, and
    the weights are multiples of ln 3, where the sigmoid takes the values 1/4,
    1/2 and 3/4 and its slope s(1-s) the values 3/16 and 1/4.
    """
    nn = NeuralNetwork(seed=0)
    nn.weights1 = np.array([[LN3, 0.0, -LN3, 0.0], [0.0, LN3, 0.0, -LN3]])
    nn.bias1 = np.zeros(4)
    nn.weights2 = 2 * LN3 * np.array([[1.0], [0.0], [-1.0], [0.0]])
    nn.bias2 = np.zeros(1)
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 0.0])
    learning_rate = 0.5

    # Forward. Sample 1 (x = [1, 0]): z1 = row 0 of weights1 = [ln3, 0, -ln3, 0],
    #   layer1 = [3/4, 1/2, 1/4, 1/2]; z2 = 2 ln3 (3/4 - 1/4) = ln3, output = 3/4.
    # Sample 2 (x = [0, 1]): z1 = [0, ln3, 0, -ln3], layer1 = [1/2, 3/4, 1/2, 1/4];
    #   z2 = 2 ln3 (1/2 - 1/2) = 0, output = 1/2.
    # error = y - output = [1/4, -1/2]; loss = mean(error^2) = (1/16 + 1/4) / 2 = 5/32.
    #
    # Output delta = 2 * error * output (1 - output) / 2 (two numbers averaged):
    #   sample 1: 1/4 * 3/16 = 3/64;  sample 2: -1/2 * 1/4 = -1/8.
    # grad_weights2[j] = sum over samples of layer1[:, j] * delta2:
    #   j=0: 3/4 * 3/64 + 1/2 * (-1/8) =  9/256 - 16/256 =  -7/256
    #   j=1: 1/2 * 3/64 + 3/4 * (-1/8) =  6/256 - 24/256 = -18/256
    #   j=2: 1/4 * 3/64 + 1/2 * (-1/8) =  3/256 - 16/256 = -13/256
    #   j=3: 1/2 * 3/64 + 1/4 * (-1/8) =  6/256 -  8/256 =  -2/256
    # grad_bias2 = 3/64 - 1/8 = -5/64.
    # Hidden delta = delta2 * weights2[j] * layer1 (1 - layer1); weights2 = 2 ln3 [1, 0, -1, 0]:
    #   sample 1: 3/64 * 2 ln3 * [1, 0, -1, 0] * [3/16, 1/4, 3/16, 1/4] = ln3 [9/512, 0, -9/512, 0]
    #   sample 2: -1/8 * 2 ln3 * [1, 0, -1, 0] * [1/4, 3/16, 1/4, 3/16] = ln3 [-1/16, 0, 1/16, 0]
    # grad_weights1 = X.T @ delta1 = delta1 (X is the identity): row i is sample i's delta.
    # grad_bias1 = sum over samples = ln3 [9/512 - 32/512, 0, 32/512 - 9/512, 0]
    #            = ln3 [-23/512, 0, 23/512, 0].
    # Each parameter then moves by learning_rate * grad (the tutorial's `+=`).
    old = nn.get_weights()
    grad_weights2 = np.array([[-7.0], [-18.0], [-13.0], [-2.0]]) / 256
    grad_bias2 = np.array([-5.0 / 64])
    grad_weights1 = LN3 * np.array([[9 / 512, 0, -9 / 512, 0], [-1 / 16, 0, 1 / 16, 0]])
    grad_bias1 = LN3 * np.array([-23 / 512, 0, 23 / 512, 0])

    assert nn.loss(X, y) == pytest.approx(5 / 32, rel=1e-14)
    assert nn.train(X, y, epochs=1, learning_rate=learning_rate) is nn
    assert nn.loss_history == [pytest.approx(5 / 32, rel=1e-14)]

    tol = {"rtol": 1e-13, "atol": 1e-15}
    np.testing.assert_allclose(nn.weights2, old["weights2"] + learning_rate * grad_weights2, **tol)
    np.testing.assert_allclose(nn.bias2, old["bias2"] + learning_rate * grad_bias2, **tol)
    np.testing.assert_allclose(nn.weights1, old["weights1"] + learning_rate * grad_weights1, **tol)
    np.testing.assert_allclose(nn.bias1, old["bias1"] + learning_rate * grad_bias1, **tol)


def _central_differences(nn, X, y, h=1e-6):
    """d loss / d parameter for every parameter entry, by central differences."""
    grads = {}
    for name in ("weights1", "bias1", "weights2", "bias2"):
        param = getattr(nn, name)
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            loss_plus = nn.loss(X, y)
            param[index] = saved - h
            loss_minus = nn.loss(X, y)
            param[index] = saved
            grad[index] = (loss_plus - loss_minus) / (2 * h)
        grads[name] = grad
    return grads


@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 5, 2)])
def test_training_gradient_matches_finite_differences_of_the_loss(sizes):
    rng = np.random.default_rng(11)
    nn = NeuralNetwork(*sizes, seed=2)
    X = rng.normal(size=(6, sizes[0]))
    y = rng.uniform(size=(6, sizes[2]))
    downhill = nn.backward_propagation(X, y)  # the tutorial's sign: minus the gradient
    numeric = _central_differences(nn, X, y)
    for name, grad in numeric.items():
        assert relative_error(-downhill[name], grad) < 1e-6, name

    # And train() moves each parameter by exactly learning_rate * that gradient.
    old = nn.get_weights()
    nn.train(X, y, epochs=1, learning_rate=0.3)
    for name, value in nn.get_weights().items():
        np.testing.assert_allclose(value, old[name] + 0.3 * downhill[name], rtol=1e-14)


def test_tutorial_program_solves_xor_in_at_least_99_of_100_runs():
    """The tutorial's program, with seeds 0..99 standing in for 100 unseeded runs."""
    successes = 0
    for seed in range(100):
        nn = NeuralNetwork(seed=seed)
        nn.train(XOR_X, XOR_Y)
        outputs = [nn.forward_propagation(np.array(x))[0] for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
        successes += bool(np.all(np.abs(np.array(outputs) - XOR_Y) < 0.1))
    assert successes >= 99


def test_y_of_shape_n_and_n_by_1_give_identical_training():
    a, b = NeuralNetwork(seed=9), NeuralNetwork(seed=9)
    a.train(XOR_X, XOR_Y, epochs=200)
    b.train(XOR_X, XOR_Y.reshape(-1, 1), epochs=200)
    for name, value in a.get_weights().items():
        np.testing.assert_array_equal(value, b.get_weights()[name])
    assert a.loss_history == b.loss_history
    assert a.loss(XOR_X, XOR_Y) == b.loss(XOR_X, XOR_Y.reshape(-1, 1))


def test_several_outputs_and_a_single_training_sample():
    nn = NeuralNetwork(2, 4, 2, seed=0)
    targets = np.column_stack([XOR_Y, 1 - XOR_Y])  # (4, 2)
    nn.train(XOR_X, targets, epochs=3000)
    np.testing.assert_allclose(nn.predict(XOR_X), targets, atol=0.1)

    one = NeuralNetwork(seed=0)
    one.train([1, 0], 1, epochs=100)  # one sample: 1-D X, scalar y
    assert one.predict([1, 0])[0] > 0.9


def test_loss_history_and_loss():
    nn = NeuralNetwork(seed=1)
    nn.train(XOR_X, XOR_Y, epochs=300)
    nn.train(XOR_X, XOR_Y, epochs=200)  # a second call continues and appends
    assert len(nn.loss_history) == 500
    assert all(isinstance(value, float) for value in nn.loss_history)
    assert nn.loss_history[-1] < nn.loss_history[0]
    expected = np.mean((XOR_Y.reshape(-1, 1) - nn.predict(XOR_X)) ** 2)
    assert nn.loss(XOR_X, XOR_Y) == pytest.approx(expected, rel=1e-15)


# ----------------------------------------------------- saving and loading


def test_get_and_set_weights_round_trip():
    trained = NeuralNetwork(seed=4).train(XOR_X, XOR_Y, epochs=100)
    weights = trained.get_weights()
    assert set(weights) == {"weights1", "bias1", "weights2", "bias2"}
    weights["weights1"][0, 0] = 99.0  # a copy: the network is unchanged
    assert trained.weights1[0, 0] != 99.0

    clone = NeuralNetwork(**trained.get_config(), seed=5)
    source = trained.get_weights()
    clone.set_weights(source)
    np.testing.assert_array_equal(clone.predict(XOR_X), trained.predict(XOR_X))
    source["bias2"][0] = 99.0  # set_weights copied its input
    assert clone.bias2[0] != 99.0

    as_lists = {name: value.astype(int).tolist() for name, value in trained.get_weights().items()}
    clone.set_weights(as_lists)
    assert clone.weights1.dtype == np.float64


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"weights1": np.zeros((3, 4))}, ValueError, r"weights\['weights1'\] has shape \(3, 4\)"),
        ({"bias1": np.zeros((4, 1))}, ValueError, r"weights\['bias1'\] has shape \(4, 1\)"),
        ({"bias2": np.array([np.nan])}, ValueError, "NaN"),
        ({"weights2": [["a"], ["b"], ["c"], ["d"]]}, TypeError, "weights2"),
        ({"extra": np.zeros(1)}, ValueError, "unknown \\['extra'\\]"),
    ],
)
def test_set_weights_rejects_bad_input_and_changes_nothing(change, error, match):
    nn = NeuralNetwork(seed=0)
    before = nn.get_weights()
    with pytest.raises(error, match=match):
        nn.set_weights({**nn.get_weights(), **change})
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(nn, name), value)


def test_set_weights_requires_every_key_and_a_mapping():
    nn = NeuralNetwork(seed=0)
    weights = nn.get_weights()
    del weights["bias1"]
    with pytest.raises(ValueError, match="missing \\['bias1'\\]"):
        nn.set_weights(weights)
    with pytest.raises(TypeError, match="weights must be a dict"):
        nn.set_weights([np.zeros((2, 4))])


# ------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.zeros((4, 3)), "X has 3 features, but the network expects 2"),
        (np.zeros(3), "X has 3 features, but the network expects 2"),
        (np.zeros((0, 2)), "X is empty"),
        ([], "X is empty"),
        (np.zeros((2, 2, 2)), "X must be 2-D"),
        (5.0, "X must be 2-D"),
        ([[0.0, np.nan]], "X contains 1 NaN"),
        ([[0.0, np.inf]], "X contains 1 NaN or infinite"),
        ([[0, 1], [1]], "X must be a rectangular array"),
    ],
)
def test_bad_X_is_a_clear_value_error(X, match):
    nn = NeuralNetwork(seed=0)
    with pytest.raises(ValueError, match=match):
        nn.forward_propagation(X)
    with pytest.raises(ValueError, match=match):
        nn.train(X, [0, 1, 1, 0], epochs=1)


@pytest.mark.parametrize("X", [[["0", "1"]], np.array([[1 + 2j, 0]]), [[None, 1]]])
def test_non_numeric_X_is_a_type_error(X):
    with pytest.raises(TypeError, match="X must contain numbers"):
        NeuralNetwork(seed=0).forward_propagation(X)


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        ([0, 1, 1], ValueError, "y has 3 samples, but X has 4"),
        (np.zeros((5, 1)), ValueError, "y has 5 samples, but X has 4"),
        (np.zeros((4, 2)), ValueError, "y has 2 columns, but the network has 1 output"),
        (np.zeros((4, 1, 1)), ValueError, r"y must have shape \(4,\) or \(4, 1\)"),
        (0.5, ValueError, r"y must have shape \(4,\) or \(4, 1\)"),
        ([0, 1, np.nan, 0], ValueError, "y contains 1 NaN"),
        (["0", "1", "1", "0"], TypeError, "y must contain numbers"),
    ],
)
def test_bad_y(y, error, match):
    nn = NeuralNetwork(seed=0)
    with pytest.raises(error, match=match):
        nn.train(XOR_X, y, epochs=1)
    with pytest.raises(error, match=match):
        nn.loss(XOR_X, y)


def test_y_for_several_outputs_must_be_two_dimensional():
    with pytest.raises(ValueError, match=r"y must have shape \(4, 3\)"):
        NeuralNetwork(2, 4, 3, seed=0).train(XOR_X, XOR_Y, epochs=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": "10"}, TypeError, "epochs must be an integer"),
        ({"epochs": 10.0}, TypeError, "epochs must be an integer"),
        ({"epochs": True}, TypeError, "epochs must be an integer"),
        ({"epochs": None}, TypeError, "epochs must be an integer"),
        ({"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"epochs": -5}, ValueError, "epochs must be >= 1"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate must be a real number"),
        ({"learning_rate": False}, TypeError, "learning_rate must be a real number"),
        ({"learning_rate": 0}, ValueError, "learning_rate must be > 0"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate must be > 0"),
        ({"learning_rate": float("nan")}, ValueError, "learning_rate must be finite"),
        ({"learning_rate": float("inf")}, ValueError, "learning_rate must be finite"),
    ],
)
def test_bad_training_settings(kwargs, error, match):
    nn = NeuralNetwork(seed=0)
    before = nn.get_weights()
    with pytest.raises(error, match=match):
        nn.train(XOR_X, XOR_Y, **kwargs)
    np.testing.assert_array_equal(nn.weights1, before["weights1"])


def test_numpy_scalars_are_accepted_for_settings():
    nn = NeuralNetwork(np.int64(2), np.int32(3), 1, seed=np.int64(0))
    nn.train(XOR_X, XOR_Y, epochs=np.int64(2), learning_rate=np.float32(0.5))
    assert len(nn.loss_history) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"input_layer": 0}, ValueError, "input_layer must be >= 1"),
        ({"hidden_layer": -1}, ValueError, "hidden_layer must be >= 1"),
        ({"output_layer": 2.0}, TypeError, "output_layer must be an integer"),
        ({"hidden_layer": "4"}, TypeError, "hidden_layer must be an integer"),
        ({"seed": 1.5}, TypeError, "seed must be None, a non-negative integer .* got float"),
        ({"seed": -1}, ValueError, "seed must be non-negative, got -1"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        NeuralNetwork(**kwargs)


# ------------------------------------------------------------------ example


def test_example_script_runs_and_solves_xor():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "xor_tutorial.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    predictions = re.findall(r"prediction for \[(\d), (\d)\]: ([0-9.]+)", result.stdout)
    assert [(a, b) for a, b, _ in predictions] == [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]
    for a, b, value in predictions:
        assert abs(float(value) - (int(a) ^ int(b))) < 0.1
    assert "loss" in result.stdout
