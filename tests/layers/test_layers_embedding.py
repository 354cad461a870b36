"""``Embedding`` and ``PositionalEmbedding``: lookups, their gradients, masks, bad input.

Shapes, config, dtypes and finite-difference gradients of the parameters are
checked by the layer-contract harness.
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet.layers import Embedding, PositionalEmbedding

TOKENS = np.array([[1, 4, 4, 0], [2, 1, 3, 1]])


def test_lookup_is_a_row_of_the_table():
    layer = build_layer(Embedding(5, 3), (None,))
    assert layer.output_shape == (None, 3)
    y = layer.forward(TOKENS)
    assert y.shape == (2, 4, 3)
    np.testing.assert_array_equal(y[1, 3], layer.embeddings[1])
    np.testing.assert_array_equal(y, layer.embeddings[TOKENS])


def test_gradient_is_the_one_hot_product():
    """grad_embeddings = onehot(tokens).T @ g: repeated tokens add up, absent ones get 0."""
    layer = build_layer(Embedding(6, 3), (4,))
    g = np.random.default_rng(0).normal(size=(2, 4, 3))
    layer.forward(TOKENS)
    grad_tokens = layer.backward(g)
    onehot = np.eye(6)[TOKENS].reshape(-1, 6)  # (batch * time, vocab)
    np.testing.assert_allclose(layer.grad_embeddings, onehot.T @ g.reshape(-1, 3), rtol=1e-12)
    np.testing.assert_array_equal(layer.grad_embeddings[5], 0.0)  # token 5 is absent
    np.testing.assert_array_equal(grad_tokens, np.zeros(TOKENS.shape))


def test_initial_table_is_small_uniform():
    layer = build_layer(Embedding(50, 20), (3,), dtype=np.float32)
    assert layer.embeddings.dtype == np.float32
    assert np.abs(layer.embeddings).max() <= 0.05
    assert layer.embeddings.std() > 0.02


def test_mask_zero_marks_padding():
    assert Embedding(5, 2).compute_mask(TOKENS) is None
    layer = Embedding(5, 2, mask_zero=True)
    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask(TOKENS), TOKENS != 0)


@pytest.mark.parametrize("tokens, error, message", [
    (np.array([[0.0, 1.0]]), TypeError, r"embedding \(Embedding\) expects integer token ids of "
                                         r"shape \(batch, time\), got an array of dtype float64"),
    (np.array([[True, False]]), TypeError, "got an array of dtype bool"),
    (np.array([[1, 5]]), ValueError, r"expects token ids in \[0, 5\) \(vocab_size=5\), got 5"),
    (np.array([[-1, 2]]), ValueError, r"in \[0, 5\) \(vocab_size=5\), got -1"),
    (np.array([1, 2]), ValueError, r"token ids of shape \(batch, time\), got an array of shape "
                                   r"\(2,\)"),
], ids=["float", "bool", "too-large", "negative", "1-d"])
def test_bad_tokens_are_refused_naming_the_layer(tokens, error, message):
    layer = build_layer(Embedding(5, 2), (None,))
    with pytest.raises(error, match=message):
        layer.forward(tokens)


def test_bad_arguments():
    with pytest.raises(ValueError, match="vocab_size must be >= 1, got 0"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="dim must be >= 1, got 0"):
        Embedding(3, 0)
    with pytest.raises(ValueError, match="mask_zero=True needs vocab_size >= 2"):
        Embedding(1, 3, mask_zero=True)
    with pytest.raises(ValueError, match=r"expects token ids of shape \(time,\) per sample"):
        build_layer(Embedding(3, 2), (4, 2))


# ------------------------------------------------------------- positions
def test_positions_are_added_and_their_gradient_is_summed_over_the_batch():
    layer = build_layer(PositionalEmbedding(6), (None, 3))
    assert layer.positions.shape == (6, 3)
    x = np.random.default_rng(1).normal(size=(2, 4, 3))
    np.testing.assert_array_equal(layer.forward(x), x + layer.positions[:4])
    g = np.random.default_rng(2).normal(size=x.shape)
    np.testing.assert_array_equal(layer.backward(g), g)
    np.testing.assert_allclose(layer.grad_positions[:4], g.sum(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(layer.grad_positions[4:], 0.0)  # positions not reached


def test_a_longer_sequence_is_refused():
    layer = build_layer(PositionalEmbedding(4), (None, 2))
    layer.forward(np.ones((1, 4, 2)))  # max_length itself is fine
    message = r"positional_embedding \(PositionalEmbedding\) takes sequences of at most " \
              r"max_length=4 steps, got 5"
    with pytest.raises(ValueError, match=message):
        layer.forward(np.ones((1, 5, 2)))
    with pytest.raises(ValueError, match="max_length=4 steps, got 7"):
        build_layer(PositionalEmbedding(4), (7, 2))


def test_positional_arguments_and_shapes():
    with pytest.raises(ValueError, match="max_length must be >= 1, got 0"):
        PositionalEmbedding(0)
    with pytest.raises(ValueError, match=r"expects 3 features \(dim\), but the layer before it "
                                         "gives 2"):
        build_layer(PositionalEmbedding(5, dim=3), (4, 2))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(time, features\)"):
        build_layer(PositionalEmbedding(5), (4,))
    layer = build_layer(PositionalEmbedding(5), (4, 2))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, time, 2\), got "
                                         r"\(4, 2\)"):
        layer.forward(np.ones((4, 2)))
    mask = np.ones((1, 4), dtype=bool)
    assert layer.compute_mask(None, mask) is mask
