"""Images for the commands: an IDX file (with ``--labels``) or a ``.npz`` with ``X`` and ``y``.

The kind of a data file is found from its name and content: ``NAME.npz`` is a
NumPy archive; a file whose first bytes (after gzip, if it is gzipped) are an
IDX magic number is an IDX file (the format of MNIST); anything else is a CSV
table. Images become float arrays ``(n, height, width, channels)``: a
greyscale stack ``(n, height, width)`` gets one channel, and ``uint8``
pixels are divided by 255 so that they lie in [0, 1]. ``train`` records that
division in the model's metadata (``images``), and ``predict`` and
``evaluate`` apply the same one to the images they are given.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import numpy as np

from ..data.idx import IDX_DTYPES, read_idx
from .errors import CommandError

__all__ = ["PixelScaling", "image_shape_text", "is_image_file", "read_images", "saved_divisor"]


def is_image_file(path: str) -> bool:
    """Whether ``path`` holds images: a ``.npz`` name, or an IDX magic number at its start."""
    if path.lower().endswith(".npz"):
        return True
    try:
        with open(path, "rb") as raw:
            start = raw.read(4)
            if start[:2] == b"\x1f\x8b":  # gzip: look at the first bytes of its content
                raw.seek(0)
                with gzip.GzipFile(fileobj=raw) as stream:
                    start = stream.read(4)
    except (OSError, EOFError, zlib.error):
        return False  # missing or unreadable: the CSV reader reports it in its own words
    return len(start) == 4 and start[:2] == b"\x00\x00" and start[2] in IDX_DTYPES


def read_images(path: str, labels: str | None, divide_by: float | None,
                need_labels: bool) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """``(X, y, record)``: the images of ``path`` as floats, their labels, and how they were read.

    Parameters
    ----------
    path : str
        A ``.npz`` file with ``X`` of shape ``(n, height, width[, channels])``
        and ``y`` of shape ``(n,)``, or an IDX file of images.
    labels : str or None
        The IDX file of labels, for IDX images (``--labels``).
    divide_by : float or None
        What to divide the pixels by (a model's record); None: 255 for
        ``uint8`` pixels, else 1.
    need_labels : bool
        Whether labels are required (``train``, ``evaluate``).

    Returns
    -------
    X : ndarray of shape (n, height, width, channels), float64
        ``X_file / divide_by``.
    y : ndarray of shape (n,) or None
    record : dict
        ``{"shape": [height, width, channels], "dtype": ..., "divide_by": ...}``.
    """
    if path.lower().endswith(".npz"):
        if labels is not None:
            raise CommandError(f"{path}: a .npz file holds its labels in y; --labels goes "
                               "with IDX images")
        X, y = _read_npz(path, need_labels)
    else:
        X = read_idx(path)
        if labels is None and need_labels:
            raise CommandError(f"{path} is an IDX file of images; give its labels with "
                               "--labels LABELS-FILE (an IDX file)")
        y = None if labels is None else read_idx(labels)
    return _as_images(path, X, y, labels or path, divide_by)


def _read_npz(path: str, need_labels: bool) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            missing = [key for key in ("X", "y") if key not in keys and (key == "X"
                                                                         or need_labels)]
            if missing:
                raise CommandError(f"{path} has no array {' or '.join(missing)}: a .npz of "
                                   "images needs X (n, height, width[, channels]) and y (n,); "
                                   f"it holds {', '.join(sorted(keys)) or 'nothing'}")
            return archive["X"], archive["y"] if "y" in keys else None
    except (ValueError, EOFError, zlib.error) as error:  # not a zip, or object arrays
        raise CommandError(f"{path}: cannot read it as a .npz file of arrays: "
                           f"{' '.join(str(error).split())}") from None


def _as_images(path: str, X: np.ndarray, y: np.ndarray | None, labels_name: str,
               divide_by: float | None) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """Check ranks and counts; add the channel axis; scale the pixels."""
    if X.ndim not in (3, 4):
        raise CommandError(f"{path}: images must have shape (n, height, width) or (n, height, "
                           f"width, channels), got an array of shape {X.shape}")
    if X.dtype.kind not in "uif":
        raise CommandError(f"{path}: images must hold numbers, got dtype {X.dtype}")
    if len(X) == 0:
        raise CommandError(f"{path} holds no images (shape {X.shape})")
    if y is not None:
        if y.ndim != 1:
            raise CommandError(f"{labels_name}: labels must have shape (n,), one per image, got "
                               f"an array of shape {y.shape}")
        if len(y) != len(X):
            raise CommandError(f"{labels_name} has {len(y)} labels but {path} has {len(X)} "
                               "images; they must match one to one")
    if X.ndim == 3:
        X = X[..., np.newaxis]  # greyscale: one channel
    if divide_by is None:
        divide_by = 255.0 if X.dtype == np.uint8 else 1.0
    record = {"shape": list(X.shape[1:]), "dtype": X.dtype.name, "divide_by": divide_by}
    return X.astype(np.float64) / divide_by, y, record


def saved_divisor(metadata: dict[str, Any]) -> float | None:
    """What a model trained by ``plainnet train`` on images divides the pixels by, or None."""
    images = metadata.get("images")
    value = images.get("divide_by") if isinstance(images, dict) else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def image_shape_text(shape: Any) -> str:
    """``8x8x1`` for the shape ``(8, 8, 1)``."""
    return "x".join(str(d) for d in shape)


class PixelScaling:
    """The scaling of images: done when they are read (pixels / ``divide_by``), so a no-op here.

    It stands where :class:`plainnet.data.scaling.Scaling` stands for tables
    (``inputs``, ``targets``, ``to_json``, ``fold_into``), with nothing to fold.
    """

    def __init__(self, divide_by: float) -> None:
        self.divide_by = divide_by

    def inputs(self, X: np.ndarray) -> np.ndarray:
        return X

    def targets(self, y: np.ndarray) -> np.ndarray:
        return y

    def to_json(self) -> dict[str, Any]:
        return {"pixels_divided_by": self.divide_by}

    def fold_into(self, model: Any) -> None:
        """Nothing: the division is recorded in the metadata and done on reading."""

