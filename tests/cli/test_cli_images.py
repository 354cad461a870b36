"""``plainnet train``/``evaluate``/``predict`` on images: IDX files and ``.npz`` archives."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from cli_helpers import assert_error, read_csv, run, write_csv

import plainnet


def write_idx(path, array: np.ndarray) -> None:
    """An uncompressed IDX file of uint8 values."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """200 8x8 uint8 images of two classes (bright left half or top half), in three files."""
    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200).astype(np.uint8)
    X = rng.integers(0, 60, (200, 8, 8)).astype(np.uint8)
    X[y == 0, :, :4] += 150
    X[y == 1, :4, :] += 150
    np.savez(folder / "images.npz", X=X, y=y)
    write_idx(folder / "images-idx3-ubyte", X)
    write_idx(folder / "labels-idx1-ubyte", y)
    with gzip.open(folder / "images.gz", "wb") as file:
        file.write((folder / "images-idx3-ubyte").read_bytes())
    run("train", "images.npz", "--conv", "4", "--hidden", "8", "--epochs", "15",
        "--learning-rate", "0.01", "--verbose", "0", "--out", "cnn.pnet", cwd=folder,
        check=True)
    return folder, X, y


def test_train_on_a_npz_with_conv_scales_pixels_and_records_it(images):
    folder, _, _ = images
    model = plainnet.load(folder / "cnn.pnet")
    assert model.input_shape == (8, 8, 1)
    assert [type(layer).__name__ for layer in model.layers][:3] == ["Conv2D", "ReLU",
                                                                    "MaxPool2D"]
    assert model.metadata["images"] == {"shape": [8, 8, 1], "dtype": "uint8", "divide_by": 255.0}
    assert model.metadata["training"]["conv"] == [4]
    assert model.metadata["result"]["validation"]["accuracy"] > 0.9


def test_train_on_idx_files_without_conv_is_an_mlp(images):
    folder, _, _ = images
    result = run("train", "images-idx3-ubyte", "--labels", "labels-idx1-ubyte", "--hidden",
                 "8", "--epochs", "10", "--learning-rate", "0.01", "--verbose", "0", "--out",
                 "mlp.pnet", cwd=folder, check=True)
    assert "data: images-idx3-ubyte, 200 images of 8x8x1" in result.stdout
    assert "uint8 divided by 255" in result.stdout
    assert "model: 8x8x1 -> flatten 64 -> 8 -> 1," in result.stdout
    model = plainnet.load(folder / "mlp.pnet")
    assert "Conv2D" not in [type(layer).__name__ for layer in model.layers]


def test_float_images_with_channels_and_text_labels(tmp_path):
    rng = np.random.default_rng(1)
    y = np.array(["cat", "dog", "owl"])[rng.integers(0, 3, 90)]
    X = rng.normal(size=(90, 6, 6, 2)) * 0.1 + (y == "dog")[:, None, None, None]
    np.savez(tmp_path / "pets.npz", X=X, y=y)
    result = run("train", "pets.npz", "--conv", "3", "--hidden", "0", "--epochs", "2",
                 "--verbose", "0", "--out", "pets.pnet", cwd=tmp_path, check=True)
    assert "pixels: float64, used as they are" in result.stdout
    assert "3 classes (cat, dog, owl)" in result.stdout
    predicted = read_csv(run("predict", "pets.pnet", "pets.npz", cwd=tmp_path,
                             check=True).stdout, text=True)
    assert len(predicted) == 90 and {row["prediction"] for row in predicted} <= {"cat", "dog",
                                                                                  "owl"}


def test_evaluate_and_predict_take_npz_idx_and_gzip(images):
    folder, _, y = images
    for inputs in (["images.npz"], ["images.gz", "--labels", "labels-idx1-ubyte"]):
        result = run("evaluate", "cnn.pnet", *inputs, "--json", cwd=folder, check=True)
        assert json.loads(result.stdout)["accuracy"] > 0.9
    for source in ("images.npz", "images-idx3-ubyte"):  # predict needs no labels
        rows = read_csv(run("predict", "cnn.pnet", source, cwd=folder, check=True).stdout,
                        text=True)
        assert np.mean(np.array([int(row["prediction"]) for row in rows]) == y) > 0.9


@pytest.mark.parametrize("arrays, fragments", [
    ({"X": np.zeros((4, 8, 8), np.uint8)}, ["has no array y", "holds X"]),
    ({"y": np.zeros(4)}, ["has no array X"]),
    ({"X": np.zeros((4, 8, 8)), "y": np.zeros(5)}, ["5 labels", "4 images"]),
    ({"X": np.zeros((4, 64)), "y": np.zeros(4)}, ["(n, height, width)", "(4, 64)"]),
    ({"X": np.zeros((4, 8, 8)), "y": np.zeros((4, 2))}, ["labels must have shape (n,)"]),
])
def test_bad_npz_files_give_one_line(tmp_path, arrays, fragments):
    np.savez(tmp_path / "bad.npz", **arrays)
    assert_error(run("train", "bad.npz", "--epochs", "1", cwd=tmp_path), "bad.npz", *fragments)


def test_usage_errors(images, tmp_path):
    folder, _, _ = images
    assert_error(run("train", "images-idx3-ubyte", "--epochs", "1", cwd=folder),
                 "--labels LABELS-FILE")
    assert_error(run("evaluate", "cnn.pnet", "images-idx3-ubyte", cwd=folder), "--labels")
    write_csv(tmp_path / "t.csv", ["a", "b"], [[0, 0], [1, 1], [0, 1], [1, 0]])
    assert_error(run("train", "t.csv", "--target", "b", "--conv", "4", cwd=tmp_path),
                 "--conv needs images")
    assert_error(run("train", "images.npz", "--task", "regression", cwd=folder),
                 "images are classified")
    assert_error(run("predict", "cnn.pnet", str(tmp_path / "t.csv"), cwd=folder),
                 "is a table", "8x8x1")
    assert_error(run("train", "images.npz", "--conv", "16,x", cwd=folder), "16,32")
