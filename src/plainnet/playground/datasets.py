"""The playground's data sets: six small problems in the square ``[-1, 1] x [-1, 1]``.

Each set has two features ``(x1, x2)`` so that a model's answer can be drawn
over the plane. Five are two-class problems (labels 0 and 1); ``regression``
asks for a number. The shapes come from :mod:`plainnet.data` where it has
them (circles, moons, blobs) and are scaled to fit the square. Three are made
here: XOR and regression, which need many points rather than the four
corners of :func:`plainnet.data.xor`, and two spirals, where each arm is the
other turned half a turn (the arms of :func:`plainnet.data.spirals` follow
one another instead).

``noise`` is a fraction from 0 (clean) to 1 (very noisy); each set turns it
into its own kind of noise (a coordinate's spread, a spiral's angle, a
target's spread). Every set is seeded: the same arguments give the same points.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._validation import check_choice, check_float, check_int, make_rng
from ..data import blobs, circles, moons
from ..data.generated import Seed

__all__ = ["DATASETS", "make_dataset", "task_of", "two_spirals"]

#: The names :func:`make_dataset` knows, as the page lists them.
DATASETS = ("circle", "xor", "blobs", "spirals", "moons", "regression")


def task_of(name: str) -> str:
    """``"regression"`` for the regression set, ``"classification"`` for the others."""
    return "regression" if name == "regression" else "classification"


def make_dataset(name: str, n_points: int = 400, noise: float = 0.1,
                 seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Generate one of the playground's data sets.

    Parameters
    ----------
    name : {"circle", "xor", "blobs", "spirals", "moons", "regression"}
        circle: a ring around a disc; xor: the four quadrants, opposite
        ones alike (``y = [x1 > 0] xor [x2 > 0]``); blobs: two Gaussian
        clouds; spirals: two interleaved spiral arms; moons: two
        interleaving half circles; regression: ``y = sin(pi x1) cos(pi x2 / 2)``
        on uniform points.
    n_points : int, default 400
        Number of points, at least 4.
    noise : float in [0, 1], default 0.1
        How noisy the set is: 0 clean, 1 very noisy.
    seed : int, default 0
        Seed of the points and the noise.

    Returns
    -------
    X : ndarray of float64, shape (n_points, 2)
        The points, most of them inside ``[-1, 1] x [-1, 1]``.
    y : ndarray of float64, shape (n_points,)
        Labels 0.0 and 1.0, or the regression target.
    """
    name = check_choice("name", name, DATASETS)
    n_points = check_int("n_points", n_points, minimum=4)
    noise = check_float("noise", noise, 0.0, 1.0)
    rng = make_rng(seed)
    if name == "circle":  # radius 0.9 and 0.45: the inner disc is class 1
        X, y = circles(n_points, noise=0.15 * noise, factor=0.5, seed=rng)
        X = 0.9 * X
    elif name == "xor":
        X = rng.uniform(-1.0, 1.0, size=(n_points, 2))
        X += np.sign(X) * 0.05  # a small gap along the axes: the labels are clear-cut
        y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
        X += 0.25 * noise * rng.standard_normal(X.shape)
    elif name == "blobs":
        centers = np.array([[-0.45, -0.45], [0.45, 0.45]])
        X, y = blobs(n_points, centers=centers, cluster_std=0.12 + 0.35 * noise, seed=rng)
    elif name == "spirals":
        X, y = two_spirals(n_points, noise=0.2 * noise, seed=rng)
    elif name == "moons":  # moons span x in [-1, 2], y in [-0.5, 1]: centre and shrink
        X, y = moons(n_points, noise=0.3 * noise, seed=rng)
        X = 0.65 * (X - np.array([0.5, 0.25]))
    else:  # regression
        X = rng.uniform(-1.0, 1.0, size=(n_points, 2))
        target = np.sin(np.pi * X[:, 0]) * np.cos(np.pi * X[:, 1] / 2)
        return X, target + 0.3 * noise * rng.standard_normal(n_points)
    return X, y.astype(np.float64)


def two_spirals(n_points: int = 400, noise: float = 0.0,
                seed: Seed = None) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaved spiral arms, one per class, each the other turned by half a turn.

    Point ``i`` of an arm of ``m`` points has ``u = i / (m - 1)``, radius
    ``r = 0.05 + 0.95 u`` and angle ``t = 3.5 pi u + pi * label``; it sits at
    ``(r sin t, r cos t)`` plus Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n_points : int, default 400
        Points of both arms together (their sizes differ by at most one).
    noise : float, default 0.0
        Standard deviation of the noise added to each coordinate.
    seed : int, None or numpy.random.Generator
        Source of the noise and of the shuffle.

    Returns
    -------
    X : ndarray of float64, shape (n_points, 2)
        The points, shuffled, inside the unit disc when ``noise`` is 0.
    y : ndarray of int64, shape (n_points,)
        The arm of each point, 0 or 1.
    """
    n_points = check_int("n_points", n_points, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    rng = make_rng(seed)
    y = np.arange(n_points) % 2  # alternate arms: sizes differ by at most one
    arm_size = np.where(y == 0, (n_points + 1) // 2, n_points // 2)
    u = (np.arange(n_points) // 2) / np.maximum(arm_size - 1, 1)  # 0 to 1 along each arm
    radius = 0.05 + 0.95 * u
    angle = 3.5 * np.pi * u + np.pi * y
    X = radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(n_points)
    return X[order], y[order]
