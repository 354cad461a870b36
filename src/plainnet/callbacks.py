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
Read the weights when a hook runs (``self.model.get_weights()``, or
``layer.weights``) rather than keeping a reference from an earlier hook:
during ``fit`` a large model's parameters alternate between two buffers (see
``plainnet.base.PackedParameters``); after ``fit`` they are the arrays they
were before it.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from ._validation import check_bool, check_float, check_int

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgressBar",
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

    Notes
    -----
    With ``fit(resume=True)`` the count carries on from the run's history, so
    a resumed run stops at the same epoch as an uninterrupted one. The best
    weights are kept across the resume when they are the checkpoint's own
    (the last epoch) or when the same ``EarlyStopping`` object saw them; a
    new process that resumes from a checkpoint after a later, worse epoch
    cannot have them, and keeps the latest weights with a warning.
    mode : {"auto", "min", "max"}
        Whether smaller or larger is better; "auto" takes "max" for
        accuracy and r2 and "min" otherwise.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 10, min_delta: float = 0.0,
                 restore_best_weights: bool = True, mode: str = "auto") -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a string, got {type(monitor).__name__}")
        self.monitor = monitor
        self.patience = check_int("patience", patience, 0)
        self.min_delta = abs(check_float("min_delta", min_delta))
        self.restore_best_weights = check_bool("restore_best_weights", restore_best_weights)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if any(k in monitor.lower() for k in ("acc", "r2")) else "min"
        self.mode = mode

    def on_train_begin(self, logs=None):
        earlier_best = (getattr(self, "best_epoch", None), getattr(self, "best_weights", None))
        self.wait = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
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
        elif earlier_best[0] == self.best_epoch:  # this object saw that epoch itself
            self.best_weights = earlier_best[1]

    def _record(self, epoch: int, value: float, keep_weights: bool = True) -> bool:
        """Count one epoch's monitored value; True if it is time to stop.

        A new best resets the wait; anything else is one more epoch of waiting.
        """
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if keep_weights and self.restore_best_weights:
                self.best_weights = self.model.get_weights()  # copies
            return False
        self.wait += 1
        return self.wait >= self.patience

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, but the epoch logs only have "
                f"{sorted(logs)}; pass validation_data or validation_split to fit, or "
                "monitor another value"
            )
        if self._record(epoch, float(logs[self.monitor])):
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
                "holds the latest weights only); the model keeps its latest weights",
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


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch,loss,...``; each row is flushed at once.

    Parameters
    ----------
    path : str or os.PathLike
    separator : str, default ","
    append : bool, default False
        Add to an existing file instead of starting a new one.
    """

    def __init__(self, path: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.path = os.fspath(path)
        if not isinstance(separator, str):
            raise TypeError(f"separator must be a string, got {type(separator).__name__}")
        if len(separator) != 1:
            raise ValueError(f"separator must be a single character, got {separator!r}")
        self.separator = separator
        self.append = check_bool("append", append)
        self.keys: list[str] | None = None
        self._file = None

    def on_train_begin(self, logs=None):
        has_rows = self.append and os.path.exists(self.path) and os.path.getsize(self.path) > 0
        self._file = open(self.path, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self._header_written = has_rows
        self.keys = None  # this run's columns, from its first epoch's logs

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if not self._header_written:
            self._writer.writerow(["epoch", *self.keys])
            self._header_written = True
        self._writer.writerow([epoch, *(logs.get(k, "") for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


def _format_logs(logs: dict[str, Any]) -> str:
    return " - ".join(f"{k}: {v:.4g}" for k, v in logs.items() if k != "size")


class ProgressBar(Callback):
    """What ``verbose=1`` shows: a bar per epoch with samples done, rate and running loss.

    Uses tqdm when it is installed (the ``progress`` extra), otherwise a
    plain single line rewritten in place. Output is throttled so that it
    costs nothing measurable, however short the epochs:

    * a bar is redrawn at most ten times a second (the first batch of a run
      draws at once);
    * each epoch ends with a finished line of its logs when epochs are slow
      (a second or more apart). When they are fast (thousands of tiny
      epochs), the first and the last epoch get one and the others only at
      most one a second; ``history`` has every epoch's numbers.
    """

    #: seconds between redraws of a bar, and between finished lines of fast epochs
    redraw_interval, line_interval = 0.1, 1.0

    def __init__(self, epochs: int, n_samples: int, stream=None) -> None:
        super().__init__()
        self.epochs, self.n_samples = epochs, n_samples
        self.stream = stream if stream is not None else sys.stdout
        try:
            import tqdm  # noqa: F401
            self._tqdm = True
        except ImportError:
            self._tqdm = False
        self.last_draw = self.last_line = -math.inf
        self.bar = None
        self._unshown: tuple[int, dict] | None = None  # an epoch whose line was skipped
        self._open = False  # a bar drawn and not finished yet
        self._in_epoch = False  # between on_epoch_begin and on_epoch_end

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.seen, self.loss_sum = epoch, 0, 0.0
        self.start = time.perf_counter()
        self._in_epoch = True

    def on_batch_end(self, batch, logs=None):
        size = logs["size"]
        self.seen += size
        self.loss_sum += logs["loss"] * size
        now = time.perf_counter()
        # redraw in an epoch that is taking its time (and once at the very start)
        if now - self.last_draw >= self.redraw_interval and (
                now - self.start >= self.redraw_interval or self.last_draw == -math.inf):
            self.last_draw = now
            self._draw(f"loss: {self.loss_sum / self.seen:.4g}")

    def _draw(self, text: str, final: bool = False) -> None:
        title = f"Epoch {self.epoch + 1}/{self.epochs}"
        self._open = not final
        if self._tqdm:
            if self.bar is None:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=self.n_samples, desc=title, unit="sample",
                                file=self.stream, leave=True, dynamic_ncols=True)
            self.bar.update(self.seen - self.bar.n)
            self.bar.set_postfix_str(text, refresh=True)
            if final:
                self.bar.close()
                self.bar = None
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        width = 24
        filled = int(width * self.seen / max(self.n_samples, 1))
        bar = "=" * filled + (">" if filled < width else "") + "." * (width - filled - 1)
        line = (f"\r{title} [{bar[:width]}] {self.seen}/{self.n_samples} "
                f"- {self.seen / elapsed:,.0f} samples/s - {text}")
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        self._in_epoch = False
        now = time.perf_counter()
        if (self._open or now - self.last_line >= self.line_interval
                or epoch + 1 == self.epochs):
            self._draw(_format_logs(logs or {}), final=True)
            self.last_line = self.last_draw = now
            self._unshown = None
        else:
            self._unshown = (epoch, logs or {})

    def on_train_end(self, logs=None):
        """Show the epoch where training stopped if its line was skipped, or finish an open bar
        (Ctrl-C, an error): the line ends, so what follows starts on a line of its own."""
        if self._open or (self._in_epoch and self.seen):  # stopped during an epoch
            self._draw(f"loss: {self.loss_sum / max(self.seen, 1):.4g}", final=True)
        elif self._unshown is not None:
            (self.epoch, logs), self._unshown = self._unshown, None
            self.seen = self.n_samples
            self._draw(_format_logs(logs), final=True)


class EpochLogger(Callback):
    """What ``verbose=2`` shows: one line per epoch."""

    def __init__(self, epochs: int, stream=None) -> None:
        super().__init__()
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        self.stream.write(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.2f}s - "
                          f"{_format_logs(logs or {})}\n")
        self.stream.flush()


def _warn_interrupted(epoch: int, batch: int) -> None:
    warnings.warn(
        f"fit interrupted by Ctrl-C during epoch {epoch + 1}, after batch {batch + 1}: the "
        "weights so far and the history of the completed epochs are kept",
        RuntimeWarning,
        stacklevel=4,  # _warn_interrupted <- Sequential._train <- fit <- the caller's line
    )


class ModelCheckpoint(Callback):
    """Save the model to one file, atomically, at the end of every epoch.

    ``fit(..., checkpoint=path)`` adds one of these. The file holds
    everything needed to go on exactly where training stopped: weights,
    optimizer state, the state of the model's random generator, epochs done
    and history. After a crash::

        model = plainnet.load(path)
        model.fit(X, y, epochs=100, checkpoint=path, resume=True)  # only the missing epochs

    Parameters
    ----------
    path : str or os.PathLike
        The file to (over)write; see :func:`plainnet.io.save`.

    Notes
    -----
    The model is saved only at the end of complete epochs, never after an
    early stop's weight restoration or a Ctrl-C in the middle of an epoch,
    so the file always describes the state at the start of the next epoch.
    Its random generator state is the one that epoch will shuffle with.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__()
        self.path = os.fspath(path)

    def on_train_begin(self, logs=None):
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):  # fail now, not after the first epoch
            raise FileNotFoundError(f"cannot write checkpoint {self.path!r}: the folder "
                                    f"{folder!r} does not exist")

    def on_epoch_end(self, epoch, logs=None):
        from . import io

        io.save(self.model, self.path)
