"""Parity of the sequence layers with PyTorch (float64): the same weights, the same numbers.

``SimpleRNN``, ``LSTM``, ``GRU``, ``LayerNormalization`` and ``MultiHeadAttention``
against ``torch.nn.RNN``/``LSTM``/``GRU``/``LayerNorm``/``MultiheadAttention``, for
random sizes, with and without ``return_sequences``, causal masks and padding:
the output and every gradient (input and parameters) of ``L = sum(y * G)``
agree to 1e-5. The weight mappings are the ones the layers' docstrings give.

Padding: plainnet's mask (True for real steps, sequences padded at the end)
is torch's ``pack_padded_sequence`` for the recurrent layers (the state stops
at each sequence's last step, padded outputs are zeros) and
``key_padding_mask = ~mask`` for attention. Skipped when torch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from core_helpers import build_layer  # noqa: E402
from plainnet.layers import (  # noqa: E402
    GRU,
    LSTM,
    LayerNormalization,
    MultiHeadAttention,
    SimpleRNN,
)

TOL = 1e-5
pack = torch.nn.utils.rnn.pack_padded_sequence
unpack = torch.nn.utils.rnn.pad_packed_sequence


def tensor(array: np.ndarray, requires_grad: bool = False):
    return torch.tensor(np.ascontiguousarray(array), requires_grad=requires_grad)


def assert_close(actual: np.ndarray, expected, what: str) -> None:
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL, err_msg=what)


def random_sizes(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    batch, time = int(rng.integers(1, 4)), int(rng.integers(1, 8))
    return dict(batch=batch, time=time, features=int(rng.integers(1, 5)),
                units=int(rng.integers(1, 5)),
                lengths=rng.integers(1, time + 1, size=batch))  # padding at the end


# ---------------------------------------------------------------- recurrent
def blocks(units: int, order: list[int]) -> np.ndarray:
    """Column indices of the gate blocks in ``order`` (GRU: plainnet z, r, n -> torch r, z, n)."""
    return np.concatenate([np.arange(g * units, (g + 1) * units) for g in order])


RECURRENT = {  # plainnet type, torch type, torch's gate order in plainnet's blocks
    "SimpleRNN": (SimpleRNN, torch.nn.RNN, [0]),
    "LSTM": (LSTM, torch.nn.LSTM, [0, 1, 2, 3]),
    "GRU": (GRU, torch.nn.GRU, [1, 0, 2]),
}
RECURRENT_CASES = [(name, seed, sequences, padded) for name in RECURRENT for seed in range(4)
                   for sequences in (False, True) for padded in (False, True)]


@pytest.mark.parametrize("name, seed, return_sequences, padded", RECURRENT_CASES,
                         ids=[f"{n}-{s}-seq{r}-pad{p}" for n, s, r, p in RECURRENT_CASES])
def test_recurrent_layers_match_torch(name, seed, return_sequences, padded):
    cls, torch_cls, order = RECURRENT[name]
    size = random_sizes(seed)
    batch, time, features, units = (size[k] for k in ("batch", "time", "features", "units"))
    layer = build_layer(cls(units, return_sequences=return_sequences), (time, features))
    rng = np.random.default_rng(seed + 100)
    for param in layer.param_names:  # not the initial values: every entry matters
        getattr(layer, param)[...] = rng.normal(scale=0.5, size=getattr(layer, param).shape)
    x = rng.normal(size=(batch, time, features))
    mask = np.arange(time) < size["lengths"][:, None] if padded else None
    y = layer.forward(x, mask=mask)
    g = rng.normal(size=y.shape)
    grad_x = layer.backward(g)

    net = torch_cls(features, units, batch_first=True, dtype=torch.float64)
    index = blocks(units, order)
    recurrent_bias = getattr(layer, "recurrent_bias", np.zeros_like(layer.bias))
    with torch.no_grad():
        net.weight_ih_l0.copy_(tensor(layer.kernel[:, index].T))
        net.weight_hh_l0.copy_(tensor(layer.recurrent_kernel[:, index].T))
        net.bias_ih_l0.copy_(tensor(layer.bias[index]))
        net.bias_hh_l0.copy_(tensor(recurrent_bias[index]))
    x_t = tensor(x, requires_grad=True)
    if padded:
        lengths = torch.tensor(size["lengths"])
        packed, state = net(pack(x_t, lengths, batch_first=True, enforce_sorted=False))
        sequence, _ = unpack(packed, batch_first=True, total_length=time)
    else:
        sequence, state = net(x_t)
    last = (state[0] if name == "LSTM" else state)[0]  # (batch, units): the final h
    y_t = sequence if return_sequences else last
    (y_t * tensor(g)).sum().backward()

    assert_close(y, y_t, "output")
    assert_close(grad_x, x_t.grad, "dL/dx")
    assert_close(layer.grad_kernel, net.weight_ih_l0.grad.numpy().T[:, np.argsort(index)],
                 "dL/dkernel")
    assert_close(layer.grad_recurrent_kernel,
                 net.weight_hh_l0.grad.numpy().T[:, np.argsort(index)], "dL/drecurrent_kernel")
    assert_close(layer.grad_bias, net.bias_ih_l0.grad.numpy()[np.argsort(index)], "dL/dbias")
    if name == "GRU":
        assert_close(layer.grad_recurrent_bias, net.bias_hh_l0.grad.numpy()[np.argsort(index)],
                     "dL/drecurrent_bias")


# ----------------------------------------------------------- layer norm
@pytest.mark.parametrize("seed", range(4))
def test_layer_normalization_matches_torch(seed):
    size = random_sizes(seed)
    shape = (size["batch"], size["time"], size["features"] + 1)  # one feature has var 0
    rng = np.random.default_rng(seed + 200)
    layer = build_layer(LayerNormalization(epsilon=1e-5), shape[1:])
    layer.gamma[...] = rng.normal(size=shape[-1])
    layer.beta[...] = rng.normal(size=shape[-1])
    x = rng.normal(size=shape)
    y = layer.forward(x, training=True)
    g = rng.normal(size=y.shape)
    grad_x = layer.backward(g)

    norm = torch.nn.LayerNorm(shape[-1], eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        norm.weight.copy_(tensor(layer.gamma))
        norm.bias.copy_(tensor(layer.beta))
    x_t = tensor(x, requires_grad=True)
    y_t = norm(x_t)
    (y_t * tensor(g)).sum().backward()
    assert_close(y, y_t, "output")
    assert_close(grad_x, x_t.grad, "dL/dx")
    assert_close(layer.grad_gamma, norm.weight.grad, "dL/dgamma")
    assert_close(layer.grad_beta, norm.bias.grad, "dL/dbeta")


# ------------------------------------------------------------ attention
ATTENTION_CASES = [(seed, causal, padded) for seed in range(4) for causal in (False, True)
                   for padded in (False, True)]


@pytest.mark.parametrize("seed, causal, padded", ATTENTION_CASES,
                         ids=[f"{s}-causal{c}-pad{p}" for s, c, p in ATTENTION_CASES])
def test_multi_head_attention_matches_torch(seed, causal, padded):
    rng = np.random.default_rng(seed + 300)
    size = random_sizes(seed)
    heads, key_dim = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    width, batch, time = heads * key_dim, size["batch"], size["time"]
    layer = build_layer(MultiHeadAttention(heads, key_dim, causal=causal), (time, width))
    for param in layer.param_names:
        getattr(layer, param)[...] = rng.normal(scale=0.5, size=getattr(layer, param).shape)
    x = rng.normal(size=(batch, time, width))
    mask = np.arange(time) < size["lengths"][:, None] if padded else None
    y = layer.forward(x, mask=mask)
    g = rng.normal(size=y.shape)
    grad_x = layer.backward(g)

    attention = torch.nn.MultiheadAttention(width, heads, batch_first=True,
                                            dtype=torch.float64)
    parts = ("query", "key", "value")
    with torch.no_grad():
        attention.in_proj_weight.copy_(tensor(np.concatenate(
            [getattr(layer, f"{p}_kernel").reshape(width, width).T for p in parts])))
        attention.in_proj_bias.copy_(tensor(np.concatenate(
            [getattr(layer, f"{p}_bias").reshape(-1) for p in parts])))
        attention.out_proj.weight.copy_(tensor(layer.output_kernel.reshape(width, width).T))
        attention.out_proj.bias.copy_(tensor(layer.output_bias))
    x_t = tensor(x, requires_grad=True)
    causal_mask = torch.triu(torch.ones(time, time, dtype=torch.bool), 1) if causal else None
    padding = torch.tensor(~mask) if padded else None
    y_t, _ = attention(x_t, x_t, x_t, attn_mask=causal_mask, key_padding_mask=padding,
                       need_weights=False)
    (y_t * tensor(g)).sum().backward()

    assert_close(y, y_t, "output")
    assert_close(grad_x, x_t.grad, "dL/dx")
    in_weight = attention.in_proj_weight.grad.numpy()  # (3 * width, width)
    in_bias = attention.in_proj_bias.grad.numpy()
    for i, part in enumerate(parts):
        rows = slice(i * width, (i + 1) * width)
        assert_close(getattr(layer, f"grad_{part}_kernel"),
                     in_weight[rows].T.reshape(width, heads, key_dim), f"dL/d{part}_kernel")
        assert_close(getattr(layer, f"grad_{part}_bias"),
                     in_bias[rows].reshape(heads, key_dim), f"dL/d{part}_bias")
    assert_close(layer.grad_output_kernel,
                 attention.out_proj.weight.grad.numpy().T.reshape(heads, key_dim, width),
                 "dL/doutput_kernel")
    assert_close(layer.grad_output_bias, attention.out_proj.bias.grad, "dL/doutput_bias")


def test_the_random_sizes_cover_length_1_padding_and_several_heads():
    """The draws include what the parity must cover (so a reseed cannot lose it)."""
    sizes = [random_sizes(seed) for seed in range(4)]
    assert any(s["time"] == 1 for s in sizes) or any(min(s["lengths"]) == 1 for s in sizes)
    assert any(min(s["lengths"]) < s["time"] for s in sizes)  # some padding happens
    assert any(s["batch"] > 1 for s in sizes)
