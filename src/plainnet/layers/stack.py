"""A list of layers applied one after the other: checking, naming, building, describing.

``Sequential`` uses these; they know nothing of losses or training.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .._validation import as_float_array
from .base import Layer, Shape, build_layer, default_name, describe_shape
from .dense import Dense
from .normalization import BatchNormalization

__all__ = ["build_stack", "check_input_shape", "convert_dtype", "declared_input_shape",
           "name_layers", "set_arrays", "summary_lines", "unpack_layers"]


def unpack_layers(layers: Any) -> list[Layer]:
    """The layers, checked, with each ``activation=`` shortcut (Dense, Conv2D) split in two."""
    if isinstance(layers, Layer):
        layers = [layers]
    if not isinstance(layers, Iterable) or isinstance(layers, (str, bytes)):
        raise TypeError(f"layers must be a list of plainnet layers, got {type(layers).__name__}")
    layers = list(layers)
    if not layers:
        raise ValueError("layers is empty: a model needs at least one layer")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{i}] must be a plainnet layer, got {type(layer).__name__}")
        if layer.built:
            raise ValueError(f"{type(layer).__name__} layer is already part of a model; "
                             "create a new layer for each model")
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValueError("the same layer object appears twice in layers; create a new one")
    unpacked = []
    for layer in layers:
        unpacked.append(layer)
        # Dense(8, activation="relu"), Conv2D(...): the shortcut becomes a layer of its own
        activation = layer.pop_activation() if hasattr(layer, "pop_activation") else None
        if activation is not None:
            unpacked.append(activation)
    return unpacked


def name_layers(layers: list[Layer]) -> None:
    """Give each layer a unique name: ``dense``, ``dense_1``, ``relu``, ..."""
    counts: dict[str, int] = {}
    for layer in layers:
        base = default_name(type(layer))
        counts[base] = counts.get(base, 0) + 1
        layer.name = base if counts[base] == 1 else f"{base}_{counts[base] - 1}"


def declared_input_shape(layers: list[Layer]) -> Shape | None:
    """The input shape the first layers state (``Dense(n_inputs, units)``), if any."""
    for layer in layers:
        if isinstance(layer, Dense):
            return None if layer.n_inputs is None else (layer.n_inputs,)
        if isinstance(layer, BatchNormalization):
            if layer.n_features is not None:
                return (layer.n_features,)
        elif type(layer).build is not Layer.build:
            return None  # a layer that may change the shape: the data will tell
    return None


def check_input_shape(input_shape: Any) -> Shape:
    """``input_shape`` as a tuple of positive ints (``None`` for unknown lengths)."""
    if isinstance(input_shape, numbers.Integral) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or not input_shape or not all(
            d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0)
            for d in input_shape):
        raise ValueError(f"input_shape must be a tuple of positive integers (no batch axis), "
                         f"e.g. (4,) or (28, 28, 1), got {input_shape!r}")
    return tuple(None if d is None else int(d) for d in input_shape)


def build_stack(layers: list[Layer], input_shape: Shape, rng: np.random.Generator,
                dtype: np.dtype) -> Shape:
    """Build each layer for the output shape of the one before; return the last output shape.

    A layer that does not fit raises a ``ValueError`` naming it, and then
    no layer is left built (they can be used again).
    """
    shape = input_shape
    try:
        for layer in layers:
            shape = build_layer(layer, shape, rng, dtype)
    except Exception:
        for layer in layers:
            layer.built = False
        raise
    return shape


def _rows(layers: list[Layer], depth: int = 0) -> list[tuple[str, str, str]]:
    """One row per layer; the layers inside a container (``Residual``) below it, indented."""
    rows = []
    for layer in layers:
        rows.append(("  " * depth + f"{layer.name} ({type(layer).__name__})",
                     describe_shape(layer.output_shape), f"{layer.count_params():,}"))
        if getattr(layer, "nests_layers", False):
            rows += _rows(layer.layers, depth + 1)
    return rows


def summary_lines(layers: list[Layer], input_shape: Shape, dtype: np.dtype) -> list[str]:
    """The table ``Sequential.summary`` prints: each layer's output shape and parameters."""
    rows = [("Layer (type)", "Output shape", "Params"), *_rows(layers)]
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(3)]
    rule = "-" * sum(widths)
    inputs = (f"{input_shape[0]} inputs" if len(input_shape) == 1 and input_shape[0] is not None
              else f"inputs of shape {input_shape}")
    lines = [f'Model: "sequential" ({inputs}, dtype {np.dtype(dtype).name})', rule]
    for i, row in enumerate(rows):
        lines.append(row[0].ljust(widths[0]) + row[1].ljust(widths[1]) + row[2].rjust(widths[2]))
        if i == 0:
            lines.append("=" * sum(widths))
    frozen = sum(layer.count_params() for layer in layers if not layer.trainable)
    lines += [rule, f"Total params: {sum(layer.count_params() for layer in layers):,}"]
    if frozen:
        lines.append(f"Non-trainable params: {frozen:,}")
    return lines


def set_arrays(layers: list[Layer], arrays: Any, dtype: np.dtype) -> None:
    """Copy ``arrays`` (as ``get_weights`` lists them) into the layers' arrays.

    All are checked (count, shape, finite numbers) before any is changed.
    """
    targets = [(layer, name, array) for layer in layers for name, array in layer.arrays().items()]
    if not isinstance(arrays, Iterable) or isinstance(arrays, (str, bytes, dict)):
        raise TypeError(f"weights must be a list of arrays (as get_weights() returns), "
                        f"got {type(arrays).__name__}")
    arrays = list(arrays)
    if len(arrays) != len(targets):
        raise ValueError(f"weights has {len(arrays)} arrays, but the model has {len(targets)}")
    converted = []
    for (layer, name, current), new in zip(targets, arrays):
        new = as_float_array(f"{layer.name}.{name}", new, dtype)
        if new.shape != current.shape:
            raise ValueError(f"{layer.name}.{name} must have shape {current.shape}, got "
                             f"{new.shape}")
        converted.append(new)
    for (_, _, current), new in zip(targets, converted):
        np.copyto(current, new)


def convert_dtype(layers: list[Layer], dtype: np.dtype) -> None:
    """Convert every parameter, gradient and state array of the layers to ``dtype``."""
    for layer in layers:
        layer.dtype = dtype
        for name in layer.param_names:
            for attribute in (name, "grad_" + name):
                setattr(layer, attribute, getattr(layer, attribute).astype(dtype))
        for name in layer.state_names:
            setattr(layer, name, getattr(layer, name).astype(dtype))

