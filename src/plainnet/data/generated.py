"""Generated toy problems: XOR, moons, circles, spirals and Gaussian blobs.

Every generator is seeded: pass ``seed`` as an ``int``, ``None`` (fresh
entropy) or an existing :class:`numpy.random.Generator`, which is turned into
a generator by :func:`plainnet._validation.make_rng`; the global
``np.random`` state is never read or changed.

Each function returns ``(X, y)``: ``X`` is a float64 array of shape
``(n_samples, n_features)`` and ``y`` an int64 array of class labels of shape
``(n_samples,)``. The classes are as balanced as possible (sizes differ by at
most one) and the rows are shuffled.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_float, check_int, make_rng

__all__ = ["Seed", "blobs", "circles", "moons", "spirals", "xor"]

#: What a ``seed`` argument accepts.
Seed = int | np.integer | np.random.Generator | None


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
    Point ``i`` of an arc with ``m`` points has angle ``t = pi * i / (m - 1)``::

        class 0: (cos t, sin t)            class 1: (1 - cos t, 0.5 - sin t)

    then Gaussian noise of standard deviation ``noise`` is added to each
    coordinate.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, at least 2.  The classes differ in size by at
        most one.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int, None or numpy.random.Generator
        Source of randomness for the noise and the shuffle.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
        The points, in shuffled order.
    y : ndarray of int64, shape (n_samples,)
        0 for the upper moon, 1 for the lower one.
    """
    n_samples = check_int("n_samples", n_samples, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    rng = make_rng(seed)

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
    ``factor``, both centred at the origin with points spread evenly by angle:
    point ``i`` of a class with ``m`` points sits at ``r * (cos t, sin t)``
    with ``t = 2 pi i / m``, before Gaussian noise is added.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, at least 2; class sizes differ by at most one.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one, ``0 < factor < 1``.
    seed : int, None or numpy.random.Generator
        Source of randomness (noise and shuffle).

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
        Points on (or near) the two circles, shuffled.
    y : ndarray of int64, shape (n_samples,)
        0 on the outer circle, 1 on the inner one.
    """
    n_samples = check_int("n_samples", n_samples, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    factor = check_float("factor", factor)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must satisfy 0 < factor < 1, got {factor}")
    rng = make_rng(seed)

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
        Source of randomness: the angle noise and the shuffle.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
        The points of all arms, shuffled.
    y : ndarray of int64, shape (n_samples,)
        The arm of each point, ``0`` to ``classes - 1``.
    """
    n_samples = check_int("n_samples", n_samples, minimum=1)
    classes = check_int("classes", classes, minimum=1)
    noise = check_float("noise", noise, minimum=0.0)
    if n_samples < classes:
        raise ValueError(f"n_samples ({n_samples}) must be >= classes ({classes})")
    rng = make_rng(seed)

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

    A point of cluster ``c`` is ``x = centers[c] + cluster_std[c] * z`` with
    ``z ~ N(0, I)``.

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
        Source of randomness: random centres, the noise and the shuffle.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, d)
    y : ndarray of int64, shape (n_samples,)
        Index of the cluster (row of ``centers``) each point was drawn from.
    """
    n_samples = check_int("n_samples", n_samples, minimum=1)
    if len(center_box) != 2:
        raise ValueError(f"center_box must be a pair (low, high), got {center_box!r}")
    low, high = (check_float("center_box bound", bound) for bound in center_box)
    if not low < high:
        raise ValueError(f"center_box must be (low, high) with low < high, got {center_box}")
    rng = make_rng(seed)

    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = check_int("centers", centers, minimum=1)
        d = check_int("n_features", n_features, minimum=1)
        center_array = rng.uniform(low, high, size=(k, d))
    else:
        center_array = _center_array(centers)
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


def _center_array(centers: object) -> NDArray[np.float64]:
    """Check explicit cluster centres: a finite float64 array of shape (k, d), k, d >= 1."""
    if np.ndim(centers) == 0 or isinstance(centers, str):
        raise TypeError(
            f"centers must be an int or an array of shape (k, d), got "
            f"{type(centers).__name__} {centers!r}"
        )
    center_array = np.asarray(centers, dtype=np.float64)
    if center_array.ndim != 2 or 0 in center_array.shape:
        raise ValueError(
            f"centers must be an int or an array of shape (k, d), got shape {center_array.shape}"
        )
    if not np.all(np.isfinite(center_array)):
        raise ValueError("centers must be finite")
    return center_array
