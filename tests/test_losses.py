"""Tests for plainnet.losses: values, gradients, stability, targets, and every loss in a model."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from core_helpers import assert_gradcheck
from plainnet import Dense, Identity, Sequential, Sigmoid, Softmax, Tanh, losses
from plainnet.gradcheck import relative_error
from plainnet.losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy

LN = np.log


def numeric_loss_gradient(loss, y_true, y_pred, from_logits, eps=1e-6):
    """Central differences of ``loss(y_true, y_pred)`` with respect to ``y_pred``."""
    y_pred = np.array(y_pred, dtype=np.float64)
    grad = np.zeros_like(y_pred)
    for i in np.ndindex(y_pred.shape):
        original = y_pred[i]
        y_pred[i] = original + eps
        plus = loss(y_true, y_pred, from_logits=from_logits)
        y_pred[i] = original - eps
        minus = loss(y_true, y_pred, from_logits=from_logits)
        y_pred[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


# --------------------------------------------------------------- hand values


def test_mse_value_and_gradient_by_hand():
    y, p = np.array([[1.0], [2.0]]), np.array([[1.5], [1.0]])
    # mean of (0.5**2, 1**2) = 0.625; gradient 2 (p - y) / 2 = [0.5, -1]
    assert MSE()(y, p) == pytest.approx(0.625, rel=1e-15)
    np.testing.assert_allclose(MSE().gradient(y, p), [[0.5], [-1.0]], rtol=1e-15)


def test_mse_is_the_mean_over_all_elements():
    y = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    p = np.array([[1.0, 1.0, 0.0], [1.0, 3.0, 1.0]])
    # squared errors 1, 0, 4, 0, 4, 0 -> sum 9 over 6 elements
    assert MSE()(y, p) == pytest.approx(9 / 6, rel=1e-15)
    np.testing.assert_allclose(MSE().gradient(y, p), 2 * (p - y) / 6, rtol=1e-15)
    value, grad = MSE().value_and_gradient(y, p)
    assert value == pytest.approx(1.5) and np.allclose(grad, 2 * (p - y) / 6)


def test_binary_crossentropy_probabilities_by_hand():
    y, p = np.array([[1.0], [0.0]]), np.array([[0.8], [0.4]])
    expected = -(LN(0.8) + LN(0.6)) / 2
    assert BinaryCrossEntropy()(y, p, from_logits=False) == pytest.approx(expected, rel=1e-14)
    # dL/dp = (p - y) / (p (1 - p)) / n: (-0.2 / 0.16) / 2 and (0.4 / 0.24) / 2
    np.testing.assert_allclose(BinaryCrossEntropy().gradient(y, p, from_logits=False),
                               [[-0.625], [5 / 6]], rtol=1e-14)


def test_binary_crossentropy_multilabel_is_averaged_over_outputs_and_samples():
    y = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    p = np.array([[0.9, 0.2, 0.5], [0.3, 0.1, 0.6]])
    # as Keras and PyTorch: the mean over each sample's outputs, then over samples
    per_sample = [-(LN(0.9) + LN(0.8) + LN(0.5)) / 3, -(LN(0.7) + LN(0.9) + LN(0.6)) / 3]
    assert BinaryCrossEntropy()(y, p, from_logits=False) == pytest.approx(np.mean(per_sample))
    z = np.log(p / (1 - p))  # the same probabilities as logits
    assert BinaryCrossEntropy()(y, z, from_logits=True) == pytest.approx(np.mean(per_sample))


def test_binary_crossentropy_logits_by_hand():
    y, z = np.array([[1.0], [0.0]]), np.array([[0.0], [2.0]])
    # -log sigmoid(0) = ln 2; -log(1 - sigmoid(2)) = ln(1 + e^2)
    expected = (LN(2.0) + LN(1 + np.e**2)) / 2
    assert BinaryCrossEntropy()(y, z, from_logits=True) == pytest.approx(expected, rel=1e-14)
    # gradient (sigmoid(z) - y) / n
    s2 = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(BinaryCrossEntropy().gradient(y, z, from_logits=True),
                               [[-0.25], [s2 / 2]], rtol=1e-14)


def test_categorical_crossentropy_probabilities_by_hand():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -(LN(0.7) + LN(0.8)) / 2
    cce = CategoricalCrossEntropy()
    labels, onehot = np.array([0, 2]), np.eye(3)[[0, 2]]
    assert cce(labels, p, from_logits=False) == pytest.approx(expected, rel=1e-14)
    assert cce(onehot, p, from_logits=False) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(cce.gradient(labels, p, from_logits=False),
                               [[-1 / 0.7 / 2, 0, 0], [0, 0, -1 / 0.8 / 2]], rtol=1e-14)
    np.testing.assert_allclose(cce.gradient(onehot, p, from_logits=False),
                               cce.gradient(labels, p, from_logits=False), rtol=1e-14)


def test_categorical_crossentropy_logits_by_hand():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    labels = np.array([2, 1])
    expected = ((LN(np.e + np.e**2 + np.e**3) - 3) + LN(3.0)) / 2
    cce = CategoricalCrossEntropy()
    assert cce(labels, z, from_logits=True) == pytest.approx(expected, rel=1e-14)
    assert cce(np.eye(3)[labels], z, from_logits=True) == pytest.approx(expected, rel=1e-14)
    e = np.exp(z[0])
    grad = np.array([e / e.sum() - [0, 0, 1], [1 / 3, 1 / 3 - 1, 1 / 3]]) / 2
    np.testing.assert_allclose(cce.gradient(labels, z, from_logits=True), grad, rtol=1e-14)
    for targets in (labels, np.eye(3)[labels]):
        value, g = cce.value_and_gradient(targets, z, from_logits=True)
        assert value == pytest.approx(expected, rel=1e-14)
        np.testing.assert_allclose(g, grad, rtol=1e-14)


def test_soft_targets():
    z = np.array([[0.5, -0.5]])
    soft = np.array([[0.25, 0.75]])
    log_p = z - LN(np.exp(z).sum())
    expected = -(soft * log_p).sum()
    assert CategoricalCrossEntropy()(soft, z, from_logits=True) == pytest.approx(expected)


# -------------------------------------------------------------- gradients


@pytest.mark.parametrize("loss, y_true, from_logits", [
    (MSE(), "reg", None),
    (BinaryCrossEntropy(), "multi", True),
    (BinaryCrossEntropy(), "multi", False),
    (CategoricalCrossEntropy(), "labels", True),
    (CategoricalCrossEntropy(), "onehot", True),
    (CategoricalCrossEntropy(), "labels", False),
    (CategoricalCrossEntropy(), "onehot", False),
], ids=["mse", "bce-logits", "bce-probs", "cce-logits-labels", "cce-logits-onehot",
        "cce-probs-labels", "cce-probs-onehot"])
def test_loss_gradient_matches_finite_differences(loss, y_true, from_logits):
    rng = np.random.default_rng(3)
    targets = {
        "reg": rng.normal(size=(5, 3)),
        "multi": (rng.random((5, 3)) > 0.5).astype(float),
        "labels": np.array([0, 2, 1, 2, 0]),
        "onehot": np.eye(3)[[0, 2, 1, 2, 0]],
    }[y_true]
    if from_logits is False:
        y_pred = rng.uniform(0.05, 0.95, size=(5, 3))
        if isinstance(loss, CategoricalCrossEntropy):
            y_pred /= y_pred.sum(axis=1, keepdims=True)
    else:
        y_pred = rng.normal(size=(5, 3))
    analytic = loss.gradient(targets, y_pred, from_logits=from_logits)
    numeric = numeric_loss_gradient(loss, targets, y_pred, from_logits)
    assert analytic.shape == y_pred.shape
    assert relative_error(analytic, numeric) < 1e-8
    value, grad = loss.value_and_gradient(targets, y_pred, from_logits=from_logits)
    assert value == pytest.approx(loss(targets, y_pred, from_logits=from_logits), rel=1e-14)
    np.testing.assert_allclose(grad, analytic, rtol=1e-14)


# --------------------------------------------------------------- stability


def quiet():
    """A context in which any RuntimeWarning or overflow/invalid/divide is an error."""
    context = warnings.catch_warnings()

    class Both:
        def __enter__(self):
            context.__enter__()
            warnings.simplefilter("error")
            self.err = np.errstate(over="raise", invalid="raise", divide="raise")
            self.err.__enter__()

        def __exit__(self, *exc):
            self.err.__exit__(*exc)
            context.__exit__(*exc)

    return Both()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_categorical_from_logits_is_stable_with_huge_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    labels = np.array([1, 0, 0])
    cce = CategoricalCrossEntropy()
    with quiet():
        value = cce(labels, z, from_logits=True)
        grad = cce.gradient(labels, z, from_logits=True)
        value2, grad2 = cce.value_and_gradient(np.eye(3, dtype=dtype)[labels], z,
                                               from_logits=True)
    # sample losses: 2e4 (the true class is 2e4 below the max), ln 3, ln 2
    expected = (2e4 + LN(3) + LN(2)) / 3
    assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-6)
    assert value2 == pytest.approx(expected, rel=1e-6)
    assert np.all(np.isfinite(grad)) and grad.dtype == dtype and grad2.dtype == dtype
    np.testing.assert_allclose(grad[0], np.array([1, -1, 0]) / 3, atol=1e-7)
    np.testing.assert_allclose(grad2, grad, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_from_logits_is_stable(dtype):
    z = np.array([[1e4], [-1e4], [1e4], [-1e4], [800.0]], dtype=dtype)
    y = np.array([[1.0], [0.0], [0.0], [1.0], [1.0]], dtype=dtype)
    bce = BinaryCrossEntropy()
    with quiet():
        value = bce(y, z, from_logits=True)
        grad = bce.gradient(y, z, from_logits=True)
    # right answers with certainty cost 0; wrong ones cost |z|
    assert value == pytest.approx((0 + 0 + 1e4 + 1e4 + 0) / 5, rel=1e-6)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad.ravel(), np.array([0, 0, 1, -1, 0]) / 5, atol=1e-7)


def test_probability_losses_clip_instead_of_returning_inf():
    with quiet():
        bce = BinaryCrossEntropy()(np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]]),
                                   from_logits=False)
        cce = CategoricalCrossEntropy()(np.array([0]), np.array([[0.0, 1.0]]), from_logits=False)
        grad = BinaryCrossEntropy().gradient(np.array([[1.0]]), np.array([[0.0]]),
                                             from_logits=False)
    assert bce == pytest.approx(-LN(1e-7), rel=1e-6)
    assert cce == pytest.approx(-LN(1e-7), rel=1e-6)
    assert np.isfinite(grad).all()


# ------------------------------------------------------------------ targets


def test_prepare_targets_shapes_and_types():
    y = MSE().prepare_targets([1, 2, 3], 1, np.dtype(np.float32))
    assert y.shape == (3, 1) and y.dtype == np.float32
    labels = CategoricalCrossEntropy().prepare_targets([0.0, 2.0, 1.0], 3, np.dtype(np.float32))
    assert labels.dtype.kind == "i" and labels.tolist() == [0, 2, 1]
    onehot = CategoricalCrossEntropy().prepare_targets(np.eye(3), 3, np.dtype(np.float32))
    assert onehot.dtype == np.float32 and onehot.shape == (3, 3)
    with pytest.raises(ValueError, match=r"y has shape \(3,\), but the model gives 2 output"):
        MSE().prepare_targets([1, 2, 3], 2, np.dtype(np.float64))


def test_a_column_of_class_labels_is_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"y has shape \(3, 1\), .* 1-D, .*y\.ravel\(\)"):
        CategoricalCrossEntropy().prepare_targets([[0], [2], [1]], 3, np.dtype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_value_and_gradient_from_logits_equal_the_separate_calls(dtype):
    rng = np.random.default_rng(0)
    z = (30 * rng.normal(size=(20, 3))).astype(dtype)  # saturated logits too
    y = (rng.random((20, 3)) > 0.5).astype(dtype)
    loss = BinaryCrossEntropy(from_logits=True)
    value, grad = loss.value_and_gradient(y, z)
    assert value == loss(y, z)
    np.testing.assert_array_equal(grad, loss.gradient(y, z))
    assert grad.dtype == dtype


@pytest.mark.parametrize("loss, y, n_outputs, message", [
    (BinaryCrossEntropy(), [0, 1, 2], 1, r"values in \[0, 1\] .* from 0 to 2"),
    (BinaryCrossEntropy(), [[0, -1]], 2, r"values in \[0, 1\]"),
    (CategoricalCrossEntropy(), [0, 3], 3, r"class labels in \[0, 2\] .* from 0 to 3"),
    (CategoricalCrossEntropy(), [-1, 1], 3, r"class labels in \[0, 2\]"),
    (CategoricalCrossEntropy(), [0.5, 1], 3, "integer class labels"),
    (CategoricalCrossEntropy(), [[1, 1, 0]], 3, "one-hot"),
    (CategoricalCrossEntropy(), [[-1, 2, 0]], 3, "one-hot"),
    (CategoricalCrossEntropy(), [0, 1], 1, "at least 2 outputs"),
    (MSE(), [[1, np.nan]], 2, "y contains 1 NaN or infinite"),
])
def test_prepare_targets_errors(loss, y, n_outputs, message):
    with pytest.raises(ValueError, match=message):
        loss.prepare_targets(y, n_outputs, np.dtype(np.float64))


def test_get_by_name_and_object():
    assert isinstance(losses.get("mse"), MSE)
    assert isinstance(losses.get("MSE"), MSE)
    assert isinstance(losses.get("binary_crossentropy"), BinaryCrossEntropy)
    assert isinstance(losses.get("categorical_crossentropy"), CategoricalCrossEntropy)
    obj = BinaryCrossEntropy(from_logits=True)
    assert losses.get(obj) is obj
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; expected one of \["):
        losses.get("hinge")
    with pytest.raises(TypeError, match="loss must be a name or a plainnet Loss object"):
        losses.get(None)
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        BinaryCrossEntropy(from_logits="yes")


# -------------------------------------------------------- every loss in a model


def model_for(layers, loss, seed=0):
    model = Sequential(layers, seed=seed, dtype=np.float64)
    model.compile(loss=loss, optimizer="sgd")
    return model


def test_gradcheck_mse_single_output(tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 1)], "mse")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg[:, 0])


def test_gradcheck_mse_multi_output(tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 2)], "mse")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_reg)


def test_gradcheck_bce_fused_with_sigmoid(tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 1), Sigmoid()],
                      "binary_crossentropy")
    assert model._fused
    assert_gradcheck(model, tiny_data.X, tiny_data.y_bin)


def test_gradcheck_bce_fused_with_explicit_from_logits_false(tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 1), Sigmoid()],
                      BinaryCrossEntropy(from_logits=False))
    assert_gradcheck(model, tiny_data.X, tiny_data.y_bin)


def test_gradcheck_bce_from_logits_on_dense_output(tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 1)], "binary_crossentropy")
    assert model.outputs_are_logits
    assert_gradcheck(model, tiny_data.X, tiny_data.y_bin)


def test_gradcheck_bce_on_probabilities_unfused(tiny_data):
    # Sigmoid followed by Identity: the loss sees probabilities and uses the clipped formula
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 1), Sigmoid(), Identity()],
                      BinaryCrossEntropy(from_logits=False))
    assert not model._fused and not model.outputs_are_logits
    assert_gradcheck(model, tiny_data.X, tiny_data.y_bin)


def test_gradcheck_multilabel_bce(tiny_data):
    model = model_for([Dense(3, 5, activation="tanh"), Dense(5, 4), Sigmoid()],
                      "binary_crossentropy")
    assert_gradcheck(model, tiny_data.X, tiny_data.y_multi)
    logits = model_for([Dense(3, 5, activation="tanh"), Dense(5, 4)], "binary_crossentropy")
    assert_gradcheck(logits, tiny_data.X, tiny_data.y_multi)


@pytest.mark.parametrize("targets", ["labels", "onehot"])
def test_gradcheck_cce_fused_with_softmax(targets, tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 3), Softmax()],
                      "categorical_crossentropy")
    assert model._fused
    assert_gradcheck(model, tiny_data.X, getattr(tiny_data, targets))


@pytest.mark.parametrize("targets", ["labels", "onehot"])
def test_gradcheck_cce_from_logits_on_dense_output(targets, tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 3)], "categorical_crossentropy")
    assert model.outputs_are_logits
    assert_gradcheck(model, tiny_data.X, getattr(tiny_data, targets))


@pytest.mark.parametrize("targets", ["labels", "onehot"])
def test_gradcheck_cce_on_probabilities_unfused(targets, tiny_data):
    model = model_for([Dense(3, 4, activation="tanh"), Dense(4, 3), Softmax(), Identity()],
                      CategoricalCrossEntropy(from_logits=False))
    assert not model._fused
    assert_gradcheck(model, tiny_data.X, getattr(tiny_data, targets))


def test_fused_and_unfused_give_the_same_loss_and_gradients(tiny_data):
    """Softmax + CCE fused equals the two steps done separately (at moderate logits)."""
    layers = lambda: [Dense(3, 4, activation="tanh"), Dense(4, 3), Softmax()]  # noqa: E731
    fused = model_for(layers(), "categorical_crossentropy", seed=5)
    unfused = model_for(layers() + [Identity()], CategoricalCrossEntropy(from_logits=False),
                        seed=5)
    assert fused._fused and not unfused._fused
    X, y = tiny_data.X, tiny_data.labels
    assert fused.evaluate(X, y)["loss"] == pytest.approx(unfused.evaluate(X, y)["loss"],
                                                         rel=1e-12)
    for model in (fused, unfused):
        model.fit(X, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for (_, a, ga), (_, b, gb) in zip(fused.parameters(), unfused.parameters()):
        np.testing.assert_allclose(ga, gb, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_categorical_on_sigmoid_output_reads_probabilities(tiny_data):
    model = model_for([Dense(3, 3), Sigmoid()], "categorical_crossentropy")
    assert not model._fused and not model.outputs_are_logits
    p = model.predict(tiny_data.X)
    expected = -np.mean(np.log(p[np.arange(8), tiny_data.labels]))
    assert model.evaluate(tiny_data.X, tiny_data.labels)["loss"] == pytest.approx(expected)
    assert_gradcheck(model, tiny_data.X, tiny_data.labels)


def test_loss_value_in_a_model_matches_the_hand_formula(tiny_data):
    model = model_for([Dense(3, 2)], "mse")
    pred = model.predict(tiny_data.X)
    assert model.evaluate(tiny_data.X, tiny_data.y_reg)["loss"] == pytest.approx(
        np.mean((pred - tiny_data.y_reg) ** 2), rel=1e-12)
    bce = model_for([Dense(3, 1), Tanh(), Dense(1, 1), Sigmoid()], "binary_crossentropy")
    p = bce.predict(tiny_data.X).ravel()
    y = tiny_data.y_bin
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert bce.evaluate(tiny_data.X, y)["loss"] == pytest.approx(expected, rel=1e-10)
