"""Damaged and hostile files: ``load`` refuses each with a ModelFileError that says why.

Whatever is wrong (not a zip, truncated, a pickle, members missing or extra,
arrays of the wrong shape, dtype or values, compressed members, a document
with wrong keys, types, values or sizes), ``load`` raises
``ModelFileError`` naming the file, never runs anything from it and never
allocates more than the file could hold. The fuzz tests are in
test_io_fuzz.py.
"""

from __future__ import annotations

import json
import os
import pickle
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from io_helpers import (
    assert_refused,
    npy_bytes,
    read_document,
    read_members,
    saved_model,
    small_model,
    with_document,
    write_members,
)

import plainnet
from plainnet import Dense, ModelFileError, NeuralNetwork, Sequential
from plainnet import io as pio
from plainnet.io.layout import MAX_DOCUMENT_BYTES


@pytest.fixture
def saved(tmp_path):
    """``(model, path)``: a trained model (Adam with a schedule, BN, Dropout) saved to a file."""
    return saved_model(tmp_path)


def test_missing_file_and_folder(tmp_path):
    assert_refused(tmp_path / "nothing.pnet", "no such file")
    assert_refused(tmp_path, "cannot read it")  # a folder: not "damaged"


def test_empty_file_random_bytes_and_text(tmp_path):
    path = tmp_path / "m.pnet"
    path.write_bytes(b"")
    assert_refused(path, "not a valid zip archive")
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    assert_refused(path, "zip")
    path.write_text("hello, I am a model\n")
    assert_refused(path, "zip")


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.5, 0.9, 0.99])
def test_truncated_files(saved, fraction):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])
    assert_refused(path)


def test_a_pickle_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "m.pnet"
    path.write_bytes(pickle.dumps(Exploit()))
    assert_refused(path)
    # The same inside an archive, as a pickled object array in place of weights.
    model, good = Sequential([Dense(2, 2)], seed=0), tmp_path / "good.pnet"
    model.save(good)
    members = read_members(good)
    members["layers/dense/weights.npy"] = npy_bytes(
        np.array([[Exploit(), 1], [2, 3]], dtype=object), allow_pickle=True)
    write_members(path, members)
    assert_refused(path, "layers/dense/weights.npy", "object")
    assert not marker.exists()


def test_member_missing_extra_renamed_or_repeated(saved, tmp_path):
    _, path = saved
    members = read_members(path)
    target = tmp_path / "bad.pnet"

    write_members(target, {k: v for k, v in members.items() if k != "layers/dense_1/bias.npy"})
    assert_refused(target, "missing", "layers/dense_1/bias.npy")
    write_members(target, {**members, "evil.py": b"import os"})
    assert_refused(target, "unexpected", "evil.py")
    renamed = {("layers/dense/W.npy" if k == "layers/dense/weights.npy" else k): v
               for k, v in members.items()}
    write_members(target, renamed)
    assert_refused(target, "missing", "layers/dense/weights.npy")
    write_members(target, {k: v for k, v in members.items() if k != "model.json"})
    assert_refused(target, "model.json")
    with pytest.warns(UserWarning, match="Duplicate name"):
        write_members(target, [*members.items(), ("layers/dense/bias.npy", b"x")])
    assert_refused(target, "several members", "layers/dense/bias.npy")


# (More bad arrays, which save refuses too, are in test_io_save_load.py.)
@pytest.mark.parametrize("bad, fragments", [
    (np.zeros(60, np.float32), ["shape (60,)"]),
    (np.zeros((5, 12), np.float16), ["float16"]),
    (np.zeros((5, 12), np.complex64), ["complex64"]),
    (np.zeros((5, 12), dtype=[("a", np.float32)]), ["layers/dense/weights.npy"]),
])
def test_arrays_of_the_wrong_shape_dtype_or_values(saved, tmp_path, bad, fragments):
    _, path = saved
    members = read_members(path)
    members["layers/dense/weights.npy"] = npy_bytes(bad)
    write_members(tmp_path / "bad.pnet", members)
    assert_refused(tmp_path / "bad.pnet", "layers/dense/weights.npy", *fragments)


def test_broken_npy_members(saved, tmp_path):
    _, path = saved
    members = read_members(path)
    good = members["layers/dense/weights.npy"]
    target = tmp_path / "bad.pnet"
    cases = {
        "not .npy": b"just some bytes" * 10,
        "truncated data": good[:-4],
        "trailing data": good + b"\0\0\0\0",
        "bad header": good[:10] + b"{'descr': __import__('os')}" + good[37:],
        "huge declared shape": npy_bytes(np.zeros(3, np.float32)).replace(
            b"(3,)", b"(10**12,)"),
    }
    for damaged in cases.values():
        members["layers/dense/weights.npy"] = damaged
        write_members(target, members)
        assert_refused(target, "layers/dense/weights.npy")


def test_a_fortran_ordered_or_byte_swapped_array_is_read_correctly(saved, tmp_path):
    model, path = saved
    members = read_members(path)
    weights = model.layers[0].weights
    members["layers/dense/weights.npy"] = npy_bytes(np.asfortranarray(weights))
    members["layers/dense/bias.npy"] = npy_bytes(model.layers[0].bias.astype(">f4"))
    write_members(tmp_path / "m.pnet", members)
    loaded = plainnet.load(tmp_path / "m.pnet")
    np.testing.assert_array_equal(loaded.layers[0].weights, weights, strict=True)
    np.testing.assert_array_equal(loaded.layers[0].bias, model.layers[0].bias, strict=True)


def test_compressed_members_and_zip_bombs_are_refused(saved, tmp_path):
    _, path = saved
    write_members(tmp_path / "deflated.pnet", read_members(path), zipfile.ZIP_DEFLATED)
    assert_refused(tmp_path / "deflated.pnet", "compressed")
    members = read_members(path)
    members["layers/dense/weights.npy"] = bytes(200 * 2**20)  # 200 MiB of zeros, ~200 KiB zipped
    write_members(tmp_path / "bomb.pnet", members, zipfile.ZIP_DEFLATED)
    assert os.path.getsize(tmp_path / "bomb.pnet") < 2**20
    tracemalloc.start()
    try:
        assert_refused(tmp_path / "bomb.pnet", "compressed")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def edit(document, dotted, value):
    """Set ``document[a][b]...`` for ``dotted = "a.b..."`` (integers index lists)."""
    keys = [int(k) if k.isdigit() else k for k in dotted.split(".")]
    target = document
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return document


DELETE = object()

# (what is changed in model.json, the new value, words the message must contain)
DOCUMENT_DAMAGE = [
    ("format", "numpy", ["not a plainnet model file"]),
    ("format_version", pio.FORMAT_VERSION + 1,
     [f"it was written by format version {pio.FORMAT_VERSION + 1}; this plainnet reads "
      f"versions up to {pio.FORMAT_VERSION}; upgrade plainnet"]),
    ("format_version", 10**30, ["format version 1000000000000000000000000000000;"]),
    ("format_version", 0, ["unknown file format version 0"]),
    ("format_version", -1, ["unknown file format version -1"]),
    ("format_version", "1", ["format_version must be an integer"]),
    ("format_version", 1.0, ["format_version must be an integer, got 1.0"]),
    ("format_version", True, ["format_version must be an integer"]),
    ("model", "os.system", ["unknown model kind", "os.system"]),
    ("plainnet_version", 1, ["plainnet_version must be a string"]),
    ("dtype", "float16", ["dtype"]),
    ("dtype", "object", ["dtype"]),
    ("seed", -1, ["seed must be >= 0"]),
    ("seed", 1.5, ["seed must be an integer"]),
    ("epochs_done", -3, ["epochs_done"]),
    ("epochs_done", True, ["epochs_done must be an integer"]),
    ("epochs_done", DELETE, ["lacks", "epochs_done"]),
    ("surprise", 1, ["unexpected key", "surprise"]),
    ("layers", [], ["layers is empty"]),
    ("layers", {"0": 1}, ["layers must be a list"]),
    ("layers.0.type", "Lambda", ["unknown layer type", "Lambda"]),
    ("layers.0.type", "os.system", ["unknown layer type", "os.system"]),
    ("layers.0.type", "__class__", ["unknown layer type"]),
    ("layers.0.type", ["Dense"], ["layers[0].type must be a string"]),
    ("layers.0.config.n_inputs", "5", ["layers[0].config.n_inputs must be an integer"]),
    ("layers.0.config.n_inputs", 5.0, ["layers[0].config.n_inputs must be an integer"]),
    ("layers.0.config.n_inputs", True, ["n_inputs must be an integer"]),
    ("layers.0.config.n_inputs", -5, ["n_inputs must be >= 1"]),
    ("layers.0.config.n_inputs", 6, ["dense expects 6 inputs", "gives 5"]),
    ("input_shape", DELETE, ["input_shape"]),
    ("input_shape", [0], ["input_shape must be a list of positive integers"]),
    ("layers.0.config.evil", "x", ["unknown argument", "evil"]),
    ("layers.0.config.l2", float("nan"), ["l2 must be finite"]),
    ("layers.0.config.l2", float("inf"), ["l2 must be finite"]),
    ("layers.0.config.l2", {"a": 1}, ["l2 must be"]),
    ("layers.0.config.weight_init", "os.system", ["unknown initializer"]),
    ("layers.0.config.activation", "relu", ["activation"]),
    ("layers.0.config", [5, 12], ["layers[0].config must be an object"]),
    ("layers.3.config.rate", 1.5, ["rate must be <"]),
    ("layers.2.config.n_features", 13, ["do not form a model"]),
    ("compile.loss.name", "pickle", ["unknown loss", "pickle"]),
    ("compile.loss.config.epsilon", "1e-7", ["epsilon must be a number"]),
    ("compile.loss.config.from_logits", True, ["from_logits"]),
    ("compile.optimizer.name", "Adam", ["unknown optimizer", "Adam"]),
    ("compile.optimizer.config.beta_1", 1.5, ["beta_1 must be <"]),
    ("compile.optimizer.config.learning_rate", "0.1", ["learning_rate must be a real number"]),
    ("compile.optimizer.config.learning_rate.schedule", "Exploit", ["unknown learning-rate"]),
    ("compile.optimizer.config.learning_rate.config.decay_steps", 0, ["decay_steps"]),
    ("compile.optimizer.iterations", -1, ["iterations must be >= 0"]),
    ("compile.optimizer.state.dense/weights", ["m"], ["slots"]),
    ("compile.optimizer.state.dense/weights", ["m", "m"], ["slots"]),
    ("compile.optimizer.state.dense/weights", ["m", "v", "x"], ["slots"]),
    ("compile.optimizer.state.dense_9/weights", ["m", "v"], ["not a parameter"]),
    ("compile.optimizer.state.dense/weights", DELETE, ["unexpected member",
                                                       "optimizer/dense/weights/m.npy"]),
    ("compile.optimizer.state", [], ["state must be an object"]),
    ("compile.metrics", ["exec"], ["unknown metric"]),
    ("compile.metrics", "accuracy", ["metrics must be a list"]),
    ("compile", {"loss": "mse"}, ["lacks"]),
    ("history.history.loss", [0.5, "x"], ["history.history['loss'][1] must be"]),
    ("history.epoch", [0, -1], ["history.epoch[1] must be >= 0"]),
    ("history", [1, 2], ["history must be an object"]),
    ("random_state.bit_generator", "MT19937", ["not a valid MT19937 state"]),
    ("random_state.bit_generator", "RandomState", ["unknown random bit generator"]),
    ("random_state.state.state.state", -1, ["random_state.state"]),
    ("random_state.state.state.state", 2**200, ["random_state.state"]),
    ("random_state.state.state", [1, 2], ["random_state.state"]),
    ("random_state.state.state.inc", "x", ["random_state.state"]),
    ("random_state.state.state", {"a": {"b": {"c": 1}}}, ["random_state.state"]),
]


@pytest.mark.parametrize("dotted, value, fragments", DOCUMENT_DAMAGE,
                         ids=[f"{d}={str(v)[:20]}" for d, v, _ in DOCUMENT_DAMAGE])
def test_damaged_documents(saved, tmp_path, dotted, value, fragments):
    _, path = saved
    document = edit(read_document(path), dotted, value)
    with_document(path, document, tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", *fragments)


@pytest.mark.parametrize("text, fragment", [
    (b"", "not valid JSON"),
    (b"{", "not valid JSON"),
    (b"[1, 2]", "the document must be an object"),
    (b"null", "the document must be an object"),
    (b'{"format": "plainnet", "format": "plainnet"}', "repeated key"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[" * 5_000 + b"]" * 5_000, "not valid JSON"),
    (b'{"format": "plainnet", "format_version": 1, "plainnet_version": "0", "model": 1}',
     "unknown model kind"),
    (b'{"format_version": ' + b"9" * 5000 + b"}", "not valid JSON"),
])
def test_malformed_json(saved, tmp_path, text, fragment):
    _, path = saved
    with_document(path, text, tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", fragment)


def test_oversized_documents_are_not_parsed(saved, tmp_path):
    _, path = saved
    with_document(path, b" " * (MAX_DOCUMENT_BYTES + 1), tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", "model.json", "allowed")
    # 4 MiB of "[]," would be ~90 MiB of Python lists
    with_document(path, b"[" + b"[]," * 2**20 + b"[]]", tmp_path / "bad.pnet")
    tracemalloc.start()
    try:
        assert_refused(tmp_path / "bad.pnet", "model.json", "'[' and '{'", "allowed")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20





@pytest.mark.parametrize("layers", [
    [{"type": "Dense", "config": {"n_inputs": 10**9, "n_outputs": 10**9}}],
    [{"type": "Dense", "config": {"n_inputs": 10**100, "n_outputs": 1}}],
    [{"type": "Dense", "config": {"n_inputs": 20_000, "n_outputs": 20_000}}],  # 1.6 GB
    [{"type": "BatchNormalization", "config": {"n_features": 10**12}}],
    [{"type": "Dense", "config": {"n_inputs": 2, "n_outputs": 2}}] * 100 +
    [{"type": "Dense", "config": {"n_inputs": 2, "n_outputs": 10**8}}],
])
def test_absurd_declared_sizes_are_refused_before_allocating(saved, tmp_path, layers):
    _, path = saved
    document = read_document(path)
    document["layers"], document["compile"] = layers, None
    with_document(path, document, tmp_path / "bad.pnet")
    tracemalloc.start()
    try:
        assert_refused(tmp_path / "bad.pnet")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


def test_absurd_optimizer_state_is_refused(tmp_path):
    model = Sequential([Dense(300, 300)], seed=0)
    model.compile("mse", "adam")
    model.fit(np.zeros((2, 300)), np.zeros((2, 300)), verbose=0)
    model.save(tmp_path / "m.pnet")
    members = read_members(tmp_path / "m.pnet")
    # Drop the optimizer's arrays (~720 KB): the state the document lists no longer fits.
    members = {k: v for k, v in members.items() if not k.startswith("optimizer/")}
    write_members(tmp_path / "bad.pnet", members)
    assert_refused(tmp_path / "bad.pnet", "optimizer's arrays")


def test_neural_network_files_are_checked_too(tmp_path, xor):
    network = NeuralNetwork(seed=0)
    pio.save(network, tmp_path / "nn.pnet")
    document = read_document(tmp_path / "nn.pnet")
    for key, value, fragment in [("input_layer", 0, ">= 1"), ("hidden_layer", "4", "integer"),
                                 ("output_layer", 10**10, "bytes"), ("seed", 1, "unexpected")]:
        bad = json.loads(json.dumps(document))
        bad["config"][key] = value
        with_document(tmp_path / "nn.pnet", bad, tmp_path / "bad.pnet")
        assert_refused(tmp_path / "bad.pnet", fragment)
    members = read_members(tmp_path / "nn.pnet")
    members["weights1.npy"] = npy_bytes(np.zeros((2, 5)))
    write_members(tmp_path / "bad.pnet", members)
    assert_refused(tmp_path / "bad.pnet", "weights1.npy", "shape")




def test_a_damaged_npy_header_gives_a_clean_error_and_no_stray_warning(tmp_path):
    # NumPy parses .npy headers with ast.literal_eval, which warns about an odd
    # escape such as "\_" before failing; the user should see only plainnet's error.
    path = tmp_path / "model.pnet"
    small_model().save(path)
    members = read_members(path)
    name = next(n for n in members if n.endswith("weights.npy"))
    assert b"'descr'" in members[name]
    members[name] = members[name].replace(b"'descr'", b"'\\_escr'", 1)  # same length
    write_members(path, members)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ModelFileError, match="not a valid .npy array"):
            plainnet.load(path)
    assert [str(w.message) for w in caught] == []
