"""Small real data sets bundled with scikit-learn: handwritten digits and iris.

Nothing is downloaded: scikit-learn ships these files. scikit-learn is an
optional dependency, imported only when a loader is called; without it the
loaders raise an ``ImportError`` that names the extra to install
(``pip install "plainnet[sklearn]"``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .._extras import install_hint
from .._validation import check_bool

__all__ = ["SKLEARN_HINT", "Dataset", "digits", "iris"]

SKLEARN_HINT = f"install the optional extra with: {install_hint('sklearn')}"


class Dataset(NamedTuple):
    """A loaded data set with its descriptive metadata.

    Attributes
    ----------
    X : ndarray of float64, shape (n, d)
        Or (n, height, width, 1) for images (``digits(as_images=True)``).
    y : ndarray of int64, shape (n,)
    target_names : list of str, length k
        ``target_names[i]`` names class ``i``.
    feature_names : list of str, length d
    description : str
    """

    X: NDArray[np.float64]
    y: NDArray[np.int64]
    target_names: list[str]
    feature_names: list[str]
    description: str


def _load_from_sklearn(
    name: str, return_X_y: bool, image_shape: tuple[int, ...] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | Dataset:
    """Load ``sklearn.datasets.load_<name>`` as float64/int64 arrays.

    With ``image_shape``, each row of ``X`` is reshaped to it: ``(n, *image_shape)``.
    """
    try:
        from sklearn import datasets as sk_datasets
    except ImportError as error:
        raise ImportError(f"{name}() needs scikit-learn; install it with: "
                          f"{install_hint('sklearn')}") from error
    bunch = getattr(sk_datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    if image_shape is not None:
        X = X.reshape(len(X), *image_shape)
    if return_X_y:
        return X, y
    return Dataset(
        X=X,
        y=y,
        target_names=[str(t) for t in bunch.target_names],
        feature_names=[str(f) for f in bunch.feature_names],
        description=str(bunch.DESCR),
    )


def digits(
    return_X_y: bool = True, *, as_images: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | Dataset:
    """The 8x8 handwritten digits bundled with scikit-learn (no download).

    Needs scikit-learn: ``pip install "plainnet[sklearn]"``.

    Parameters
    ----------
    return_X_y : bool, default True
        Return ``(X, y)``; otherwise a :class:`Dataset` with names and a
        description.
    as_images : bool, default False
        Give ``X`` as images, ``(1797, 8, 8, 1)`` (height, width, one grey
        channel last, as ``Conv2D`` takes them), rather than one row of 64
        pixels per sample: ``X_images[i, r, c, 0] == X[i, 8 * r + c]``.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64), or (1797, 8, 8, 1) with ``as_images``
        Pixel intensities 0..16 (not scaled); ``X[i].reshape(8, 8)`` is the image.
    y : ndarray of int64, shape (1797,)
        Digits 0..9.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    """
    image_shape = (8, 8, 1) if check_bool("as_images", as_images) else None
    return _load_from_sklearn("digits", return_X_y, image_shape)


def iris(
    return_X_y: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | Dataset:
    """Fisher's iris flowers bundled with scikit-learn (no download).

    Loaded as :func:`digits` is: it needs scikit-learn (``ImportError``
    without it) and gives ``(X, y)``, or a :class:`Dataset` when asked.

    Parameters
    ----------
    return_X_y : bool, default True
        See :func:`digits`.

    Returns
    -------
    X : ndarray of float64, shape (150, 4)
        Sepal and petal length and width in cm.
    y : ndarray of int64, shape (150,)
        Species 0..2 (setosa, versicolor, virginica).
    """
    return _load_from_sklearn("iris", return_X_y)
