"""A model's ``metadata``: a dict of JSON values, checked the same way by ``save`` and ``load``.

``Sequential.metadata`` and ``NeuralNetwork.metadata`` (empty by default)
are saved under the document's optional key ``"metadata"``. They must be an
object with string keys whose values are null, true/false, integers (of at
most 300 digits), finite numbers, strings, lists and objects, at most
:data:`MAX_METADATA_DEPTH` levels deep and :data:`MAX_METADATA_BYTES` long when
written compactly. :func:`check_metadata` is the one check: ``save`` runs it
before writing (and raises ``TypeError`` or ``ValueError`` naming the entry,
e.g. ``metadata['classes'][2]``), ``load`` runs it on what the file holds, so
whatever one accepts the other gives back unchanged.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .schema import Invalid, quote

__all__ = ["MAX_METADATA_BYTES", "MAX_METADATA_DEPTH", "BadMetadata", "check_metadata",
           "metadata_from_json"]

#: The most levels of lists and dicts in a model's ``metadata`` (the dict itself is 1).
MAX_METADATA_DEPTH = 32
#: The most characters a model's ``metadata`` may take as compact, ASCII-only JSON.
MAX_METADATA_BYTES = 2**20
_INT_LIMIT = 10**300  # integers in metadata have at most 300 digits


class BadMetadata(Exception):
    """Metadata that cannot be saved; ``kind`` is the exception ``save`` raises for it."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind


def check_metadata(metadata: Any) -> None:
    """Raise :class:`BadMetadata` unless ``metadata`` is a dict of JSON values within the limits.

    The same check serves ``save`` (before writing) and ``load`` (on what the
    file holds), so whatever one accepts the other gives back unchanged.
    """
    if type(metadata) is not dict:
        raise BadMetadata(TypeError, f"metadata must be a dict, got {_type_label(metadata)}")
    _check_value(metadata, "metadata", 1)
    size = len(json.dumps(metadata, separators=(",", ":")))  # ASCII: characters = bytes
    if size > MAX_METADATA_BYTES:
        raise BadMetadata(ValueError, f"metadata takes {size:,} bytes as JSON, more than the "
                                      f"{MAX_METADATA_BYTES:,} allowed")


def metadata_from_json(document: dict[str, Any]) -> dict[str, Any]:
    """The document's ``"metadata"`` (an empty dict if it has none), checked as ``save`` does.

    Raises
    ------
    Invalid
        With :func:`check_metadata`'s message.
    """
    metadata = document.get("metadata", {})
    try:
        check_metadata(metadata)
    except BadMetadata as error:
        raise Invalid(str(error)) from None
    return metadata


def _check_value(value: Any, where: str, depth: int) -> None:
    kind = type(value)
    if kind is dict or kind is list:
        if depth > MAX_METADATA_DEPTH:
            shown = where if len(where) <= 100 else where[:97] + "..."
            raise BadMetadata(ValueError, f"{shown} is nested more than {MAX_METADATA_DEPTH} "
                                          "levels deep")
        if kind is list:
            for i, item in enumerate(value):
                _check_value(item, f"{where}[{i}]", depth + 1)
            return
        for key, item in value.items():
            if type(key) is not str:
                raise BadMetadata(TypeError, f"{where} has the key {quote(key)} "
                                             f"({_type_label(key)}); keys must be strings")
            _check_value(item, f"{where}[{quote(key)}]", depth + 1)
    elif kind is float:
        if not math.isfinite(value):
            raise BadMetadata(ValueError, f"{where} must be a finite number, got {value}")
    elif kind is int:
        if not -_INT_LIMIT < value < _INT_LIMIT:  # JSON readers balk at them
            raise BadMetadata(ValueError, f"{where} is an integer of more than 300 digits")
    elif kind not in (type(None), bool, str):
        hint = (" (use .item() or .tolist() for NumPy values)"
                if isinstance(value, (np.generic, np.ndarray)) else "")
        raise BadMetadata(TypeError, f"{where} is {_type_label(value)}; metadata values must "
                                     "be None, bool, int, finite float, str, or lists and "
                                     f"dicts of them{hint}")


def _type_label(value: Any) -> str:
    """``"a tuple"``, ``"a numpy.float64"``, ``"None"``: the type of a value, for messages."""
    if value is None:
        return "None"
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__qualname__}"
    return f"a {name}" if name[0] not in "aeiou" else f"an {name}"
