"""What ``fit`` trains on: arrays in memory, or a stream of batches.

:class:`ArrayData` holds ``X``, ``y`` (and weights) and cuts them into
batches in each epoch's shuffled order. :class:`StreamData` takes the
batches from an iterable or generator of ``(X, y)`` or ``(X, y,
sample_weight)`` tuples, as Keras does, so data that does not fit in memory
(a large file read piece by piece, images augmented on the fly) can be
trained on:

* an *iterable* that can be iterated again (a list of batches, an object
  with ``__iter__``, such as a data loader) is gone through once per epoch,
  or for ``steps_per_epoch`` batches;
* a *generator* (an iterator) is read ``steps_per_epoch`` batches per epoch,
  which must then be given; when it runs out, training stops with a warning.

Every batch is checked as an array would be (shapes, dtype, targets). The
stream's own order is used: ``shuffle`` does not apply to it.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .._validation import check_int

__all__ = ["ArrayData", "StreamData", "is_batch_source", "source_items"]


def is_batch_source(data: Any) -> bool:
    """Whether ``data`` is an iterable of batches rather than an array-like of samples."""
    if isinstance(data, (np.ndarray, list, tuple, str, bytes)) or hasattr(data, "__array__"):
        return False
    return hasattr(data, "__iter__") or hasattr(data, "__next__")


def source_items(item: Any, what: str) -> tuple[Any, Any, Any]:
    """``(X, y, sample_weight)`` of one item of a batch stream (``y``, weights may be None)."""
    if isinstance(item, (tuple, list)) and 1 <= len(item) <= 3:
        return (tuple(item) + (None, None))[:3]
    if isinstance(item, (tuple, list)):
        raise ValueError(f"each batch of {what} must be (X, y) or (X, y, sample_weight), got "
                         f"a {type(item).__name__} of {len(item)} items")
    return item, None, None  # predict: batches of X alone


class ArrayData:
    """Samples in memory, cut into batches.

    Parameters
    ----------
    X, y : ndarray
        Checked inputs and targets, one row per sample.
    weights : ndarray of shape (n_samples,) or None
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> None:
        self.X, self.y, self.weights = X, y, weights
        self.n_samples = len(X)

    def batches(self, batch_size: int, order: np.ndarray | None, bounds: Any = None
                ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """``(x, y, w)`` of each batch, in ``order`` (rows gathered, no full copy).

        ``bounds``, if given, lists each batch's ``(start, stop)`` positions in
        that order instead (under MPI: this rank's piece of each global batch).
        """
        X, y, w = self.X, self.y, self.weights
        if bounds is None:
            bounds = ((start, start + batch_size)
                      for start in range(0, self.n_samples, batch_size))
        for start, stop in bounds:
            if order is None:
                rows = slice(start, stop)
                yield X[rows], y[rows], None if w is None else w[rows]
            else:
                rows = order[start:stop]
                yield (X.take(rows, axis=0), y.take(rows, axis=0),
                       None if w is None else w.take(rows))


class StreamData:
    """Batches read from an iterable or generator.

    Parameters
    ----------
    source : iterable of tuples
        ``(X, y)`` or ``(X, y, sample_weight)`` per batch.
    steps : int or None
        Batches per epoch (``steps_per_epoch``); needed for a generator.
    check : callable
        ``check(X, y, w) -> (X, y, w)``: the model's checks of one batch.
    what : str
        The argument's name, for messages (``"x"``, ``"validation_data"``).
    """

    n_samples = None  # not known in advance

    def __init__(self, source: Any, steps: Any, check: Callable, what: str,
                 steps_name: str = "steps_per_epoch") -> None:
        self.one_pass = iter(source) is source  # a generator: read on, epoch after epoch
        if steps is not None:
            steps = check_int(steps_name, steps, 1)
        elif self.one_pass:
            raise ValueError(f"{steps_name} must be given when {what} is a generator (it "
                             "has no length): the number of batches in one epoch")
        self.source, self.steps, self.check, self.what = source, steps, check, what
        self.exhausted = False
        self._peeked: list = []  # a generator's first batch, read early to build a model

    def first_batch(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The first batch, checked (a model that is not built yet is built from it)."""
        items = self.source if self.one_pass else iter(self.source)
        item = next(items, None)
        if item is None:
            raise ValueError(f"{self.what} gave no batches")
        if self.one_pass:
            self._peeked.append(item)  # given again as the first batch of the first epoch
        return self.check(*source_items(item, self.what))

    def batches(self, batch_size: int = 0, order: Any = None, bounds: Any = None
                ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """The checked ``(x, y, w)`` of one epoch's batches (the arguments are unused)."""
        items = self.source if self.one_pass else iter(self.source)
        if self._peeked:
            items = itertools.chain([self._peeked.pop()], items)
        count = 0
        for item in itertools.islice(items, self.steps):
            count += 1
            yield self.check(*source_items(item, self.what))
        if count == 0 or (self.steps is not None and count < self.steps):
            self.exhausted = True
            warnings.warn(f"{self.what} ran out of batches after {count} of "
                          f"{self.steps or 'its'} steps; training stops here (give "
                          "steps_per_epoch, or a source that yields enough batches)",
                          RuntimeWarning, stacklevel=5)
