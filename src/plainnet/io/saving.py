"""Saving: a model becomes a JSON document and named arrays, written atomically.

:func:`save` describes the model (:func:`describe_sequential`, or
:func:`~plainnet.io.network.describe_network` for the tutorial's network),
checking what it is about to write with the very functions ``load`` will use
on it (each constructor configuration, each array's dtype, shape and values,
the metadata, the document's size), and only then writes the file
(:func:`~plainnet.io.atomic.replace_atomically`). So ``save`` never writes a
file that ``load`` would refuse.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .. import losses as losses_module
from .. import optimizers as optimizers_module
from .. import schedules as schedules_module
from ..layers import LAYER_TYPES
from ..model import Sequential
from ..tutorial import NeuralNetwork
from .archive import check_arrays_to_write, write_archive
from .atomic import replace_atomically
from .generator import generator_to_json
from .layout import document_size_problem, header, layer_member, optimizer_member, planned_shapes
from .metadata import BadMetadata, check_metadata
from .network import describe_network
from .schema import Invalid, check_config, json_value, registered_name

__all__ = ["describe_sequential", "save"]


def save(model: Sequential | NeuralNetwork, path: str | os.PathLike) -> None:
    """Save ``model`` to the file ``path``, atomically.

    Parameters
    ----------
    model : Sequential or NeuralNetwork
        Compiled or not. Everything needed to continue training exactly is
        saved: weights and other layer arrays, optimizer state and step
        count, the state of the random generator, epochs done and history.
    path : str or os.PathLike
        The file to write (``.pnet`` is the suggested extension; none is
        added). An existing file is replaced, keeping its permissions; a
        symbolic link is followed and the file it points to is replaced.

    Raises
    ------
    TypeError
        If ``model`` is not a ``Sequential`` or a ``NeuralNetwork``.
    ValueError
        If the model holds something plainnet cannot rebuild from a file: a
        layer, loss, optimizer or schedule class of your own, a random
        generator other than those in :data:`~plainnet.io.BIT_GENERATORS`, or
        an array with NaN or infinite values (a diverged model). Nothing is
        written then.
    TypeError, ValueError
        If ``model.metadata`` is not a dict of JSON values (see
        :mod:`plainnet.io`): the message names the offending entry. Nothing
        is written then.
    OSError
        If the file cannot be written (missing folder, no permission, disk
        full). The old file, if any, is left as it was.

    Notes
    -----
    The file is first written in full under a temporary name in the same
    folder (``.<name>.tmp-<random>``), flushed to the disk, then renamed over
    ``path`` in one step. A process killed while saving leaves the old file
    or the new one, never a damaged one; it may leave its temporary file
    behind.
    """
    if isinstance(model, Sequential):
        document, arrays = describe_sequential(model)
    elif isinstance(model, NeuralNetwork):
        document, arrays = describe_network(model)
    else:
        raise TypeError(
            f"model must be a plainnet Sequential or NeuralNetwork, got {type(model).__name__}"
        )
    metadata = getattr(model, "metadata", {})
    try:
        check_metadata(metadata)
    except BadMetadata as error:
        raise error.kind(f"cannot save the model: {error}") from None
    if metadata:  # written only when there is some: such files are as before metadata existed
        document["metadata"] = metadata
    text = json.dumps(document, indent=1, default=_json_default).encode("utf-8")
    problem = document_size_problem(text)
    if problem:  # never write a file that load would refuse
        raise ValueError(f"cannot save the model: {problem}; a very long history can be "
                         "shortened or removed (model.history = None) before saving")
    replace_atomically(path, lambda file: write_archive(file, text, arrays))


def describe_sequential(model: Sequential) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON document and the arrays (member -> array), checked as ``load`` will check them.

    Each layer's arrays must have the shapes ``load`` computes from the
    layers' settings (:func:`~plainnet.io.layout.planned_shapes`), each slot of
    the optimizer's state the shape of its parameter; all must be finite
    floats of the model's dtype.

    Raises
    ------
    ValueError
        For anything ``load`` would refuse or could not rebuild.
    """
    arrays: dict[str, np.ndarray] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    layers = [{**_layer_entry(layer, f"layers[{i}]"), "trainable": bool(layer.trainable)}
              for i, layer in enumerate(model.layers)]
    try:
        plans = planned_shapes(model.layers, model.input_shape)
    except Invalid as error:
        raise ValueError(f"cannot save the model: {error}") from None
    for layer, plan in zip(model.layers, plans, strict=True):
        held = layer.arrays()
        if held.keys() != plan.keys():
            raise ValueError(f"cannot save the model: layer {layer.name} holds the arrays "
                             f"{sorted(held)}; a file of it holds {sorted(plan)}")
        for name, array in held.items():
            arrays[layer_member(layer.name, name)] = array
            shapes[layer_member(layer.name, name)] = plan[name]
    check_arrays_to_write(arrays, shapes, model.dtype)
    document = {
        **header("Sequential"),
        "dtype": model.dtype.name,
        "input_shape": list(model.input_shape),
        "seed": None if model.seed is None else int(model.seed),
        "layers": layers,
        "compile": _describe_compile(model, arrays) if model.compiled else None,
        "epochs_done": int(model.epochs_done),
        "history": None if model.history is None else {"history": model.history.history,
                                                       "epoch": model.history.epoch},
        "random_state": generator_to_json(model.rng),
    }
    return document, arrays


def _layer_entry(layer: Any, where: str) -> dict[str, Any]:
    """``{"type", "config"}`` of a layer, checked as ``load`` will (inner layers too)."""
    name = registered_name(layer, type(layer).__name__, LAYER_TYPES, "layer")
    config = layer.get_config()
    if getattr(layer, "nests_layers", False):  # a container: its layers, one by one
        inner = [_layer_entry(item, f"{where}.config.layers[{i}]")
                 for i, item in enumerate(layer.layers)]
        _checked_config(layer, {k: v for k, v in config.items() if k != "layers"},
                        f"{where}.config", given=("layers",))
        return {"type": name, "config": {**config, "layers": inner}}
    return {"type": name, "config": _checked_config(layer, config, f"{where}.config")}


def _describe_compile(model: Sequential, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Loss, optimizer (its state checked, and added to ``arrays``) and metrics."""
    loss, optimizer = model.loss, model.optimizer
    loss_name = registered_name(loss, type(loss).name, losses_module.LOSS_TYPES, "loss")
    optimizer_name = registered_name(optimizer, optimizer.name,
                                     optimizers_module.OPTIMIZER_TYPES, "optimizer")
    config = optimizer.get_config()
    if isinstance(optimizer.learning_rate, schedules_module.Schedule):
        schedule = optimizer.learning_rate
        registered_name(schedule, type(schedule).__name__, schedules_module.SCHEDULE_TYPES,
                        "learning-rate schedule")
        _checked_config(schedule, config["learning_rate"]["config"],
                        "compile.optimizer.config.learning_rate.config")
        _checked_config(optimizer, {k: v for k, v in config.items() if k != "learning_rate"},
                        "compile.optimizer.config", given=("learning_rate",))
    else:
        _checked_config(optimizer, config, "compile.optimizer.config")
    # The state of each of this model's parameters, slot by slot. (An optimizer
    # object shared with another model may hold state for other names: not ours.)
    state = {}
    for name, param, _ in model.parameters():
        slots = optimizer.state.get(name)
        if not slots:
            continue  # not updated yet (or an optimizer without state, like plain SGD)
        for slot, array in slots.items():
            if array.shape != param.shape:
                raise ValueError(
                    f"the optimizer's {slot!r} state for {name} has shape {array.shape}, but the "
                    f"parameter has shape {param.shape}; was the optimizer used by another model?"
                )
            member = optimizer_member(name, slot)
            check_arrays_to_write({member: array}, {member: param.shape}, model.dtype)
            arrays[member] = array
        state[name] = list(slots)
    return {
        "loss": {"name": loss_name,
                 "config": _checked_config(loss, loss.get_config(), "compile.loss.config")},
        "optimizer": {"name": optimizer_name,
                      "config": config,
                      "iterations": int(optimizer.iterations),
                      "state": state},
        "metrics": list(model.metric_names),
    }


def _checked_config(obj: Any, config: dict[str, Any], where: str,
                    given: tuple[str, ...] = ()) -> dict[str, Any]:
    """``config``, if ``load`` will accept it for ``obj``'s class (see ``check_config``)."""
    try:
        check_config(type(obj), json_value(config), where, given)
    except Invalid as error:
        raise ValueError(f"cannot save the model: {error}") from None
    return config


def _json_default(value: Any) -> Any:
    """Let ``json.dumps`` write NumPy scalars (e.g. an ``np.float32`` in a config)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return json_value(value)
    raise TypeError(f"cannot save a value of type {type(value).__name__} in a model file")
