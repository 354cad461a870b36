"""What ``fit`` checks and assembles before its loop: arguments, validation set, callbacks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._validation import check_bool, check_float, check_int
from .callbacks import Callback, History
from .progress import EpochLogger, ProgressBar

__all__ = ["check_fit_arguments", "fit_callbacks", "split_validation"]


def check_fit_arguments(epochs: Any, batch_size: Any, shuffle: Any, resume: Any, verbose: Any,
                        validation_split: Any) -> tuple[int, int, Any, bool, int, float]:
    """``fit``'s numeric and flag arguments, checked."""
    epochs = check_int("epochs", epochs, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    if not callable(shuffle):
        shuffle = check_bool("shuffle", shuffle)
    resume = check_bool("resume", resume)
    verbose = check_int("verbose", verbose, 0)
    if verbose > 2:
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose}")
    validation_split = check_float("validation_split", validation_split, 0.0, 1.0,
                                   max_inclusive=False)
    return epochs, batch_size, shuffle, resume, verbose, validation_split


def split_validation(X, y, split: float, data: Any, check_xy) -> tuple:
    """``(X_train, y_train, validation)``: ``validation`` is ``(X_val, y_val)`` or None.

    ``data`` (an explicit ``(X_val, y_val)``) is checked with ``check_xy``;
    otherwise the last ``split`` fraction of the rows is held out.
    """
    if data is not None and split:
        raise ValueError("give either validation_split or validation_data, not both")
    if data is not None:
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise TypeError("validation_data must be a tuple (X_val, y_val)")
        return X, y, check_xy(data[0], data[1], name="_val")
    if not split:
        return X, y, None
    n_train = int(len(X) * (1.0 - split))
    if n_train == 0 or n_train == len(X):
        raise ValueError(
            f"validation_split={split} of {len(X)} samples leaves "
            f"{n_train} for training and {len(X) - n_train} for validation; both need "
            "at least one"
        )
    return X[:n_train], y[:n_train], (X[n_train:], y[n_train:])


def fit_callbacks(callbacks: Any, checkpoint: Any, history: History, verbose: int,
                  epochs: int, n_samples: int) -> list[Callback]:
    """The callbacks of one ``fit``: the history first, the user's, then progress output."""
    if isinstance(callbacks, Callback):
        callbacks = [callbacks]
    if not isinstance(callbacks, Iterable) or isinstance(callbacks, (str, bytes)):
        raise TypeError(f"callbacks must be a list of plainnet Callbacks, got "
                        f"{type(callbacks).__name__}")
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks[{i}] must be a plainnet Callback, got "
                            f"{type(cb).__name__}")
    if checkpoint is not None:
        from ..io.checkpoint import ModelCheckpoint  # io sits above training: reached lazily

        callbacks.append(ModelCheckpoint(checkpoint))
    callbacks.insert(0, history)
    if verbose == 1:
        callbacks.append(ProgressBar(epochs, n_samples))
    elif verbose == 2:
        callbacks.append(EpochLogger(epochs))
    return callbacks
