"""``SimpleRNN``, ``LSTM``, ``GRU``: values by hand, initial weights, masks, bad input.

Shapes, config, save/load, dtypes and finite-difference gradients are checked
by the layer-contract harness; agreement with PyTorch by
``test_layers_sequence_torch.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer, numeric_gradient
from plainnet.gradcheck import relative_error
from plainnet.layers import GRU, LSTM, SimpleRNN

TYPES = [SimpleRNN, LSTM, GRU]


def randomized(layer, seed: int = 0, scale: float = 0.6):
    rng = np.random.default_rng(seed)
    for name in layer.param_names:
        array = getattr(layer, name)
        array[...] = rng.normal(scale=scale, size=array.shape)
    return layer


def test_simple_rnn_by_hand():
    # one unit: h_t = tanh(x_t * w + h_{t-1} * u + b)
    layer = build_layer(SimpleRNN(1, return_sequences=True), (2, 1))
    layer.kernel[...], layer.recurrent_kernel[...], layer.bias[...] = 0.5, -2.0, 0.1
    h1 = np.tanh(1.0 * 0.5 + 0.1)
    h2 = np.tanh(3.0 * 0.5 + h1 * -2.0 + 0.1)
    y = layer.forward(np.array([[[1.0], [3.0]]]))
    np.testing.assert_allclose(y[0, :, 0], [h1, h2], rtol=1e-12)


def test_lstm_by_hand():
    # one unit, all weights zero but the biases: z = bias at every step
    layer = build_layer(LSTM(1, return_sequences=True), (2, 1))
    layer.kernel[...] = layer.recurrent_kernel[...] = 0.0
    layer.bias[...] = [0.3, -0.2, 0.5, 1.0]  # i, f, g, o
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sig(0.3), sig(-0.2), np.tanh(0.5), sig(1.0)
    c1 = i * g
    c2 = f * c1 + i * g
    y = layer.forward(np.zeros((1, 2, 1)))
    np.testing.assert_allclose(y[0, :, 0], [o * np.tanh(c1), o * np.tanh(c2)], rtol=1e-12)


def test_gru_by_hand():
    # one unit: z, r from biases only; n = tanh(bx_n + r * (h * u_n + bh_n))
    layer = build_layer(GRU(1), (2, 1))
    layer.kernel[...] = 0.0
    layer.recurrent_kernel[...] = [[0.0, 0.0, 2.0]]  # z, r, n
    layer.bias[...] = [0.4, -0.3, 0.2]
    layer.recurrent_bias[...] = [0.1, 0.2, -0.5]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    z, r = sig(0.5), sig(-0.1)
    h = 0.0
    for _ in range(2):
        n = np.tanh(0.2 + r * (h * 2.0 - 0.5))
        h = z * h + (1 - z) * n
    np.testing.assert_allclose(layer.forward(np.zeros((1, 2, 1)))[0, 0], h, rtol=1e-12)


@pytest.mark.parametrize("cls", TYPES)
def test_initial_weights(cls):
    units = 4
    layer = build_layer(cls(units), (3, 5), dtype=np.float32)
    for g in range(cls.gates):  # every gate's square block of recurrent_kernel is orthogonal
        block = layer.recurrent_kernel[:, g * units:(g + 1) * units].astype(np.float64)
        np.testing.assert_allclose(block.T @ block, np.eye(units), atol=1e-6)
    expected_bias = np.zeros(cls.gates * units)
    if cls is LSTM:
        expected_bias[units:2 * units] = 1.0  # forget gate (order i, f, g, o)
    np.testing.assert_array_equal(layer.bias, expected_bias)
    assert layer.kernel.shape == (5, cls.gates * units)
    assert layer.kernel.dtype == layer.recurrent_kernel.dtype == np.float32


@pytest.mark.parametrize("cls", TYPES)
def test_last_output_is_the_last_step_of_the_sequence(cls):
    x = np.random.default_rng(1).normal(size=(2, 5, 3))
    seq = randomized(build_layer(cls(4, return_sequences=True), (5, 3)))
    last = build_layer(cls(4), (5, 3))
    for name in seq.param_names:
        getattr(last, name)[...] = getattr(seq, name)
    np.testing.assert_array_equal(last.forward(x), seq.forward(x)[:, -1])


@pytest.mark.parametrize("cls", TYPES)
def test_any_length_when_time_is_none(cls):
    layer = build_layer(cls(2, return_sequences=True), (None, 3))
    assert layer.output_shape == (None, 2)
    for time in (1, 4, 9):
        assert layer.forward(np.ones((2, time, 3))).shape == (2, time, 2)


# ------------------------------------------------------------------ masks
@pytest.mark.parametrize("cls", TYPES)
def test_padding_at_the_end_gives_the_unpadded_result(cls):
    """With the mask, a padded sequence ends in the state of its last real step."""
    rng = np.random.default_rng(2)
    layer = randomized(build_layer(cls(3), (None, 2)), seed=3)
    x = rng.normal(size=(2, 6, 2))
    mask = np.array([[True] * 4 + [False] * 2, [True] * 6])
    y = layer.forward(x, mask=mask)
    np.testing.assert_allclose(y[0], layer.forward(x[:1, :4])[0], rtol=1e-12)
    np.testing.assert_allclose(y[1], layer.forward(x[1:])[0], rtol=1e-12)
    assert not np.allclose(y[0], layer.forward(x[:1])[0])  # without the mask it differs


@pytest.mark.parametrize("cls", TYPES)
def test_masked_steps_carry_the_state_and_give_zeros(cls):
    rng = np.random.default_rng(4)
    layer = randomized(build_layer(cls(3, return_sequences=True), (5, 2)), seed=5)
    x = rng.normal(size=(2, 5, 2))
    mask = np.array([[True, False, True, True, False], [False, True, True, False, True]])
    y = layer.forward(x, mask=mask)
    np.testing.assert_array_equal(y[~mask], 0.0)  # padded steps output zeros
    np.testing.assert_array_equal(layer.hidden[0, 1], layer.hidden[0, 0])  # state carried
    # the padded steps' inputs change nothing, and get no gradient
    changed = x.copy()
    changed[~mask] = 10.0
    np.testing.assert_array_equal(layer.forward(changed, mask=mask), y)
    grad_x = layer.backward(rng.normal(size=y.shape))
    np.testing.assert_array_equal(grad_x[~mask], 0.0)
    assert np.all(np.abs(grad_x[mask]).sum(axis=-1) > 0)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cls", TYPES)
def test_gradients_with_a_mask_match_finite_differences(cls, return_sequences):
    rng = np.random.default_rng(6)
    layer = randomized(build_layer(cls(2, return_sequences=return_sequences), (5, 3)), seed=7)
    x = rng.normal(size=(3, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 0, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    g = rng.normal(size=layer.forward(x, mask=mask).shape)

    def loss() -> float:
        return float(np.sum(layer.forward(x, mask=mask) * g))

    layer.forward(x, mask=mask)
    grad_x = layer.backward(g)
    analytic = {name: getattr(layer, "grad_" + name).copy() for name in layer.param_names}
    assert relative_error(grad_x, numeric_gradient(loss, x)) < 1e-7
    for name in layer.param_names:
        assert relative_error(analytic[name], numeric_gradient(loss, getattr(layer, name))) \
            < 1e-7, name


@pytest.mark.parametrize("cls", TYPES)
def test_mask_goes_on_only_with_the_sequence(cls):
    mask = np.ones((2, 3), dtype=bool)
    assert cls(2).supports_masking
    assert cls(2).compute_mask(None, mask) is None
    assert cls(2, return_sequences=True).compute_mask(None, mask) is mask


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", TYPES)
def test_a_table_is_refused_naming_the_layer(cls):
    layer = build_layer(cls(2), (4, 3))
    with pytest.raises(ValueError, match=rf"{cls.__name__}\) expects inputs of shape "
                                         r"\(batch, time, 3\), got \(5, 3\)"):
        layer.forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"\(batch, time, 3\), got \(5, 4, 2\)"):
        layer.forward(np.ones((5, 4, 2)))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(time, features\).*got \(3,\)"):
        build_layer(cls(2), (3,))
    with pytest.raises(ValueError, match=r"mask of shape \(batch, time\) = \(5, 4\), got \(5, 3\)"):
        layer.forward(np.ones((5, 4, 3)), mask=np.ones((5, 3), dtype=bool))


@pytest.mark.parametrize("cls", TYPES)
def test_bad_arguments(cls):
    with pytest.raises(ValueError, match="units must be >= 1, got 0"):
        cls(0)
    with pytest.raises(TypeError, match="return_sequences must be True or False"):
        cls(2, return_sequences="yes")
    with pytest.raises(ValueError, match="unknown initializer 'nope'"):
        cls(2, recurrent_init="nope")


@pytest.mark.parametrize("cls", TYPES)
def test_masks_keep_float32(cls):
    layer = build_layer(cls(2, return_sequences=True), (3, 3), dtype=np.float32)
    mask = np.array([[True, True, False], [True, False, False]])
    y = layer.forward(np.ones((2, 3, 3), dtype=np.float32), mask=mask)
    grad_x = layer.backward(np.ones_like(y))
    assert y.dtype == grad_x.dtype == np.float32
    assert all(getattr(layer, "grad_" + name).dtype == np.float32 for name in layer.param_names)
