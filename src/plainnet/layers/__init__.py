"""Layers: each one a function with its derivative, one family per file.

============================ =========================================
file                         layers
============================ =========================================
``layers/base.py``           the contract (``Layer``, ``build_layer``)
``layers/dense.py``          ``Dense``
``layers/conv.py``           ``Conv2D``, ``Conv1D``
``layers/dropout.py``        ``Dropout``
``layers/normalization.py``  ``BatchNormalization``, ``LayerNormalization``
``layers/embedding.py``      ``Embedding`` (integer tokens to vectors)
``layers/positional.py``     ``PositionalEmbedding``
``layers/recurrent.py``      ``SimpleRNN`` and what every recurrent layer shares
``layers/lstm.py``           ``LSTM``
``layers/gru.py``            ``GRU``
``layers/attention.py``      ``MultiHeadAttention``
``layers/residual.py``       ``Residual`` (``x + f(x)``: a container of layers)
``layers/reshape.py``        ``Flatten``, ``Reshape``
``layers/pooling.py``        ``MaxPool2D``, ``AveragePool2D``, ``GlobalAveragePool2D``
``layers/activation.py``     ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``GELU`` ...
``layers/stack.py``          a list of layers: checked, named, built in turn
============================ =========================================

``from plainnet.layers import Dense, ReLU`` works for all of them.
"""

from __future__ import annotations

from .activation import GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .attention import MultiHeadAttention
from .base import Layer, build_layer
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .gru import GRU
from .lstm import LSTM
from .normalization import BatchNormalization, LayerNormalization
from .pooling import AveragePool2D, GlobalAveragePool2D, MaxPool2D
from .positional import PositionalEmbedding
from .recurrent import SimpleRNN
from .reshape import Flatten, Reshape
from .residual import Residual

__all__ = [
    "AveragePool2D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GELU",
    "GRU",
    "GlobalAveragePool2D",
    "Identity",
    "LAYER_TYPES",
    "LSTM",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "MaxPool2D",
    "MultiHeadAttention",
    "PositionalEmbedding",
    "ReLU",
    "Reshape",
    "Residual",
    "Sigmoid",
    "SimpleRNN",
    "Softmax",
    "Tanh",
    "build_layer",
]

#: Every layer type plainnet can rebuild from a file, by name. Loading uses
#: this fixed table and nothing else: a name not in it is an error.
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Dense,
        Conv2D,
        Conv1D,
        Dropout,
        BatchNormalization,
        Flatten,
        Reshape,
        MaxPool2D,
        AveragePool2D,
        GlobalAveragePool2D,
        Identity,
        Sigmoid,
        Tanh,
        ReLU,
        LeakyReLU,
        Softmax,
        GELU,
        Embedding,
        PositionalEmbedding,
        SimpleRNN,
        LSTM,
        GRU,
        LayerNormalization,
        MultiHeadAttention,
        Residual,
    )
}
