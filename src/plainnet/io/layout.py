"""The layout of a ``.pnet`` file: its format name and version, member names, sizes and limits.

Both directions read these: :mod:`~plainnet.io.saving` writes what they
describe and :mod:`~plainnet.io.loading` accepts only that, so the two
cannot drift apart. In particular :func:`planned_shapes` (the shapes of the
arrays a list of layers holds, computed from their configurations alone) is
what ``load`` checks every array against, and what ``save`` checks the model's
arrays against before it writes anything.
"""

from __future__ import annotations

import math
from typing import Any

from ..layers import BatchNormalization, Dense, Flatten, Layer, Reshape
from .schema import Invalid

__all__ = [
    "DOCUMENT",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_DOCUMENT_BRACKETS",
    "MAX_DOCUMENT_BYTES",
    "MAX_NPY_HEADER_BYTES",
    "ZIP_DATE",
    "document_size_problem",
    "header",
    "layer_member",
    "optimizer_member",
    "planned_shapes",
]

#: The value of ``"format"`` in every plainnet model file.
FORMAT_NAME = "plainnet"
#: The version of the file layout this plainnet writes; it reads versions 1 to this one.
FORMAT_VERSION = 2

#: The JSON document's member.
DOCUMENT = "model.json"
# Limits on the JSON document, which becomes Python objects of ~10-25 times its size
# when parsed: 16 MiB holds the history of ~100,000 epochs; the models themselves
# need a few [ or { per layer.
MAX_DOCUMENT_BYTES = 16 * 2**20
MAX_DOCUMENT_BRACKETS = 100_000
MAX_NPY_HEADER_BYTES = 4096  # numpy writes headers of 128 bytes for our arrays
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed date: the same model gives the same bytes


def header(model_kind: str) -> dict[str, Any]:
    """The keys every document starts with: format, version, plainnet version, kind of model."""
    from .. import __version__

    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
            "plainnet_version": __version__, "model": model_kind}


def layer_member(layer_name: str, array_name: str) -> str:
    """``layers/dense_1/weights.npy``: the member of one array of a layer."""
    return f"layers/{layer_name}/{array_name}.npy"


def optimizer_member(parameter_name: str, slot: str) -> str:
    """``optimizer/dense/weights/m.npy``: the member of one slot of the optimizer's state."""
    return f"optimizer/{parameter_name}/{slot}.npy"


def document_size_problem(text: bytes) -> str | None:
    """Why the JSON document ``text`` is too big to load safely, or None if it is not."""
    if len(text) > MAX_DOCUMENT_BYTES:
        return f"{DOCUMENT} is {len(text):,} bytes, more than the {MAX_DOCUMENT_BYTES:,} allowed"
    # An upper bound on the lists and objects (brackets inside strings count too):
    # each costs ~60 bytes of memory for 2 bytes of text.
    brackets = text.count(b"[") + text.count(b"{")
    if brackets > MAX_DOCUMENT_BRACKETS:
        return (f"{DOCUMENT} has {brackets:,} '[' and '{{', more than the "
                f"{MAX_DOCUMENT_BRACKETS:,} allowed")
    return None


def planned_shapes(layers: list[Layer], input_shape: tuple) -> list[dict[str, tuple[int, ...]]]:
    """The shapes of the arrays each layer holds once built, from the settings alone.

    The sample shape is followed through the layers (``Dense`` replaces the
    last axis, ``Flatten`` and ``Reshape`` reshape, a layer with
    ``compute_output_shape`` says, the others keep it; a layer type with
    arrays of its own gives their shapes with ``parameter_shapes``).
    This is what lets :func:`~plainnet.io.load` refuse absurd sizes before
    allocating anything, and what ``save`` checks a model's arrays against.

    Raises
    ------
    Invalid
        If a layer's sizes cannot be told (a registered layer type with arrays
        that this function does not know, or a shape that does not fit it).
    """
    planned, shape = [], tuple(input_shape)
    for i, layer in enumerate(layers):
        width = shape[-1] if shape else None
        if isinstance(layer, (Dense, BatchNormalization)) and width is None:
            raise Invalid(f"layers[{i}] ({type(layer).__name__}) needs inputs with a known last "
                          f"axis, got {shape}")
        if isinstance(layer, Dense):
            planned.append({"weights": (width, layer.units), "bias": (layer.units,)})
            shape = (*shape[:-1], layer.units)
        elif isinstance(layer, BatchNormalization):
            planned.append({name: (width,) for name in layer.param_names + layer.state_names})
        elif hasattr(layer, "parameter_shapes"):  # e.g. convolutions: the layer says
            try:
                planned.append({name: tuple(d) for name, d in
                                layer.parameter_shapes(shape).items()})
                shape = tuple(layer.compute_output_shape(shape))
            except ValueError as error:
                raise Invalid(f"layers[{i}] ({type(layer).__name__}): {error}") from None
        elif layer.param_names or layer.state_names:
            raise Invalid(f"plainnet cannot check the sizes of a {type(layer).__name__} layer")
        elif hasattr(layer, "compute_output_shape"):  # e.g. pooling: no arrays
            planned.append({})
            try:
                shape = tuple(layer.compute_output_shape(shape))
            except ValueError as error:
                raise Invalid(f"layers[{i}] ({type(layer).__name__}): {error}") from None
        else:
            planned.append({})
            if isinstance(layer, (Flatten, Reshape)):
                if any(d is None for d in shape):
                    raise Invalid(f"layers[{i}] ({type(layer).__name__}) needs inputs of a known "
                                  f"shape, got {shape}")
                size = math.prod(shape)
                target = (size,) if isinstance(layer, Flatten) else layer.target_shape
                known = math.prod(d for d in target if d != -1)
                shape = tuple(size // known if d == -1 else d for d in target)
                if math.prod(shape) != size:
                    raise Invalid(f"layers[{i}] (Reshape) cannot reshape {size} values to "
                                  f"{layer.target_shape}")
    return planned
