"""``MultiHeadAttention`` and ``LayerNormalization``: formulas by hand, the causal mask,
padding masks, bad input.

Shapes, config, save/load, dtypes and finite-difference gradients are checked
by the layer-contract harness; agreement with PyTorch by
``test_layers_sequence_torch.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer, numeric_gradient
from plainnet.activations import softmax
from plainnet.gradcheck import relative_error
from plainnet.layers import LayerNormalization, MultiHeadAttention


def randomized(layer, seed: int = 0):
    rng = np.random.default_rng(seed)
    for name in layer.param_names:
        array = getattr(layer, name)
        array[...] = rng.normal(scale=0.5, size=array.shape)
    return layer


def test_one_head_with_identity_projections_is_the_textbook_formula():
    # q = k = v = x, no output map: y = softmax(x x^T / sqrt(d)) x
    width = 3
    layer = build_layer(MultiHeadAttention(1, width), (4, width))
    for part in ("query", "key", "value"):
        getattr(layer, f"{part}_kernel")[...] = np.eye(width)[:, None, :]
    layer.output_kernel[...] = np.eye(width)[None]
    x = np.random.default_rng(0).normal(size=(2, 4, width))
    expected = softmax(x @ x.transpose(0, 2, 1) / np.sqrt(width)) @ x
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)
    np.testing.assert_allclose(layer.attention_weights.sum(axis=-1), 1.0, rtol=1e-12)


def test_key_dim_is_per_head_and_the_output_has_the_input_width():
    layer = build_layer(MultiHeadAttention(num_heads=3, key_dim=2), (None, 5))
    assert layer.query_kernel.shape == (5, 3, 2)
    assert layer.query_bias.shape == (3, 2)
    assert layer.output_kernel.shape == (3, 2, 5)
    assert layer.output_shape == (None, 5)
    for time in (1, 6):
        assert layer.forward(np.ones((2, time, 5))).shape == (2, time, 5)


def test_causal_positions_do_not_see_the_future():
    rng = np.random.default_rng(1)
    layer = randomized(build_layer(MultiHeadAttention(2, 3, causal=True), (6, 4)), seed=2)
    x = rng.normal(size=(2, 6, 4))
    y = layer.forward(x)
    assert np.all(np.triu(layer.attention_weights[0, 0], 1) == 0)  # j > i: weight 0
    changed = x.copy()
    changed[:, 3:] += 5.0  # the future of positions 0, 1, 2
    np.testing.assert_allclose(layer.forward(changed)[:, :3], y[:, :3], rtol=1e-12)
    assert not np.allclose(layer.forward(changed)[:, 3:], y[:, 3:])
    # without causal, every position sees everything
    open_layer = build_layer(MultiHeadAttention(2, 3), (6, 4))
    for name in layer.param_names:
        getattr(open_layer, name)[...] = getattr(layer, name)
    assert not np.allclose(open_layer.forward(changed)[:, :3], open_layer.forward(x)[:, :3])


@pytest.mark.parametrize("causal", [False, True])
def test_masked_keys_are_not_attended(causal):
    rng = np.random.default_rng(3)
    layer = randomized(build_layer(MultiHeadAttention(2, 2, causal=causal), (5, 3)), seed=4)
    x = rng.normal(size=(2, 5, 3))
    mask = np.array([[True, True, True, False, False], [True, False, True, True, True]])
    y = layer.forward(x, mask=mask)
    weights = layer.attention_weights  # (batch, heads, time, time)
    assert np.all(weights[0, :, :, 3:] == 0) and np.all(weights[1, :, :, 1] == 0)
    changed = x.copy()
    changed[~mask] = 7.0  # what the padded positions hold does not matter to the others
    np.testing.assert_allclose(layer.forward(changed, mask=mask)[mask], y[mask], rtol=1e-12)

    g = rng.normal(size=y.shape)
    g[~mask] = 0.0  # the loss ignores padded positions: then they get no gradient at all
    layer.forward(x, mask=mask)
    grad_x = layer.backward(g)
    np.testing.assert_allclose(grad_x[~mask], 0.0, atol=1e-15)

    def loss() -> float:
        return float(np.sum(layer.forward(x, mask=mask) * g))

    layer.forward(x, mask=mask)
    assert relative_error(layer.backward(g), numeric_gradient(loss, x)) < 1e-7
    analytic = layer.grad_value_kernel.copy()
    assert relative_error(analytic, numeric_gradient(loss, layer.value_kernel)) < 1e-7


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="num_heads must be >= 1, got 0"):
        MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="key_dim must be >= 1, got 0"):
        MultiHeadAttention(2, 0)
    with pytest.raises(TypeError, match="causal must be True or False"):
        MultiHeadAttention(2, 4, causal=1)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(time, features\).*\(4,\)"):
        build_layer(MultiHeadAttention(2, 2), (4,))
    layer = build_layer(MultiHeadAttention(2, 2), (3, 4))
    with pytest.raises(ValueError, match=r"MultiHeadAttention\) expects inputs of shape "
                                         r"\(batch, time, 4\), got \(2, 4\)"):
        layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"mask of shape \(batch, time\) = \(2, 3\), got \(3,\)"):
        layer.forward(np.ones((2, 3, 4)), mask=np.ones(3, dtype=bool))


# ------------------------------------------------------ layer normalization
def test_layer_normalization_normalises_each_position():
    rng = np.random.default_rng(5)
    layer = build_layer(LayerNormalization(epsilon=1e-6), (4, 6))
    x = rng.normal(loc=3.0, scale=2.0, size=(3, 4, 6))
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=-1), 1.0, rtol=1e-5)
    # each sample on its own: the batch does not matter, nor does training
    np.testing.assert_allclose(layer.forward(x[1:2]), y[1:2], rtol=1e-12)
    layer.gamma[...], layer.beta[...] = 2.0, 0.5
    np.testing.assert_allclose(layer.forward(x), 2.0 * y + 0.5, rtol=1e-12)


def test_layer_normalization_arguments():
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        LayerNormalization(0.0)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(\.\.\., features\)"):
        build_layer(LayerNormalization(), (3, None))
    mask = np.ones((2, 3), dtype=bool)
    assert LayerNormalization().compute_mask(None, mask) is mask
