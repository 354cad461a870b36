"""Tests for plainnet.data.fashion: Fashion-MNIST as images, from Debian's package or a folder."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from idx_files import fake_mnist, idx_bytes, write_idx

import plainnet.datasets
from plainnet.data import FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, fashion_mnist
from plainnet.data import fashion as fashion_module

PACKAGE_HINT = "apt-get install dataset-fashion-mnist"
INSTALLED = all(
    (FASHION_MNIST_DIR / f"{name}-idx{d}-ubyte.gz").is_file()
    for name, d in [("train-images", 3), ("train-labels", 1), ("t10k-images", 3),
                    ("t10k-labels", 1)]
)
needs_package = pytest.mark.skipif(
    not INSTALLED,
    reason=f"Fashion-MNIST is not in {FASHION_MNIST_DIR}: install the Debian package "
    f"dataset-fashion-mnist ({PACKAGE_HINT})",
)


@pytest.fixture(scope="session")
def fashion_train():
    """The 60,000 training images, loaded once per session."""
    return fashion_mnist()


@needs_package
def test_real_training_split(fashion_train):
    X, y = fashion_train
    assert X.shape == (60_000, 28, 28, 1) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (60_000,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [6000] * 10  # balanced, labels 0..9
    assert FASHION_MNIST_CLASSES[y[0]] == "Ankle boot"  # the first image (label 9)


@needs_package
def test_real_test_split_through_the_old_module_name():
    X, y = plainnet.datasets.fashion_mnist(kind="test", dtype=np.float64)
    assert X.shape == (10_000, 28, 28, 1) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [1000] * 10
    assert y[0] == 9
    raw, y_raw = fashion_mnist(kind="t10k", normalize=False)
    assert raw.dtype == np.float32 and raw.max() == 255.0
    np.testing.assert_array_equal(X, raw.astype(np.float64) / 255)  # p / 255 exactly
    np.testing.assert_array_equal(y, y_raw)


def test_class_names():
    assert len(FASHION_MNIST_CLASSES) == 10
    assert FASHION_MNIST_CLASSES[0] == "T-shirt/top" and FASHION_MNIST_CLASSES[1] == "Trouser"


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_path_argument_gzip_and_plain(tmp_path, compress, dtype):
    images, labels = fake_mnist(tmp_path, "train", n=5, compress=compress, seed=1)
    test_images, test_labels = fake_mnist(tmp_path, "t10k", n=3, compress=compress, seed=2)
    X, y = fashion_mnist(tmp_path, dtype=dtype)
    assert X.shape == (5, 28, 28, 1) and X.dtype == dtype
    assert y.dtype == np.int64
    np.testing.assert_array_equal(X[..., 0], images.astype(dtype) / dtype(255))
    np.testing.assert_array_equal(y, labels)
    X_test, y_test = fashion_mnist(str(tmp_path), kind="test", normalize=False, dtype=dtype)
    np.testing.assert_array_equal(X_test[..., 0], test_images.astype(dtype))
    np.testing.assert_array_equal(y_test, test_labels)


def test_missing_folder_or_file_names_the_package_and_the_folder(tmp_path, monkeypatch):
    absent = tmp_path / "absent"
    with pytest.raises(FileNotFoundError, match="no such folder") as info:
        fashion_mnist(absent)
    assert PACKAGE_HINT in str(info.value) and str(absent) in str(info.value)

    monkeypatch.setattr(fashion_module, "FASHION_MNIST_DIR", absent)  # the default folder
    with pytest.raises(FileNotFoundError, match=PACKAGE_HINT) as info:
        fashion_mnist()
    assert str(absent) in str(info.value)

    fake_mnist(tmp_path, "train", n=2, compress=True)  # the test split is missing
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte") as info:
        fashion_mnist(tmp_path, kind="test")
    assert PACKAGE_HINT in str(info.value) and str(tmp_path) in str(info.value)


def _cut(packed: bytes) -> bytes:
    return packed[: len(packed) // 2]


def _flip(packed: bytes) -> bytes:
    return packed[:40] + bytes([packed[40] ^ 0xFF]) + packed[41:]


@pytest.mark.parametrize(
    ("damage", "pattern"),
    [
        (_cut, "truncated gzip"),  # the gzip stream cut in the middle
        (lambda packed: packed[:-4], "truncated gzip"),  # its trailer cut short
        (_flip, "corrupt"),  # one byte of compressed data changed
        (lambda packed: packed + b"not gzip", "corrupt"),  # garbage after the stream
        (lambda packed: gzip.compress(gzip.decompress(packed)[:-7]), "truncated"),  # short IDX
    ],
)
def test_corrupt_or_truncated_gzip_gives_plainnets_error(tmp_path, damage, pattern):
    fake_mnist(tmp_path, "train", n=4, compress=True)
    images_path = tmp_path / "train-images-idx3-ubyte.gz"
    images_path.write_bytes(damage(images_path.read_bytes()))
    with pytest.raises(ValueError, match=pattern) as info:
        fashion_mnist(tmp_path)
    error = info.value  # shown alone: no traceback of gzip or zlib above it
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    assert "train-images-idx3-ubyte.gz" in str(error)


def test_truncated_plain_file(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-1])
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte: truncated"):
        fashion_mnist(tmp_path)


def test_rejects_what_is_not_fashion_mnist(tmp_path):
    fake_mnist(tmp_path, "train", n=3, compress=False, side=8)
    with pytest.raises(ValueError, match=r"28x28.*\(8, 8\)"):
        fashion_mnist(tmp_path)
    fake_mnist(tmp_path, "train", n=3, compress=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([0, 10, 1], np.uint8))
    with pytest.raises(ValueError, match="labels are 0..9, found 10"):
        fashion_mnist(tmp_path)


def test_bad_arguments(tmp_path):
    fake_mnist(tmp_path, "train", n=2, compress=False)
    with pytest.raises(ValueError, match="kind"):
        fashion_mnist(tmp_path, kind="validation")
    with pytest.raises(ValueError, match="dtype"):
        fashion_mnist(tmp_path, dtype=np.uint8)
    with pytest.raises(TypeError, match="normalize"):
        fashion_mnist(tmp_path, normalize="yes")
