"""A model's ``metadata``: saved and loaded exactly, or refused by both alike.

``save`` and ``load`` share one check (``plainnet.io.metadata.check_metadata``):
what ``save`` writes, ``load`` gives back with the same JSON types; what
``load`` would refuse, ``save`` refuses before writing anything.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_helpers import (
    assert_refused,
    assert_same_model,
    read_document,
    saved_model,
    trained_model,
    training_data,
    with_document,
)

import plainnet
from plainnet import Dense, ModelFileError, NeuralNetwork, Sequential
from plainnet.io import MAX_METADATA_BYTES, MAX_METADATA_DEPTH, save


@pytest.fixture
def saved(tmp_path):
    """``(model, path)``: a trained model saved to a file."""
    return saved_model(tmp_path)


METADATA = {
    "classes": ["blue", "green", "red"],
    "task": "classification",
    "target": None,
    "numbers": [0, -1, 2**70, 0.5, -0.0, 1e-300, 1.0, True, False],
    "nested": {"a": {"b": [[], {}, [{"c": "d"}]]}, "": "empty key", "é ☃ \n\"": "ünïcode"},
    "lone surrogate": "\ud800",
}


def same_json(a, b) -> bool:
    """Equal, and of the same JSON types all the way down (1, 1.0 and True differ)."""
    return a == b and json.dumps(a) == json.dumps(b)


def metadata_file(path, metadata, target):
    """Copy ``path`` to ``target`` with the document's ``"metadata"`` set to ``metadata``."""
    document = read_document(path)
    document["metadata"] = metadata
    with_document(path, document, target)
    return target


def test_metadata_round_trips_exactly(tmp_path):
    model = trained_model()
    assert model.metadata == {}
    model.metadata.update(json.loads(json.dumps(METADATA)))  # a copy
    model.save(tmp_path / "m.pnet")
    loaded = plainnet.load(tmp_path / "m.pnet")
    assert same_json(loaded.metadata, METADATA)
    assert type(loaded.metadata) is dict and loaded.metadata is not model.metadata
    assert_same_model(model, loaded)
    assert read_document(tmp_path / "m.pnet")["metadata"]["classes"] == ["blue", "green", "red"]
    # it goes on being saved: by checkpoints, by copies, after more training
    copy = loaded.copy()
    assert same_json(copy.metadata, METADATA)
    X, y = training_data()
    loaded.fit(X, y, epochs=1, verbose=0, checkpoint=tmp_path / "run.pnet")
    assert same_json(plainnet.load(tmp_path / "run.pnet").metadata, METADATA)


def test_neural_network_metadata_round_trips(tmp_path):
    network = NeuralNetwork(seed=0)
    assert network.metadata == {}
    network.metadata["classes"] = ["even", "odd"]
    network.save(tmp_path / "nn.pnet")
    loaded = plainnet.load(tmp_path / "nn.pnet")
    assert loaded.metadata == {"classes": ["even", "odd"]}
    assert_same_model(network, loaded)
    metadata_file(tmp_path / "nn.pnet", {"x": float("nan")}, tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", "metadata['x']", "finite")


def test_empty_metadata_writes_no_key_and_old_files_load(tmp_path):
    model = trained_model()
    model.save(tmp_path / "plain.pnet")
    document = read_document(tmp_path / "plain.pnet")
    assert "metadata" not in document  # the file is as it was before metadata existed
    assert document["format_version"] == plainnet.io.FORMAT_VERSION
    assert plainnet.load(tmp_path / "plain.pnet").metadata == {}
    # an explicit empty object loads too
    metadata_file(tmp_path / "plain.pnet", {}, tmp_path / "empty.pnet")
    assert plainnet.load(tmp_path / "empty.pnet").metadata == {}
    # setting metadata and clearing it again gives the very same bytes
    model.metadata["note"] = "x"
    model.save(tmp_path / "noted.pnet")
    model.metadata.clear()
    model.save(tmp_path / "cleared.pnet")
    assert (tmp_path / "cleared.pnet").read_bytes() == (tmp_path / "plain.pnet").read_bytes()


_deep = []
for _ in range(MAX_METADATA_DEPTH):
    _deep = [_deep]

BAD_METADATA = [  # (metadata, exception, words the message must contain)
    (["a"], TypeError, ["metadata must be a dict", "list"]),
    (None, TypeError, ["metadata must be a dict"]),
    ({1: "a"}, TypeError, ["key 1", "keys must be strings"]),
    ({"a": {("t",): 1}}, TypeError, ["metadata['a'] has the key", "keys must be strings"]),
    ({"a": {True: 1}}, TypeError, ["keys must be strings"]),
    ({"classes": ("a", "b")}, TypeError, ["metadata['classes']", "tuple"]),
    ({"x": np.float64(1.0)}, TypeError, ["metadata['x']", "numpy.float64", ".item()"]),
    ({"x": np.int64(1)}, TypeError, ["metadata['x']", "numpy.int64"]),
    ({"x": np.arange(3)}, TypeError, ["metadata['x']", "ndarray", ".tolist()"]),
    ({"x": [1, 2, {"y": {1, 2}}]}, TypeError, ["metadata['x'][2]['y']", "set"]),
    ({"x": b"bytes"}, TypeError, ["metadata['x']", "bytes"]),
    ({"x": object()}, TypeError, ["metadata['x']", "object"]),
    ({"x": float("nan")}, ValueError, ["metadata['x']", "finite"]),
    ({"x": [0.5, float("-inf")]}, ValueError, ["metadata['x'][1]", "finite"]),
    ({"x": 10**300}, ValueError, ["metadata['x']", "more than 300 digits"]),
    ({"x": -(10**5000)}, ValueError, ["metadata['x']", "more than 300 digits"]),
    ({"x": _deep}, ValueError, ["metadata['x']", "nested more than 32 levels"]),
    ({"x": "y" * MAX_METADATA_BYTES}, ValueError, ["metadata takes", "allowed"]),
]


@pytest.mark.parametrize("metadata, exception, fragments", BAD_METADATA,
                         ids=[str(i) for i in range(len(BAD_METADATA))])
def test_save_refuses_metadata_it_could_not_load_and_writes_nothing(tmp_path, metadata,
                                                                    exception, fragments):
    model = Sequential([Dense(2, 1)], seed=0)
    model.save(tmp_path / "m.pnet")
    before = (tmp_path / "m.pnet").read_bytes()
    model.metadata = metadata
    with pytest.raises(exception) as info:
        model.save(tmp_path / "m.pnet")
    for fragment in fragments:
        assert fragment in str(info.value)
    assert str(info.value).startswith("cannot save the model: ")
    assert (tmp_path / "m.pnet").read_bytes() == before
    assert os.listdir(tmp_path) == ["m.pnet"]
    network = NeuralNetwork(seed=0)
    network.metadata = metadata
    with pytest.raises(exception):
        save(network, tmp_path / "nn.pnet")
    assert os.listdir(tmp_path) == ["m.pnet"]


def test_metadata_at_the_limits_is_saved(tmp_path):
    deepest = []
    for _ in range(MAX_METADATA_DEPTH - 2):  # metadata -> "x" -> 30 more lists
        deepest = [deepest]
    big = "y" * (MAX_METADATA_BYTES - len('{"x":""}'))
    for metadata in ({"x": deepest}, {"x": big}, {"x": [10**300 - 1, -(10**300) + 1]}):
        model = Sequential([Dense(2, 1)], seed=0)
        model.metadata = metadata
        model.save(tmp_path / "m.pnet")
        assert plainnet.load(tmp_path / "m.pnet").metadata == metadata


def _nested(depth):
    value = "leaf"
    for _ in range(depth):
        value = [value]
    return value


# (the document's "metadata", words the load error must contain)
HOSTILE_METADATA = [
    ([], ["metadata must be a dict"]),
    ("classes", ["metadata must be a dict"]),
    (None, ["metadata must be a dict"]),
    (3, ["metadata must be a dict"]),
    ({"x": float("nan")}, ["metadata['x']", "finite"]),
    ({"x": float("inf")}, ["metadata['x']", "finite"]),
    ({"x": {"y": [1, float("-inf")]}}, ["metadata['x']['y'][1]", "finite"]),
    ({"x": [10**300 - 1, -(10**300)]}, ["metadata['x'][1]", "more than 300 digits"]),
    ({"x": _nested(MAX_METADATA_DEPTH)}, ["nested more than 32 levels"]),
    ({"x": _nested(800)}, ["nested more than 32 levels"]),
    ({"x": "y" * (MAX_METADATA_BYTES + 1)}, ["metadata takes", "allowed"]),
    ({"x": ["y"] * 300_000}, ["metadata takes", "allowed"]),
    ({str(i): i for i in range(200_000)}, ["metadata takes", "allowed"]),
]


@pytest.mark.parametrize("metadata, fragments", HOSTILE_METADATA,
                         ids=[str(i) for i in range(len(HOSTILE_METADATA))])
def test_hostile_metadata_is_refused(saved, tmp_path, metadata, fragments):
    _, path = saved
    metadata_file(path, metadata, tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", *fragments)


def test_hostile_metadata_raw_json(saved, tmp_path):
    _, path = saved
    text = json.dumps(read_document(path))[:-1]  # without the closing brace
    for raw, fragment in [
        (', "metadata": {"a": 1, "a": 2}}', "repeated key"),
        (', "metadata": {"a": NaN}}', "finite"),
        (', "metadata": {"a": -Infinity}}', "finite"),
        (', "metadata": {"a": 1e999}}', "finite"),  # parsed as inf
        (', "metadata": {}, "metadata": {}}', "repeated key"),
        (', "metadata": {"a": 1' + "0" * 5000 + "}}", "not valid JSON"),  # int too long
        (', "metadata": {"a": ' + "[" * 100_001 + "]" * 100_001 + "}}", "'[' and '{'"),
    ]:
        with_document(path, (text + raw).encode(), tmp_path / "bad.pnet")
        assert_refused(tmp_path / "bad.pnet", fragment)


def test_unknown_top_level_keys_are_still_refused(saved, tmp_path):
    _, path = saved
    document = read_document(path)
    document["Metadata"] = {}
    with_document(path, document, tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", "unexpected key", "Metadata")


_json_leaves = (st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                | st.floats(allow_nan=True, allow_infinity=True))
_json_trees = st.recursive(
    _json_leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)
_python_trees = st.recursive(  # what a user might put in metadata, good or not
    _json_leaves | st.tuples(st.integers()) | st.binary(max_size=4) | st.sets(st.integers())
    | st.builds(np.float64, st.floats()) | st.complex_numbers(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6) | st.integers() | st.none(), children, max_size=4),
    max_leaves=12,
)
METADATA_SETTINGS = settings(max_examples=150, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


@METADATA_SETTINGS
@given(metadata=_json_trees)
def test_any_json_metadata_in_a_file_loads_exactly_or_is_refused(saved, tmp_path, metadata):
    _, path = saved
    metadata_file(path, metadata, tmp_path / "fuzz.pnet")
    try:
        model = plainnet.load(tmp_path / "fuzz.pnet")
    except ModelFileError as error:
        assert str(tmp_path / "fuzz.pnet") in str(error)
        return
    assert same_json(model.metadata, metadata)


@METADATA_SETTINGS
@given(metadata=st.dictionaries(st.text(max_size=6), _python_trees, max_size=4))
def test_any_metadata_saves_and_loads_exactly_or_is_refused_by_save(tmp_path, metadata):
    model = Sequential([Dense(1, 1)], seed=0)
    model.metadata = metadata
    path = tmp_path / "m.pnet"
    try:
        model.save(path)
    except (TypeError, ValueError) as error:
        assert str(error).startswith("cannot save the model: metadata")
        return
    assert same_json(plainnet.load(path).metadata, metadata)

