"""Parity with PyTorch on random MLPs (float64): outputs, losses, gradients, optimizer steps.

plainnet stores a Dense weight as (n_inputs, n_outputs) and computes ``x @ W + b``;
torch.nn.Linear stores (out, in) and computes ``x @ W.T + b``, so weights are copied
transposed. Skipped when torch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from plainnet import SGD, Adam, Dense, Sequential, Sigmoid, Softmax  # noqa: E402
from plainnet.losses import BinaryCrossEntropy  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12
N_SAMPLES, N_INPUTS = 12, 5

TORCH_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": lambda: nn.LeakyReLU(negative_slope=0.01),
}

# name -> (number of outputs, plainnet final layer or None, plainnet loss, torch loss,
#          how torch turns logits into the model's outputs)
LOSSES = {
    "mse": (3, None, "mse", nn.MSELoss(), lambda z: z),
    "bce_logits": (1, None, "binary_crossentropy", nn.BCEWithLogitsLoss(), lambda z: z),
    "bce_sigmoid": (1, Sigmoid, "binary_crossentropy", nn.BCEWithLogitsLoss(), torch.sigmoid),
    # plainnet's binary cross-entropy averages over the labels and the samples, as torch's
    "bce_multilabel": (3, None, BinaryCrossEntropy, nn.BCEWithLogitsLoss(), lambda z: z),
    "mae": (3, None, "mae", nn.L1Loss(), lambda z: z),
    "huber": (3, None, "huber", nn.HuberLoss(), lambda z: z),
    "ce_logits": (3, None, "categorical_crossentropy", nn.CrossEntropyLoss(), lambda z: z),
    "ce_softmax": (3, Softmax, "categorical_crossentropy", nn.CrossEntropyLoss(),
                   lambda z: torch.softmax(z, dim=1)),
}


def make_pair(seed, activation, loss_name, hidden=(8,)):
    """A plainnet model and a torch model with identical float64 weights."""
    n_outputs, final, _, _, _ = LOSSES[loss_name]
    sizes = [N_INPUTS, *hidden, n_outputs]
    layers, torch_layers = [], []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        layers.append(Dense(n_in, n_out, activation=None if last else activation,
                            bias_init="normal" if i % 2 else "zeros"))
        torch_layers.append(nn.Linear(n_in, n_out, dtype=torch.float64))
        if not last:
            torch_layers.append(TORCH_ACTIVATIONS[activation]())
    if final is not None:
        layers.append(final())
    model = Sequential(layers, seed=seed, dtype=np.float64)
    net = nn.Sequential(*torch_layers)
    dense_layers = [layer for layer in model.layers if isinstance(layer, Dense)]
    linears = [m for m in net if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for dense, linear in zip(dense_layers, linears):
            linear.weight.copy_(torch.from_numpy(dense.weights.T))
            linear.bias.copy_(torch.from_numpy(dense.bias))
    return model, net, dense_layers, linears


def make_data(seed, loss_name, n=N_SAMPLES):
    rng = np.random.default_rng(1000 + seed)
    X = rng.normal(size=(n, N_INPUTS))
    n_outputs = LOSSES[loss_name][0]
    if loss_name in ("mse", "mae", "huber"):
        y = 2 * rng.normal(size=(n, n_outputs))  # errors on both sides of Huber's delta
        return X, y, torch.from_numpy(y)
    if loss_name.startswith("bce"):
        y = (rng.random((n, n_outputs)) > 0.5).astype(np.float64)
        return X, y, torch.from_numpy(y)
    y = rng.integers(0, n_outputs, size=n)
    return X, y, torch.from_numpy(y).long()


def compile_model(model, loss_name, optimizer):
    loss = LOSSES[loss_name][2]
    model.compile(loss=loss() if isinstance(loss, type) else loss, optimizer=optimizer)


def torch_loss(loss_name, net, X, y_t):
    return LOSSES[loss_name][3](net(torch.from_numpy(X)), y_t)


def assert_same_parameters(dense_layers, linears, rtol=RTOL, atol=ATOL):
    for dense, linear in zip(dense_layers, linears):
        np.testing.assert_allclose(dense.weights, linear.weight.detach().numpy().T,
                                   rtol=rtol, atol=atol)
        np.testing.assert_allclose(dense.bias, linear.bias.detach().numpy(),
                                   rtol=rtol, atol=atol)


CASES = [(seed, activation, loss_name)
         for seed, (activation, loss_name) in enumerate(
             (a, lo) for a in TORCH_ACTIVATIONS for lo in LOSSES)]


@pytest.mark.parametrize("seed, activation, loss_name", CASES)
def test_forward_loss_and_gradients(seed, activation, loss_name):
    hidden = (8,) if seed % 2 else (8, 6)
    model, net, dense_layers, linears = make_pair(seed, activation, loss_name, hidden)
    X, y, y_t = make_data(seed, loss_name)
    compile_model(model, loss_name, SGD(learning_rate=0.0))

    to_outputs = LOSSES[loss_name][4]
    expected = to_outputs(net(torch.from_numpy(X))).detach().numpy()
    np.testing.assert_allclose(model.predict(X), expected, rtol=RTOL, atol=ATOL)

    loss_t = torch_loss(loss_name, net, X, y_t)
    loss_t.backward()
    assert model.evaluate(X, y)["loss"] == pytest.approx(loss_t.item(), rel=RTOL)

    history = model.fit(X, y, epochs=1, batch_size=N_SAMPLES, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(loss_t.item(), rel=RTOL)
    for dense, linear in zip(dense_layers, linears):
        np.testing.assert_allclose(dense.grad_weights, linear.weight.grad.numpy().T,
                                   rtol=1e-9, atol=ATOL)
        np.testing.assert_allclose(dense.grad_bias, linear.bias.grad.numpy(),
                                   rtol=1e-9, atol=ATOL)
    assert_same_parameters(dense_layers, linears)  # lr 0: nothing moved


OPTIMIZERS = {
    "sgd": (lambda: SGD(learning_rate=0.1),
            lambda p: torch.optim.SGD(p, lr=0.1)),
    "momentum": (lambda: SGD(learning_rate=0.05, momentum=0.9),
                 lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "nesterov": (lambda: SGD(learning_rate=0.05, momentum=0.8, nesterov=True),
                 lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
    "adam": (lambda: Adam(learning_rate=0.01),
             lambda p: torch.optim.Adam(p, lr=0.01)),
    "adam_betas": (lambda: Adam(learning_rate=0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
                   lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
}


def torch_steps(net, optimizer, loss_name, batches):
    losses = []
    for xb, yb in batches:
        optimizer.zero_grad()
        loss = torch_loss(loss_name, net, xb, yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
@pytest.mark.parametrize("loss_name", ["mse", "bce_sigmoid", "ce_logits", "ce_softmax"])
def test_full_batch_steps(optimizer_name, loss_name):
    seed = list(OPTIMIZERS).index(optimizer_name) + 10
    activation = list(TORCH_ACTIVATIONS)[seed % 4]
    model, net, dense_layers, linears = make_pair(seed, activation, loss_name)
    X, y, y_t = make_data(seed, loss_name)
    make_ours, make_theirs = OPTIMIZERS[optimizer_name]
    compile_model(model, loss_name, make_ours())
    optimizer = make_theirs(net.parameters())

    # one step
    model.fit(X, y, epochs=1, batch_size=N_SAMPLES, shuffle=False, verbose=0)
    torch_steps(net, optimizer, loss_name, [(X, y_t)])
    assert_same_parameters(dense_layers, linears)

    # several more (momentum and moment estimates carry over between fit calls)
    history = model.fit(X, y, epochs=5, batch_size=N_SAMPLES, shuffle=False, verbose=0)
    torch_losses = torch_steps(net, optimizer, loss_name, [(X, y_t)] * 5)
    assert_same_parameters(dense_layers, linears, rtol=1e-9)
    np.testing.assert_allclose(history.history["loss"], torch_losses, rtol=1e-9)


@pytest.mark.parametrize("optimizer_name", ["momentum", "adam"])
def test_minibatch_fit_matches_a_torch_loop(optimizer_name):
    loss_name, n, batch_size, epochs = "ce_softmax", 10, 4, 3
    model, net, dense_layers, linears = make_pair(7, "tanh", loss_name)
    X, y, y_t = make_data(7, loss_name, n=n)
    make_ours, make_theirs = OPTIMIZERS[optimizer_name]
    compile_model(model, loss_name, make_ours())
    optimizer = make_theirs(net.parameters())

    history = model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    batches = [(X[i:i + batch_size], y_t[i:i + batch_size]) for i in range(0, n, batch_size)]
    assert [len(b[0]) for b in batches] == [4, 4, 2]  # the last batch is smaller
    torch_losses = []
    for _ in range(epochs):
        per_batch = torch_steps(net, optimizer, loss_name, batches)
        # the epoch loss is the sample-weighted mean of the batch losses
        torch_losses.append(sum(loss * len(b[0]) for loss, b in zip(per_batch, batches)) / n)
    assert_same_parameters(dense_layers, linears, rtol=1e-9)
    np.testing.assert_allclose(history.history["loss"], torch_losses, rtol=1e-9)
