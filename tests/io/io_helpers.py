"""Helpers shared by the tests of plainnet.io (the test_io_*.py files of this folder).

* :func:`small_model` / :func:`training_data`: a model that exercises every
  kind of saved state (BatchNormalization statistics, Dropout's generator,
  an optimizer with moments and a schedule) and data to train it on.
* :func:`read_members` / :func:`write_members`: take a saved file apart and
  put it back together, stored uncompressed as ``plainnet.io`` writes it, so
  a test can damage one member while the zip's checksums stay valid.
* :func:`assert_same_model`: two models agree bit for bit on everything that
  is saved.
* :func:`assert_refused`: ``load`` refuses a file with a ``ModelFileError``
  that names it and says why.
* :func:`saved_model`: a trained model and the file it was saved to.

pytest puts this folder on ``sys.path`` (its default ``prepend`` import mode,
no ``__init__.py``), so test modules here ``from io_helpers import ...``.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import plainnet
from plainnet import (
    Adam,
    BatchNormalization,
    CosineDecay,
    Dense,
    Dropout,
    ModelFileError,
    NeuralNetwork,
    Sequential,
    Sigmoid,
)


def small_model(seed=0, dtype=np.float32, optimizer=None, compiled=True) -> Sequential:
    """A binary classifier: Dense+ReLU, BatchNormalization, Dropout, Dense, Sigmoid."""
    model = Sequential(
        [Dense(5, 12, activation="relu"), BatchNormalization(), Dropout(0.25), Dense(12, 1),
         Sigmoid()],
        seed=seed, dtype=dtype,
    )
    if compiled:
        if optimizer is None:
            optimizer = Adam(learning_rate=CosineDecay(0.02, decay_steps=50))
        model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def training_data(n=64, n_features=5, seed=0):
    """``(X, y)``: ``n`` samples with 0/1 labels that depend on the first two features."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    return X, y


def trained_model(epochs=2, **kwargs) -> Sequential:
    X, y = training_data()
    model = small_model(**kwargs)
    model.fit(X, y, epochs=epochs, batch_size=16, verbose=0)
    return model


def saved_model(folder) -> tuple[Sequential, object]:
    """``(model, path)``: a trained model (Adam with a schedule, BN, Dropout) in ``folder``."""
    model = trained_model()
    path = folder / "model.pnet"
    model.save(path)
    return model, path


def temporary_files(folder) -> list[str]:
    """The temporary files an interrupted save may leave in ``folder``."""
    return [name for name in os.listdir(folder) if ".tmp-" in name]


def assert_refused(path, *fragments) -> str:
    """``load(path)`` raises ModelFileError naming the file and containing ``fragments``."""
    with pytest.raises(ModelFileError) as info:
        plainnet.load(path)
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(info.value, ValueError)
    return message


def start(script: str, *args) -> subprocess.Popen:
    """Run ``python -c script *args`` in a child process, its output piped."""
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_line(process: subprocess.Popen) -> str:
    """The child's next line of output; the test fails with its errors if it has ended."""
    line = process.stdout.readline()
    if not line:
        process.wait()
        pytest.fail(f"the child process failed:\n{process.stderr.read()}")
    return line


def kill(process: subprocess.Popen) -> list[str]:
    """SIGKILL the child; return the words it printed that were not read yet."""
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.stdout.read().split()


def read_members(path) -> dict[str, bytes]:
    """Every member of the zip file at ``path``, in order: name -> bytes."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_members(path, members, compression=zipfile.ZIP_STORED) -> None:
    """Write ``members`` (name -> bytes, or a list of pairs) as a zip file at ``path``."""
    pairs = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in pairs:
            archive.writestr(name, data)


def read_document(path) -> dict:
    """The parsed ``model.json`` of a saved file."""
    return json.loads(read_members(path)["model.json"])


def with_document(path, document, target) -> None:
    """Copy the file at ``path`` to ``target`` with ``model.json`` replaced by ``document``.

    ``document`` may be a JSON-able value or the raw bytes to store.
    """
    members = read_members(path)
    if not isinstance(document, bytes):
        document = json.dumps(document).encode()
    members["model.json"] = document
    write_members(target, members)


def npy_bytes(array, allow_pickle=False) -> bytes:
    """``array`` as the bytes of a ``.npy`` file."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=allow_pickle)
    return buffer.getvalue()


def summary_text(model) -> str:
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def assert_same_model(a, b) -> None:
    """``a`` and ``b`` agree bit for bit on everything a file holds."""
    if isinstance(a, NeuralNetwork):
        assert type(b) is NeuralNetwork
        assert a.get_config() == b.get_config()
        for name, value in a.get_weights().items():
            np.testing.assert_array_equal(value, b.get_weights()[name], strict=True)
        assert a.loss_history == b.loss_history
        return
    assert type(b) is Sequential
    assert a.get_config() == b.get_config()
    assert a.dtype == b.dtype and a.seed == b.seed
    assert summary_text(a) == summary_text(b)
    assert [layer.name for layer in a.layers] == [layer.name for layer in b.layers]
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb, strict=True)  # strict: same dtype and shape
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert type(a.rng.bit_generator) is type(b.rng.bit_generator)
    for layer in b.layers:
        if isinstance(layer, Dropout):
            assert layer.rng is b.rng  # dropout draws from the model's (restored) generator
    assert a.epochs_done == b.epochs_done
    if a.history is None:
        assert b.history is None
    else:
        assert a.history.history == b.history.history
        assert a.history.epoch == b.history.epoch
    assert a.compiled == b.compiled
    if a.compiled:
        assert type(a.loss) is type(b.loss) and a.loss.get_config() == b.loss.get_config()
        assert type(a.optimizer) is type(b.optimizer)
        assert a.optimizer.get_config() == b.optimizer.get_config()
        assert a.optimizer.iterations == b.optimizer.iterations
        assert a.metric_names == b.metric_names
        nonempty = {name: slots for name, slots in a.optimizer.state.items() if slots}
        assert nonempty.keys() == {n for n, s in b.optimizer.state.items() if s}
        for name, slots in nonempty.items():
            assert slots.keys() == b.optimizer.state[name].keys()
            for slot, value in slots.items():
                np.testing.assert_array_equal(value, b.optimizer.state[name][slot], strict=True)


def all_arrays_finite(model) -> bool:
    """Whether every array of a loaded model holds finite numbers."""
    if isinstance(model, NeuralNetwork):
        return all(np.isfinite(w).all() for w in model.get_weights().values())
    arrays = list(model.get_weights())
    if model.compiled:
        arrays += [a for slots in model.optimizer.state.values() for a in slots.values()]
    return all(np.isfinite(a).all() for a in arrays)


__all__ = [
    "all_arrays_finite",
    "assert_refused",
    "assert_same_model",
    "first_line",
    "kill",
    "npy_bytes",
    "read_document",
    "read_members",
    "saved_model",
    "small_model",
    "start",
    "summary_text",
    "temporary_files",
    "trained_model",
    "training_data",
    "with_document",
    "write_members",
]
