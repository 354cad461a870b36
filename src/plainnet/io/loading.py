"""Loading: a file is checked, its document brought to the current version, the model rebuilt.

:func:`load` opens the archive (:class:`~plainnet.io.archive.Archive`),
checks the format and its version (:func:`check_version`), brings an older
document up to the current layout (:func:`upgrade`, the one place where
versions differ), then rebuilds the model: the document is checked value by
value, the arrays' sizes are planned from the layers' settings and compared
with the file's size before anything is allocated, and every array is read
against the shape and dtype the rebuilt model needs.
"""

from __future__ import annotations

import math
import os
import struct
import tokenize
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import losses as losses_module
from .. import optimizers as optimizers_module
from .. import schedules as schedules_module
from .._validation import check_dtype
from ..errors import ModelFileError
from ..layers import LAYER_TYPES, Layer
from ..model import Sequential
from ..training.callbacks import History
from ..tutorial import NeuralNetwork
from .archive import Archive
from .generator import generator_from_json
from .layout import (
    DOCUMENT,
    FORMAT_NAME,
    FORMAT_VERSION,
    layer_member,
    optimizer_member,
    planned_shapes,
)
from .metadata import metadata_from_json
from .network import load_network
from .schema import (
    Invalid,
    construct,
    expect_count,
    expect_list,
    expect_object,
    expect_type,
    lookup,
    quote,
)

__all__ = ["SEQUENTIAL_KEYS", "UPGRADES", "check_version", "load", "upgrade"]

#: What the standard library and NumPy raise on bytes they cannot make sense of.
_PARSE_ERRORS = (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, TypeError,
                 KeyError, IndexError, EOFError, struct.error, UnicodeError, MemoryError,
                 RecursionError, OverflowError, NotImplementedError, SyntaxError,
                 tokenize.TokenError)

#: The document's keys for a Sequential, in the current version (and the optional "metadata").
SEQUENTIAL_KEYS = ["format", "format_version", "plainnet_version", "model", "dtype",
                   "input_shape", "seed",
                   "layers", "compile", "epochs_done", "history", "random_state"]


def load(path: str | os.PathLike) -> Sequential | NeuralNetwork:
    """Load a model saved with :func:`~plainnet.io.save`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Sequential or NeuralNetwork
        The kind of model that was saved. A ``Sequential`` comes back
        compiled if it was compiled, with its optimizer state, random
        generator state, ``epochs_done`` and ``history``, so that training
        continues exactly as it would have without the round trip.

    Raises
    ------
    ModelFileError
        If the file is missing or unreadable, damaged, hostile, of another
        format or of a newer format version, or does not describe a model
        plainnet can build. The message names the file and the problem. No
        other exception is raised for the file's contents.
    TypeError
        If ``path`` is not a path.

    Notes
    -----
    Nothing in the file is executed: no pickles, no classes or modules named
    by the file. See :mod:`plainnet.io` for every check and for the versions
    read.
    """
    path = os.fspath(path)
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by the with statement below
    except FileNotFoundError as error:
        raise ModelFileError(f"cannot load {path!r}: there is no such file") from error
    except OSError as error:  # a folder, no permission, ...
        raise ModelFileError(f"cannot load {path!r}: cannot read it ({error.strerror or error})"
                             ) from error
    try:
        with file:
            return _load_file(file)
    except Invalid as problem:
        raise ModelFileError(f"cannot load {path!r}: {problem}") from None
    except zipfile.BadZipFile as error:
        raise ModelFileError(
            f"cannot load {path!r}: it is not a plainnet model file or it is damaged "
            f"(not a valid zip archive: {error})"
        ) from error
    except _PARSE_ERRORS as error:
        raise ModelFileError(
            f"cannot load {path!r}: the file is damaged or not a plainnet model file "
            f"({type(error).__name__}: {error})"
        ) from error


def _load_file(file: Any) -> Sequential | NeuralNetwork:
    archive = Archive(file)
    document = archive.read_document()
    expect_object(document, ["format", "format_version", "plainnet_version", "model"],
                  "the document", extra_allowed=True)
    if document["format"] != FORMAT_NAME:
        raise Invalid(f"it is not a plainnet model file (format {quote(document['format'])})")
    version = check_version(document["format_version"])
    expect_type(document["plainnet_version"], str, "plainnet_version")
    document = upgrade(document, version)
    kind = document["model"]
    if kind == "Sequential":
        return _load_sequential(document, archive)
    if kind == "NeuralNetwork":
        return load_network(document, archive)
    raise Invalid(f"unknown model kind {quote(kind)}; expected 'Sequential' or "
                  "'NeuralNetwork'")


# ----------------------------------------------------------------------------- versions


def check_version(version: Any) -> int:
    """``version`` if this plainnet reads files of that format version (1 to FORMAT_VERSION).

    Raises
    ------
    Invalid
        For a version that is not an integer, below 1, or newer than
        :data:`~plainnet.io.FORMAT_VERSION` (the message names both versions).
    """
    if type(version) is not int:
        raise Invalid(f"format_version must be an integer, got {quote(version)}")
    if version > FORMAT_VERSION:
        raise Invalid(f"it was written by format version {version}; this plainnet reads "
                      f"versions up to {FORMAT_VERSION}; upgrade plainnet")
    if version < 1:
        raise Invalid(f"unknown file format version {version}; format versions start at 1")
    return version


#: ``UPGRADES[v]`` turns a document of format version ``v`` into one of version ``v + 1``.
#: A step adds or renames keys only (the checks that follow see the current layout) and
#: refuses what a reader of version ``v`` refused. Empty while FORMAT_VERSION is 1.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _upgrade_1_to_2(document: dict[str, Any]) -> dict[str, Any]:
    """Version 2 stores the model's ``input_shape``; version 1 had only tables,
    whose width the first ``Dense`` (``n_inputs``) or sized ``BatchNormalization`` gave."""
    if document.get("model") != "Sequential" or not isinstance(document.get("layers"), list):
        return document
    for i, entry in enumerate(document["layers"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            break
        config = entry["config"]
        if entry.get("type") == "Dense":
            if "n_inputs" not in config:
                raise Invalid(f"layers[{i}].config lacks the argument(s) 'n_inputs'")
            return {**document, "input_shape": [config["n_inputs"]]}
        if entry.get("type") == "BatchNormalization" and config.get("n_features") is not None:
            return {**document, "input_shape": [config["n_features"]]}
    raise Invalid("cannot tell the model's input width: no Dense layer gives n_inputs")


UPGRADES[1] = _upgrade_1_to_2


def upgrade(document: dict[str, Any], version: int) -> dict[str, Any]:
    """``document``, of format ``version``, in the layout of :data:`FORMAT_VERSION`.

    This is the only part of loading that depends on the version: everything
    after it reads the current layout.
    """
    for step in range(version, FORMAT_VERSION):
        document = UPGRADES[step](document)
    return document


# --------------------------------------------------------------------------- Sequential


def _load_sequential(document: dict[str, Any], archive: Archive) -> Sequential:
    """Rebuild a ``Sequential``: check the document, size the arrays, build, fill in."""
    expect_object(document, SEQUENTIAL_KEYS, "the document", optional=("metadata",))
    metadata = metadata_from_json(document)
    dtype = _dtype_from_json(document["dtype"])
    seed = document["seed"]
    if seed is not None:
        expect_count(seed, "seed")
    epochs_done = expect_count(document["epochs_done"], "epochs_done")
    history = _history_from_json(document["history"])
    rng = generator_from_json(document["random_state"])
    rng_state = rng.bit_generator.state  # a copy: building the model will draw from rng

    # The layers, constructed but not built: no arrays exist yet.
    layer_list = expect_type(document["layers"], list, "layers")
    if not layer_list:
        raise Invalid("layers is empty")
    layers = [_layer_from_json(entry, f"layers[{i}]") for i, entry in enumerate(layer_list)]
    # null: an axis of any length (the time axis of token sequences)
    input_shape = tuple(expect_list(document["input_shape"], (int, type(None)), "input_shape"))
    if not input_shape or any(d is not None and d < 1 for d in input_shape):
        raise Invalid(f"input_shape must be a list of positive integers (or null for any "
                      f"length), got {quote(document['input_shape'])}")
    shapes = planned_shapes(layers, input_shape)
    layer_bytes = sum(math.prod(shape) for layer_shapes in shapes
                      for shape in layer_shapes.values()) * dtype.itemsize
    archive.check_budget(layer_bytes, "the layers' arrays")

    try:
        model = Sequential(layers, seed=rng, dtype=dtype, input_shape=input_shape)
    except (TypeError, ValueError) as error:
        raise Invalid(f"the layers do not form a model: {error}") from None
    if len(model.layers) != len(layers):
        raise Invalid("a Dense layer has an activation; a saved model lists activations as "
                      "layers of their own")
    state = []
    if document["compile"] is not None:
        state = _compile_from_json(model, document["compile"])
        state_bytes = sum(param.nbytes for _, _, param in state)
        archive.check_budget(layer_bytes + state_bytes, "the layers' and optimizer's arrays")

    # Every array the model needs, and nothing else.
    targets = {layer_member(layer.name, name): array
               for layer in model.layers for name, array in layer.arrays().items()}
    slots = {optimizer_member(name, slot): (name, slot, param) for name, slot, param in state}
    archive.check_members({DOCUMENT, *targets, *slots})
    for member, array in targets.items():
        np.copyto(array, archive.read_array(member, array.shape, dtype))
    for member, (name, slot, param) in slots.items():
        model.optimizer.state.setdefault(name, {})[slot] = archive.read_array(
            member, param.shape, dtype)

    # Building drew initial weights from the generator: put back the saved state.
    model.rng.bit_generator.state = rng_state
    model.seed = seed
    model.epochs_done = epochs_done
    model.history = history
    model.metadata = metadata
    return model


def _dtype_from_json(value: Any) -> np.dtype:
    expect_type(value, str, "dtype")
    if value not in ("float32", "float64"):
        raise Invalid(f"dtype must be 'float32' or 'float64', got {quote(value)}")
    return check_dtype(value)


#: how deep containers (a ``Residual`` inside a ``Residual`` ...) may nest in a file
MAX_NESTING = 8


def _layer_from_json(entry: Any, where: str, depth: int = 0) -> Layer:
    """A layer from its ``{"type", "config"[, "trainable"]}`` entry, each part checked.

    A container's inner layers (``config["layers"]``) are checked and built
    the same way, one level at a time, before the container is constructed.
    """
    expect_object(entry, ["type", "config"], where, optional=("trainable",))
    cls = lookup(LAYER_TYPES, entry["type"], "layer type", f"{where}.type")
    config, inner = entry["config"], {}
    if getattr(cls, "nests_layers", False) and isinstance(config, dict) and "layers" in config:
        if depth >= MAX_NESTING:
            raise Invalid(f"{where} nests layers more than {MAX_NESTING} levels deep")
        entries = expect_type(config["layers"], list, f"{where}.config.layers")
        inner["layers"] = [_layer_from_json(item, f"{where}.config.layers[{i}]", depth + 1)
                           for i, item in enumerate(entries)]
        config = {key: value for key, value in config.items() if key != "layers"}
    layer = construct(cls, config, f"{where}.config", **inner)
    layer.trainable = expect_type(entry.get("trainable", True), bool, f"{where}.trainable")
    return layer


def _compile_from_json(model: Sequential, value: Any) -> list[tuple[str, str, np.ndarray]]:
    """Compile ``model`` as the document says; return the optimizer-state slots to read.

    Each slot is ``(parameter name, slot name, parameter)``.
    """
    expect_object(value, ["loss", "optimizer", "metrics"], "compile")
    loss_entry = expect_object(value["loss"], ["name", "config"], "compile.loss")
    loss_class = lookup(losses_module.LOSS_TYPES, loss_entry["name"], "loss",
                        "compile.loss.name")
    loss = construct(loss_class, loss_entry["config"], "compile.loss.config")

    entry = expect_object(value["optimizer"], ["name", "config", "iterations", "state"],
                          "compile.optimizer")
    optimizer_class = lookup(optimizers_module.OPTIMIZER_TYPES, entry["name"], "optimizer",
                             "compile.optimizer.name")
    config = expect_type(entry["config"], dict, "compile.optimizer.config")
    objects = {}
    if type(config.get("learning_rate")) is dict:
        config = dict(config)
        objects["learning_rate"] = _schedule_from_json(config.pop("learning_rate"))
    optimizer = construct(optimizer_class, config, "compile.optimizer.config", **objects)
    optimizer.iterations = expect_count(entry["iterations"], "compile.optimizer.iterations")

    metrics = expect_list(value["metrics"], str, "compile.metrics")
    try:
        model.compile(loss=loss, optimizer=optimizer, metrics=metrics)
    except (TypeError, ValueError) as error:
        raise Invalid(f"compile: {error}") from None

    parameters = {name: param for name, param, _ in model.parameters()}
    # {parameter name: [slot names]}: each listed parameter has all the optimizer's slots.
    state = []
    entries = expect_type(entry["state"], dict, "compile.optimizer.state")
    for name, slots in entries.items():
        where = f"compile.optimizer.state[{quote(name)}]"
        if name not in parameters:
            raise Invalid(f"{where}: {quote(name)} is not a parameter of the model")
        expect_list(slots, str, where)
        if sorted(slots) != sorted(optimizer.slots):
            raise Invalid(f"{where} lists the slots {quote(slots)}; {optimizer_class.__name__} "
                          f"keeps {list(optimizer.slots)}")
        state.extend((name, slot, parameters[name]) for slot in slots)
    return state


def _schedule_from_json(value: Any) -> schedules_module.Schedule:
    where = "compile.optimizer.config.learning_rate"
    expect_object(value, ["schedule", "config"], where)
    cls = lookup(schedules_module.SCHEDULE_TYPES, value["schedule"], "learning-rate schedule",
                 f"{where}.schedule")
    return construct(cls, value["config"], f"{where}.config")


def _history_from_json(value: Any) -> History | None:
    if value is None:
        return None
    expect_object(value, ["history", "epoch"], "history")
    logs = expect_type(value["history"], dict, "history.history")
    for key, values in logs.items():
        expect_list(values, (int, float), f"history.history[{quote(key)}]")
    epochs = expect_list(value["epoch"], int, "history.epoch")
    for i, epoch in enumerate(epochs):
        expect_count(epoch, f"history.epoch[{i}]")
    return History(logs, epochs)
