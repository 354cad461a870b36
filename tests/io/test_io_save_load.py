"""Tests for plainnet.io: exact round trips, the file's layout, and saving only what loads.

Elsewhere in this folder: atomic writes (test_io_atomic.py), damaged and
hostile files (test_io_refused.py, test_io_fuzz.py), metadata
(test_io_metadata.py), checkpoints and resuming (test_io_checkpoint.py), and
the committed files of earlier versions (test_io_fixtures.py).
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest
from io_helpers import (
    assert_refused,
    assert_same_model,
    npy_bytes,
    read_document,
    read_members,
    saved_model,
    small_model,
    trained_model,
    training_data,
    with_document,
    write_members,
)

import plainnet
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
    NeuralNetwork,
    ReLU,
    RMSprop,
    Sequential,
    Softmax,
    StepDecay,
    Tanh,
)
from plainnet import io as pio
from plainnet.io.layout import planned_shapes
from plainnet.io.loading import UPGRADES, check_version, upgrade
from plainnet.layers import LAYER_TYPES, Reshape


@pytest.fixture
def saved(tmp_path):
    """``(model, path)``: a trained model (Adam with a schedule, BN, Dropout) saved to a file."""
    return saved_model(tmp_path)


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


#: the layer types that take images or sequences: round-tripped in a model of their own
IMAGE_TYPES = {"Conv2D", "Conv1D", "MaxPool2D", "AveragePool2D", "GlobalAveragePool2D"}
SEQUENCE_TYPES = {"Embedding", "PositionalEmbedding", "SimpleRNN", "LSTM", "GRU",
                  "MultiHeadAttention", "Residual"}


def test_every_registered_layer_type_round_trips(tmp_path):
    layers = [BatchNormalization(n_features=4), Dense(4, 5, weight_init="he_normal",
                                                      bias_init="normal", l1=0.01, l2=0.02)]
    for name, cls in LAYER_TYPES.items():
        if name == "Dense" or name in IMAGE_TYPES | SEQUENCE_TYPES:
            continue
        layers.append(cls(0.5) if cls is Dropout else cls((5,)) if cls is Reshape else cls())
    model = Sequential(layers, seed=0, dtype=np.float64)
    assert {type(layer).__name__ for layer in model.layers} == (
        set(LAYER_TYPES) - IMAGE_TYPES - SEQUENCE_TYPES)
    model.compile("mse", "adam")
    X = np.random.default_rng(1).normal(size=(10, 4))
    model.fit(X, X[:, :1] * np.ones((1, 5)), epochs=1, verbose=0)
    model.save(tmp_path / "m.pnet")
    assert_same_model(model, plainnet.load(tmp_path / "m.pnet"))

    pn = plainnet.layers
    images = Sequential([pn.Conv2D(3, (3, 2), strides=(1, 2), padding="same", activation="relu"),
                         pn.MaxPool2D(2), pn.AveragePool2D(1), Reshape((-1, 3)),
                         pn.Conv1D(4, 2, activation="tanh"), Reshape((1, -1, 4)),
                         pn.GlobalAveragePool2D(), Dense(2)],
                        seed=0, dtype=np.float64, input_shape=(6, 8, 1))
    assert {type(layer).__name__ for layer in images.layers} >= IMAGE_TYPES
    images.compile("mse", "adam")
    X = np.random.default_rng(2).normal(size=(10, 6, 8, 1))
    images.fit(X, np.ones((10, 2)), epochs=1, verbose=0)
    images.save(tmp_path / "images.pnet")
    assert_same_model(images, plainnet.load(tmp_path / "images.pnet"))

    sequences = Sequential([
        pn.Embedding(7, 4, mask_zero=True), pn.PositionalEmbedding(6),
        pn.Residual([pn.LayerNormalization(), pn.MultiHeadAttention(2, 3, causal=True)]),
        pn.SimpleRNN(4, return_sequences=True), pn.GRU(4, return_sequences=True),
        pn.LSTM(3), Dense(2)], seed=0, dtype=np.float64)
    inner = {type(layer).__name__ for layer in sequences.layers[2].layers}
    assert {type(layer).__name__ for layer in sequences.layers} | inner >= SEQUENCE_TYPES
    sequences.compile("mse", "adam")
    tokens = np.random.default_rng(3).integers(0, 7, size=(10, 5))
    sequences.fit(tokens, np.ones((10, 2)), epochs=1, verbose=0)
    sequences.save(tmp_path / "sequences.pnet")
    assert_same_model(sequences, plainnet.load(tmp_path / "sequences.pnet"))


def test_nested_layers_are_checked_one_by_one(tmp_path):
    model = Sequential([plainnet.layers.Residual([Dense(3, activation="tanh")])], seed=0,
                       input_shape=(3,))
    model.save(tmp_path / "m.pnet")
    document = read_document(tmp_path / "m.pnet")
    inner = document["layers"][0]["config"]["layers"]
    assert [entry["type"] for entry in inner] == ["Dense", "Tanh"]
    inner[0]["type"] = "os.system"
    with_document(tmp_path / "m.pnet", document, tmp_path / "bad.pnet")
    with pytest.raises(plainnet.ModelFileError, match=r"layers\[0\]\.config\.layers\[0\]"):
        plainnet.load(tmp_path / "bad.pnet")


def test_planned_shapes_match_the_built_layers():
    """load sizes every layer from its config before building; the plan must be right."""
    layers = [Dropout(0.1), BatchNormalization(), Dense(3, 7), ReLU(), BatchNormalization(),
              Dense(7, 2), Softmax()]
    planned = planned_shapes(layers, (3,))
    model = Sequential(layers, seed=0, input_shape=(3,))
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
    assert document["format"] == "plainnet"
    assert document["format_version"] == plainnet.io.FORMAT_VERSION
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




# ============================================== save writes nothing that load would refuse


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



def test_save_refuses_a_document_that_load_would_refuse(tmp_path):
    model = Sequential([Dense(1, 1)])
    model.history = plainnet.History({"loss": [0.1] * 10**6}, list(range(10**6)))
    with pytest.raises(ValueError, match="model.history = None"):
        model.save(tmp_path / "m.pnet")
    assert os.listdir(tmp_path) == []
    model.history = None
    model.save(tmp_path / "m.pnet")



def test_the_public_names_of_plainnet_io():
    assert set(pio.__all__) == {"BIT_GENERATORS", "FORMAT_NAME", "FORMAT_VERSION",
                                "MAX_METADATA_BYTES", "MAX_METADATA_DEPTH", "ModelCheckpoint",
                                "load", "replace_atomically", "save"}
    assert all(hasattr(pio, name) for name in pio.__all__)
    assert pio.FORMAT_NAME == "plainnet"


# (what is put in place of the first Dense layer's weights, what save and load both say)
BAD_ARRAYS = [
    (np.zeros((5, 13), np.float32), "has shape (5, 13); the model needs (5, 12)"),
    (np.zeros((5, 12), np.float64), "holds float64 values; the model needs float32"),
    (np.zeros((5, 12), np.int32), "holds int32 values; the model needs float32"),
    (np.full((5, 12), np.nan, np.float32), "contains NaN or infinite values"),
    (np.full((5, 12), np.inf, np.float32), "contains NaN or infinite values"),
]


@pytest.mark.parametrize("bad, reason", BAD_ARRAYS, ids=[r for _, r in BAD_ARRAYS])
def test_save_and_load_refuse_the_same_arrays_for_the_same_reason(saved, tmp_path, bad,
                                                                  reason):
    """One check (plainnet.io.archive.array_problem) serves both: they cannot drift apart."""
    model, path = saved
    members = read_members(path)
    members["layers/dense/weights.npy"] = npy_bytes(bad)
    write_members(tmp_path / "bad.pnet", members)
    assert_refused(tmp_path / "bad.pnet", f"member 'layers/dense/weights.npy' {reason}")

    model.layers[0].weights = bad
    with pytest.raises(ValueError) as info:
        model.save(tmp_path / "never.pnet")
    assert str(info.value) == f"cannot save the model: layers/dense/weights.npy {reason}"
    assert not (tmp_path / "never.pnet").exists()


# (what is changed in the model, where it lands in model.json, what save and load both say)
BAD_CONFIGS = [
    ("layers.0.l2", float("nan"), "layers.0.config.l2", "layers[0].config.l2 must be finite"),
    ("layers.0.weight_init", ("zeros",), "layers.0.config.weight_init",
     "layers[0].config.weight_init must be a string, got ['zeros']"),
    ("optimizer.beta_1", float("inf"), "compile.optimizer.config.beta_1",
     "compile.optimizer.config.beta_1 must be finite"),
    ("optimizer.learning_rate.decay_steps", 2.5,
     "compile.optimizer.config.learning_rate.config.decay_steps",
     "compile.optimizer.config.learning_rate.config.decay_steps must be an integer, got 2.5"),
]


@pytest.mark.parametrize("attribute, value, key, message", BAD_CONFIGS,
                         ids=[a for a, *_ in BAD_CONFIGS])
def test_save_and_load_refuse_the_same_settings_for_the_same_reason(saved, tmp_path, attribute,
                                                                    value, key, message):
    """One check (plainnet.io.schema.check_config) serves both."""
    model, path = saved
    document = read_document(path)
    target = document
    *keys, last = [int(k) if k.isdigit() else k for k in key.split(".")]
    for k in keys:
        target = target[k]
    target[last] = list(value) if isinstance(value, tuple) else value
    with_document(path, document, tmp_path / "bad.pnet")
    assert_refused(tmp_path / "bad.pnet", message)

    *names, name = [int(k) if k.isdigit() else k for k in attribute.split(".")]
    owner = model
    for k in names:
        owner = owner[k] if isinstance(k, int) else getattr(owner, k)
    setattr(owner, name, value)
    with pytest.raises(ValueError) as info:
        model.save(tmp_path / "never.pnet")
    assert str(info.value).startswith(f"cannot save the model: {message}")
    assert not (tmp_path / "never.pnet").exists()


def test_save_refuses_a_diverged_model_and_keeps_the_old_file(saved, tmp_path):
    model, path = saved
    before = path.read_bytes()
    slots = model.optimizer.state["dense_1/weights"]
    slots["m"] = np.full_like(slots["m"], np.nan)
    with pytest.raises(ValueError, match="optimizer/dense_1/weights/m.npy contains NaN"):
        model.save(path)
    assert path.read_bytes() == before
    network = NeuralNetwork(seed=0)
    network.weights2 = network.weights2 * np.inf
    with pytest.raises(ValueError, match="weights2.npy contains NaN or infinite values"):
        network.save(tmp_path / "nn.pnet")
    assert sorted(os.listdir(tmp_path)) == ["model.pnet"]


# ======================================================================= format versions


def test_format_versions_from_1_to_the_current_one_are_read():
    """(Versions it cannot read: test_io_refused.py; files of each version: test_io_fixtures.py)"""
    for version in range(1, pio.FORMAT_VERSION + 1):
        assert check_version(version) == version
    # every older version has its step up to the next: the loader reads one layout
    assert set(UPGRADES) == set(range(1, pio.FORMAT_VERSION))
    document = {"format": "plainnet", "format_version": pio.FORMAT_VERSION}
    assert upgrade(document, pio.FORMAT_VERSION) is document


def test_a_frozen_layer_stays_frozen_after_save_and_load(tmp_path):
    model = Sequential([Dense(3, activation="relu"), Dense(2)], seed=0, input_shape=(4,))
    model.layers[0].trainable = False
    model.compile("mse", "sgd")
    model.save(tmp_path / "frozen.pnet")
    loaded = plainnet.load(tmp_path / "frozen.pnet")
    assert [layer.trainable for layer in loaded.layers] == [False, True, True]
    frozen = loaded.layers[0].weights.copy()
    X = np.random.default_rng(0).normal(size=(8, 4))
    loaded.fit(X, np.ones((8, 2)), epochs=2, verbose=0)
    np.testing.assert_array_equal(loaded.layers[0].weights, frozen)
    assert not np.array_equal(loaded.layers[2].weights, model.layers[2].weights)
