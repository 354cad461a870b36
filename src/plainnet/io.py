"""Save and load models: one file, safe to open, written atomically.

The file
--------
A plainnet model file (suggested extension ``.pnet``) is a zip archive laid
out as :func:`numpy.savez` lays one out: every member stored uncompressed,
every array a ``.npy`` member. It holds

``model.json``
    A UTF-8 JSON document: the format name and version, the plainnet
    version that wrote it, the kind of model, its layers (type name and
    constructor arguments), dtype and seed, the loss, optimizer (name and
    hyper-parameters, step count) and metrics given to ``compile``, the
    epochs done, the training history and the state of the model's random
    generator; and, if the model's ``metadata`` dict is not empty, that dict
    under the key ``"metadata"``.
``layers/<layer>/<array>.npy``
    The arrays of each layer: ``layers/dense_1/weights.npy``,
    ``layers/batch_normalization/moving_mean.npy``, ...
``optimizer/<layer>/<parameter>/<slot>.npy``
    The optimizer's state for each parameter: ``optimizer/dense/weights/m.npy``.

The tutorial's :class:`~plainnet.tutorial.NeuralNetwork` is saved the same way,
with its four parameters as ``weights1.npy``, ``bias1.npy``, ``weights2.npy``
and ``bias2.npy``.

Any zip tool lists the members, ``unzip -p model.pnet model.json`` prints the
document, and ``numpy.load("model.pnet")`` reads the arrays.

Why loading is safe
-------------------
A pickle file is a program: unpickling runs whatever the file asks for. A
plainnet file is data. :func:`load`

* never unpickles: each ``.npy`` header is parsed as a literal and must
  declare a float array of exactly the shape and dtype the model needs, and
  its bytes are then read as plain numbers;
* builds layers, losses, optimizers and schedules only from plainnet's own
  fixed tables (``plainnet.layers.LAYER_TYPES`` and the like), never from a
  module or class named in the file, and checks every constructor argument
  (names, JSON types, finite numbers) before calling the constructor;
* trusts no size written in the file: the arrays a model would hold must fit
  in the bytes the file actually has (members are stored uncompressed, so a
  small file cannot expand into a huge one), and every member's size is
  checked before it is read;
* checks everything else against what the rebuilt model expects: members
  missing or unexpected, shapes, dtypes, finite values, the format version;

* checks the user's ``metadata`` strictly: an object with string keys whose
  values are null, true/false, integers (of at most 300 digits), finite
  numbers, strings, lists and objects, at most :data:`MAX_METADATA_DEPTH`
  levels deep and :data:`MAX_METADATA_BYTES` long when written compactly;

and reports any problem as :class:`~plainnet.errors.ModelFileError` (a
``ValueError``) naming the file and what is wrong. No other exception escapes
for a damaged or hostile file. Memory stays bounded: a few times the bytes of
arrays the file really holds, plus what the JSON document (at most 16 MiB,
with at most 100,000 lists and objects) becomes in Python.

Metadata and the format version
-------------------------------
``Sequential.metadata`` and ``NeuralNetwork.metadata`` (a dict, empty by
default) are saved under the optional key ``"metadata"``: the format stays
version 1. A model with empty metadata is written without the key, so its
file is byte for byte what earlier plainnet versions wrote and they can still
read it; files written before metadata existed load with ``metadata == {}``.
(A plainnet from before metadata refuses a file that has the key, naming it as
unexpected.) ``save`` checks the metadata as ``load`` will, and raises
``TypeError`` (a value or key of another type) or ``ValueError`` (a NaN or
infinite float, too deep, too big) naming the offending entry, e.g.
``metadata['classes'][2]``, before anything is written.

Why saving never loses work
---------------------------
:func:`save` writes the whole file under a temporary name in the same folder
(``.model.pnet.tmp-1a2b3c4d``), flushes it to the disk (``fsync``), then
renames it over the old file in one step (``os.replace``) and syncs the
folder. A process killed at any moment leaves either the old file or the new
one, never a mixture. A process killed mid-save may leave its temporary file
behind; such files can be deleted.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import secrets
import stat
import struct
import tokenize
import types
import typing
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from io import BytesIO
from typing import Any, BinaryIO, Union

import numpy as np

from . import losses as losses_module
from . import optimizers as optimizers_module
from . import schedules as schedules_module
from ._validation import check_dtype
from .callbacks import History
from .errors import ModelFileError
from .layers import LAYER_TYPES, BatchNormalization, Dense, Layer
from .model import Sequential
from .tutorial import NeuralNetwork

__all__ = ["BIT_GENERATORS", "FORMAT_NAME", "FORMAT_VERSION", "MAX_METADATA_BYTES",
           "MAX_METADATA_DEPTH", "load", "save"]

#: The value of ``"format"`` in every plainnet model file.
FORMAT_NAME = "plainnet"
#: The version of the file layout this plainnet writes and reads.
FORMAT_VERSION = 1

_DOCUMENT = "model.json"
# Limits on the JSON document, which becomes Python objects of ~10-25 times its size
# when parsed: 16 MiB holds the history of ~100,000 epochs; the models themselves
# need a few [ or { per layer.
_MAX_DOCUMENT_BYTES = 16 * 2**20
_MAX_DOCUMENT_BRACKETS = 100_000
_MAX_NPY_HEADER_BYTES = 4096  # numpy writes headers of 128 bytes for our arrays
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed date: the same model gives the same bytes

#: The most levels of lists and dicts in a model's ``metadata`` (the dict itself is 1).
MAX_METADATA_DEPTH = 32
#: The most characters a model's ``metadata`` may take as compact, ASCII-only JSON.
MAX_METADATA_BYTES = 2**20
_METADATA_INT_LIMIT = 10**300  # integers in metadata have at most 300 digits

#: The random bit generators whose state can be saved, by name.
BIT_GENERATORS: dict[str, type[np.random.BitGenerator]] = {
    cls.__name__: cls
    for cls in (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
                np.random.SFC64)
}

#: The tutorial's parameters, in the order the file lists them.
_NETWORK_PARAMETERS = ("weights1", "bias1", "weights2", "bias2")


# =====================================================================================
# Saving
# =====================================================================================


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
        layer, loss, optimizer or schedule class of your own, or a random
        generator other than those in :data:`BIT_GENERATORS`. Nothing is
        written then.
    TypeError, ValueError
        If ``model.metadata`` is not a dict of JSON values (see the module
        documentation): the message names the offending entry. Nothing is
        written then.
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
        document, arrays = _describe_sequential(model)
    elif isinstance(model, NeuralNetwork):
        document, arrays = _describe_network(model)
    else:
        raise TypeError(
            f"model must be a plainnet Sequential or NeuralNetwork, got {type(model).__name__}"
        )
    metadata = getattr(model, "metadata", {})
    try:
        _check_metadata(metadata)
    except _BadMetadata as error:
        raise error.kind(f"cannot save the model: {error}") from None
    if metadata:  # written only when there is some: such files are as before metadata existed
        document["metadata"] = metadata
    text = json.dumps(document, indent=1, default=_json_default).encode("utf-8")
    problem = _document_size_problem(text)
    if problem:  # never write a file that load would refuse
        raise ValueError(f"cannot save the model: {problem}; a very long history can be "
                         "shortened or removed (model.history = None) before saving")
    _write_atomically(os.fspath(path), text, arrays)


def _header(model_kind: str) -> dict[str, Any]:
    from . import __version__

    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
            "plainnet_version": __version__, "model": model_kind}


def _describe_sequential(model: Sequential) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON document and the arrays (member name -> array) of a ``Sequential``."""
    arrays: dict[str, np.ndarray] = {}
    layers = []
    for layer in model.layers:
        layers.append({"type": _registered_name(layer, type(layer).__name__, LAYER_TYPES,
                                                "layer"),
                       "config": layer.get_config()})
        for name, array in layer.arrays().items():
            arrays[_layer_member(layer.name, name)] = array
    document = {
        **_header("Sequential"),
        "dtype": model.dtype.name,
        "seed": None if model.seed is None else int(model.seed),
        "layers": layers,
        "compile": _describe_compile(model, arrays) if model.compiled else None,
        "epochs_done": int(model.epochs_done),
        "history": None if model.history is None else {"history": model.history.history,
                                                       "epoch": model.history.epoch},
        "random_state": _describe_generator(model.rng),
    }
    return document, arrays


def _describe_compile(model: Sequential, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Loss, optimizer (with its state, added to ``arrays``) and metrics of a compiled model."""
    loss, optimizer = model.loss, model.optimizer
    config = optimizer.get_config()
    if isinstance(optimizer.learning_rate, schedules_module.Schedule):
        schedule = optimizer.learning_rate
        _registered_name(schedule, type(schedule).__name__, schedules_module.SCHEDULE_TYPES,
                         "learning-rate schedule")
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
            arrays[_optimizer_member(name, slot)] = array
        state[name] = list(slots)
    return {
        "loss": {"name": _registered_name(loss, type(loss).name, losses_module.LOSS_TYPES,
                                          "loss"),
                 "config": loss.get_config()},
        "optimizer": {"name": _registered_name(optimizer, optimizer.name,
                                               optimizers_module.OPTIMIZER_TYPES, "optimizer"),
                      "config": config,
                      "iterations": int(optimizer.iterations),
                      "state": state},
        "metrics": list(model.metric_names),
    }


def _describe_generator(rng: np.random.Generator) -> dict[str, Any]:
    bit_generator = rng.bit_generator
    name = _registered_name(bit_generator, type(bit_generator).__name__, BIT_GENERATORS,
                            "random bit generator")
    return {"bit_generator": name, "state": _json_value(bit_generator.state)}


def _describe_network(network: NeuralNetwork) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON document and the arrays of the tutorial's ``NeuralNetwork``."""
    weights = network.get_weights()
    document = {
        **_header("NeuralNetwork"),
        "config": network.get_config(),
        "loss_history": [float(x) for x in network.loss_history],
    }
    return document, {f"{name}.npy": weights[name] for name in _NETWORK_PARAMETERS}


class _BadMetadata(Exception):
    """Metadata that cannot be saved; ``kind`` is the exception ``save`` raises for it."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _check_metadata(metadata: Any) -> None:
    """Raise ``_BadMetadata`` unless ``metadata`` is a dict of JSON values within the limits.

    The same check serves ``save`` (before writing) and ``load`` (on what the
    file holds), so whatever one accepts the other gives back unchanged.
    """
    if type(metadata) is not dict:
        raise _BadMetadata(TypeError, f"metadata must be a dict, got {_type_label(metadata)}")
    _check_metadata_value(metadata, "metadata", 1)
    size = len(json.dumps(metadata, separators=(",", ":")))  # ASCII: characters = bytes
    if size > MAX_METADATA_BYTES:
        raise _BadMetadata(ValueError, f"metadata takes {size:,} bytes as JSON, more than the "
                                       f"{MAX_METADATA_BYTES:,} allowed")


def _check_metadata_value(value: Any, where: str, depth: int) -> None:
    kind = type(value)
    if kind is dict or kind is list:
        if depth > MAX_METADATA_DEPTH:
            shown = where if len(where) <= 100 else where[:97] + "..."
            raise _BadMetadata(ValueError, f"{shown} is nested more than {MAX_METADATA_DEPTH} "
                                           "levels deep")
        if kind is list:
            for i, item in enumerate(value):
                _check_metadata_value(item, f"{where}[{i}]", depth + 1)
            return
        for key, item in value.items():
            if type(key) is not str:
                raise _BadMetadata(TypeError, f"{where} has the key {_quote(key)} "
                                              f"({_type_label(key)}); keys must be strings")
            _check_metadata_value(item, f"{where}[{_quote(key)}]", depth + 1)
    elif kind is float:
        if not math.isfinite(value):
            raise _BadMetadata(ValueError, f"{where} must be a finite number, got {value}")
    elif kind is int:
        if not -_METADATA_INT_LIMIT < value < _METADATA_INT_LIMIT:  # JSON readers balk at them
            raise _BadMetadata(ValueError, f"{where} is an integer of more than 300 digits")
    elif kind not in (type(None), bool, str):
        hint = (" (use .item() or .tolist() for NumPy values)"
                if isinstance(value, (np.generic, np.ndarray)) else "")
        raise _BadMetadata(TypeError, f"{where} is {_type_label(value)}; metadata values must "
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


def _layer_member(layer_name: str, array_name: str) -> str:
    return f"layers/{layer_name}/{array_name}.npy"


def _optimizer_member(parameter_name: str, slot: str) -> str:
    return f"optimizer/{parameter_name}/{slot}.npy"


def _registered_name(obj: Any, name: str, registry: dict[str, type], what: str) -> str:
    """``name`` if ``registry[name]`` is exactly ``obj``'s class: what loading will rebuild."""
    if registry.get(name) is not type(obj):
        raise ValueError(
            f"cannot save a {what} of class {type(obj).__name__}: a file can only name "
            f"plainnet's own classes ({', '.join(sorted(registry))})"
        )
    return name


def _document_size_problem(text: bytes) -> str | None:
    """Why the JSON document ``text`` is too big to load safely, or None if it is not."""
    if len(text) > _MAX_DOCUMENT_BYTES:
        return f"{_DOCUMENT} is {len(text):,} bytes, more than the {_MAX_DOCUMENT_BYTES:,} allowed"
    # An upper bound on the lists and objects (brackets inside strings count too):
    # each costs ~60 bytes of memory for 2 bytes of text.
    brackets = text.count(b"[") + text.count(b"{")
    if brackets > _MAX_DOCUMENT_BRACKETS:
        return (f"{_DOCUMENT} has {brackets:,} '[' and '{{', more than the "
                f"{_MAX_DOCUMENT_BRACKETS:,} allowed")
    return None


def _json_value(value: Any) -> Any:
    """``value`` with NumPy arrays and scalars turned into lists and Python numbers."""
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json_default(value: Any) -> Any:
    """Let ``json.dumps`` write NumPy scalars (e.g. an ``np.float32`` in a config)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return _json_value(value)
    raise TypeError(f"cannot save a value of type {type(value).__name__} in a model file")


# ------------------------------------------------------------------- writing the file


def _write_atomically(path: str, document: bytes, arrays: dict[str, np.ndarray]) -> None:
    """Write the archive to ``path`` atomically (see :func:`_replace_atomically`)."""
    _replace_atomically(path, lambda file: _write_archive(file, document, arrays))


def _replace_atomically(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, sync it, rename it over ``path``.

    A symbolic link is followed (what it points to is replaced), and the new
    file keeps the permissions of the file it replaces. If anything fails the
    temporary file is removed and ``path`` is left as it was. (The command
    line writes its CSV predictions with this too.)
    """
    path = os.path.realpath(path)  # follow a symbolic link: replace what it points to
    folder, filename = os.path.split(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)  # keep a private file private
    except OSError:
        mode = None  # a new file: the usual permissions
    temporary, descriptor = _create_temporary(folder, filename)
    try:
        with open(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on the disk before the name points to them
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)  # one step: readers see the old file or the new one
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)  # make the rename itself survive a power cut


def _create_temporary(folder: str, filename: str) -> tuple[str, int]:
    """Create ``folder/.<filename>.tmp-<random>`` exclusively; return its path and descriptor.

    The file is created with mode ``0o666`` less the umask, as ``open(path, "w")``
    would create ``path`` itself. Only the first 60 characters of ``filename`` are
    used, so that the name stays within the usual 255-byte limit. An error names
    ``folder/filename``, the file the caller asked for, not the temporary one.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{filename[:60]}.tmp-{secrets.token_hex(4)}")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:  # no such folder, no permission, ...
            raise type(error)(error.errno, error.strerror,
                              os.path.join(folder, filename)) from None
    raise FileExistsError(f"could not create a temporary file in {folder!r}")


def _write_archive(file: Any, document: bytes, arrays: dict[str, np.ndarray]) -> None:
    """The zip archive: ``model.json`` then one uncompressed ``.npy`` member per array."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(_member_info(_DOCUMENT), document)
        for name, array in arrays.items():
            with archive.open(_member_info(name), "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)


def _member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped
    return info


def _fsync_folder(folder: str) -> None:
    if os.name != "posix":  # Windows cannot open a folder; its rename is durable enough
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder we may write but not read: the file itself is synced
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems do not sync folders; the file itself is synced
        pass
    finally:
        os.close(descriptor)


# =====================================================================================
# Loading
# =====================================================================================


class _Invalid(Exception):
    """A problem found in a file; :func:`load` turns it into a ``ModelFileError``."""


#: What the standard library and NumPy raise on bytes they cannot make sense of.
_PARSE_ERRORS = (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, TypeError,
                 KeyError, IndexError, EOFError, struct.error, UnicodeError, MemoryError,
                 RecursionError, OverflowError, NotImplementedError, SyntaxError,
                 tokenize.TokenError)


def load(path: str | os.PathLike) -> Sequential | NeuralNetwork:
    """Load a model saved with :func:`save`.

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
        format or version, or does not describe a model plainnet can build.
        The message names the file and the problem. No other exception is
        raised for the file's contents.
    TypeError
        If ``path`` is not a path.

    Notes
    -----
    Nothing in the file is executed: no pickles, no classes or modules named
    by the file. See the module documentation for every check.
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
    except _Invalid as problem:
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
    archive = _Archive(file)
    document = archive.read_document()
    _expect_object(document, ["format", "format_version", "plainnet_version", "model"],
                   "the document", extra_allowed=True)
    if document["format"] != FORMAT_NAME:
        raise _Invalid(f"it is not a plainnet model file (format {_quote(document['format'])})")
    version = document["format_version"]
    if type(version) is not int:
        raise _Invalid(f"format_version must be an integer, got {_quote(version)}")
    if version > FORMAT_VERSION:
        raise _Invalid(f"it has file format version {version}, written by a newer plainnet; "
                       f"this plainnet reads version {FORMAT_VERSION}: upgrade plainnet")
    if version != FORMAT_VERSION:
        raise _Invalid(f"unknown file format version {version}; this plainnet reads version "
                       f"{FORMAT_VERSION}")
    _expect_type(document["plainnet_version"], str, "plainnet_version")
    kind = document["model"]
    if kind == "Sequential":
        return _load_sequential(document, archive)
    if kind == "NeuralNetwork":
        return _load_network(document, archive)
    raise _Invalid(f"unknown model kind {_quote(kind)}; expected 'Sequential' or "
                   "'NeuralNetwork'")


# --------------------------------------------------------------------- the archive


class _Archive:
    """A zip archive opened for reading, each member's size checked before it is read.

    Parameters
    ----------
    file : binary file object, opened for reading
    """

    def __init__(self, file: Any) -> None:
        self.file_size = os.fstat(file.fileno()).st_size
        self.zip = zipfile.ZipFile(file)
        infos = self.zip.infolist()
        repeated = [name for name, count in Counter(i.filename for i in infos).items()
                    if count > 1]
        if repeated:
            raise _Invalid(f"the archive has several members named {_names(repeated)}")
        for info in infos:
            if info.flag_bits & 0x1:
                raise _Invalid(f"member {_quote(info.filename)} is encrypted")
            if info.compress_type != zipfile.ZIP_STORED:
                # A compressed member could expand to far more than the file's size.
                raise _Invalid(f"member {_quote(info.filename)} is compressed; plainnet files "
                               "store their members uncompressed")
            if info.compress_size != info.file_size:
                raise _Invalid(f"member {_quote(info.filename)} declares inconsistent sizes")
        self.members = {info.filename: info for info in infos}

    def check_budget(self, n_bytes: int, what: str) -> None:
        """Refuse to create ``n_bytes`` of arrays that the file cannot possibly hold."""
        if n_bytes > self.file_size:
            raise _Invalid(
                f"{what} would take {n_bytes:,} bytes, but the file has only "
                f"{self.file_size:,} bytes: its sizes are wrong (damaged or hostile file)"
            )

    def check_members(self, expected: set[str]) -> None:
        """The archive must hold exactly the ``expected`` members."""
        missing = expected - self.members.keys()
        unexpected = self.members.keys() - expected
        if missing:
            raise _Invalid(f"member(s) {_names(missing)} are missing")
        if unexpected:
            raise _Invalid(f"unexpected member(s) {_names(unexpected)}")

    def read_document(self) -> Any:
        """The parsed ``model.json`` (any JSON value, checked by the caller)."""
        info = self.members.get(_DOCUMENT)
        if info is None:
            raise _Invalid(f"it is not a plainnet model file (no {_DOCUMENT!r} member)")
        if info.file_size > _MAX_DOCUMENT_BYTES:
            raise _Invalid(f"{_DOCUMENT} is {info.file_size:,} bytes, more than the "
                           f"{_MAX_DOCUMENT_BYTES:,} allowed")
        data = self.zip.read(info)  # zipfile checks the CRC-32
        problem = _document_size_problem(data)
        if problem:
            raise _Invalid(problem)
        try:
            return json.loads(data.decode("utf-8"),
                              object_pairs_hook=_object_without_repeated_keys)
        except UnicodeDecodeError as error:
            raise _Invalid(f"{_DOCUMENT} is not UTF-8 text ({error})") from None
        except (ValueError, RecursionError) as error:
            raise _Invalid(f"{_DOCUMENT} is not valid JSON ({error})") from None

    def read_array(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """Read member ``name``: a ``.npy`` float array that must have ``shape``.

        Returns a new, writable, native-order array of ``dtype``. The header is
        parsed as a literal (``allow_pickle`` never applies: only float dtypes
        are accepted), and the data must be exactly ``shape``'s size.
        """
        info = self.members[name]
        n_bytes = math.prod(shape) * dtype.itemsize
        if info.file_size > n_bytes + _MAX_NPY_HEADER_BYTES:
            raise _Invalid(f"member {name!r} is {info.file_size:,} bytes, too large for an "
                           f"array of shape {shape}")
        data = self.zip.read(info)  # zipfile checks the CRC-32
        stream = BytesIO(data)
        try:
            # NumPy reads the header with ast.literal_eval, which warns about a damaged
            # header's odd escapes ("\_") before it fails: the error below says it all
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
                version = np.lib.format.read_magic(stream)
                if version == (1, 0):
                    header = np.lib.format.read_array_header_1_0(stream, _MAX_NPY_HEADER_BYTES)
                elif version == (2, 0):
                    header = np.lib.format.read_array_header_2_0(stream, _MAX_NPY_HEADER_BYTES)
                else:
                    raise ValueError(f"unsupported .npy format version {version}")
        except (ValueError, SyntaxError, TypeError, tokenize.TokenError) as error:
            raise _Invalid(f"member {name!r} is not a valid .npy array ({error})") from None
        file_shape, fortran_order, file_dtype = header
        if file_dtype.kind != "f" or file_dtype.itemsize != dtype.itemsize:
            raise _Invalid(f"member {name!r} holds {file_dtype} values; the model needs {dtype}")
        if file_shape != shape:
            raise _Invalid(f"member {name!r} has shape {file_shape}; the model needs {shape}")
        start = stream.tell()
        if len(data) - start != n_bytes:
            raise _Invalid(f"member {name!r} has {len(data) - start:,} bytes of data; shape "
                           f"{shape} needs {n_bytes:,}")
        values = np.frombuffer(data, dtype=file_dtype, count=math.prod(shape), offset=start)
        array = values.reshape(shape, order="F" if fortran_order else "C").astype(dtype)
        if not np.isfinite(array).all():
            raise _Invalid(f"member {name!r} contains NaN or infinite values")
        return np.ascontiguousarray(array)


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a JSON object may not name the same key twice."""
    result = dict(pairs)
    if len(result) != len(pairs):
        repeated = [key for key, count in Counter(key for key, _ in pairs).items() if count > 1]
        raise ValueError(f"repeated key(s) {_names(repeated)} in a JSON object")
    return result


# ------------------------------------------------------------- checking JSON values


def _quote(value: Any) -> str:
    """A short, printable rendering of a value read from a file, for messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _names(names: Any) -> str:
    names = sorted(names)
    shown = ", ".join(_quote(n) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        if float in expected:  # an integer is a number too
            expected = tuple(t for t in expected if t is not int)
        return " or ".join(_type_name(t) for t in dict.fromkeys(expected))
    return {dict: "an object", list: "a list", str: "a string", int: "an integer",
            float: "a number", bool: "true or false", type(None): "null"}[expected]


def _expect_type(value: Any, expected: type | tuple[type, ...], where: str) -> Any:
    """``value`` if its JSON type is ``expected`` (``True`` is not an integer here)."""
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if type(value) not in allowed:
        raise _Invalid(f"{where} must be {_type_name(expected)}, got {_quote(value)}")
    return value


def _expect_object(value: Any, keys: list[str], where: str,
                   extra_allowed: bool = False, optional: tuple[str, ...] = ()
                   ) -> dict[str, Any]:
    """``value`` if it is a JSON object with exactly ``keys`` and maybe some of ``optional``.

    With ``extra_allowed``, any other keys are accepted too.
    """
    _expect_type(value, dict, where)
    missing = [key for key in keys if key not in value]
    if missing:
        raise _Invalid(f"{where} lacks the key(s) {_names(missing)}")
    unexpected = set(value) - set(keys) - set(optional)
    if unexpected and not extra_allowed:
        raise _Invalid(f"{where} has unexpected key(s) {_names(unexpected)}")
    return value


def _expect_count(value: Any, where: str) -> int:
    """``value`` if it is a non-negative JSON integer."""
    _expect_type(value, int, where)
    if value < 0:
        raise _Invalid(f"{where} must be >= 0, got {value}")
    return value


def _expect_list(value: Any, item_type: type | tuple[type, ...], where: str) -> list:
    """``value`` if it is a JSON list whose items all have type ``item_type``."""
    _expect_type(value, list, where)
    for i, item in enumerate(value):
        _expect_type(item, item_type, f"{where}[{i}]")
    return value


_JSON_SCALARS = (type(None), bool, int, float, str)


def _json_types(hint: Any) -> tuple[type, ...]:
    """The JSON value types that can stand for a constructor argument annotated ``hint``."""
    if hint is None:  # not annotated: any scalar, the constructor checks it
        return _JSON_SCALARS
    if typing.get_origin(hint) in (Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in _json_types(arg))
    return {int: (int,), float: (int, float), bool: (bool,), str: (str,),
            type(None): (type(None),)}.get(hint, ())


def _construct(cls: type, config: Any, where: str, **objects: Any) -> Any:
    """``cls(**config, **objects)`` after checking ``config`` against ``cls``'s signature.

    Every key must name a constructor parameter, every parameter without a
    default must be given, and every value must be a JSON value of the
    annotated type (finite, for numbers). ``objects`` are arguments already
    built by the caller (a schedule). Errors of the constructor's own checks
    are reported with ``where``.
    """
    _expect_type(config, dict, where)
    parameters = inspect.signature(cls).parameters
    hints = typing.get_type_hints(cls.__init__)
    unknown = set(config) - set(parameters)
    if unknown:
        raise _Invalid(f"{where} has unknown argument(s) {_names(unknown)} for {cls.__name__}")
    missing = [name for name, parameter in parameters.items()
               if parameter.default is parameter.empty and name not in config
               and name not in objects]
    if missing:
        raise _Invalid(f"{where} lacks the argument(s) {_names(missing)} for {cls.__name__}")
    for name, value in config.items():
        allowed = _json_types(hints.get(name))
        if not allowed:
            raise _Invalid(f"{where}.{name} cannot be given in a file")
        _expect_type(value, allowed, f"{where}.{name}")
        if type(value) is float and not math.isfinite(value):
            raise _Invalid(f"{where}.{name} must be finite, got {value}")
    try:
        return cls(**config, **objects)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"{where}: {error}") from None


def _lookup(registry: dict[str, type], name: Any, what: str, where: str) -> type:
    """The class ``registry[name]``: only plainnet's own classes, never an import."""
    _expect_type(name, str, where)
    if name not in registry:
        raise _Invalid(f"{where}: unknown {what} {_quote(name)}; plainnet knows "
                       f"{', '.join(sorted(registry))}")
    return registry[name]


# ------------------------------------------------------------------ Sequential


_SEQUENTIAL_KEYS = ["format", "format_version", "plainnet_version", "model", "dtype", "seed",
                    "layers", "compile", "epochs_done", "history", "random_state"]


def _load_sequential(document: dict[str, Any], archive: _Archive) -> Sequential:
    """Rebuild a ``Sequential``: check the document, size the arrays, build, fill in."""
    _expect_object(document, _SEQUENTIAL_KEYS, "the document", optional=("metadata",))
    metadata = _metadata_from_json(document)
    dtype = _dtype_from_json(document["dtype"])
    seed = document["seed"]
    if seed is not None:
        _expect_count(seed, "seed")
    epochs_done = _expect_count(document["epochs_done"], "epochs_done")
    history = _history_from_json(document["history"])
    rng = _generator_from_json(document["random_state"])
    rng_state = rng.bit_generator.state  # a copy: building the model will draw from rng

    # The layers, constructed but not built: no arrays exist yet.
    layer_list = _expect_type(document["layers"], list, "layers")
    if not layer_list:
        raise _Invalid("layers is empty")
    layers = [_layer_from_json(entry, f"layers[{i}]") for i, entry in enumerate(layer_list)]
    shapes = _planned_shapes(layers)
    layer_bytes = sum(math.prod(shape) for layer_shapes in shapes
                      for shape in layer_shapes.values()) * dtype.itemsize
    archive.check_budget(layer_bytes, "the layers' arrays")

    try:
        model = Sequential(layers, seed=rng, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"the layers do not form a model: {error}") from None
    if len(model.layers) != len(layers):
        raise _Invalid("a Dense layer has an activation; a saved model lists activations as "
                       "layers of their own")
    state = []
    if document["compile"] is not None:
        state = _compile_from_json(model, document["compile"])
        state_bytes = sum(param.nbytes for _, _, param in state)
        archive.check_budget(layer_bytes + state_bytes, "the layers' and optimizer's arrays")

    # Every array the model needs, and nothing else.
    targets = {_layer_member(layer.name, name): array
               for layer in model.layers for name, array in layer.arrays().items()}
    slots = {_optimizer_member(name, slot): (name, slot, param) for name, slot, param in state}
    archive.check_members({_DOCUMENT, *targets, *slots})
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


def _metadata_from_json(document: dict[str, Any]) -> dict[str, Any]:
    """The document's ``"metadata"`` (an empty dict if it has none), checked as ``save`` does."""
    metadata = document.get("metadata", {})
    try:
        _check_metadata(metadata)
    except _BadMetadata as error:
        raise _Invalid(str(error)) from None
    return metadata


def _dtype_from_json(value: Any) -> np.dtype:
    _expect_type(value, str, "dtype")
    if value not in ("float32", "float64"):
        raise _Invalid(f"dtype must be 'float32' or 'float64', got {_quote(value)}")
    return check_dtype(value)


def _layer_from_json(entry: Any, where: str) -> Layer:
    _expect_object(entry, ["type", "config"], where)
    cls = _lookup(LAYER_TYPES, entry["type"], "layer type", f"{where}.type")
    return _construct(cls, entry["config"], f"{where}.config")


def _planned_shapes(layers: list[Layer]) -> list[dict[str, tuple[int, ...]]]:
    """The shapes of the arrays each layer will create when built, without creating them.

    This is what lets :func:`load` refuse absurd sizes before allocating
    anything. Only ``Dense`` and ``BatchNormalization`` hold arrays; every
    other registered layer keeps the width and holds none.
    """
    planned = []
    # The model's input width, found as Sequential finds it (first Dense or sized BatchNorm).
    width = next((layer.n_inputs if isinstance(layer, Dense) else layer.n_features
                  for layer in layers
                  if isinstance(layer, Dense) or (isinstance(layer, BatchNormalization)
                                                  and layer.n_features is not None)), None)
    for layer in layers:
        if isinstance(layer, Dense):
            shapes = {"weights": (layer.n_inputs, layer.n_outputs), "bias": (layer.n_outputs,)}
            width = layer.n_outputs
        elif isinstance(layer, BatchNormalization):
            width = layer.n_features if layer.n_features is not None else width
            if width is None:
                raise _Invalid("cannot tell the width of the first BatchNormalization layer")
            shapes = {name: (width,) for name in layer.param_names + layer.state_names}
        elif not layer.param_names and not layer.state_names:
            shapes = {}
        else:  # a registered layer with arrays that this function does not know how to size
            raise _Invalid(f"plainnet cannot check the sizes of a {type(layer).__name__} layer")
        planned.append(shapes)
    return planned


def _compile_from_json(model: Sequential, value: Any) -> list[tuple[str, str, np.ndarray]]:
    """Compile ``model`` as the document says; return the optimizer-state slots to read.

    Each slot is ``(parameter name, slot name, parameter)``.
    """
    _expect_object(value, ["loss", "optimizer", "metrics"], "compile")
    loss_entry = _expect_object(value["loss"], ["name", "config"], "compile.loss")
    loss_class = _lookup(losses_module.LOSS_TYPES, loss_entry["name"], "loss",
                         "compile.loss.name")
    loss = _construct(loss_class, loss_entry["config"], "compile.loss.config")

    entry = _expect_object(value["optimizer"], ["name", "config", "iterations", "state"],
                           "compile.optimizer")
    optimizer_class = _lookup(optimizers_module.OPTIMIZER_TYPES, entry["name"], "optimizer",
                              "compile.optimizer.name")
    config = _expect_type(entry["config"], dict, "compile.optimizer.config")
    objects = {}
    if type(config.get("learning_rate")) is dict:
        config = dict(config)
        objects["learning_rate"] = _schedule_from_json(config.pop("learning_rate"))
    optimizer = _construct(optimizer_class, config, "compile.optimizer.config", **objects)
    optimizer.iterations = _expect_count(entry["iterations"], "compile.optimizer.iterations")

    metrics = _expect_list(value["metrics"], str, "compile.metrics")
    try:
        model.compile(loss=loss, optimizer=optimizer, metrics=metrics)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"compile: {error}") from None

    parameters = {name: param for name, param, _ in model.parameters()}
    # {parameter name: [slot names]}: each listed parameter has all the optimizer's slots.
    state = []
    entries = _expect_type(entry["state"], dict, "compile.optimizer.state")
    for name, slots in entries.items():
        where = f"compile.optimizer.state[{_quote(name)}]"
        if name not in parameters:
            raise _Invalid(f"{where}: {_quote(name)} is not a parameter of the model")
        _expect_list(slots, str, where)
        if sorted(slots) != sorted(optimizer.slots):
            raise _Invalid(f"{where} lists the slots {_quote(slots)}; {optimizer_class.__name__} "
                           f"keeps {list(optimizer.slots)}")
        state.extend((name, slot, parameters[name]) for slot in slots)
    return state


def _schedule_from_json(value: Any) -> schedules_module.Schedule:
    where = "compile.optimizer.config.learning_rate"
    _expect_object(value, ["schedule", "config"], where)
    cls = _lookup(schedules_module.SCHEDULE_TYPES, value["schedule"], "learning-rate schedule",
                  f"{where}.schedule")
    return _construct(cls, value["config"], f"{where}.config")


def _history_from_json(value: Any) -> History | None:
    if value is None:
        return None
    _expect_object(value, ["history", "epoch"], "history")
    logs = _expect_type(value["history"], dict, "history.history")
    for key, values in logs.items():
        _expect_list(values, (int, float), f"history.history[{_quote(key)}]")
    epochs = _expect_list(value["epoch"], int, "history.epoch")
    for i, epoch in enumerate(epochs):
        _expect_count(epoch, f"history.epoch[{i}]")
    return History(logs, epochs)


def _generator_from_json(value: Any) -> np.random.Generator:
    """A new generator in the saved state (the bit generator from a fixed table)."""
    _expect_object(value, ["bit_generator", "state"], "random_state")
    cls = _lookup(BIT_GENERATORS, value["bit_generator"], "random bit generator",
                  "random_state.bit_generator")
    state = value["state"]
    _check_generator_state(state, "random_state.state")
    bit_generator = cls()
    try:
        bit_generator.state = state  # NumPy checks the layout and the ranges
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise _Invalid(f"random_state.state is not a valid {cls.__name__} state ({error})"
                       ) from None
    return np.random.Generator(bit_generator)


def _check_generator_state(value: Any, where: str, depth: int = 0) -> None:
    """A bit generator's state is objects of integers, lists of integers and names."""
    if type(value) is dict and depth < 3:
        for key, item in value.items():
            _check_generator_state(item, f"{where}.{key}", depth + 1)
    elif type(value) is list:
        _expect_list(value, int, where)
    else:
        _expect_type(value, (int, str), where)


# --------------------------------------------------------------- NeuralNetwork


def _load_network(document: dict[str, Any], archive: _Archive) -> NeuralNetwork:
    """Rebuild the tutorial's ``NeuralNetwork``."""
    _expect_object(document, ["format", "format_version", "plainnet_version", "model",
                              "config", "loss_history"], "the document", optional=("metadata",))
    metadata = _metadata_from_json(document)
    config = _expect_object(document["config"], ["input_layer", "hidden_layer", "output_layer"],
                            "config")
    for key, size in config.items():
        _expect_type(size, int, f"config.{key}")
        if size < 1:
            raise _Invalid(f"config.{key} must be >= 1, got {size}")
    loss_history = _expect_list(document["loss_history"], (int, float), "loss_history")
    n_in, n_hidden, n_out = config["input_layer"], config["hidden_layer"], config["output_layer"]
    shapes = {"weights1": (n_in, n_hidden), "bias1": (n_hidden,),
              "weights2": (n_hidden, n_out), "bias2": (n_out,)}
    float64 = np.dtype(np.float64)
    archive.check_budget(sum(math.prod(s) for s in shapes.values()) * float64.itemsize,
                         "the network's arrays")
    archive.check_members({_DOCUMENT, *(f"{name}.npy" for name in shapes)})
    weights = {name: archive.read_array(f"{name}.npy", shape, float64)
               for name, shape in shapes.items()}
    network = NeuralNetwork(**config, seed=0)  # the drawn weights are replaced just below
    network.set_weights(weights)
    network.loss_history = [float(x) for x in loss_history]
    network.metadata = metadata
    return network
