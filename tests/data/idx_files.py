"""Writing small IDX files for the tests of plainnet.data (MNIST-format folders)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

#: IDX type codes by dtype name
IDX_CODES = {
    "uint8": 0x08,
    "int8": 0x09,
    "int16": 0x0B,
    "int32": 0x0C,
    "float32": 0x0D,
    "float64": 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode ``array`` in the IDX format."""
    header = struct.pack(">BBBB", 0, 0, IDX_CODES[array.dtype.name], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, data: bytes | np.ndarray, compress: bool = False) -> Path:
    """Write ``data`` (an array, or raw bytes as they are) to ``path``, gzipped if asked."""
    if isinstance(data, np.ndarray):
        data = idx_bytes(data)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def fake_mnist(
    folder: Path, prefix: str, n: int, compress: bool, seed: int = 0, side: int = 28
) -> tuple[np.ndarray, np.ndarray]:
    """Write ``n`` random ``side x side`` uint8 images and labels 0..9 with MNIST's file names.

    ``prefix`` is "train" or "t10k"; the files get a ``.gz`` suffix when ``compress``.
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, side, side), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if compress else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress)
    return images, labels
