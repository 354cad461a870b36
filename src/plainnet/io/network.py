"""The tutorial's :class:`~plainnet.tutorial.NeuralNetwork` in a file, both ways.

Its document holds the three layer sizes (``config``) and ``loss_history``;
its four float64 parameters are the members ``weights1.npy``, ``bias1.npy``,
``weights2.npy`` and ``bias2.npy``. Their shapes follow from the sizes alone
(:func:`network_shapes`), which is what ``load`` checks the members against
and ``save`` checks the network's arrays against.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tutorial import NeuralNetwork
from .archive import Archive, check_arrays_to_write
from .layout import DOCUMENT, header
from .metadata import metadata_from_json
from .schema import Invalid, expect_list, expect_object, expect_type

__all__ = ["NETWORK_DTYPE", "NETWORK_KEYS", "describe_network", "load_network", "network_member",
           "network_shapes"]

#: The document's keys for a NeuralNetwork (and the optional "metadata").
NETWORK_KEYS = ["format", "format_version", "plainnet_version", "model", "config",
                "loss_history"]
#: Its parameters are all float64.
NETWORK_DTYPE = np.dtype(np.float64)


def network_member(name: str) -> str:
    """``weights1.npy``: the member of one of the network's parameters."""
    return f"{name}.npy"


def network_shapes(config: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """The shapes of the four parameters, in the order the file lists them."""
    n_in, n_hidden, n_out = config["input_layer"], config["hidden_layer"], config["output_layer"]
    return {"weights1": (n_in, n_hidden), "bias1": (n_hidden,),
            "weights2": (n_hidden, n_out), "bias2": (n_out,)}


def describe_network(network: NeuralNetwork) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON document and the arrays (member -> array), checked as ``load`` will check them.

    Raises
    ------
    ValueError
        If a parameter is not a float64 array of the shape the sizes give, or
        holds NaN or infinite values.
    """
    weights = network.get_weights()
    config = network.get_config()
    document = {
        **header("NeuralNetwork"),
        "config": config,
        "loss_history": [float(x) for x in network.loss_history],
    }
    shapes = network_shapes(config)
    arrays = {network_member(name): weights[name] for name in shapes}
    check_arrays_to_write(arrays, {network_member(name): shape for name, shape in shapes.items()},
                          NETWORK_DTYPE)
    return document, arrays


def load_network(document: dict[str, Any], archive: Archive) -> NeuralNetwork:
    """Rebuild the tutorial's ``NeuralNetwork`` from a checked document and its archive."""
    expect_object(document, NETWORK_KEYS, "the document", optional=("metadata",))
    metadata = metadata_from_json(document)
    config = expect_object(document["config"], ["input_layer", "hidden_layer", "output_layer"],
                           "config")
    for key, size in config.items():
        expect_type(size, int, f"config.{key}")
        if size < 1:
            raise Invalid(f"config.{key} must be >= 1, got {size}")
    loss_history = expect_list(document["loss_history"], (int, float), "loss_history")
    shapes = network_shapes(config)
    archive.check_budget(sum(math.prod(s) for s in shapes.values()) * NETWORK_DTYPE.itemsize,
                         "the network's arrays")
    archive.check_members({DOCUMENT, *(network_member(name) for name in shapes)})
    weights = {name: archive.read_array(network_member(name), shape, NETWORK_DTYPE)
               for name, shape in shapes.items()}
    network = NeuralNetwork(**config, seed=0)  # the drawn weights are replaced just below
    network.set_weights(weights)
    network.loss_history = [float(x) for x in loss_history]
    network.metadata = metadata
    return network
