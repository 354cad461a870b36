"""Tests for plainnet.io: the file format, exact round trips, atomic saves, hostile files.

The fuzz tests are in test_io_fuzz.py; checkpoints, resuming and processes
killed mid-save are in test_checkpoint.py.
"""

from __future__ import annotations

import json
import os
import pickle
import stat
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plainnet
from io_helpers import (
    assert_same_model,
    npy_bytes,
    read_document,
    read_members,
    small_model,
    trained_model,
    training_data,
    with_document,
    write_members,
)
from plainnet import (
    MSE,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    BatchNormalization,
    CategoricalCrossEntropy,
    CosineDecay,
    Dense,
    Dropout,
    ExponentialDecay,
    Identity,
    LeakyReLU,
    ModelFileError,
    NeuralNetwork,
    ReLU,
    RMSprop,
    Sequential,
    Softmax,
    StepDecay,
    Tanh,
)
from plainnet import io as pio
from plainnet.layers import LAYER_TYPES


@pytest.fixture
def saved(tmp_path):
    """``(model, path)``: a trained model (Adam with a schedule, BN, Dropout) saved to a file."""
    model = trained_model()
    path = tmp_path / "model.pnet"
    model.save(path)
    return model, path


def temporary_files(folder):
    return [name for name in os.listdir(folder) if ".tmp-" in name]


# ======================================================================== round trips

OPTIMIZERS = {
    "sgd": lambda: SGD(learning_rate=0.05),
    "sgd-nesterov": lambda: SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adam-schedule": lambda: Adam(learning_rate=CosineDecay(0.02, decay_steps=50)),
    "adamw": lambda: AdamW(learning_rate=ExponentialDecay(0.01, 10, 0.9, staircase=True)),
    "rmsprop": lambda: RMSprop(learning_rate=StepDecay(0.01, step_size=5), clipnorm=1.0),
    "adagrad": lambda: Adagrad(learning_rate=0.05, initial_accumulator_value=0.1),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_round_trip_is_exact_and_training_continues_identically(tmp_path, dtype, optimizer):
    X, y = training_data()
    model = trained_model(dtype=dtype, optimizer=OPTIMIZERS[optimizer]())
    path = tmp_path / "model.pnet"
    model.save(path)
    loaded = plainnet.load(path)

    assert_same_model(model, loaded)
    prediction = model.predict(X)
    assert prediction.dtype == dtype
    np.testing.assert_array_equal(loaded.predict(X), prediction, strict=True)
    assert loaded.evaluate(X, y) == model.evaluate(X, y)

    # Generator (shuffling, dropout), optimizer state and step count were all
    # saved, so two more epochs give the same weights bit for bit.
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    loaded.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert_same_model(model, loaded)


@pytest.mark.parametrize("loss, last_layer, y_kind", [
    (MSE(), Identity(), "real"),
    ("binary_crossentropy", None, "binary"),
    (CategoricalCrossEntropy(), Softmax(), "labels"),
    (CategoricalCrossEntropy(from_logits=True), None, "labels"),
])
def test_every_loss_round_trips(tmp_path, loss, last_layer, y_kind):
    n_out = 3 if y_kind == "labels" else 1
    layers = [Dense(4, 6), LeakyReLU(0.2), Dense(6, 3), Tanh(), Dense(3, n_out)]
    if last_layer is not None:
        layers.append(last_layer)
    model = Sequential(layers, seed=3, dtype=np.float64)
    model.compile(loss=loss, optimizer="rmsprop", metrics=["mae"])
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = {"real": X[:, 0], "binary": (X[:, 0] > 0) * 1.0, "labels": np.arange(30) % 3}[y_kind]
    model.fit(X, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.pnet")
    loaded = plainnet.load(tmp_path / "m.pnet")
    assert_same_model(model, loaded)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_uncompiled_model_loads_uncompiled(tmp_path):
    model = small_model(compiled=False, dtype=np.float64)
    model.save(tmp_path / "m.pnet")
    loaded = plainnet.load(tmp_path / "m.pnet")
    assert not loaded.compiled and loaded.loss is None and loaded.optimizer is None
    assert loaded.history is None and loaded.epochs_done == 0
    assert_same_model(model, loaded)
    X, y = training_data()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert read_document(tmp_path / "m.pnet")["compile"] is None


def test_compiled_but_untrained_model_round_trips(tmp_path):
    model = small_model()
    model.save(tmp_path / "m.pnet")
    loaded = plainnet.load(tmp_path / "m.pnet")
    assert loaded.compiled and loaded.optimizer.iterations == 0
    assert loaded.optimizer.state == {}
    assert_same_model(model, loaded)
    X, y = training_data()
    model.fit(X, y, epochs=1, verbose=0)
    loaded.fit(X, y, epochs=1, verbose=0)
    assert_same_model(model, loaded)


@pytest.mark.parametrize("bit_generator", sorted(pio.BIT_GENERATORS))
def test_the_random_generator_state_is_restored_exactly(tmp_path, bit_generator):
    rng = np.random.Generator(pio.BIT_GENERATORS[bit_generator](42))
    model = Sequential([Dense(3, 4), Dropout(0.5), Dense(4, 1)], seed=rng)
    rng.random(7)  # leave the generator mid-stream (e.g. a buffered 32-bit half)
    rng.integers(0, 10, size=3, dtype=np.uint32)
    model.save(tmp_path / "m.pnet")
    loaded = plainnet.load(tmp_path / "m.pnet")
    assert type(loaded.rng.bit_generator).__name__ == bit_generator
    np.testing.assert_array_equal(loaded.rng.random(100), model.rng.random(100))
    x = np.ones((5, 4))
    np.testing.assert_array_equal(loaded.layers[1].forward(x, training=True),
                                  model.layers[1].forward(x, training=True))


def test_seed_none_and_big_seeds_round_trip(tmp_path):
    for seed in (None, 0, 2**100):
        model = Sequential([Dense(2, 2)], seed=seed)
        model.save(tmp_path / "m.pnet")
        loaded = plainnet.load(tmp_path / "m.pnet")
        assert loaded.seed == seed
        assert loaded.rng.bit_generator.state == model.rng.bit_generator.state


def test_every_registered_layer_type_round_trips(tmp_path):
    layers = [BatchNormalization(n_features=4), Dense(4, 5, weight_init="he_normal",
                                                      bias_init="normal", l1=0.01, l2=0.02)]
    for name, cls in LAYER_TYPES.items():
        if name == "Dense":
            continue
        layers.append(cls(0.5) if cls is Dropout else cls())
    model = Sequential(layers, seed=0, dtype=np.float64)
    assert {type(layer).__name__ for layer in model.layers} == set(LAYER_TYPES)
    model.compile("mse", "adam")
    X = np.random.default_rng(1).normal(size=(10, 4))
    model.fit(X, X[:, :1] * np.ones((1, 5)), epochs=1, verbose=0)
    model.save(tmp_path / "m.pnet")
    assert_same_model(model, plainnet.load(tmp_path / "m.pnet"))


def test_planned_shapes_match_the_built_layers():
    """load sizes every layer from its config before building; the plan must be right."""
    layers = [Dropout(0.1), BatchNormalization(), Dense(3, 7), ReLU(), BatchNormalization(),
              Dense(7, 2), Softmax()]
    planned = pio._planned_shapes(layers)
    model = Sequential(layers, seed=0)
    for plan, layer in zip(planned, model.layers, strict=True):
        assert plan == {name: array.shape for name, array in layer.arrays().items()}


def test_neural_network_round_trips(tmp_path, xor):
    X, y = xor
    network = NeuralNetwork(hidden_layer=5, seed=3).train(X, y, epochs=50)
    path = tmp_path / "xor.pnet"
    pio.save(network, path)
    loaded = plainnet.load(path)
    assert isinstance(loaded, NeuralNetwork)
    assert_same_model(network, loaded)
    np.testing.assert_array_equal(loaded.predict(X), network.predict(X))
    assert read_document(path)["model"] == "NeuralNetwork"
    network.save(tmp_path / "xor2.pnet")
    assert (tmp_path / "xor2.pnet").read_bytes() == path.read_bytes()


# ===================================================================== the file itself


def test_file_is_a_plain_zip_of_json_and_npy_members(saved):
    model, path = saved
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "model.json"
        assert all(info.compress_type == zipfile.ZIP_STORED for info in infos)
        document = json.loads(archive.read("model.json"))
    assert document["format"] == "plainnet" and document["format_version"] == 1
    assert document["plainnet_version"] == plainnet.__version__
    assert document["model"] == "Sequential" and document["dtype"] == "float32"
    assert [entry["type"] for entry in document["layers"]] == [
        "Dense", "ReLU", "BatchNormalization", "Dropout", "Dense", "Sigmoid"]
    assert document["compile"]["loss"]["name"] == "binary_crossentropy"
    assert document["compile"]["optimizer"]["config"]["learning_rate"]["schedule"] == \
        "CosineDecay"
    assert document["epochs_done"] == 2
    assert document["random_state"]["bit_generator"] == "PCG64"
    # NumPy reads the arrays too, without pickles.
    with np.load(path, allow_pickle=False) as arrays:
        np.testing.assert_array_equal(arrays["layers/dense/weights"], model.layers[0].weights)
        np.testing.assert_array_equal(arrays["optimizer/dense_1/bias/v"],
                                      model.optimizer.state["dense_1/bias"]["v"])


def test_saving_is_deterministic_and_accepts_str_and_path(tmp_path):
    model = trained_model()
    model.save(str(tmp_path / "a.pnet"))
    pio.save(model, tmp_path / "b.pnet")
    assert (tmp_path / "a.pnet").read_bytes() == (tmp_path / "b.pnet").read_bytes()
    assert_same_model(model, plainnet.load(str(tmp_path / "a.pnet")))


def test_saving_replaces_an_existing_file_and_leaves_no_temporary_file(saved):
    model, path = saved
    X, y = training_data()
    model.fit(X, y, epochs=3, resume=True, verbose=0)  # one epoch more
    model.save(path)
    assert plainnet.load(path).epochs_done == 3
    assert temporary_files(path.parent) == []


def test_new_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        Sequential([Dense(1, 1)]).save(tmp_path / "m.pnet")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "m.pnet").st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_saving_through_a_symbolic_link_replaces_its_target(tmp_path):
    target = tmp_path / "real.pnet"
    Sequential([Dense(1, 1)], seed=0).save(target)
    (tmp_path / "link.pnet").symlink_to(target)
    Sequential([Dense(1, 2)], seed=0).save(tmp_path / "link.pnet")
    assert (tmp_path / "link.pnet").is_symlink()
    assert plainnet.load(target).n_outputs == 2


def test_save_refuses_what_it_cannot_rebuild_and_writes_nothing(tmp_path):
    class MyDense(Dense):
        pass

    with pytest.raises(TypeError, match="Sequential or NeuralNetwork"):
        pio.save("not a model", tmp_path / "m.pnet")
    with pytest.raises(ValueError, match="MyDense"):
        Sequential([MyDense(2, 2)]).save(tmp_path / "m.pnet")

    class MyLoss(MSE):
        pass

    model = Sequential([Dense(2, 2)])
    model.compile(loss=MyLoss(), optimizer="sgd")
    with pytest.raises(ValueError, match="MyLoss"):
        model.save(tmp_path / "m.pnet")
    assert os.listdir(tmp_path) == []


def test_a_failed_save_keeps_the_old_file_and_removes_its_temporary(saved, monkeypatch):
    model, path = saved
    before = path.read_bytes()

    def write_half_then_fail(file, document, arrays):
        file.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pio, "_write_archive", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert temporary_files(path.parent) == []


def test_saving_into_a_missing_folder_is_an_os_error(tmp_path):
    path = tmp_path / "no" / "such" / "m.pnet"
    with pytest.raises(FileNotFoundError) as info:
        Sequential([Dense(1, 1)]).save(path)
    assert info.value.filename == str(path)  # the file asked for, not the temporary one


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "private.pnet"
    Sequential([Dense(1, 1)]).save(path)
    os.chmod(path, 0o600)
    Sequential([Dense(1, 2)]).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert plainnet.load(path).n_outputs == 2


def test_a_long_non_ascii_file_name_can_be_saved(tmp_path):
    path = tmp_path / ("é" * 125 + ".pnet")  # 255 bytes in UTF-8: the longest name allowed
    try:
        path.write_bytes(b"")
    except OSError:
        pytest.skip("the file system does not take 255-byte names")
    Sequential([Dense(1, 1)]).save(path)
    assert plainnet.load(path).n_outputs == 1
    assert temporary_files(tmp_path) == []


def test_a_folder_that_cannot_be_opened_for_syncing_does_not_fail_a_save(tmp_path, monkeypatch):
    real_open = os.open

    def refuse_folders(path, flags, *args):
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(pio.os, "open", refuse_folders)
    Sequential([Dense(1, 1)]).save(tmp_path / "m.pnet")
    assert plainnet.load(tmp_path / "m.pnet").n_outputs == 1


# ================================================================ damaged and hostile files


def assert_refused(path, *fragments):
    """``load(path)`` raises ModelFileError naming the file and containing ``fragments``."""
    with pytest.raises(ModelFileError) as info:
        plainnet.load(path)
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(info.value, ValueError)
    return message


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


@pytest.mark.parametrize("bad, fragments", [
    (np.zeros((5, 13), np.float32), ["shape (5, 13)", "(5, 12)"]),
    (np.zeros(60, np.float32), ["shape (60,)"]),
    (np.zeros((5, 12), np.float64), ["float64", "float32"]),
    (np.zeros((5, 12), np.float16), ["float16"]),
    (np.zeros((5, 12), np.int32), ["int32"]),
    (np.zeros((5, 12), np.complex64), ["complex64"]),
    (np.full((5, 12), np.nan, np.float32), ["NaN or infinite"]),
    (np.full((5, 12), -np.inf, np.float32), ["NaN or infinite"]),
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
    ("format_version", 2, ["version 2", "newer plainnet"]),
    ("format_version", 0, ["version 0"]),
    ("format_version", "1", ["format_version must be an integer"]),
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
    ("layers.0.config.n_inputs", 6, ["layers/dense/weights.npy", "(6, 12)"]),
    ("layers.0.config.n_inputs", DELETE, ["lacks the argument", "n_inputs"]),
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
    with_document(path, b" " * (pio._MAX_DOCUMENT_BYTES + 1), tmp_path / "bad.pnet")
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


def test_save_refuses_a_document_that_load_would_refuse(tmp_path):
    model = Sequential([Dense(1, 1)])
    model.history = plainnet.History({"loss": [0.1] * 10**6}, list(range(10**6)))
    with pytest.raises(ValueError, match="model.history = None"):
        model.save(tmp_path / "m.pnet")
    assert os.listdir(tmp_path) == []
    model.history = None
    model.save(tmp_path / "m.pnet")


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


# ========================================================================= metadata

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
    assert document["format_version"] == 1
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
for _ in range(pio.MAX_METADATA_DEPTH):
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
    ({"x": "y" * pio.MAX_METADATA_BYTES}, ValueError, ["metadata takes", "allowed"]),
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
        pio.save(network, tmp_path / "nn.pnet")
    assert os.listdir(tmp_path) == ["m.pnet"]


def test_metadata_at_the_limits_is_saved(tmp_path):
    deepest = []
    for _ in range(pio.MAX_METADATA_DEPTH - 2):  # metadata -> "x" -> 30 more lists
        deepest = [deepest]
    big = "y" * (pio.MAX_METADATA_BYTES - len('{"x":""}'))
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
    ({"x": _nested(pio.MAX_METADATA_DEPTH)}, ["nested more than 32 levels"]),
    ({"x": _nested(800)}, ["nested more than 32 levels"]),
    ({"x": "y" * (pio.MAX_METADATA_BYTES + 1)}, ["metadata takes", "allowed"]),
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
