"""Layers: each one a function with its derivative, one family per file.

============================ =========================================
file                         layers
============================ =========================================
``layers/base.py``           the contract (``Layer``, ``build_layer``)
``layers/dense.py``          ``Dense``
``layers/dropout.py``        ``Dropout``
``layers/normalization.py``  ``BatchNormalization``
``layers/reshape.py``        ``Flatten``, ``Reshape``
``layers/activation.py``     ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax`` ...
``layers/stack.py``          a list of layers: checked, named, built in turn
============================ =========================================

``from plainnet.layers import Dense, ReLU`` works for all of them.
"""

from __future__ import annotations

from .activation import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer, build_layer
from .dense import Dense
from .dropout import Dropout
from .normalization import BatchNormalization
from .reshape import Flatten, Reshape

__all__ = [
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Flatten",
    "Identity",
    "LAYER_TYPES",
    "Layer",
    "LeakyReLU",
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
        Dropout,
        BatchNormalization,
        Flatten,
        Reshape,
        Identity,
        Sigmoid,
        Tanh,
        ReLU,
        LeakyReLU,
        Softmax,
    )
}
