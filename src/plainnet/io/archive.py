"""The zip archive of a ``.pnet`` file: writing it, and reading it without trusting it.

A ``.pnet`` file is laid out as :func:`numpy.savez` lays one out: a zip
archive whose members are all stored uncompressed, ``model.json`` first, then
one ``.npy`` member per array. :func:`write_archive` writes it;
:class:`Archive` reads it back and trusts nothing: no member may be
compressed, encrypted or repeated, every size is checked before anything is
read, ``.npy`` headers are parsed as literals (never unpickled), and each
array must be exactly the float array the model needs.

Which arrays may stand in a file is decided by one function pair,
:func:`array_problem` and :func:`values_problem`: ``load`` refuses a member
they object to, and ``save`` refuses to write an array they object to
(:func:`check_arrays_to_write`).
"""

from __future__ import annotations

import json
import math
import os
import tokenize
import warnings
import zipfile
from collections import Counter
from io import BytesIO
from typing import Any, BinaryIO

import numpy as np

from .layout import (
    DOCUMENT,
    MAX_DOCUMENT_BYTES,
    MAX_NPY_HEADER_BYTES,
    ZIP_DATE,
    document_size_problem,
)
from .schema import Invalid, names, quote

__all__ = ["Archive", "array_problem", "check_arrays_to_write", "values_problem",
           "write_archive"]


def array_problem(found_dtype: np.dtype, found_shape: tuple[int, ...], dtype: np.dtype,
                  shape: tuple[int, ...]) -> str | None:
    """Why an array of ``found_dtype`` and ``found_shape`` cannot stand for the model's, or None.

    The model needs floats of ``dtype``'s size (byte order aside) and exactly
    ``shape``. The reason is worded to follow the array's name:
    ``"has shape (5, 13); the model needs (5, 12)"``.
    """
    if found_dtype.kind != "f" or found_dtype.itemsize != dtype.itemsize:
        return f"holds {found_dtype} values; the model needs {dtype}"
    if tuple(found_shape) != tuple(shape):
        return f"has shape {found_shape}; the model needs {shape}"
    return None


def values_problem(array: np.ndarray) -> str | None:
    """``"contains NaN or infinite values"`` if ``array`` does, else None."""
    return None if np.isfinite(array).all() else "contains NaN or infinite values"


# ------------------------------------------------------------------------------- writing


def check_arrays_to_write(arrays: dict[str, np.ndarray], shapes: dict[str, tuple[int, ...]],
                          dtype: np.dtype) -> None:
    """Check each array (member -> array) as ``load`` will read it back.

    Raises
    ------
    ValueError
        ``"cannot save the model: layers/dense/weights.npy contains NaN or
        infinite values"``: the first array that is not a float of ``dtype``'s
        size, not of its expected shape (``shapes[member]``) or not finite.
    """
    for member, array in arrays.items():
        problem = (array_problem(array.dtype, array.shape, dtype, shapes[member])
                   or values_problem(array))
        if problem:
            raise ValueError(f"cannot save the model: {member} {problem}")


def write_archive(file: BinaryIO, document: bytes, arrays: dict[str, np.ndarray]) -> None:
    """The zip archive: ``model.json`` then one uncompressed ``.npy`` member per array."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(_member_info(DOCUMENT), document)
        for name, array in arrays.items():
            with archive.open(_member_info(name), "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)


def _member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped
    return info


# ------------------------------------------------------------------------------- reading


class Archive:
    """A zip archive opened for reading, each member's size checked before it is read.

    Parameters
    ----------
    file : binary file object, opened for reading

    Raises
    ------
    Invalid
        If a member is repeated, encrypted, compressed or declares
        inconsistent sizes. (``zipfile.BadZipFile`` if it is no zip archive.)
    """

    def __init__(self, file: Any) -> None:
        self.file_size = os.fstat(file.fileno()).st_size
        self.zip = zipfile.ZipFile(file)
        infos = self.zip.infolist()
        repeated = [name for name, count in Counter(i.filename for i in infos).items()
                    if count > 1]
        if repeated:
            raise Invalid(f"the archive has several members named {names(repeated)}")
        for info in infos:
            if info.flag_bits & 0x1:
                raise Invalid(f"member {quote(info.filename)} is encrypted")
            if info.compress_type != zipfile.ZIP_STORED:
                # A compressed member could expand to far more than the file's size.
                raise Invalid(f"member {quote(info.filename)} is compressed; plainnet files "
                              "store their members uncompressed")
            if info.compress_size != info.file_size:
                raise Invalid(f"member {quote(info.filename)} declares inconsistent sizes")
        self.members = {info.filename: info for info in infos}

    def check_budget(self, n_bytes: int, what: str) -> None:
        """Refuse to create ``n_bytes`` of arrays that the file cannot possibly hold."""
        if n_bytes > self.file_size:
            raise Invalid(
                f"{what} would take {n_bytes:,} bytes, but the file has only "
                f"{self.file_size:,} bytes: its sizes are wrong (damaged or hostile file)"
            )

    def check_members(self, expected: set[str]) -> None:
        """The archive must hold exactly the ``expected`` members."""
        missing = expected - self.members.keys()
        unexpected = self.members.keys() - expected
        if missing:
            raise Invalid(f"member(s) {names(missing)} are missing")
        if unexpected:
            raise Invalid(f"unexpected member(s) {names(unexpected)}")

    def read_document(self) -> Any:
        """The parsed ``model.json`` (any JSON value, checked by the caller)."""
        info = self.members.get(DOCUMENT)
        if info is None:
            raise Invalid(f"it is not a plainnet model file (no {DOCUMENT!r} member)")
        if info.file_size > MAX_DOCUMENT_BYTES:
            raise Invalid(f"{DOCUMENT} is {info.file_size:,} bytes, more than the "
                          f"{MAX_DOCUMENT_BYTES:,} allowed")
        data = self.zip.read(info)  # zipfile checks the CRC-32
        problem = document_size_problem(data)
        if problem:
            raise Invalid(problem)
        try:
            return json.loads(data.decode("utf-8"),
                              object_pairs_hook=_object_without_repeated_keys)
        except UnicodeDecodeError as error:
            raise Invalid(f"{DOCUMENT} is not UTF-8 text ({error})") from None
        except (ValueError, RecursionError) as error:
            raise Invalid(f"{DOCUMENT} is not valid JSON ({error})") from None

    def read_array(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """Read member ``name``: a ``.npy`` float array that must have ``shape``.

        Returns a new, writable, native-order array of ``dtype``. The header is
        parsed as a literal (``allow_pickle`` never applies: only float dtypes
        are accepted), and the data must be exactly ``shape``'s size.
        """
        info = self.members[name]
        n_bytes = math.prod(shape) * dtype.itemsize
        if info.file_size > n_bytes + MAX_NPY_HEADER_BYTES:
            raise Invalid(f"member {name!r} is {info.file_size:,} bytes, too large for an "
                          f"array of shape {shape}")
        data = self.zip.read(info)  # zipfile checks the CRC-32
        stream = BytesIO(data)
        file_shape, fortran_order, file_dtype = _read_npy_header(stream, name)
        problem = array_problem(file_dtype, file_shape, dtype, shape)
        if problem:
            raise Invalid(f"member {name!r} {problem}")
        start = stream.tell()
        if len(data) - start != n_bytes:
            raise Invalid(f"member {name!r} has {len(data) - start:,} bytes of data; shape "
                          f"{shape} needs {n_bytes:,}")
        values = np.frombuffer(data, dtype=file_dtype, count=math.prod(shape), offset=start)
        array = values.reshape(shape, order="F" if fortran_order else "C").astype(dtype)
        problem = values_problem(array)
        if problem:
            raise Invalid(f"member {name!r} {problem}")
        return np.ascontiguousarray(array)


def _read_npy_header(stream: BytesIO, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """``(shape, fortran_order, dtype)`` from a ``.npy`` header, parsed as a literal."""
    try:
        # NumPy reads the header with ast.literal_eval, which warns about a damaged
        # header's odd escapes ("\_") before it fails: the error below says it all
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                return np.lib.format.read_array_header_1_0(stream, MAX_NPY_HEADER_BYTES)
            if version == (2, 0):
                return np.lib.format.read_array_header_2_0(stream, MAX_NPY_HEADER_BYTES)
            raise ValueError(f"unsupported .npy format version {version}")
    except (ValueError, SyntaxError, TypeError, tokenize.TokenError) as error:
        raise Invalid(f"member {name!r} is not a valid .npy array ({error})") from None


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a JSON object may not name the same key twice."""
    result = dict(pairs)
    if len(result) != len(pairs):
        repeated = [key for key, count in Counter(key for key, _ in pairs).items() if count > 1]
        raise ValueError(f"repeated key(s) {names(repeated)} in a JSON object")
    return result
