"""Small data sets for experiments: generated, loaded from disk, and helpers.

Every generator is seeded: pass ``seed`` as an ``int``, ``None`` (fresh
entropy) or an existing :class:`numpy.random.Generator`.  Randomness comes
only from :func:`numpy.random.default_rng`; the global ``np.random`` state is
never read or changed.  Nothing here touches the network.

Unless noted otherwise a function returns ``(X, y)`` where ``X`` is a float64
array of shape ``(n_samples, n_features)`` and ``y`` is an int64 array of
class labels of shape ``(n_samples,)``.

Contents
--------
Generated toy problems
    :func:`xor`, :func:`moons`, :func:`circles`, :func:`spirals`, :func:`blobs`
Preparing data
    :func:`train_test_split`, :class:`Standardizer`, :func:`standardize`,
    :func:`one_hot`, :func:`batches`
Loading data
    :func:`load_csv`, :func:`load_mnist`, :func:`read_idx`, and the
    scikit-learn bundled sets :func:`digits` and :func:`iris` (these need the
    optional extra ``pip install "plainnet[sklearn]"``).
"""

from __future__ import annotations

import csv
import gzip
import math
import numbers
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CSVData",
    "Dataset",
    "Standardizer",
    "batches",
    "blobs",
    "circles",
    "digits",
    "iris",
    "load_csv",
    "load_mnist",
    "moons",
    "one_hot",
    "read_idx",
    "spirals",
    "standardize",
    "train_test_split",
    "xor",
]

Seed = int | np.integer | np.random.Generator | None
PathLike = str | os.PathLike

SKLEARN_HINT = 'install the optional extra with: pip install "plainnet[sklearn]"'


# ---------------------------------------------------------------------------
# Validation helpers (private)
# ---------------------------------------------------------------------------


def _rng(seed: Seed) -> np.random.Generator:
    """Return a Generator for ``seed`` (int, None or Generator)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed}")
        return np.random.default_rng(int(seed))
    raise TypeError(
        f"seed must be an int, None or a numpy.random.Generator, got {type(seed).__name__}"
    )


def _check_int(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an int, checking its type and lower bound."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: object, minimum: float = 0.0) -> float:
    """Return ``value`` as a finite float >= ``minimum``."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum}, got {value}")
    return value


def _split_evenly(
    n_samples: int, n_classes: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Label ``n_samples`` points with ``n_classes`` classes as evenly as possible.

    Returns
    -------
    y : ndarray of int64, shape (n_samples,)
        Sorted labels; the first ``n_samples % n_classes`` classes get one
        extra point.
    index : ndarray of int64, shape (n_samples,)
        Position ``i`` of each point inside its class, ``0 <= i < m``.
    size : ndarray of int64, shape (n_samples,)
        Size ``m`` of the class of each point.
    """
    sizes = n_samples // n_classes + (np.arange(n_classes) < n_samples % n_classes)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), sizes)
    starts = np.cumsum(sizes) - sizes
    return y, np.arange(n_samples) - starts[y], sizes[y]


def _shuffled(
    X: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Apply one random permutation to the rows of ``X`` and ``y``."""
    order = rng.permutation(len(y))
    return X[order], y[order]


# ---------------------------------------------------------------------------
# Generated toy problems
# ---------------------------------------------------------------------------


def xor() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The four points of the XOR problem.

    Returns
    -------
    X : ndarray of float64, shape (4, 2)
        ``[[0, 0], [0, 1], [1, 0], [1, 1]]``.
    y : ndarray of int64, shape (4,)
        ``[0, 1, 1, 0]``, the exclusive or of the two coordinates.
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


def moons(
    n_samples: int = 200, noise: float = 0.1, seed: Seed = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaving half circles ("moons"), shuffled.

    Class 0 is the upper half of the unit circle centred at ``(0, 0)``;
    class 1 is the lower half of the unit circle centred at ``(1, 0.5)``.
    Points are spread evenly along each arc, then Gaussian noise is added.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, at least 2.  The classes differ in size by at
        most one.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int, None or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n_samples = _check_int("n_samples", n_samples, minimum=2)
    noise = _check_real("noise", noise)
    rng = _rng(seed)

    y, index, size = _split_evenly(n_samples, 2)
    angle = np.pi * index / np.maximum(size - 1, 1)  # from 0 to pi, ends included
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where((y == 0)[:, None], upper, lower)
    X += noise * rng.standard_normal(X.shape)
    return _shuffled(X, y, rng)


def circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: Seed = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A small circle inside a large one, shuffled.

    Class 0 lies on the unit circle, class 1 on the circle of radius
    ``factor``, both centred at the origin with points spread evenly by angle.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, at least 2; class sizes differ by at most one.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one, ``0 < factor < 1``.
    seed : int, None or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n_samples = _check_int("n_samples", n_samples, minimum=2)
    noise = _check_real("noise", noise)
    factor = _check_real("factor", factor)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must satisfy 0 < factor < 1, got {factor}")
    rng = _rng(seed)

    y, index, size = _split_evenly(n_samples, 2)
    angle = 2.0 * np.pi * index / size  # from 0 up to (not including) 2 pi
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return _shuffled(X, y, rng)


def spirals(
    n_samples: int = 300, classes: int = 3, noise: float = 0.2, seed: Seed = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Spiral arms, one per class, as in the CS231n neural-network notes; shuffled.

    Point ``i`` of an arm with ``m`` points has radius ``r = i / (m - 1)``
    (from 0 to 1) and angle ``t = 4 * (label + r) + noise * N(0, 1)``
    radians, and sits at ``(r * sin(t), r * cos(t))``.  Note that ``noise``
    perturbs the angle, not the coordinates.

    Parameters
    ----------
    n_samples : int, default 300
        Total number of points, at least ``classes``; split as evenly as
        possible (arm sizes differ by at most one).
    classes : int, default 3
        Number of arms (classes), at least 1.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to the angle.
    seed : int, None or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    n_samples = _check_int("n_samples", n_samples)
    classes = _check_int("classes", classes)
    noise = _check_real("noise", noise)
    if n_samples < classes:
        raise ValueError(f"n_samples ({n_samples}) must be >= classes ({classes})")
    rng = _rng(seed)

    y, index, size = _split_evenly(n_samples, classes)
    radius = index / np.maximum(size - 1, 1)  # from 0 to 1, ends included
    angle = 4.0 * (y + radius) + noise * rng.standard_normal(n_samples)
    X = radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
    return _shuffled(X, y, rng)


def blobs(
    n_samples: int = 200,
    centers: int | ArrayLike = 3,
    n_features: int = 2,
    cluster_std: float | ArrayLike = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    seed: Seed = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Isotropic Gaussian clusters, shuffled.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, split as evenly as possible over the clusters.
    centers : int or array_like of shape (k, d), default 3
        Either the number of clusters, whose centres are then drawn uniformly
        from ``center_box`` in every dimension, or the centres themselves.
    n_features : int, default 2
        Dimension ``d`` of the points when ``centers`` is an int.  Ignored when
        ``centers`` is an array: ``d`` is then its number of columns.
    cluster_std : float or array_like of shape (k,), default 1.0
        Standard deviation of each cluster (one value for all, or one each).
    center_box : (float, float), default (-10, 10)
        Bounds ``(low, high)`` for random centres, ``low < high``.
    seed : int, None or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, d)
    y : ndarray of int64, shape (n_samples,)
        Index of the cluster (row of ``centers``) each point was drawn from.
    """
    n_samples = _check_int("n_samples", n_samples)
    if len(center_box) != 2:
        raise ValueError(f"center_box must be a pair (low, high), got {center_box!r}")
    low, high = (_check_real("center_box bound", b, minimum=-math.inf) for b in center_box)
    if not low < high:
        raise ValueError(f"center_box must be (low, high) with low < high, got {center_box}")
    rng = _rng(seed)

    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = _check_int("centers", centers)
        d = _check_int("n_features", n_features)
        center_array = rng.uniform(low, high, size=(k, d))
    else:
        if np.ndim(centers) == 0 or isinstance(centers, str):
            raise TypeError(
                f"centers must be an int or an array of shape (k, d), got "
                f"{type(centers).__name__} {centers!r}"
            )
        center_array = np.asarray(centers, dtype=np.float64)
        if center_array.ndim != 2 or center_array.shape[0] == 0 or center_array.shape[1] == 0:
            raise ValueError(
                f"centers must be an int or an array of shape (k, d), got shape "
                f"{center_array.shape}"
            )
        if not np.all(np.isfinite(center_array)):
            raise ValueError("centers must be finite")
        k = center_array.shape[0]

    std = np.asarray(cluster_std, dtype=np.float64)
    if std.shape not in {(), (k,)}:
        raise ValueError(f"cluster_std must be a number or have shape ({k},), got {std.shape}")
    std = np.broadcast_to(std, (k,))
    if not np.all(np.isfinite(std)) or np.any(std < 0):
        raise ValueError(f"cluster_std must be finite and >= 0, got {cluster_std}")

    y, _, _ = _split_evenly(n_samples, k)
    X = center_array[y] + std[y, None] * rng.standard_normal((n_samples, center_array.shape[1]))
    return _shuffled(X, y, rng)


# ---------------------------------------------------------------------------
# Preparing data
# ---------------------------------------------------------------------------


def _stratified_test_counts(counts: NDArray[np.int64], n_test: int) -> NDArray[np.int64]:
    """Split ``n_test`` over classes in proportion to ``counts`` (largest remainder).

    Each class first gets ``floor(count * n_test / n)``; the seats left over go
    to the classes with the largest remainders (ties to the lower label).
    Integer arithmetic keeps the result exact.
    """
    n = int(counts.sum())
    share, remainder = np.divmod(counts * n_test, n)
    left_over = n_test - int(share.sum())
    winners = np.argsort(-remainder, kind="stable")[:left_over]
    share[winners] += 1
    return share


def train_test_split(
    X: ArrayLike,
    y: ArrayLike,
    test_size: float | int = 0.25,
    stratify: bool | ArrayLike = False,
    shuffle: bool = True,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split samples into a training part and a test part.

    Parameters
    ----------
    X : array_like of shape (n, ...)
        Samples, one per row.
    y : array_like of shape (n,)
        Targets.
    test_size : float or int, default 0.25
        A float in ``(0, 1)`` is the fraction of samples to test on (rounded
        up); an int is the number of test samples.  Both parts must end up
        non-empty.
    stratify : bool or array_like of shape (n,), default False
        ``True`` keeps the class proportions of ``y`` in both parts; an array
        gives other group labels to stratify on.  Per-class test counts are
        proportional to class sizes, rounded by the largest-remainder method.
    shuffle : bool, default True
        Shuffle before splitting.  Without shuffling the test part is the last
        samples (of each class, when stratified) and order is kept.
    seed : int, None or numpy.random.Generator
        Source of randomness for the shuffle.

    Returns
    -------
    X_train : ndarray of shape (n - n_test, ...)
    X_test : ndarray of shape (n_test, ...)
    y_train : ndarray of shape (n - n_test,)
    y_test : ndarray of shape (n_test,)
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim != 1:
        raise ValueError(
            f"X must have a sample axis and y must be 1-D, got shapes {X.shape} and {y.shape}"
        )
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y have different numbers of samples: {n} and {len(y)}")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be a bool, got {type(shuffle).__name__}")

    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"a float test_size must be in (0, 1), got {test_size}")
        # Round away float noise first (0.07 * 100 is 7.000000000000001), then up.
        n_test = math.ceil(round(test_size * n, 9))
    else:
        raise TypeError(f"test_size must be a float or an int, got {type(test_size).__name__}")
    if not 0 < n_test < n:
        raise ValueError(
            f"test_size={test_size} with {n} samples gives {n_test} test and {n - n_test} "
            f"training samples; both parts must be non-empty"
        )

    rng = _rng(seed)
    order = rng.permutation(n) if shuffle else np.arange(n)

    if stratify is False or stratify is None:
        is_test = np.arange(n) >= n - n_test
    else:
        groups = y if stratify is True else np.asarray(stratify)
        if groups.shape != (n,):
            raise ValueError(f"stratify must have shape ({n},), got {groups.shape}")
        _, codes, counts = np.unique(groups, return_inverse=True, return_counts=True)
        codes = codes.reshape(-1)[order]  # class of each sample, in visiting order
        # Rank of each sample within its class, in visiting order.
        by_class = np.argsort(codes, kind="stable")
        starts = np.cumsum(counts) - counts
        rank = np.empty(n, dtype=np.int64)
        rank[by_class] = np.arange(n) - starts[codes[by_class]]
        # The last n_test_c samples of each class go to the test part.
        n_test_per_class = _stratified_test_counts(counts, n_test)
        is_test = rank >= (counts - n_test_per_class)[codes]

    train, test = order[~is_test], order[is_test]
    return X[train], X[test], y[train], y[test]


def _as_2d_float(X: ArrayLike, name: str = "X") -> NDArray[np.float64]:
    """Convert ``X`` to a finite float64 array of shape (n, d) with n >= 1."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


class Standardizer:
    """Scale each feature to zero mean and unit variance.

    ``fit`` learns the column means and standard deviations of the training
    data; ``transform`` applies ``(X - mean_) / scale_`` to any data, so that
    test data are scaled with *training* statistics.  Constant columns keep
    ``scale_ = 1`` (they are centred but not divided by zero).

    Attributes
    ----------
    mean_ : ndarray of float64, shape (d,)
        Column means of the training data.
    scale_ : ndarray of float64, shape (d,)
        Column standard deviations (population, ``ddof=0``), 1 for constant
        columns.

    Examples
    --------
    >>> scaler = Standardizer().fit(X_train)          # doctest: +SKIP
    >>> X_train_std = scaler.transform(X_train)       # doctest: +SKIP
    >>> X_test_std = scaler.transform(X_test)         # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.mean_: NDArray[np.float64] | None = None
        self.scale_: NDArray[np.float64] | None = None

    def fit(self, X: ArrayLike) -> Standardizer:
        """Learn column means and scales from ``X`` of shape (n, d); return ``self``."""
        X = _as_2d_float(X)
        is_constant = X.max(axis=0) == X.min(axis=0)
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(is_constant, 1.0, X.std(axis=0))
        return self

    def _check_fitted(self, X: ArrayLike) -> NDArray[np.float64]:
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError("this Standardizer is not fitted yet; call fit(X_train) first")
        X = _as_2d_float(X)
        if X.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} columns but the Standardizer was fitted on "
                f"{self.mean_.shape[0]}"
            )
        return X

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Return ``(X - mean_) / scale_``, shape (n, d)."""
        X = self._check_fitted(X)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Undo :meth:`transform`: return ``X * scale_ + mean_``, shape (n, d)."""
        X = self._check_fitted(X)
        return X * self.scale_ + self.mean_

    def fit_transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Fit on ``X`` and return it standardized, shape (n, d)."""
        return self.fit(X).transform(X)


def standardize(
    X_train: ArrayLike, X_test: ArrayLike | None = None
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64] | None,
    tuple[NDArray[np.float64], NDArray[np.float64]],
]:
    """Standardize features with statistics from the training data only.

    A functional shortcut for :class:`Standardizer`.

    Parameters
    ----------
    X_train : array_like of shape (n_train, d)
        Data the mean and standard deviation are computed from.
    X_test : array_like of shape (n_test, d), optional
        Data scaled with the training statistics.

    Returns
    -------
    X_train_std : ndarray of float64, shape (n_train, d)
    X_test_std : ndarray of float64, shape (n_test, d), or None
        None when ``X_test`` is None.
    (mean, scale) : tuple of two ndarrays of float64, shape (d,)
        The statistics used: ``X_std = (X - mean) / scale``, where ``scale``
        is the standard deviation, or 1 for constant columns.
    """
    scaler = Standardizer().fit(X_train)
    X_test_std = None if X_test is None else scaler.transform(X_test)
    return scaler.transform(X_train), X_test_std, (scaler.mean_, scaler.scale_)


def one_hot(y: ArrayLike, n_classes: int | None = None) -> NDArray[np.float64]:
    """Encode integer class labels as one-hot rows.

    Parameters
    ----------
    y : array_like of int, shape (n,)
        Labels in ``[0, n_classes)``.
    n_classes : int, optional
        Number of classes ``k``; by default ``max(y) + 1``.

    Returns
    -------
    ndarray of float64, shape (n, k)
        Row ``i`` is all zeros except a 1 in column ``y[i]``.
        ``one_hot(y).argmax(axis=1)`` gives ``y`` back.
    """
    y = np.asarray(y)
    if y.dtype == bool or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"labels must be a 1-D array, got shape {y.shape}")
    if n_classes is None:
        if y.size == 0:
            raise ValueError("cannot infer n_classes from empty labels; pass n_classes")
        n_classes = int(y.max()) + 1
    n_classes = _check_int("n_classes", n_classes)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"labels must be in [0, {n_classes}), found values from {y.min()} to {y.max()}"
        )
    encoded = np.zeros((y.size, n_classes), dtype=np.float64)
    encoded[np.arange(y.size), y] = 1.0
    return encoded


def batches(
    X: ArrayLike,
    y: ArrayLike | None = None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: Seed = None,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Iterate over mini-batches of ``X`` (and ``y``).

    Arguments are checked when ``batches`` is called, not when iteration
    starts.

    Parameters
    ----------
    X : array_like of shape (n, ...)
        Samples, one per row.
    y : array_like of shape (n, ...), optional
        Targets; when omitted every ``y_batch`` is None.
    batch_size : int, default 32
        Rows per batch; the last batch holds the remaining ``n % batch_size``
        rows when that is not zero.
    shuffle : bool, default False
        Visit the rows in a random order.  Unshuffled batches are views into
        ``X`` and ``y`` (no copy); shuffled batches are copies.
    seed : int, None or numpy.random.Generator
        Source of randomness for the shuffle.

    Yields
    ------
    X_batch : ndarray of shape (b, ...)
    y_batch : ndarray of shape (b, ...) or None
    """
    X = np.asarray(X)
    if X.ndim == 0:
        raise ValueError("X must have at least one dimension (the sample axis)")
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 0 or len(y) != len(X):
            raise ValueError(
                f"X and y must have the same number of rows, got shapes {X.shape} and {y.shape}"
            )
    batch_size = _check_int("batch_size", batch_size)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be a bool, got {type(shuffle).__name__}")
    order = _rng(seed).permutation(len(X)) if shuffle else None
    return _iterate_batches(X, y, batch_size, order)


def _iterate_batches(
    X: np.ndarray, y: np.ndarray | None, batch_size: int, order: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Generator behind :func:`batches`: slices (views) or fancy-indexed copies."""
    for start in range(0, len(X), batch_size):
        rows = slice(start, start + batch_size)
        if order is not None:
            rows = order[rows]
        yield X[rows], (None if y is None else y[rows])


# ---------------------------------------------------------------------------
# Bundled scikit-learn data sets (optional dependency)
# ---------------------------------------------------------------------------


class Dataset(NamedTuple):
    """A loaded data set with its descriptive metadata.

    Attributes
    ----------
    X : ndarray of float64, shape (n, d)
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
    name: str, return_X_y: bool
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | Dataset:
    """Load ``sklearn.datasets.load_<name>`` as float64/int64 arrays."""
    try:
        from sklearn import datasets as sk_datasets
    except ImportError as error:
        raise ImportError(f"{name}() needs scikit-learn; {SKLEARN_HINT}") from error
    bunch = getattr(sk_datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
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
    return_X_y: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | Dataset:
    """The 8x8 handwritten digits bundled with scikit-learn (no download).

    Needs scikit-learn: ``pip install "plainnet[sklearn]"``.

    Parameters
    ----------
    return_X_y : bool, default True
        Return ``(X, y)``; otherwise a :class:`Dataset` with names and a
        description.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Pixel intensities 0..16; ``X[i].reshape(8, 8)`` is the image.
    y : ndarray of int64, shape (1797,)
        Digits 0..9.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    """
    return _load_from_sklearn("digits", return_X_y)


def iris(
    return_X_y: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | Dataset:
    """Fisher's iris flowers bundled with scikit-learn (no download).

    Needs scikit-learn: ``pip install "plainnet[sklearn]"``.

    Parameters
    ----------
    return_X_y : bool, default True
        Return ``(X, y)``; otherwise a :class:`Dataset` with names and a
        description.

    Returns
    -------
    X : ndarray of float64, shape (150, 4)
        Sepal and petal length and width in cm.
    y : ndarray of int64, shape (150,)
        Species 0..2 (setosa, versicolor, virginica).

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    """
    return _load_from_sklearn("iris", return_X_y)


# ---------------------------------------------------------------------------
# CSV files
# ---------------------------------------------------------------------------


class CSVData(NamedTuple):
    """Result of :func:`load_csv`; unpacks as ``X, y, classes = load_csv(...)``.

    Attributes
    ----------
    X : ndarray of float64, shape (n, d)
        The feature columns, in file order.
    y : ndarray, shape (n,)
        The target column: int64 labels for a text target, otherwise the
        numbers themselves (int64 when all are integral, else float64).
    classes : ndarray of str, shape (k,), or None
        For a text target, ``classes[i]`` is the original text of label ``i``
        (sorted, as from ``np.unique``); None for a numeric target.
    """

    X: NDArray[np.float64]
    y: np.ndarray
    classes: NDArray[np.str_] | None


def _read_csv_rows(path: Path, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Read the non-blank rows of a CSV file, cells stripped, with their line numbers."""
    rows, line_numbers = [], []
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells):
                    rows.append(cells)
                    line_numbers.append(reader.line_num)
        except csv.Error as error:
            raise ValueError(f"{path}, line {reader.line_num}: malformed CSV: {error}") from None
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not UTF-8 text: {error}") from None
    return rows, line_numbers


def _target_index(path: Path, target: str | int, names: list[str] | None, width: int) -> int:
    """Resolve ``target`` (column name or index) to a non-negative column index."""
    if isinstance(target, str):
        if names is None:
            raise ValueError(f"{path}: target {target!r} is a column name, which needs header=True")
        if target not in names:
            raise ValueError(f"{path}: no column named {target!r}; the header has {names}")
        return names.index(target)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not -width <= target < width:
            raise ValueError(
                f"{path}: target column index {target} is out of range for {width} columns"
            )
        return int(target) % width
    raise TypeError(
        f"target must be a column name (str) or index (int), got {type(target).__name__}"
    )


def _parse_floats(cells: np.ndarray) -> NDArray[np.float64] | None:
    """Convert an array of strings to float64, or return None if any cell is not a number."""
    try:
        return cells.astype(np.float64)
    except ValueError:
        return None


def _first_non_number(cells: np.ndarray) -> tuple[int, int]:
    """Row and column of the first cell of a 2-D string array that is not a number."""
    for (row, col), cell in np.ndenumerate(cells):  # only runs to report an error
        try:
            float(cell)
        except ValueError:
            return row, col
    raise AssertionError("every cell is a number")  # pragma: no cover


def load_csv(
    path: PathLike,
    target: str | int,
    delimiter: str = ",",
    header: bool = True,
) -> CSVData:
    """Load a CSV file of numbers with one target column.

    Blank lines are skipped and whitespace around cells is ignored.  The file
    is read as UTF-8 (a byte-order mark is allowed).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    target : str or int
        The target column: its name (needs ``header=True``) or its index
        (negative counts from the end).
    delimiter : str, default ","
        Cell separator.
    header : bool, default True
        Whether the first non-blank line holds column names.

    Returns
    -------
    CSVData
        Named tuple ``(X, y, classes)``: ``X`` float64 (n, d) holds every other
        column; ``y`` (n,) is int64 labels for a text target (``classes[i]`` is
        the text of label ``i``), or the numbers themselves for a numeric
        target (int64 when all integral, else float64, with ``classes=None``).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For an empty file, a header without data, rows of different lengths,
        a missing target column, an empty target cell or a feature cell that
        is not a number; the message names the file, line and column.
    """
    path = Path(path)
    if not isinstance(header, (bool, np.bool_)):
        raise TypeError(f"header must be a bool, got {type(header).__name__}")
    rows, line_numbers = _read_csv_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    names = None
    if header:
        names, header_line = rows.pop(0), line_numbers.pop(0)
        if not rows:
            raise ValueError(f"{path}: the header on line {header_line} is not followed by data")

    width = len(rows[0]) if names is None else len(names)
    for cells, line in zip(rows, line_numbers, strict=True):
        if len(cells) != width:
            raise ValueError(f"{path}, line {line}: expected {width} columns, found {len(cells)}")
    column = _target_index(path, target, names, width)

    table = np.array(rows, dtype=str)  # shape (n, width)
    feature_columns = [c for c in range(width) if c != column]
    X = _parse_floats(table[:, feature_columns])
    if X is None:
        row, j = _first_non_number(table[:, feature_columns])
        col = feature_columns[j]
        name = "" if names is None else f" ({names[col]!r})"
        raise ValueError(
            f"{path}, line {line_numbers[row]}, column {col + 1}{name}: expected a number, "
            f"found {table[row, col]!r}"
        )
    return CSVData(X, *_encode_target(path, table[:, column], column, line_numbers))


def _encode_target(
    path: Path, cells: NDArray[np.str_], column: int, line_numbers: list[int]
) -> tuple[np.ndarray, NDArray[np.str_] | None]:
    """Turn the target cells into ``(y, classes)``; see :class:`CSVData`."""
    empty = np.flatnonzero(cells == "")
    if empty.size:
        raise ValueError(
            f"{path}, line {line_numbers[empty[0]]}, column {column + 1}: the target is empty"
        )
    values = _parse_floats(cells)
    if values is None:  # text: label i stands for classes[i]
        classes, y = np.unique(cells, return_inverse=True)
        return y.reshape(-1).astype(np.int64), classes
    exact_ints = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) <= 2**53)
    if np.all(exact_ints):
        return values.astype(np.int64), None
    return values, None


# ---------------------------------------------------------------------------
# MNIST and IDX files
# ---------------------------------------------------------------------------

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


def read_idx(path: PathLike) -> np.ndarray:
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
        match the header, or a corrupt gzip stream.
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
            raise ValueError(f"{path}: corrupt gzip data: {error}") from error


def _find_idx_file(folder: Path, name: str) -> Path:
    """Return ``folder/name`` or ``folder/name.gz``, preferring the uncompressed file."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{folder}: found neither {name} nor {name}.gz")


def load_mnist(
    path: PathLike, kind: str = "train", normalize: bool = False
) -> tuple[np.ndarray, NDArray[np.int64]]:
    """Load MNIST (or a same-format set such as Fashion-MNIST) from a local folder.

    Nothing is downloaded: the folder must hold the standard files
    ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each either raw
    or gzipped with a ``.gz`` suffix (the raw file wins if both exist).

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
    FileNotFoundError
        If the folder or one of the two files is missing.
    ValueError
        If a file is not valid IDX (see :func:`read_idx`), is not uint8
        images of shape (n, rows, cols) / uint8 labels of shape (n,), or the
        two files hold different numbers of samples.
    """
    prefixes = {"train": "train", "test": "t10k", "t10k": "t10k"}
    if kind not in prefixes:
        raise ValueError(f"kind must be 'train', 'test' or 't10k', got {kind!r}")
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST folder not found: {folder}")
    images_path = _find_idx_file(folder, f"{prefixes[kind]}-images-idx3-ubyte")
    labels_path = _find_idx_file(folder, f"{prefixes[kind]}-labels-idx1-ubyte")

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
    X = images.reshape(len(images), -1)
    if normalize:
        X = X / 255.0
    return X, labels.astype(np.int64)
