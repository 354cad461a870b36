"""The layer-contract harness: every layer type goes through the same checks.

A layer type is covered by adding one line to :data:`CASES`: a factory, an
input shape (no batch axis) and the output shape it must give.
``test_layers_contract.py`` then checks, for each case,

(a) shapes: ``build`` returns the output shape, ``forward`` gives
    ``(batch, *output_shape)`` and ``backward`` ``(batch, *input_shape)``, alone
    and inside a ``Sequential`` (given ``input_shape`` or inferred from data);
(b) ``get_config`` is JSON-able and ``type(layer)(**layer.get_config())``, built
    and given the same arrays, computes the same outputs;
(c) a ``Sequential`` holding the layer survives ``plainnet.io.save``/``load``;
(d) float32 and float64: parameters, state, outputs and gradients keep the dtype;
(e) finite differences (float64) of ``L = sum(forward(x) * G) + penalty`` match
    ``backward``: the input gradient (none for integer tokens: ``backward`` must
    return zeros) and every parameter gradient, in training
    and inference mode, for a batch of 1 and a larger one (a layer that draws
    random numbers, ``Dropout``, has its generator rewound before every pass);
    gradients are overwritten by each ``backward``, never accumulated;

and ``test_every_layer_type_goes_through_the_harness`` fails for a type in
``plainnet.layers.LAYER_TYPES`` that has no case here.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import plainnet.io
from core_helpers import FrozenRandomness, away_from_zero, numeric_gradient
from plainnet import Sequential
from plainnet.gradcheck import relative_error
from plainnet.layers import (
    GELU,
    GRU,
    LSTM,
    AveragePool2D,
    BatchNormalization,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAveragePool2D,
    Identity,
    Layer,
    LayerNormalization,
    LeakyReLU,
    MaxPool2D,
    MultiHeadAttention,
    PositionalEmbedding,
    ReLU,
    Reshape,
    Residual,
    Sigmoid,
    SimpleRNN,
    Softmax,
    Tanh,
    build_layer,
)

GRADIENT_TOL = 1e-7  # float64, central differences with eps = 1e-6


@dataclass(frozen=True)
class LayerCase:
    """One layer, the shape of one input sample, and the output shape it must give.

    ``tokens`` > 0: the layer reads integer token ids in ``[0, tokens)``
    (``Embedding``), not floats.
    """

    id: str
    make: Callable[[], Layer]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    batch_sizes: tuple[int, ...] = (1, 3)
    tokens: int = 0

    @property
    def type_name(self) -> str:
        return type(self.make()).__name__


#: Odd sizes on purpose: a transposed or swapped axis cannot go unnoticed.
CASES: list[LayerCase] = [
    LayerCase("Dense", lambda: Dense(3, bias_init="normal"), (5,), (3,)),
    LayerCase("Dense-n_inputs-units", lambda: Dense(4, 2), (4,), (2,)),
    LayerCase("Dense-tanh-l1-l2", lambda: Dense(3, "tanh", l1=0.01, l2=0.02), (4,), (3,)),
    LayerCase("Dense-3d", lambda: Dense(3, bias_init="normal"), (2, 5), (2, 3)),  # (time, features)
    LayerCase("Dense-4d", lambda: Dense(2, l2=0.1), (2, 3, 3), (2, 3, 2)),
    LayerCase("Dropout", lambda: Dropout(0.4), (7,), (7,)),
    LayerCase("Dropout-3d", lambda: Dropout(0.25), (3, 5), (3, 5)),
    LayerCase("Dropout-4d", lambda: Dropout(0.5), (2, 3, 2), (2, 3, 2)),
    LayerCase("BatchNormalization", lambda: BatchNormalization(momentum=0.9), (5,), (5,)),
    LayerCase("BatchNormalization-3d", lambda: BatchNormalization(epsilon=0.01), (3, 4), (3, 4)),
    LayerCase("Flatten-image", Flatten, (4, 3, 2), (24,)),
    LayerCase("Reshape", lambda: Reshape((3, -1)), (6,), (3, 2)),
    LayerCase("Reshape-to-image", lambda: Reshape((2, 3, 2)), (3, 4), (2, 3, 2)),
    # convolutions: odd sizes, strides 1 and 2, both paddings, even kernels with "same"
    # (the odd zero goes at the bottom/right), strides that leave rows unused
    LayerCase("Conv2D", lambda: Conv2D(3, 3, bias_init="normal"), (5, 7, 2), (3, 5, 3)),
    LayerCase("Conv2D-same-stride-2-even", lambda: Conv2D(2, (2, 4), strides=2, padding="same"),
              (5, 7, 3), (3, 4, 2)),
    LayerCase("Conv2D-valid-stride-2-1", lambda: Conv2D(2, (3, 2), strides=(2, 1)), (6, 5, 1),
              (2, 4, 2)),
    LayerCase("Conv2D-same-tanh", lambda: Conv2D(3, 3, padding="same", activation="tanh"),
              (4, 5, 2), (4, 5, 3)),
    LayerCase("Conv2D-same-kernel-larger-than-input",
              lambda: Conv2D(2, 5, strides=2, padding="same"), (3, 3, 1), (2, 2, 2)),
    LayerCase("Conv1D", lambda: Conv1D(3, 3, bias_init="normal"), (7, 2), (5, 3)),
    LayerCase("Conv1D-same-stride-2-even", lambda: Conv1D(2, 4, strides=2, padding="same"),
              (9, 3), (5, 2)),
    LayerCase("Conv1D-valid-stride-2-relu", lambda: Conv1D(2, 2, strides=2, activation="relu"),
              (8, 3), (4, 2)),
    # pooling: the harness's inputs for these max-pool cases have no ties in any window
    # (test_layers_pooling.py checks it), so finite differences see one winner per window
    LayerCase("MaxPool2D", MaxPool2D, (5, 7, 2), (2, 3, 2)),
    LayerCase("MaxPool2D-3-stride-2", lambda: MaxPool2D(3, strides=2), (5, 7, 2), (2, 3, 2)),
    LayerCase("MaxPool2D-same", lambda: MaxPool2D(2, padding="same"), (5, 7, 2), (3, 4, 2)),
    LayerCase("MaxPool2D-same-overlap", lambda: MaxPool2D((2, 3), strides=1, padding="same"),
              (5, 4, 3), (5, 4, 3)),
    LayerCase("AveragePool2D", AveragePool2D, (5, 7, 3), (2, 3, 3)),
    LayerCase("AveragePool2D-valid-overlap", lambda: AveragePool2D((3, 2), strides=(1, 2)),
              (5, 5, 2), (3, 2, 2)),
    LayerCase("AveragePool2D-same", lambda: AveragePool2D(3, strides=2, padding="same"),
              (6, 5, 2), (3, 3, 2)),
    LayerCase("GlobalAveragePool2D", GlobalAveragePool2D, (3, 5, 4), (4,)),
    LayerCase("Identity", Identity, (5,), (5,)),
    LayerCase("Sigmoid", Sigmoid, (5,), (5,)),
    LayerCase("Tanh", Tanh, (5,), (5,)),
    LayerCase("Tanh-3d", Tanh, (3, 2), (3, 2)),
    LayerCase("ReLU", ReLU, (5,), (5,)),
    LayerCase("ReLU-image", ReLU, (2, 3, 2), (2, 3, 2)),
    LayerCase("LeakyReLU", lambda: LeakyReLU(0.2), (5,), (5,)),
    LayerCase("Softmax", Softmax, (5,), (5,)),
    LayerCase("Softmax-3d", Softmax, (3, 4), (3, 4)),
    LayerCase("GELU", GELU, (5,), (5,)),
    LayerCase("GELU-3d", GELU, (3, 4), (3, 4)),
    # sequences (time, features): odd lengths, and length 1
    LayerCase("Embedding", lambda: Embedding(11, 4), (7,), (7, 4), tokens=11),
    LayerCase("Embedding-length-1-mask-zero", lambda: Embedding(3, 5, mask_zero=True), (1,),
              (1, 5), tokens=3),
    LayerCase("PositionalEmbedding", lambda: PositionalEmbedding(9), (5, 3), (5, 3)),
    LayerCase("PositionalEmbedding-length-1", lambda: PositionalEmbedding(4, 2), (1, 2),
              (1, 2)),
    LayerCase("PositionalEmbedding-full", lambda: PositionalEmbedding(3, 2), (3, 2), (3, 2)),
    LayerCase("LayerNormalization", LayerNormalization, (5,), (5,)),
    LayerCase("LayerNormalization-3d", lambda: LayerNormalization(1e-5), (3, 4), (3, 4)),
    LayerCase("SimpleRNN", lambda: SimpleRNN(3), (5, 2), (3,)),
    LayerCase("SimpleRNN-sequences", lambda: SimpleRNN(2, return_sequences=True), (3, 3),
              (3, 2)),
    LayerCase("SimpleRNN-length-1", lambda: SimpleRNN(2, return_sequences=True), (1, 3),
              (1, 2)),
    LayerCase("LSTM", lambda: LSTM(3), (5, 2), (3,)),
    LayerCase("LSTM-sequences", lambda: LSTM(2, return_sequences=True), (3, 3), (3, 2)),
    LayerCase("LSTM-length-1", lambda: LSTM(2), (1, 3), (2,)),
    LayerCase("GRU", lambda: GRU(3), (5, 2), (3,)),
    LayerCase("GRU-sequences", lambda: GRU(2, return_sequences=True), (3, 3), (3, 2)),
    LayerCase("GRU-length-1", lambda: GRU(2, return_sequences=True), (1, 3), (1, 2)),
    # attention: num_heads * key_dim (6) need not equal the width (4)
    LayerCase("MultiHeadAttention", lambda: MultiHeadAttention(2, 3), (5, 4), (5, 4)),
    LayerCase("MultiHeadAttention-causal", lambda: MultiHeadAttention(3, 2, causal=True),
              (3, 5), (3, 5)),
    LayerCase("MultiHeadAttention-length-1-causal",
              lambda: MultiHeadAttention(1, 2, causal=True), (1, 3), (1, 3)),
    # containers: parameters by path (dense/weights, multi_head_attention/query_kernel, ...)
    LayerCase("Residual", lambda: Residual([Dense(4, "tanh"), Dense(3)]), (3,), (3,)),
    LayerCase("Residual-attention",
              lambda: Residual([LayerNormalization(), MultiHeadAttention(2, 3, causal=True)]),
              (5, 4), (5, 4)),
    LayerCase("Residual-feed-forward",
              lambda: Residual([LayerNormalization(), Dense(5, activation="gelu"), Dense(4)]),
              (3, 4), (3, 4)),
    LayerCase("Residual-nested", lambda: Residual([Residual([Dense(2)]), Tanh()]), (2,), (2,)),
]



def case_ids(cases: list[LayerCase]) -> list[str]:
    return [case.id for case in cases]


# ------------------------------------------------------------------ building
def randomize(layer: Layer, seed: int = 1) -> None:
    """Give every parameter random values and every state array values in [0.5, 1.5].

    In place (the arrays stay the same objects), so ``gamma`` is not all ones
    and a ``bias`` not all zeros, and a variance stays positive.
    """
    rng = np.random.default_rng(seed)
    for name in layer.param_names:
        array = getattr(layer, name)
        array[...] = rng.normal(scale=0.7, size=array.shape)
    for name in layer.state_names:
        array = getattr(layer, name)
        array[...] = rng.uniform(0.5, 1.5, size=array.shape)


def built(case: LayerCase, dtype=np.float64, seed: int = 0) -> Layer:
    """The case's layer, built for its input shape, with random arrays."""
    layer = case.make()
    build_layer(layer, case.input_shape, np.random.default_rng(seed), np.dtype(dtype))
    randomize(layer, seed + 1)
    return layer


def inputs(case: LayerCase, batch: int, dtype=np.float64, seed: int = 0) -> np.ndarray:
    """A batch for the case: floats away from zero, or integer token ids in ``[0, tokens)``."""
    if case.tokens:
        return np.random.default_rng(seed).integers(0, case.tokens, (batch, *case.input_shape))
    return away_from_zero((batch, *case.input_shape), seed).astype(dtype)


def same_randomness(source: Layer, target: Layer) -> None:
    """Let ``target`` draw the numbers ``source`` would draw next (if they draw any)."""
    a, b = getattr(source, "rng", None), getattr(target, "rng", None)
    if isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator):
        b.bit_generator.state = copy.deepcopy(a.bit_generator.state)


# ---------------------------------------------------------------- (a) shapes
def check_shapes(case: LayerCase) -> None:
    layer = case.make()
    output_shape = build_layer(layer, case.input_shape, np.random.default_rng(0),
                               np.dtype(np.float64))
    assert output_shape == case.output_shape
    assert (layer.input_shape, layer.output_shape) == (case.input_shape, case.output_shape)
    assert layer.built
    for batch in case.batch_sizes:
        x = inputs(case, batch)
        for training in (False, True):
            y = layer.forward(x, training)
            assert y.shape == (batch, *case.output_shape), (training, batch)
            grad = layer.backward(np.ones_like(y))
            assert grad.shape == x.shape, (training, batch)
            for name in layer.param_names:
                assert getattr(layer, "grad_" + name).shape == getattr(layer, name).shape
    x = inputs(case, 2)
    declared = Sequential([case.make()], seed=0, input_shape=case.input_shape)
    assert declared.output_shape == case.output_shape
    assert declared.predict(x).shape == (2, *case.output_shape)
    inferred = Sequential([case.make()], seed=0)  # built by the first predict
    assert inferred.predict(x).shape == (2, *case.output_shape)
    # a model reading token ids takes sequences of any length: its time axis is None
    assert inferred.input_shape == ((None,) if case.tokens else case.input_shape)


# --------------------------------------------------------- (b) configuration
def check_config_round_trip(case: LayerCase) -> None:
    layer = built(case)
    config = layer.get_config()
    assert json.loads(json.dumps(config)) == config, "get_config must be JSON-able"
    clone = type(layer)(**config)
    assert clone.get_config() == config
    assert repr(clone) == repr(layer)
    build_layer(clone, case.input_shape, np.random.default_rng(99), np.dtype(np.float64))
    assert clone.output_shape == case.output_shape
    for name, array in layer.arrays().items():
        getattr(clone, name)[...] = array
    x = inputs(case, 3)
    for training in (False, True):
        same_randomness(layer, clone)
        np.testing.assert_array_equal(clone.forward(x, training), layer.forward(x, training))


def check_copies(case: LayerCase) -> None:
    """Copies and pickles keep the arrays but not what ``forward`` kept for ``backward``."""
    layer = built(case)
    x = inputs(case, 3)
    layer.forward(x, training=True)
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert not any(hasattr(clone, name) for name in layer.cache_names), clone.__dict__.keys()
        for name, array in layer.arrays().items():
            np.testing.assert_array_equal(getattr(clone, name), array)
            assert not np.shares_memory(getattr(clone, name), array)
        np.testing.assert_array_equal(clone.forward(x), layer.forward(x))


# ----------------------------------------------------------- (c) save / load
def check_save_load(case: LayerCase, tmp_path) -> None:
    model = Sequential([case.make()], seed=0, dtype=np.float64, input_shape=case.input_shape)
    for i, layer in enumerate(model.layers):
        randomize(layer, seed=i + 1)
    path = tmp_path / "layer.pnet"
    x = inputs(case, 3)
    plainnet.io.save(model, path)
    loaded = plainnet.io.load(path)
    assert loaded.input_shape == model.input_shape
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -------------------------------------------------------------- (d) dtypes
def check_dtype(case: LayerCase, dtype) -> None:
    dtype = np.dtype(dtype)
    layer = built(case, dtype)
    for name, array in layer.arrays().items():
        assert array.dtype == dtype, name
    x = inputs(case, 3, dtype)
    for training in (False, True):
        y = layer.forward(x, training)
        assert y.dtype == dtype, ("output", training)
        grad = layer.backward(np.ones_like(y))
        assert grad.dtype == dtype, ("input gradient", training)
        for name in layer.param_names:
            assert getattr(layer, "grad_" + name).dtype == dtype, ("grad_" + name, training)
    model = Sequential([case.make()], seed=0, dtype=dtype, input_shape=case.input_shape)
    assert model.predict(x if case.tokens else x.astype(np.float64)).dtype == dtype


# -------------------------------------------------------- (e) gradients
def check_gradients(case: LayerCase, training: bool, batch: int,
                    tol: float = GRADIENT_TOL) -> None:
    """``backward`` against central differences, for the input and every parameter."""
    layer = built(case, np.float64, seed=batch)
    x = inputs(case, batch, seed=batch)
    rewind = FrozenRandomness(layer)
    rewind()
    grad_output = np.random.default_rng(batch + 7).normal(
        size=layer.forward(x, training).shape)

    def loss() -> float:
        rewind()
        return float(np.sum(layer.forward(x, training) * grad_output)
                     + layer.regularization_loss())

    rewind()
    layer.forward(x, training)
    grad_x = layer.backward(grad_output)
    analytic = {name: getattr(layer, "grad_" + name).copy() for name in layer.param_names}
    # a second backward overwrites the gradients with the same values (no accumulation)
    rewind()
    layer.forward(x, training)
    np.testing.assert_array_equal(layer.backward(grad_output), grad_x)
    for name in layer.param_names:
        np.testing.assert_array_equal(getattr(layer, "grad_" + name), analytic[name],
                                      err_msg=f"grad_{name} accumulates across calls")

    if case.tokens:  # token ids are not differentiable
        np.testing.assert_array_equal(grad_x, np.zeros(x.shape))
    else:
        error = relative_error(grad_x, numeric_gradient(loss, x))
        assert error < tol, f"{case.id}: input gradient, relative error {error:.3g}"
    for name in layer.param_names:
        numeric = numeric_gradient(loss, getattr(layer, name))
        error = relative_error(analytic[name], numeric)
        # a gradient that is truly zero (attention's key bias: softmax ignores a constant
        # added to a row) has a relative error of rounding noise over rounding noise
        vanishing = np.allclose(analytic[name], 0.0, atol=1e-9) and np.allclose(
            numeric, 0.0, atol=1e-8)
        assert error < tol or vanishing, f"{case.id}: grad_{name}, relative error {error:.3g}"
