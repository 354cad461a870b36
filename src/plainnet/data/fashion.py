"""Fashion-MNIST as images: 28x28 grey photos of clothes in 10 classes.

Nothing is downloaded. Debian and Ubuntu ship the data set as a package::

    apt-get install dataset-fashion-mnist

which puts the four gzipped IDX files in ``/usr/share/datasets/fashion-mnist/``,
the folder :func:`fashion_mnist` reads by default; any other folder holding
the same files (gzipped or not) is read with ``path=``. The files are read
by :func:`plainnet.data.read_idx`, so a truncated or corrupt file gives its
``ValueError`` naming the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_bool, check_choice, check_dtype
from .idx import MNIST_FILES, find_idx_file, read_idx_split

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DIR",
    "FASHION_MNIST_HINT",
    "fashion_mnist",
]

#: Where Debian's ``dataset-fashion-mnist`` package installs the files.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

#: What to do when the files are absent.
FASHION_MNIST_HINT = (
    "install it with: apt-get install dataset-fashion-mnist (Debian/Ubuntu; the files go "
    f"to {FASHION_MNIST_DIR}/), or pass path= a folder holding train-images-idx3-ubyte.gz, "
    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz"
)

#: ``FASHION_MNIST_CLASSES[i]`` names label ``i``.
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_SIDE = 28  # Fashion-MNIST's images are 28x28


def _what_is_missing(folder: Path, kind: str) -> str:
    """Why ``folder`` cannot hold the split ``kind`` ("" if both its files are there)."""
    if not folder.is_dir():
        return "no such folder"
    for name in MNIST_FILES[kind]:
        try:
            find_idx_file(folder, name)
        except FileNotFoundError:
            return f"found neither {name} nor {name}.gz"
    return ""


def fashion_mnist(
    path: str | os.PathLike[str] | None = None,
    kind: str = "train",
    *,
    normalize: bool = True,
    dtype: Any = np.float32,
) -> tuple[NDArray[np.floating], NDArray[np.int64]]:
    """Load Fashion-MNIST as channels-last images, from a local folder (no download).

    The pixels ``p`` (uint8, 0 = background .. 255 = ink) become
    ``X = p / 255`` in ``[0, 1]``, one grey channel last, as ``Conv2D``
    takes them: ``X[i, row, col, 0]``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The folder holding ``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
        ``t10k-labels-idx1-ubyte``, each raw or gzipped with a ``.gz`` suffix
        (the raw file wins if both exist). By default
        ``/usr/share/datasets/fashion-mnist/`` (:data:`FASHION_MNIST_DIR`),
        where ``apt-get install dataset-fashion-mnist`` puts them.
    kind : {"train", "test", "t10k"}, default "train"
        Which split: the 60,000 training or the 10,000 test images
        ("test" and "t10k" are the same).
    normalize : bool, default True
        Scale the pixels to ``[0, 1]`` (divide by 255); with ``False`` they
        stay 0..255 (as floats of ``dtype``).
    dtype : float32 (default) or float64
        The type of ``X``; float32 is a model's default and half the memory
        (the training split is 188 MB in float32).

    Returns
    -------
    X : ndarray of float32 or float64, shape (n, 28, 28, 1)
        The images, channels last; ``n`` is 60,000 for "train" and 10,000
        for "test".
    y : ndarray of int64, shape (n,)
        The labels 0..9; :data:`FASHION_MNIST_CLASSES` names them
        (``FASHION_MNIST_CLASSES[9] == "Ankle boot"``).

    Raises
    ------
    FileNotFoundError
        If the folder or one of the split's two files is missing; the message
        names the folder and the package to install.
    ValueError
        If a file is not valid IDX or is corrupt or truncated (see
        :func:`plainnet.data.read_idx`), the images are not 28x28, the labels
        are not 0..9 or the two files hold different numbers of samples.

    Examples
    --------
    >>> X, y = fashion_mnist(kind="test")                    # doctest: +SKIP
    >>> X.shape, X.dtype, FASHION_MNIST_CLASSES[y[0]]        # doctest: +SKIP
    ((10000, 28, 28, 1), dtype('float32'), 'Ankle boot')
    """
    kind = check_choice("kind", kind, tuple(MNIST_FILES))
    normalize = check_bool("normalize", normalize)
    dtype = check_dtype(dtype)
    folder = FASHION_MNIST_DIR if path is None else Path(path)
    missing = _what_is_missing(folder, kind)
    if missing:
        raise FileNotFoundError(
            f"Fashion-MNIST not found in {folder} ({missing}); {FASHION_MNIST_HINT}"
        )
    images, labels = read_idx_split(folder, kind, what="Fashion-MNIST")

    where = f"{folder} ({kind} split)"
    if images.shape[1:] != (_SIDE, _SIDE):
        raise ValueError(
            f"{where}: Fashion-MNIST images are {_SIDE}x{_SIDE}, found images of shape "
            f"{images.shape[1:]}"
        )
    n_classes = len(FASHION_MNIST_CLASSES)
    if labels.size and labels.max() >= n_classes:
        raise ValueError(
            f"{where}: Fashion-MNIST labels are 0..{n_classes - 1}, found {labels.max()}"
        )
    pixels = images[..., np.newaxis]  # (n, 28, 28) -> (n, 28, 28, 1): one channel, last
    if normalize:
        return np.divide(pixels, 255, dtype=dtype), labels  # p / 255, in one pass
    return pixels.astype(dtype), labels
