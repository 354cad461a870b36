"""Property-based fuzzing of plainnet.load with damaged copies of a real saved model.

Whatever the damage, ``load`` either returns a usable model (all arrays finite,
finite predictions; the damage hit something harmless, such as the zip's
comment) or raises ``ModelFileError`` naming the file. Any other exception is a
bug. Four kinds of damage:

* raw bytes flipped, anywhere in the file (the zip's CRC-32 checks catch most);
* the file truncated, or bytes inserted or deleted;
* one member damaged and the archive rebuilt, so its checksums are valid and
  the damage reaches the JSON and ``.npy`` parsers;
* one value of ``model.json`` replaced by arbitrary JSON.

The default run tries a few hundred examples of each; ``pytest -m slow`` runs
thousands.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_helpers import (
    all_arrays_finite,
    read_members,
    trained_model,
    training_data,
    write_members,
)

import plainnet
from plainnet import ModelFileError, NeuralNetwork
from plainnet import io as pio

FAST = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=3000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def fuzz_tests(check, **strategies):
    """Two tests of ``check(folder, **drawn)``: a few hundred examples, and thousands (slow)."""
    fast = FAST(given(**strategies)(check))
    slow = pytest.mark.slow(SLOW(given(**strategies)(check)))
    return fast, slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@functools.cache
def saved_bytes(kind: str = "sequential") -> bytes:
    """The bytes of a real saved model (a trained classifier, or the tutorial network)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/model.pnet"
        if kind == "sequential":
            trained_model().save(path)
        else:
            pio.save(NeuralNetwork(seed=0), path)
        with open(path, "rb") as file:
            return file.read()


def check_load(path) -> None:
    """``load(path)`` gives a sound model or a ModelFileError naming ``path``."""
    try:
        model = plainnet.load(path)
    except ModelFileError as error:
        assert str(path) in str(error)
        return
    assert all_arrays_finite(model)
    X, _ = training_data(n=8)
    if isinstance(model, NeuralNetwork):
        X = X[:, :model.input_layer] if model.input_layer <= X.shape[1] else None
    elif model.n_inputs != X.shape[1]:
        X = None
    if X is not None:
        with np.errstate(all="ignore"):
            model.predict(X)


# ------------------------------------------------------------------------ raw bytes


def flip_bytes(data: bytes, flips) -> bytes:
    damaged = bytearray(data)
    for position, mask in flips:
        damaged[position % len(damaged)] ^= mask
    return bytes(damaged)


flips = st.lists(st.tuples(st.integers(0, 2**31), st.integers(1, 255)), min_size=1, max_size=6)
kinds = st.sampled_from(["sequential", "network"])


def _flipped(folder, kind, flips):
    path = folder / "flipped.pnet"
    path.write_bytes(flip_bytes(saved_bytes(kind), flips))
    check_load(path)


test_flipped_bytes, test_flipped_bytes_many = fuzz_tests(_flipped, kind=kinds, flips=flips)


def _flipped_near_the_end(folder, offsets):
    """The central directory sits at the end: damage it specifically."""
    data = saved_bytes()
    path = folder / "flipped-end.pnet"
    path.write_bytes(flip_bytes(data, [(len(data) - 1 - o, m) for o, m in offsets]))
    check_load(path)


end_flips = st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 255)), min_size=1,
                     max_size=4)


(test_flipped_bytes_in_the_central_directory,
 test_flipped_bytes_in_the_central_directory_many) = fuzz_tests(_flipped_near_the_end,
                                                                offsets=end_flips)


# ------------------------------------------------------- truncation, insertion, deletion

edits = st.tuples(st.sampled_from(["truncate", "insert", "delete"]), st.integers(0, 2**31),
                  st.binary(min_size=1, max_size=64))


def _edited(folder, kind, edit):
    action, position, chunk = edit
    data = saved_bytes(kind)
    position %= len(data)
    if action == "truncate":
        data = data[:position]
    elif action == "insert":
        data = data[:position] + chunk + data[position:]
    else:
        data = data[:position] + data[position + len(chunk):]
    path = folder / "edited.pnet"
    path.write_bytes(data)
    check_load(path)


test_truncated_or_spliced_files, test_truncated_or_spliced_files_many = fuzz_tests(
    _edited, kind=kinds, edit=edits)


# --------------------------------------------- one member damaged, checksums valid


@functools.cache
def saved_members(kind: str) -> tuple[tuple[str, bytes], ...]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(saved_bytes(kind))) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


member_damage = st.tuples(
    st.integers(0, 2**31),  # which member
    st.sampled_from(["flip", "truncate", "append", "header"]),
    flips,
    st.binary(min_size=1, max_size=32),
)


def _member_damaged(folder, kind, damage):
    index, action, byte_flips, chunk = damage
    members = list(saved_members(kind))
    index %= len(members)
    name, data = members[index]
    if action == "flip":
        data = flip_bytes(data, byte_flips)
    elif action == "truncate":
        data = data[:byte_flips[0][0] % len(data)]
    elif action == "append":
        data = data + chunk
    else:  # aim at the start: the .npy magic and header, or the JSON's first keys
        data = flip_bytes(data, [(p % 128, m) for p, m in byte_flips])
    members[index] = (name, data)
    path = folder / "member.pnet"
    write_members(path, members)
    check_load(path)


(test_one_member_damaged_with_valid_checksums,
 test_one_member_damaged_with_valid_checksums_many) = fuzz_tests(_member_damaged, kind=kinds,
                                                                damage=member_damage)


# ---------------------------------------------------------- the JSON document rewritten

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-3, 3)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
    | st.sampled_from(["Dense", "PCG64", "adam", "mse", "float64", "m", "v", "dense/weights",
                       "Sequential", "NeuralNetwork", "plainnet", "CosineDecay"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


def json_paths(value, prefix=()):
    """Every path (tuple of keys and indices) to a value inside ``value``, itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_paths(item, (*prefix, i))


def _document_rewritten(folder, kind, choice, replacement, delete):
    members = dict(saved_members(kind))
    document = json.loads(members["model.json"])
    paths = list(json_paths(document))[1:]
    path_to = paths[choice % len(paths)]
    parent = document
    for key in path_to[:-1]:
        parent = parent[key]
    if delete:
        del parent[path_to[-1]]
    else:
        parent[path_to[-1]] = replacement
    members["model.json"] = json.dumps(document).encode()
    path = folder / "document.pnet"
    write_members(path, members)
    check_load(path)


test_document_values_replaced, test_document_values_replaced_many = fuzz_tests(
    _document_rewritten, kind=kinds, choice=st.integers(0, 2**31), replacement=json_values,
    delete=st.booleans())


def test_fuzz_inputs_are_real_models(folder):
    """The fuzzed bytes are a loadable model to begin with (else the fuzz proves nothing)."""
    for kind in ("sequential", "network"):
        path = folder / f"clean-{kind}.pnet"
        path.write_bytes(saved_bytes(kind))
        model = plainnet.load(path)
        assert all_arrays_finite(model)
    assert math.isfinite(float(plainnet.load(folder / "clean-sequential.pnet").history
                                .history["loss"][-1]))
    members = dict(read_members(folder / "clean-sequential.pnet"))
    assert len(members) > 10
