"""Checks shared by every public entry point.

Each function either returns a clean value or raises ``TypeError`` (wrong
kind of thing) / ``ValueError`` (right kind, bad value) with a message that
names the argument, says what was expected and what was received.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

T = TypeVar("T")


def _describe(value: Any) -> str:
    """A short description of ``value`` for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} (type {type(value).__name__})"


def check_int(name: str, value: Any, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``; reject bools, floats and strings."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_float(
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Return ``value`` as a finite ``float`` inside the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        bad = value < minimum if min_inclusive else value <= minimum
        if bad:
            op = ">=" if min_inclusive else ">"
            raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None:
        bad = value > maximum if max_inclusive else value >= maximum
        if bad:
            op = "<=" if max_inclusive else "<"
            raise ValueError(f"{name} must be {op} {maximum}, got {value}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a real ``bool`` (or NumPy bool)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_dtype(dtype: Any) -> np.dtype:
    """Return the NumPy dtype for ``dtype``; only float32 and float64 are allowed."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {_describe(dtype)}") from exc
    if resolved not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {resolved}")
    return resolved


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of the strings in ``choices``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)}, got {_describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


#: Arrays up to this many elements are checked with a plain ``isfinite(a).all()``.
_SMALL = 1 << 16


def all_finite(array: np.ndarray) -> bool:
    """Whether every element of a numeric array is finite, without a temporary its size.

    ``isfinite(a).all()`` builds a boolean mask as large as ``a`` (a quarter
    of a float32 data set). A NaN or infinity makes the sum non-finite, so
    the sum alone answers "all finite" in one pass, with no temporary; only
    when it overflows (huge but finite values) or is not finite are the
    elements checked, in blocks.
    """
    if array.dtype.kind in "biu":
        return True
    if array.size <= _SMALL:
        return bool(np.isfinite(array).all())
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(array, axis=None, dtype=np.float64)  # float64: no overflow
    if np.isfinite(total):
        return True
    return count_non_finite(array) == 0


def count_non_finite(array: np.ndarray) -> int:
    """Number of NaN or infinite elements, counted block by block (no full-size mask)."""
    flat = array.reshape(-1) if array.flags.c_contiguous else array.ravel(order="K")
    return int(sum(flat[i:i + _SMALL].size - np.count_nonzero(np.isfinite(flat[i:i + _SMALL]))
                   for i in range(0, flat.size, _SMALL)))


def as_float_array(name: str, value: Any, dtype: np.dtype) -> np.ndarray:
    """Convert ``value`` to a finite floating array of ``dtype``.

    Booleans and numbers are accepted; strings, objects and complex numbers
    are a ``TypeError``; NaN or infinity is a ``ValueError``.
    """
    if value is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    try:
        array = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from exc
    if array.dtype.kind not in "biuf":
        hint = ""
        if array.dtype.kind in "USO":
            hint = ("; encode text labels as integers first (e.g. with np.unique(..., "
                    "return_inverse=True)), or use plainnet.sklearn, which accepts them")
        raise TypeError(
            f"{name} must contain numbers, got an array of dtype {array.dtype}{hint}"
        )
    with np.errstate(over="ignore"):  # a finite float64 too large for float32 becomes inf
        converted = array.astype(dtype, copy=False)
    if all_finite(converted):
        return converted
    if all_finite(array):
        raise ValueError(
            f"{name} holds values too large for {np.dtype(dtype).name} (largest magnitude "
            f"{max(abs(array.max()), abs(array.min())):g}); scale the data or use dtype=float64"
        )
    raise ValueError(f"{name} contains {count_non_finite(array)} NaN or infinite value(s)")


def check_X(X: Any, n_features: int, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """Validate a feature matrix: 2-D ``(n_samples, n_features)``, non-empty, finite."""
    return check_table_shape(as_float_array(name, X, dtype), n_features, name)


def check_table_shape(X: np.ndarray, n_features: int, name: str = "X") -> np.ndarray:
    """``X`` (already a float array) as ``(n_samples, n_features)``, or a clear error."""
    if X.ndim == 1 and n_features == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        hint = (f"; for a single sample use {name}.reshape(1, -1)"
                if X.ndim == 1 and X.shape[0] == n_features else "")
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, {n_features}), "
            f"got an array with shape {X.shape}{hint}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has 0 samples (shape {X.shape})")
    if X.shape[1] != n_features:
        got = f"{X.shape[1]} feature" + ("" if X.shape[1] == 1 else "s")
        raise ValueError(f"{name} has {got}, but the model expects {n_features}")
    return X


def make_rng(seed: Any, name: str = "seed") -> np.random.Generator:
    """The one way plainnet turns a seed into a ``np.random.Generator``.

    ``None`` gives fresh entropy, a non-negative integer a reproducible
    generator, and a ``Generator`` is used as it is (shared, not copied).
    The global ``np.random`` state is never touched.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be None, a non-negative integer or a numpy Generator, got "
            f"{type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be non-negative, got {seed}")
    return np.random.default_rng(int(seed))


def check_inputs(X: np.ndarray, input_shape: tuple, name: str = "X") -> np.ndarray:
    """Check a batch of samples against a model's ``input_shape`` (no batch axis).

    ``X`` is already a float array (see :func:`as_float_array`); a table
    (``input_shape == (features,)``) gets :func:`check_X`'s messages.
    ``None`` in ``input_shape`` matches any length.
    """
    if len(input_shape) == 1 and input_shape[0] is not None:
        return check_table_shape(X, input_shape[0], name=name)
    # None: an axis of any length (the time axis of sequences)
    expected = "(n_samples, " + ", ".join("any" if d is None else str(d)
                                          for d in input_shape) + ")"
    if X.ndim != len(input_shape) + 1 or any(
            d is not None and d != got for d, got in zip(input_shape, X.shape[1:])):
        raise ValueError(f"{name} must have shape {expected}, got an array of shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has 0 samples (shape {X.shape})")
    return X


def lookup(kind: str, name: str, registry: Mapping[str, T], alternative: str = "") -> T:
    """The entry of ``registry`` (lower-case keys) called ``name``, in any case.

    The one lookup behind the ``get`` functions of initializers, activations,
    metrics, losses and optimizers. An unknown name raises ``ValueError``:
    ``unknown <kind> 'name'; expected one of [<sorted keys>]<alternative>``.
    """
    try:
        return registry[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown {kind} {name!r}; expected one of {sorted(registry)}{alternative}"
        ) from None


def resolve(kind: str, value: Any, registry: Mapping[str, Callable[[], T]], base: type[T]) -> T:
    """``value`` itself if it is a ``base`` object, else a new one made from its name.

    A name gives ``registry[name]()`` through :func:`lookup` (whose message
    then adds "or a <base> object"); anything else raises ``TypeError``.
    """
    if isinstance(value, base):
        return value
    if isinstance(value, str):
        article = "an" if base.__name__[0] in "AEIOU" else "a"
        return lookup(kind, value, registry, f" or {article} {base.__name__} object")()
    raise TypeError(
        f"{kind} must be a name or a plainnet {base.__name__} object, got {type(value).__name__}"
    )
