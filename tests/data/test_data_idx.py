"""Tests for plainnet.data.idx: read_idx and load_mnist."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from idx_files import IDX_CODES
from idx_files import fake_mnist as _fake_mnist
from idx_files import idx_bytes as _idx_bytes
from idx_files import write_idx as _write_idx

from plainnet.data import load_mnist, read_idx


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_read_idx_round_trip(tmp_path, dtype, compress):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    if dtype.startswith("float"):
        array = array / 7
    result = read_idx(_write_idx(tmp_path / "data.idx", array, compress))
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    assert result.shape == (2, 3, 4)
    np.testing.assert_array_equal(result, array)
    result[0, 0, 0] = 1  # the result is a writable array


def test_read_idx_detects_gzip_by_content(tmp_path):
    array = np.arange(6, dtype=np.int16)
    path = _write_idx(tmp_path / "no-suffix", array, compress=True)
    np.testing.assert_array_equal(read_idx(path), array)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("kind", "prefix"), [("train", "train"), ("test", "t10k"), ("t10k", "t10k")]
)
def test_load_mnist(tmp_path, compress, kind, prefix):
    images, labels = _fake_mnist(tmp_path, prefix, n=5, compress=compress)
    X, y = load_mnist(tmp_path, kind=kind)
    assert X.dtype == np.uint8 and X.shape == (5, 784)
    assert y.dtype == np.int64 and y.shape == (5,)
    np.testing.assert_array_equal(X, images.reshape(5, -1))
    np.testing.assert_array_equal(y, labels)

    X_norm, _ = load_mnist(str(tmp_path), kind=kind, normalize=True)
    assert X_norm.dtype == np.float64 and 0.0 <= X_norm.min() and X_norm.max() <= 1.0
    np.testing.assert_allclose(X_norm, images.reshape(5, -1) / 255.0)


def test_load_mnist_picks_the_requested_split(tmp_path):
    _fake_mnist(tmp_path, "train", n=6, compress=True, seed=1)
    _fake_mnist(tmp_path, "t10k", n=3, compress=False, seed=2)
    assert load_mnist(tmp_path, "train")[0].shape == (6, 784)
    assert load_mnist(tmp_path, "test")[0].shape == (3, 784)


def test_load_mnist_missing_files_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.idx")
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="validation")


def test_load_mnist_count_mismatch(tmp_path):
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, np.uint8), compress=True)
    with pytest.raises(ValueError, match="3 images.*4 labels"):
        load_mnist(tmp_path)


def test_load_mnist_rejects_wrong_kind_of_file(tmp_path):
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    _write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.int32))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.*uint8"):
        load_mnist(tmp_path)
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 784), np.uint8))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"\x01\x00\x08\x01" + struct.pack(">I", 2) + b"ab", "magic"),  # non-zero first byte
        (b"\x00\x00\x07\x01" + struct.pack(">I", 2) + b"ab", "magic"),  # unknown type code
        (b"\x00\x00", "truncated"),  # header cut short
        (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "truncated"),  # dims cut short
        (b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"abc", "truncated"),
        (b"\x00\x00\x0c\x01" + struct.pack(">I", 2) + b"\x00" * 7, "truncated"),
        (b"\x00\x00\x08\x01" + struct.pack(">I", 2) + b"abcd", "size mismatch"),  # extra data
        # A small file declaring a huge array: must fail fast, not try to allocate it.
        (
            b"\x00\x00\x0e\x03" + struct.pack(">III", 2**32 - 1, 2**32 - 1, 2**32 - 1) + b"x" * 64,
            "truncated",
        ),
    ],
)
def test_read_idx_rejects_bad_files(tmp_path, data, pattern, compress):
    path = _write_idx(tmp_path / "bad-idx1-ubyte", data, compress)
    with pytest.raises(ValueError, match=pattern) as info:
        read_idx(path)
    assert "bad-idx1-ubyte" in str(info.value)


def test_read_idx_rejects_corrupt_gzip(tmp_path):
    packed = gzip.compress(_idx_bytes(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "corrupt.gz"
    path.write_bytes(packed[: len(packed) // 2])  # gzip stream cut in the middle
    with pytest.raises(ValueError, match="corrupt.gz"):
        read_idx(path)


def test_load_mnist_reports_bad_file_by_name(tmp_path):
    _write_idx(
        tmp_path / "t10k-images-idx3-ubyte.gz", b"\x00\x00\x08\x03" + b"\x00" * 5, compress=True
    )
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz.*truncated"):
        load_mnist(tmp_path, kind="test")
