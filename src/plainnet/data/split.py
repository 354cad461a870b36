"""Splitting samples: a train/test split and mini-batches.

Both take ``X`` of shape ``(n, ...)`` (one sample per row, any trailing
shape) and targets ``y`` of shape ``(n, ...)``, and keep each row paired with
its target. Shuffling is seeded like the generators: ``seed`` is an ``int``,
``None`` or a :class:`numpy.random.Generator`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_bool, check_int, make_rng
from .generated import Seed

__all__ = ["batches", "train_test_split"]


def _stratified_test_counts(counts: NDArray[np.int64], n_test: int) -> NDArray[np.int64]:
    """Split ``n_test`` over classes in proportion to ``counts`` (largest remainder).

    Class ``c`` of ``counts[c]`` samples out of ``n`` first gets
    ``floor(counts[c] * n_test / n)`` test samples; the ones left over go to
    the classes with the largest remainders (ties to the lower label).
    Integer arithmetic keeps the result exact.

    Parameters
    ----------
    counts : ndarray of int64, shape (k,)
        Number of samples in each class.
    n_test : int
        Total number of test samples, ``0 <= n_test <= counts.sum()``.

    Returns
    -------
    ndarray of int64, shape (k,)
        Test samples per class, summing to ``n_test``.
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

    With ``n`` samples, a fraction ``test_size`` gives
    ``n_test = ceil(test_size * n)`` test samples and ``n - n_test`` training
    samples.

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
    shuffle = check_bool("shuffle", shuffle)
    n_test = _test_count(test_size, n)
    rng = make_rng(seed)
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


def _test_count(test_size: float | int, n: int) -> int:
    """Number of test samples for ``test_size`` out of ``n``; both parts non-empty."""
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
    return n_test


def batches(
    X: ArrayLike,
    y: ArrayLike | None = None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: Seed = None,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Iterate over mini-batches of ``X`` (and ``y``).

    Batch ``b`` holds rows ``b * batch_size`` up to ``(b + 1) * batch_size``
    of the visiting order (``0, 1, ..., n - 1``, or a random permutation).
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
    batch_size = check_int("batch_size", batch_size, minimum=1)
    shuffle = check_bool("shuffle", shuffle)
    order = make_rng(seed).permutation(len(X)) if shuffle else None
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
