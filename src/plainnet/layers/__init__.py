"""Layers: each one a function with its derivative, one family per file.

============================ =========================================
file                         layers
============================ =========================================
``layers/base.py``           the contract (``Layer``, ``build_layer``)
``layers/dense.py``          ``Dense``
``layers/conv.py``           ``Conv2D``, ``Conv1D``
``layers/dropout.py``        ``Dropout``
``layers/normalization.py``  ``BatchNormalization``
``layers/reshape.py``        ``Flatten``, ``Reshape``
``layers/pooling.py``        ``MaxPool2D``, ``AveragePool2D``, ``GlobalAveragePool2D``
``layers/activation.py``     ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax`` ...
``layers/stack.py``          a list of layers: checked, named, built in turn
============================ =========================================

``from plainnet.layers import Dense, ReLU`` works for all of them.
"""

from __future__ import annotations

from .activation import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer, build_layer
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .normalization import BatchNormalization
from .pooling import AveragePool2D, GlobalAveragePool2D, MaxPool2D
from .reshape import Flatten, Reshape

__all__ = [
    "AveragePool2D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAveragePool2D",
    "Identity",
    "LAYER_TYPES",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "ReLU",
    "Reshape",
    "Sigmoid",
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
    )
}
