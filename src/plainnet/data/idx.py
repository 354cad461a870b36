"""IDX files (the format of MNIST) and the MNIST loader.

An IDX file is a 4-byte magic number -- two zero bytes, a type code and the
number of dimensions ``ndim`` -- then ``ndim`` big-endian uint32 sizes, then
the data in C order, big-endian. Files may be gzipped; compression is found
from the content, not the name. Nothing here touches the network: MNIST must
already be on disk.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

__all__ = ["IDX_DTYPES", "MNIST_FILES", "find_idx_file", "load_mnist", "read_idx",
           "read_idx_split"]

#: IDX type codes (third byte of the magic number) and their big-endian dtypes.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def _read_exactly(stream: BinaryIO, n_bytes: int, path: Path, what: str) -> bytes:
    """Read exactly ``n_bytes`` from ``stream`` in chunks, or raise ValueError."""
    chunks, got = [], 0
    while got < n_bytes:
        chunk = stream.read(min(_CHUNK, n_bytes - got))
        if not chunk:
            raise ValueError(
                f"{path}: truncated IDX file: {what} needs {n_bytes} bytes, found only {got}"
            )
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_idx_stream(stream: BinaryIO, path: Path, size_left: int | None) -> np.ndarray:
    """Parse an IDX stream; ``size_left`` is the payload size if known (raw files)."""
    magic = _read_exactly(stream, 4, path, "the magic number")
    zeros, type_code, ndim = magic[:2], magic[2], magic[3]
    if zeros != b"\x00\x00" or type_code not in IDX_DTYPES:
        raise ValueError(
            f"{path}: bad IDX magic number 0x{magic.hex()}: expected two zero bytes, a type "
            f"code in {{{', '.join(f'0x{c:02X}' for c in IDX_DTYPES)}}} and the number of "
            f"dimensions"
        )
    dims = np.frombuffer(_read_exactly(stream, 4 * ndim, path, "the header"), dtype=">u4")
    shape = tuple(int(d) for d in dims)
    dtype = IDX_DTYPES[type_code]
    n_bytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow

    # Check the declared size against the data really there before reading it.
    if size_left is not None:
        size_left -= 4 + 4 * ndim
        if size_left != n_bytes:
            problem = "truncated" if size_left < n_bytes else "size mismatch"
            raise ValueError(
                f"{path}: {problem}: the header declares shape {shape} of {dtype.name} "
                f"({n_bytes} bytes of data) but the file holds {size_left} bytes of data"
            )
    data = _read_exactly(stream, n_bytes, path, f"data of shape {shape}")
    if stream.read(1):
        raise ValueError(
            f"{path}: size mismatch: more data than the header's shape {shape} declares"
        )
    native = dtype.newbyteorder("=")
    return np.frombuffer(data, dtype=dtype).astype(native).reshape(shape)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (the format of the MNIST files), gzipped or not.

    The format is a 4-byte magic number -- two zero bytes, a type code
    (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
    0x0E float64) and the number of dimensions -- then each dimension as a
    big-endian uint32, then the data in C order, big-endian.  Gzip
    compression is detected from the file's content, not its name.

    The sizes in the header are checked against the data actually present
    before any large buffer is allocated.

    Parameters
    ----------
    path : str or os.PathLike
        The IDX file.

    Returns
    -------
    ndarray
        Array with the header's shape and type, in native byte order.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For a bad magic number, a truncated file, data whose size does not
        match the header, or a corrupt or truncated gzip stream (never an
        error of :mod:`gzip` or :mod:`zlib`).
    """
    path = Path(path)
    with open(path, "rb") as raw:
        is_gzip = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not is_gzip:
            return _read_idx_stream(raw, path, size_left=os.fstat(raw.fileno()).st_size)
        try:
            with gzip.GzipFile(fileobj=raw) as stream:
                return _read_idx_stream(stream, path, size_left=None)
        except (OSError, EOFError, zlib.error) as error:
            # gzip's own message is kept; its traceback is not shown (``from None``)
            raise ValueError(f"{path}: corrupt or truncated gzip data: {error}") from None


#: The standard file names of an MNIST-format folder (images, labels) for each split.
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    "t10k": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def find_idx_file(folder: str | os.PathLike[str], name: str) -> Path:
    """Return ``folder/name`` or ``folder/name.gz``, preferring the uncompressed file.

    Raises
    ------
    FileNotFoundError
        If neither file exists.
    """
    folder = Path(folder)
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{folder}: found neither {name} nor {name}.gz")


def read_idx_split(
    path: str | os.PathLike[str], kind: str = "train", what: str = "MNIST"
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """Read one split of an MNIST-format folder: the images and their labels, unflattened.

    The loaders :func:`load_mnist` and :func:`plainnet.data.fashion_mnist`
    share this reader and its checks; see :func:`load_mnist` for the file names.

    Parameters
    ----------
    path : str or os.PathLike
        The folder.
    kind : {"train", "test", "t10k"}, default "train"
        Which split ("test" and "t10k" are the same).
    what : str, default "MNIST"
        The data set's name, for the message when the folder is missing.

    Returns
    -------
    images : ndarray of uint8, shape (n, rows, cols)
    labels : ndarray of int64, shape (n,)

    Raises
    ------
    FileNotFoundError
        If the folder or one of the two files is missing.
    ValueError
        If a file is not valid IDX (see :func:`read_idx`), is not uint8
        images of shape (n, rows, cols) / uint8 labels of shape (n,), or the
        two files hold different numbers of samples.
    """
    if kind not in MNIST_FILES:
        raise ValueError(f"kind must be 'train', 'test' or 't10k', got {kind!r}")
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"{what} folder not found: {folder}")
    images_name, labels_name = MNIST_FILES[kind]
    images_path = find_idx_file(folder, images_name)
    labels_path = find_idx_file(folder, labels_name)

    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (n, rows, cols), found "
            f"{images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{labels_path}: expected uint8 labels of shape (n,), found "
            f"{labels.dtype} of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"count mismatch: {images_path} holds {len(images)} images but "
            f"{labels_path} holds {len(labels)} labels"
        )
    return images, labels.astype(np.int64)


def load_mnist(
    path: str | os.PathLike[str], kind: str = "train", normalize: bool = False
) -> tuple[np.ndarray, NDArray[np.int64]]:
    """Load MNIST (or a same-format set such as Fashion-MNIST) from a local folder.

    Nothing is downloaded: the folder must hold the standard files
    ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each either raw
    or gzipped with a ``.gz`` suffix (the raw file wins if both exist).
    For images kept as images, ``(n, 28, 28, 1)``, see
    :func:`plainnet.data.fashion_mnist`.

    Parameters
    ----------
    path : str or os.PathLike
        The folder.
    kind : {"train", "test", "t10k"}, default "train"
        Which split: the 60,000 training or the 10,000 test images
        ("test" and "t10k" are the same).
    normalize : bool, default False
        By default ``X`` keeps the raw uint8 pixels 0..255, which is exact and
        takes an eighth of the memory of float64; with ``normalize=True``
        ``X`` is float64 in ``[0, 1]`` (pixels divided by 255).

    Returns
    -------
    X : ndarray of uint8 or float64, shape (n, rows * cols)
        One flattened image per row; (n, 784) for MNIST's 28x28 images.
    y : ndarray of int64, shape (n,)
        The labels.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`read_idx_split` (missing files; files that are not the
        images and labels of one split).
    """
    images, labels = read_idx_split(path, kind)
    X = images.reshape(len(images), -1)
    if normalize:
        X = X / 255.0
    return X, labels
