"""Preparing features and labels: standardisation and one-hot encoding.

Standardisation learns its statistics from the training data only and
applies them to any data, so test data never leak into training::

    scaler = Standardizer().fit(X_train)
    X_train_std, X_test_std = scaler.transform(X_train), scaler.transform(X_test)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_int

__all__ = ["Standardizer", "one_hot", "standardize"]


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
    data; ``transform`` applies, column by column, ::

        X_std = (X - mean_) / scale_      # (n, d) - (d,) -> (n, d)

    to any data, so that test data are scaled with *training* statistics.
    Constant columns keep ``scale_ = 1`` (they are centred but not divided
    by zero).

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

    ``X_std = (X - mean) / scale`` with the column mean and standard
    deviation of ``X_train``; a functional shortcut for :class:`Standardizer`.

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

    ``Y[i, c] = 1`` if ``y[i] == c`` else ``0``.

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
    n_classes = check_int("n_classes", n_classes, minimum=1)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"labels must be in [0, {n_classes}), found values from {y.min()} to {y.max()}"
        )
    encoded = np.zeros((y.size, n_classes), dtype=np.float64)
    encoded[np.arange(y.size), y] = 1.0
    return encoded
