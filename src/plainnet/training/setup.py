"""What ``fit`` checks and assembles before its loop: arguments, validation set, callbacks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._validation import check_bool, check_float, check_int
from .callbacks import Callback, History
from .data import ArrayData, StreamData, is_batch_source
from .progress import EpochLogger, ProgressBar
from .weights import check_sample_weight, combined_weights

__all__ = ["batch_checker", "check_fit_arguments", "fit_callbacks", "fit_data", "fit_strategy",
           "rank_zero_only", "training_rows", "validation_data_of"]


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


def batch_checker(model: Any, class_weight: Any = None, name: str = "") -> Any:
    """``check(x, y, w) -> (x, y, w)``: one batch of a stream, checked as arrays are."""
    if isinstance(class_weight, str):
        raise ValueError("class_weight='balanced' needs the labels of every sample, which a "
                         "stream of batches does not give in advance; pass a dict "
                         "{class: weight} instead")

    def check(x: Any, y: Any, w: Any) -> tuple:
        if y is None:
            raise ValueError(f"each batch of the stream{name} must hold targets: (X, y) or "
                             "(X, y, sample_weight)")
        x, y = model._check_xy(x, y)
        return x, y, combined_weights(y, model.loss, model.n_outputs, w, class_weight,
                                      model.dtype)
    return check


def fit_data(model: Any, X: Any, y: Any, split: float, validation: Any, sample_weight: Any,
             class_weight: Any, steps: Any, validation_steps: Any) -> tuple:
    """``(data, validation)``: what ``fit`` trains on and validates on, checked.

    ``data`` is an :class:`~plainnet.training.data.ArrayData` (arrays, weights
    combined) or a :class:`~plainnet.training.data.StreamData` (a stream of
    batches); ``validation`` likewise, or None.
    """
    if is_batch_source(X):
        for given, what in ((y, "y"), (sample_weight, "sample_weight")):
            if given is not None:
                raise ValueError(f"{what} must be None when x is a stream of batches: each "
                                 "batch carries its (X, y[, sample_weight])")
        if split:
            raise ValueError("validation_split cannot split a stream of batches; pass "
                             "validation_data instead")
        data = StreamData(X, steps, batch_checker(model, class_weight), "x")
        if not model.built:
            data.first_batch()  # builds the model for the shape of its samples
    else:
        if y is None:
            raise ValueError("y is missing: fit(X, y) needs targets (or x a stream of "
                             "(X, y) batches)")
        X, y = model._check_xy(X, y)
        weights = combined_weights(y, model.loss, model.n_outputs, sample_weight, class_weight,
                                   model.dtype)
        if split:
            if validation is not None:
                raise ValueError("give either validation_split or validation_data, not both")
            n = training_rows(len(X), split)  # the last rows are held out, with their weights
            train, held_out = slice(None, n), slice(n, None)
            return (ArrayData(X[train], y[train], None if weights is None else weights[train]),
                    ArrayData(X[held_out], y[held_out],
                              None if weights is None else weights[held_out]))
        data = ArrayData(X, y, weights)
    return data, validation_data_of(model, validation, validation_steps)


def validation_data_of(model: Any, validation: Any, steps: Any = None,
                       name: str = "validation_data", suffix: str = "_val") -> Any:
    """``validation_data`` as ArrayData or StreamData (or None): ``(X, y)``,
    ``(X, y, sample_weight)`` or a stream of batches."""
    if validation is None:
        return None
    if is_batch_source(validation):
        return StreamData(validation, steps, batch_checker(model, name=suffix), name,
                          "validation_steps")
    if not isinstance(validation, (tuple, list)) or len(validation) not in (2, 3):
        raise TypeError(f"{name} must be a tuple (X_val, y_val) or (X_val, y_val, "
                        "sample_weight_val), or a stream of such batches")
    X, y = model._check_xy(validation[0], validation[1], name=suffix)
    weights = None if len(validation) == 2 or validation[2] is None else (
        check_sample_weight(validation[2], len(X), f"sample_weight{suffix}").astype(model.dtype))
    return ArrayData(X, y, weights)


def training_rows(n_samples: int, split: float) -> int:
    """How many of ``n_samples`` rows train when the last ``split`` fraction is held out."""
    n_train = int(n_samples * (1.0 - split))
    if n_train == 0 or n_train == n_samples:
        raise ValueError(
            f"validation_split={split} of {n_samples} samples leaves "
            f"{n_train} for training and {n_samples - n_train} for validation; both need "
            "at least one"
        )
    return n_train


def fit_callbacks(callbacks: Any, checkpoint: Any, history: History, verbose: int,
                  epochs: int, n_samples: int, strategy: Any = None) -> list[Callback]:
    """The callbacks of one ``fit``: the history first, the user's, then progress output.

    Under a distributed ``strategy``, ranks other than 0 leave out the ones
    that print or write files (see :func:`rank_zero_only`).
    """
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
    if strategy is not None:
        n_samples = strategy.n_samples  # the progress of the whole data, on rank 0
        if strategy.rank != 0:
            return [cb for cb in callbacks if not rank_zero_only(cb)]
    if verbose == 1:
        callbacks.append(ProgressBar(epochs, n_samples))
    elif verbose == 2:
        callbacks.append(EpochLogger(epochs))
    return callbacks


def rank_zero_only(callback: Callback) -> bool:
    """Whether a callback runs on rank 0 only under MPI: it prints or writes files.

    Its ``rank_zero_only`` attribute if it has one; else True for progress
    output, ``CSVLogger`` and ``ModelCheckpoint``.
    """
    if hasattr(callback, "rank_zero_only"):
        return bool(callback.rank_zero_only)
    from ..io.checkpoint import ModelCheckpoint  # io sits above training: reached lazily
    from .csv_logger import CSVLogger

    return isinstance(callback, (ProgressBar, EpochLogger, CSVLogger, ModelCheckpoint))


def fit_strategy(strategy: Any, model: Any, data: Any, validation: Any,
                 batch_size: int) -> tuple[Any, int]:
    """``(strategy, batch_size)``: None and the batch capped at the samples (one process),
    or a distributed strategy (``"mpi"`` or an object) that checked the ranks agree and
    the global batch (see :mod:`plainnet.distributed`, reached lazily)."""
    if strategy is None:
        return None, min(batch_size, data.n_samples or batch_size)
    if isinstance(strategy, str):
        from ..distributed import get_strategy  # optional (mpi4py): imported when asked for

        strategy = get_strategy(strategy)
    if not callable(getattr(strategy, "prepare", None)):
        raise TypeError(f"strategy must be None, 'mpi' or a strategy object such as "
                        f"plainnet.distributed.MPIStrategy(), got {type(strategy).__name__}")
    return strategy, strategy.prepare(model, data, validation, batch_size)
