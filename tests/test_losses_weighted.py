"""MAE and Huber, weighted losses, and losses over sequences (positions beyond the batch)."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet.losses import MAE, MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Huber, get

ALL_LOSSES = [
    (MSE(), "real"), (MAE(), "real"), (Huber(0.7), "real"),
    (BinaryCrossEntropy(from_logits=True), "binary"),
    (BinaryCrossEntropy(from_logits=False), "probability"),
    (CategoricalCrossEntropy(from_logits=True), "labels"),
    (CategoricalCrossEntropy(from_logits=False), "softmax"),
]


def targets_and_outputs(kind, shape, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=shape)
    if kind == "real":
        return rng.normal(size=shape), z
    if kind == "binary":
        return (rng.random(shape) > 0.5).astype(float), z
    if kind == "probability":
        return (rng.random(shape) > 0.5).astype(float), 1 / (1 + np.exp(-z))
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    if kind == "labels":
        return labels, z
    return labels, np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def numeric_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + eps
        plus = f(x)
        x[i] = keep - eps
        minus = f(x)
        x[i] = keep
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def test_mae_and_huber_by_hand():
    y = np.array([[0.0, 1.0], [2.0, -1.0]])
    p = np.array([[0.5, 3.0], [2.0, -1.2]])
    # errors 0.5, 2, 0, 0.2: MAE = mean(|d|) = 2.7 / 4
    assert MAE()(y, p) == pytest.approx(2.7 / 4, rel=1e-15)
    np.testing.assert_allclose(MAE().gradient(y, p), np.sign(p - y) / 4)
    # Huber(1): 0.125, 1 * (2 - 0.5) = 1.5, 0, 0.02 -> mean 1.645 / 4
    assert Huber()(y, p) == pytest.approx(1.645 / 4, rel=1e-14)
    np.testing.assert_allclose(Huber().gradient(y, p), np.clip(p - y, -1, 1) / 4)
    assert isinstance(get("mae"), MAE) and isinstance(get("huber"), Huber)
    with pytest.raises(ValueError, match="delta must be"):
        Huber(delta=0)


@pytest.mark.parametrize("loss, kind", ALL_LOSSES, ids=lambda v: repr(v))
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 3)], ids=["table", "sequence"])
def test_weighted_gradient_matches_finite_differences(loss, kind, shape):
    y, z = targets_and_outputs(kind, shape)
    weights = np.random.default_rng(1).random(shape[:-1])  # per position
    numeric = numeric_gradient(lambda v: loss(y, v, sample_weight=weights), z.copy())
    value, grad = loss.value_and_gradient(y, z.copy(), sample_weight=weights)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    assert value == pytest.approx(loss(y, z, sample_weight=weights), rel=1e-12)
    np.testing.assert_allclose(loss.gradient(y, z.copy(), sample_weight=weights), grad,
                               rtol=1e-12)


@pytest.mark.parametrize("loss, kind", ALL_LOSSES, ids=lambda v: repr(v))
def test_weighted_loss_is_the_hand_sum_over_the_batch_size(loss, kind):
    y, z = targets_and_outputs(kind, (6, 3), seed=2)
    w = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0])
    per_sample = np.array([loss(y[i:i + 1], z[i:i + 1]) for i in range(6)])
    expected = (w * per_sample).sum() / 6  # Keras's rule: divided by the batch size
    assert loss(y, z, sample_weight=w) == pytest.approx(expected, rel=1e-12)
    # weight 2 is the sample counted twice; weight 0 leaves it out
    unweighted = loss(y, z)
    assert loss(y, z, sample_weight=np.ones(6)) == pytest.approx(unweighted, rel=1e-12)


def test_sparse_categorical_over_sequences_averages_every_position():
    y, z = targets_and_outputs("labels", (2, 4, 5), seed=3)
    log_probs = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    expected = -np.mean(np.take_along_axis(log_probs, y[..., None], axis=-1))
    loss = CategoricalCrossEntropy(from_logits=True)
    assert loss(y, z) == pytest.approx(expected, rel=1e-12)
    value, grad = loss.value_and_gradient(y, z)
    probs = np.exp(log_probs)
    onehot = np.eye(5)[y]
    np.testing.assert_allclose(grad, (probs - onehot) / 8, rtol=1e-12)


def test_mae_and_huber_agree_with_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    y, p = targets_and_outputs("real", (7, 3), seed=4)
    p *= 3
    pairs = [(MAE(), torch.nn.L1Loss()), (Huber(0.8), torch.nn.HuberLoss(delta=0.8))]
    for loss, reference in pairs:
        pt = torch.tensor(p, requires_grad=True)
        value = reference(pt, torch.tensor(y))
        value.backward()
        assert loss(y, p) == pytest.approx(value.item(), rel=1e-12)
        np.testing.assert_allclose(loss.gradient(y, p), pt.grad.numpy(), rtol=1e-12)


def test_binary_crossentropy_multi_output_agrees_with_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    y, z = targets_and_outputs("binary", (6, 4), seed=5)
    zt = torch.tensor(z, requires_grad=True)
    value = torch.nn.BCEWithLogitsLoss()(zt, torch.tensor(y))
    value.backward()
    loss = BinaryCrossEntropy(from_logits=True)
    assert loss(y, z) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(loss.gradient(y, z), zt.grad.numpy(), rtol=1e-10)


def test_a_loss_without_per_position_says_it_cannot_weight():
    class OnlyCall(MSE):
        per_position = MSE.__mro__[1].per_position

    with pytest.raises(NotImplementedError, match="cannot weight samples"):
        OnlyCall()(np.zeros((2, 1)), np.ones((2, 1)), sample_weight=np.ones(2))
