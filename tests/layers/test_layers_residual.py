"""``Residual``: ``x + f(x)`` by hand, parameters by path, a transformer block in a model.

Shapes, config, save/load, dtypes and finite-difference gradients are checked
by the layer-contract harness (cases ``Residual-*``).
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

import plainnet.io
from core_helpers import assert_gradcheck, build_layer, textbook_fit
from plainnet import Dense, Flatten, Sequential
from plainnet.layers import (
    LayerNormalization,
    MultiHeadAttention,
    PositionalEmbedding,
    Residual,
    Tanh,
)


def transformer_block(width: int = 4, heads: int = 2) -> list:
    """Pre-norm (GPT-2): attention, then a feed-forward network, each in a residual branch."""
    return [Residual([LayerNormalization(), MultiHeadAttention(heads, width // heads,
                                                               causal=True)]),
            Residual([LayerNormalization(), Dense(2 * width, activation="gelu"), Dense(width)])]


def test_output_is_input_plus_branch_and_the_gradient_takes_both_paths():
    layer = build_layer(Residual([Dense(3, bias_init="normal"), Tanh()]), (3,))
    inner = layer.layers[0]
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(layer.forward(x), x + np.tanh(x @ inner.weights + inner.bias),
                               rtol=1e-12)
    g = np.ones((4, 3))
    branch = (g * (1 - np.tanh(x @ inner.weights + inner.bias) ** 2)) @ inner.weights.T
    np.testing.assert_allclose(layer.backward(g), g + branch, rtol=1e-12)


def test_parameters_are_named_by_path():
    model = Sequential([Dense(4), Residual([Dense(4, "relu"), Dense(4)]), Dense(1)], seed=0,
                       input_shape=(3,))
    residual = model.layers[1]
    assert [layer.name for layer in residual.layers] == ["dense", "relu", "dense_1"]
    assert residual.param_names == ("dense/weights", "dense/bias", "dense_1/weights",
                                    "dense_1/bias")
    assert getattr(residual, "dense_1/weights") is residual.layers[2].weights
    new = np.zeros((4, 4))
    setattr(residual, "grad_dense/weights", new)
    assert residual.layers[0].grad_weights is new
    assert [name for name, _, _ in model.parameters()][2:6] == [
        "residual/dense/weights", "residual/dense/bias", "residual/dense_1/weights",
        "residual/dense_1/bias"]
    assert residual.count_params() == 2 * (4 * 4 + 4)
    with pytest.raises(AttributeError, match="has no inner layer 'dense_7'"):
        getattr(residual, "dense_7/weights")


def test_the_branch_must_keep_the_shape():
    with pytest.raises(ValueError, match=r"residual \(Residual\) adds its input to its branch's "
                                         r"output, so the branch must keep the shape \(3,\), "
                                         r"but it gives \(2,\)"):
        Sequential([Residual([Dense(2)])], input_shape=(3,))


def test_fit_trains_a_residual_model_like_the_textbook_loop():
    """``fit`` (packed parameters, fused updates) and the plain loop give the same weights."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(12, 3, 4)), rng.normal(size=(12, 2))

    def make():
        model = Sequential([PositionalEmbedding(3), *transformer_block(), Flatten(), Dense(2)],
                           seed=0, dtype=np.float64, input_shape=(3, 4))
        model.compile(loss="mse", optimizer="adam")
        return model

    fitted, plain = make(), make()
    fitted.fit(X, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    textbook_fit(plain, X, y, epochs=2, batch_size=4)
    for a, b in zip(fitted.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert_gradcheck(plain, X[:3], y[:3])


def test_saved_under_path_names(tmp_path):
    model = Sequential([*transformer_block(), Flatten(), Dense(1)], seed=0, input_shape=(3, 4))
    path = tmp_path / "block.pnet"
    plainnet.io.save(model, path)
    members = zipfile.ZipFile(path).namelist()
    assert "layers/residual/multi_head_attention/query_kernel.npy" in members
    assert "layers/residual_1/dense_1/weights.npy" in members
    x = np.random.default_rng(2).normal(size=(2, 3, 4))
    np.testing.assert_array_equal(plainnet.io.load(path).predict(x), model.predict(x))


def test_a_mask_reaches_the_inner_attention():
    layer = build_layer(Residual([MultiHeadAttention(2, 2)]), (4, 3))
    x = np.random.default_rng(3).normal(size=(1, 4, 3))
    mask = np.array([[True, True, False, False]])
    y = layer.forward(x, mask=mask)
    changed = x.copy()
    changed[0, 2:] = 9.0
    np.testing.assert_allclose(layer.forward(changed, mask=mask)[mask], y[mask], rtol=1e-12)


def test_bad_layer_entries_are_refused():
    with pytest.raises(ValueError, match="unknown layer type 'Lambda'"):
        Residual([{"type": "Lambda", "config": {}}])
    with pytest.raises(ValueError, match="must be a layer or a dict"):
        Residual([{"type": "Dense"}])
    with pytest.raises(TypeError, match=r"layers\[0\] must be a plainnet layer"):
        Residual([42])
