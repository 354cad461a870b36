"""Callbacks: code that watches the training loop and may stop it.

``Sequential.fit`` calls, in order::

    on_train_begin(logs)
    for each epoch:
        on_epoch_begin(epoch, logs)                 # what is added to logs here ...
        for each batch: on_batch_end(batch, logs)   # logs: {"loss", "size"}
        on_epoch_end(epoch, logs)                   # ... is in {"loss", "val_loss", ...}
    on_train_end(logs)

A callback reads ``self.model`` and may set ``self.model.stop_training =
True``; it does not reach into the loop otherwise. Epochs are counted from 0.
A callback may read or even replace a layer's arrays (``layer.weights = ...``):
the next step uses the new values.

This module holds the base class, ``History``, ``EarlyStopping`` and
``LearningRateScheduler``; the others have modules of their own beside it
(``csv_logger``, ``plateau``); :mod:`plainnet.callbacks` gathers them all.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

from .._validation import check_bool, check_float, check_int
from .monitor import Monitor

__all__ = [
    "Callback",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
]


class Callback:
    """Base class: override the hooks you need; each receives a ``logs`` dict."""

    def __init__(self) -> None:
        self.model = None

    def set_model(self, model) -> None:
        """Called by ``fit`` before training: the model the hooks read, as ``self.model``."""
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once after the last epoch (also after an early stop, Ctrl-C or an error,
        provided this callback's ``on_train_begin`` ran). After an error (such as
        ``TrainingDivergedError``) ``logs`` is ``{"failed": True}``."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of each epoch."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of each epoch with that epoch's losses and metrics."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each optimizer step with ``{"loss": ..., "size": ...}``."""


class History(Callback):
    """Records the logs of every epoch: ``history["loss"][epoch]``.

    ``fit`` always uses one and returns it; ``model.history`` keeps the last.

    Attributes
    ----------
    history : dict of str to list of float
    epoch : list of int
    """

    def __init__(self, history: dict[str, list[float]] | None = None,
                 epoch: list[int] | None = None) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {k: list(v) for k, v in (history or {}).items()}
        self.epoch: list[int] = list(epoch or [])

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"


class EarlyStopping(Callback):
    """Stop when a monitored value has stopped improving.

    An epoch improves on the best so far when its monitored value is better
    by more than ``min_delta`` (smaller in mode "min", larger in mode "max";
    the rule of :class:`plainnet.training.monitor.Monitor`, which
    ``ModelCheckpoint`` shares). After ``patience`` epochs in a row without
    improvement, training stops.

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the epoch logs to watch (``"loss"``, ``"val_accuracy"``, ...).
    patience : int, default 10
        Epochs without improvement to wait before stopping.
    min_delta : float, default 0.0
        Smallest change that counts as an improvement.
    restore_best_weights : bool, default True
        At the end of training, put back the weights of the best epoch (not
        when training ends with an error: then the error says what the
        weights are).
    mode : {"auto", "min", "max"}
        Whether smaller or larger is better; "auto" takes "max" for
        accuracy and r2 and "min" otherwise.
    best_weights_path : str or os.PathLike, optional
        A file where the best weights are saved (as a model file, see
        :func:`plainnet.io.save`) whenever they improve, so that a run
        resumed in a new process can still restore them at the end. Give
        the same path to the ``EarlyStopping`` of the resumed run.

    Attributes
    ----------
    best : float
        The best monitored value so far.
    best_epoch : int or None
        Its epoch (from 0); None before any.
    stopped_epoch : int or None
        The epoch after which training stopped; None if it did not stop.
    best_weights : list of ndarray or None
        A copy of the best epoch's weights (with ``restore_best_weights``).

    Raises
    ------
    FileNotFoundError
        At the start of a resumed run whose best epoch came before its last
        one, if ``best_weights_path`` is given but the file is not there.
    ValueError
        Likewise, if that file holds the weights of another epoch.

    Notes
    -----
    With ``fit(resume=True)`` the count carries on from the run's history, so
    a resumed run stops at the same epoch as an uninterrupted one. The best
    weights are kept across the resume when they are the checkpoint's own
    (the last epoch), when the same ``EarlyStopping`` object saw them, or
    when ``best_weights_path`` holds them. Otherwise (a new process resuming
    from a checkpoint after a later, worse epoch, without
    ``best_weights_path``) they are lost, and the model keeps its latest
    weights with a warning.

    Examples
    --------
    A run that may be interrupted, and resumed by running the same script::

        stopper = EarlyStopping(patience=10, best_weights_path="run.best.pnet")
        model = plainnet.load("run.pnet") if os.path.exists("run.pnet") else make_model()
        model.fit(X, y, epochs=500, validation_split=0.2, callbacks=[stopper],
                  checkpoint="run.pnet", resume=True)
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 10, min_delta: float = 0.0,
                 restore_best_weights: bool = True, mode: str = "auto",
                 best_weights_path: str | os.PathLike | None = None) -> None:
        super().__init__()
        self.tracker = Monitor(monitor, mode, min_delta)
        self.monitor, self.mode = monitor, self.tracker.mode
        self.min_delta = self.tracker.min_delta
        self.patience = check_int("patience", patience, 0)
        self.restore_best_weights = check_bool("restore_best_weights", restore_best_weights)
        if best_weights_path is not None and not isinstance(best_weights_path,
                                                            (str, os.PathLike)):
            raise TypeError("best_weights_path must be a file path (str or os.PathLike) or "
                            f"None, got {type(best_weights_path).__name__}")
        self.best_weights_path = (None if best_weights_path is None
                                  else os.fspath(best_weights_path))

    @property
    def best(self) -> float:
        """The best monitored value so far."""
        return self.tracker.best

    @property
    def best_epoch(self) -> int | None:
        """The epoch of the best value so far (None before any)."""
        return self.tracker.best_epoch

    def on_train_begin(self, logs=None):
        earlier_best = (self.best_epoch, getattr(self, "best_weights", None))
        self.wait = 0
        self.tracker.reset()
        self.best_weights = None
        self.stopped_epoch: int | None = None
        # fit(resume=True) continues a run: pick up where its history leaves off, so that
        # the resumed run stops when an uninterrupted one would have
        history = getattr(self.model, "history", None)
        stop = False
        for epoch, value in zip(history.epoch if history else (),
                                history.history.get(self.monitor, ()) if history else ()):
            stop = self._record(epoch, value, keep_weights=False)
        if stop:  # that run had stopped here already
            self.stopped_epoch = history.epoch[-1]
            self.model.stop_training = True
        if self.best_epoch is None or not self.restore_best_weights:
            return
        if self.best_epoch == history.epoch[-1]:  # the weights fit starts from
            self.best_weights = self.model.get_weights()
        elif earlier_best[0] == self.best_epoch and earlier_best[1] is not None:
            self.best_weights = earlier_best[1]  # this object saw that epoch itself
        elif self.best_weights_path is not None:  # a new process: the file has them
            self.best_weights = self._load_best_weights()

    def _record(self, epoch: int, value: float, keep_weights: bool = True) -> bool:
        """Count one epoch's monitored value; True if it is time to stop.

        A new best resets the wait (and, during training, keeps its weights);
        anything else is one more epoch of waiting.
        """
        if self.tracker.update(epoch, value):
            self.wait = 0
            if keep_weights and self.restore_best_weights:
                self.best_weights = self.model.get_weights()  # copies
            if keep_weights and self.best_weights_path is not None:
                from .. import io

                io.save(self.model, self.best_weights_path)
            return False
        self.wait += 1
        return self.wait >= self.patience

    def _load_best_weights(self) -> list:
        """The weights of ``best_epoch`` from ``best_weights_path``, or a clear error."""
        from .. import io

        path, epoch = self.best_weights_path, self.best_epoch
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"EarlyStopping cannot resume: the best {self.monitor} so far was at epoch "
                f"{epoch + 1}, but best_weights_path {path!r}, which should hold its weights, "
                "does not exist; give the path the interrupted run used, or start again "
                "without resume")
        saved = io.load(path)
        if getattr(saved, "epochs_done", None) != epoch + 1:
            raise ValueError(
                f"EarlyStopping cannot resume: best_weights_path {path!r} holds the weights "
                f"after epoch {getattr(saved, 'epochs_done', '?')}, but the best "
                f"{self.monitor} was at epoch {epoch + 1}; it belongs to another run")
        return saved.get_weights()

    def on_epoch_end(self, epoch, logs=None):
        if self._record(epoch, self.tracker.value(logs, "EarlyStopping")):
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if (logs or {}).get("failed"):
            return  # leave the weights as the error left them (see TrainingDivergedError)
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        elif self.restore_best_weights and self.best_epoch is not None:
            warnings.warn(
                f"EarlyStopping: the best {self.monitor} was at epoch {self.best_epoch + 1}, "
                "before this run was resumed, and its weights were not kept (a checkpoint "
                "holds the latest weights only; best_weights_path keeps the best ones across "
                "a resume); the model keeps its latest weights",
                RuntimeWarning, stacklevel=2)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    The rate used in each epoch is logged as ``learning_rate`` (so it is in
    ``History.history`` and in a ``CSVLogger`` file).

    Parameters
    ----------
    schedule : callable ``schedule(epoch, learning_rate) -> new_learning_rate``
        ``epoch`` counts from 0; ``learning_rate`` is the current value.
    """

    def __init__(self, schedule: Callable[[int, float], float]) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"schedule must be callable, got {type(schedule).__name__}")
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not isinstance(optimizer.learning_rate, (int, float)):
            raise ValueError(
                "LearningRateScheduler needs an optimizer with a numeric learning_rate, not a "
                f"schedule ({optimizer.learning_rate!r})"
            )
        new_rate = self.schedule(epoch, float(optimizer.learning_rate))
        optimizer.learning_rate = check_float("the learning rate returned by schedule",
                                              new_rate, 0.0)
        if logs is not None:  # fit passes these on to on_epoch_end, so History records it
            logs["learning_rate"] = optimizer.learning_rate


def __getattr__(name: str):
    # CSVLogger lives in csv_logger.py (which imports Callback from here); this keeps
    # `from plainnet.training.callbacks import CSVLogger` working without an import circle.
    if name == "CSVLogger":
        from .csv_logger import CSVLogger

        return CSVLogger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
