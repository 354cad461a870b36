"""Checking the JSON document of a ``.pnet`` file, value by value, and building from it.

Each ``expect_*`` function returns the value it checked or raises
:class:`Invalid` with a message naming where in the document the problem is
(``compile.optimizer.config.beta_1 must be a number, got '0.9'``);
:func:`~plainnet.io.load` turns that into a ``ModelFileError``. A class is
only ever found in one of plainnet's own tables (:func:`lookup`), and built
only after its arguments have been checked against its signature
(:func:`check_config`, :func:`construct`). ``save`` uses the same two from its
side: :func:`registered_name` (a file may name only what ``lookup`` will
find) and :func:`check_config` (a file holds only arguments ``load`` accepts).
"""

from __future__ import annotations

import inspect
import math
import types
import typing
from typing import Any, Union

import numpy as np

__all__ = [
    "Invalid",
    "check_config",
    "construct",
    "expect_count",
    "expect_list",
    "expect_object",
    "expect_type",
    "json_value",
    "lookup",
    "names",
    "quote",
    "registered_name",
]


class Invalid(Exception):
    """A problem found in a file; :func:`~plainnet.io.load` turns it into a ``ModelFileError``."""


def quote(value: Any) -> str:
    """A short, printable rendering of a value read from a file, for messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def names(items: Any) -> str:
    """The first five of ``items``, sorted and quoted, and how many more there are."""
    items = sorted(items)
    shown = ", ".join(quote(n) for n in items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        if float in expected:  # an integer is a number too
            expected = tuple(t for t in expected if t is not int)
        return " or ".join(_type_name(t) for t in dict.fromkeys(expected))
    return {dict: "an object", list: "a list", str: "a string", int: "an integer",
            float: "a number", bool: "true or false", type(None): "null"}[expected]


def expect_type(value: Any, expected: type | tuple[type, ...], where: str) -> Any:
    """``value`` if its JSON type is ``expected`` (``True`` is not an integer here)."""
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if type(value) not in allowed:
        raise Invalid(f"{where} must be {_type_name(expected)}, got {quote(value)}")
    return value


def expect_object(value: Any, keys: list[str], where: str,
                  extra_allowed: bool = False, optional: tuple[str, ...] = ()
                  ) -> dict[str, Any]:
    """``value`` if it is a JSON object with exactly ``keys`` and maybe some of ``optional``.

    With ``extra_allowed``, any other keys are accepted too.
    """
    expect_type(value, dict, where)
    missing = [key for key in keys if key not in value]
    if missing:
        raise Invalid(f"{where} lacks the key(s) {names(missing)}")
    unexpected = set(value) - set(keys) - set(optional)
    if unexpected and not extra_allowed:
        raise Invalid(f"{where} has unexpected key(s) {names(unexpected)}")
    return value


def expect_count(value: Any, where: str) -> int:
    """``value`` if it is a non-negative JSON integer."""
    expect_type(value, int, where)
    if value < 0:
        raise Invalid(f"{where} must be >= 0, got {value}")
    return value


def expect_list(value: Any, item_type: type | tuple[type, ...], where: str) -> list:
    """``value`` if it is a JSON list whose items all have type ``item_type``."""
    expect_type(value, list, where)
    for i, item in enumerate(value):
        expect_type(item, item_type, f"{where}[{i}]")
    return value


_JSON_SCALARS = (type(None), bool, int, float, str)


def _json_types(hint: Any) -> tuple[type, ...]:
    """The JSON value types that can stand for a constructor argument annotated ``hint``."""
    if hint is None:  # not annotated: any scalar, the constructor checks it
        return _JSON_SCALARS
    if typing.get_origin(hint) in (Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in _json_types(arg))
    if typing.get_origin(hint) in (list, tuple):  # a list of numbers (a shape)
        return (list,)
    return {int: (int,), float: (int, float), bool: (bool,), str: (str,),
            type(None): (type(None),)}.get(hint, ())


def check_config(cls: type, config: Any, where: str, given: tuple[str, ...] = ()) -> None:
    """Raise :class:`Invalid` unless ``config`` can be given to ``cls`` from a file.

    Every key must name a constructor parameter (``*args`` and ``**kwargs``
    take nothing from a file), every parameter without a default must be
    given (in ``config``, or among the names ``given``, built by the caller),
    and every value must be a JSON value of the annotated type (finite, for
    numbers). ``load`` checks a file's configurations with this before
    calling a constructor (:func:`construct`); ``save`` checks the model's
    with it before writing.
    """
    expect_type(config, dict, where)
    # the parameters a file can give by name (not a *args or **kwargs catch-all)
    parameters = {name: parameter for name, parameter in inspect.signature(cls).parameters.items()
                  if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)}
    hints = typing.get_type_hints(cls.__init__)
    unknown = set(config) - set(parameters)
    if unknown:
        raise Invalid(f"{where} has unknown argument(s) {names(unknown)} for {cls.__name__}")
    missing = [name for name, parameter in parameters.items()
               if parameter.default is parameter.empty and name not in config
               and name not in given]
    if missing:
        raise Invalid(f"{where} lacks the argument(s) {names(missing)} for {cls.__name__}")
    for name, value in config.items():
        allowed = _json_types(hints.get(name))
        if not allowed:
            raise Invalid(f"{where}.{name} cannot be given in a file")
        expect_type(value, allowed, f"{where}.{name}")
        if type(value) is float and not math.isfinite(value):
            raise Invalid(f"{where}.{name} must be finite, got {value}")


def construct(cls: type, config: Any, where: str, **objects: Any) -> Any:
    """``cls(**config, **objects)`` after :func:`check_config` has accepted ``config``.

    ``objects`` are arguments already built by the caller (a schedule).
    Errors of the constructor's own checks are reported with ``where``.
    """
    check_config(cls, config, where, given=tuple(objects))
    try:
        return cls(**config, **objects)
    except (TypeError, ValueError) as error:
        raise Invalid(f"{where}: {error}") from None


def lookup(registry: dict[str, type], name: Any, what: str, where: str) -> type:
    """The class ``registry[name]``: only plainnet's own classes, never an import."""
    expect_type(name, str, where)
    if name not in registry:
        raise Invalid(f"{where}: unknown {what} {quote(name)}; plainnet knows "
                      f"{', '.join(sorted(registry))}")
    return registry[name]


def registered_name(obj: Any, name: str, registry: dict[str, type], what: str) -> str:
    """``name`` if ``registry[name]`` is exactly ``obj``'s class: what :func:`lookup` rebuilds.

    Raises
    ------
    ValueError
        If the class is not plainnet's own (a subclass of your own, say):
        ``save`` writes nothing then.
    """
    if registry.get(name) is not type(obj):
        raise ValueError(
            f"cannot save a {what} of class {type(obj).__name__}: a file can only name "
            f"plainnet's own classes ({', '.join(sorted(registry))})"
        )
    return name


def json_value(value: Any) -> Any:
    """``value`` as JSON gives it back: arrays and tuples as lists, NumPy scalars as numbers."""
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
