"""The network behind the estimators: ``Dense`` layers in a ``Sequential``, as scikit-learn's.

scikit-learn's MLP with layer sizes ``[n_features, *hidden_layer_sizes, n_outputs]``
is, in plainnet, one ``Dense(n_in, n_out)`` per pair of neighbouring sizes
(the hidden ones followed by the hidden activation), then ``Softmax`` or
``Sigmoid`` for a classifier. The weights are drawn as scikit-learn's
``_init_coef`` draws them, so both libraries start from the same numbers.
"""

from __future__ import annotations

import numpy as np

from ..layers import Dense, Sigmoid, Softmax
from ..model import Sequential

__all__ = ["build_network", "dense_layers", "layer_units"]


def build_network(layer_units: list[int], activation: str, out_activation: str,
                  dtype: np.dtype, random_state: np.random.RandomState) -> Sequential:
    """A new network of the given sizes, with scikit-learn's initial weights.

    Parameters
    ----------
    layer_units : list of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    activation : {"identity", "logistic", "tanh", "relu"}
        Activation of the hidden layers.
    out_activation : {"softmax", "logistic", "identity"}
        Output activation: a final ``Softmax``, ``Sigmoid`` or nothing.
    dtype : numpy.dtype
        Precision of the network.
    random_state : numpy.random.RandomState
        Draws the weights, layer by layer, as scikit-learn does: weights and
        biases both from ``U(-b, b)``, ``b = sqrt(factor / (n_in + n_out))``
        with ``factor`` 2 for "logistic" and 6 otherwise (Glorot).

    Returns
    -------
    Sequential
        Built, not compiled.
    """
    hidden = None if activation == "identity" else activation
    layers: list = []
    for i, (n_in, n_out) in enumerate(zip(layer_units[:-1], layer_units[1:])):
        last = i == len(layer_units) - 2
        layers.append(Dense(n_in, n_out, activation=None if last else hidden,
                            weight_init="zeros", bias_init="zeros"))
    if out_activation == "softmax":
        layers.append(Softmax())
    elif out_activation == "logistic":
        layers.append(Sigmoid())
    model = Sequential(layers, seed=None, dtype=dtype)
    factor = 2.0 if activation == "logistic" else 6.0
    for layer in dense_layers(model):
        bound = np.sqrt(factor / (layer.n_inputs + layer.n_outputs))
        layer.weights[...] = random_state.uniform(-bound, bound, (layer.n_inputs, layer.n_outputs))
        layer.bias[...] = random_state.uniform(-bound, bound, layer.n_outputs)
    return model


def dense_layers(model: Sequential) -> list[Dense]:
    """The ``Dense`` layers of ``model``, input side first: the ones that hold weights."""
    return [layer for layer in model.layers if isinstance(layer, Dense)]


def layer_units(model: Sequential) -> list[int]:
    """The network's sizes ``[n_features, *hidden sizes, n_outputs]``."""
    dense = dense_layers(model)
    return [dense[0].n_inputs] + [layer.n_outputs for layer in dense]
