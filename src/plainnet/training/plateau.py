"""``ReduceLROnPlateau``: lower the learning rate when a monitored value stops improving.

Keras's callback of the same name, with the same arguments, defaults and
counting; "improving" is the rule of :class:`~plainnet.training.monitor.Monitor`
that ``EarlyStopping`` and ``ModelCheckpoint`` share.
"""

from __future__ import annotations

import sys

from .._validation import check_float, check_int
from ..schedules import Schedule
from .callbacks import Callback
from .monitor import Monitor

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has stopped improving.

    After each epoch (Keras's rule)::

        if in cooldown: cooldown_left -= 1; wait = 0
        if value improves on best by more than min_delta: best = value; wait = 0
        elif not in cooldown:
            wait += 1
            if wait >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr); cooldown_left = cooldown; wait = 0

    The learning rate of each epoch is logged as ``learning_rate`` (in
    ``History.history`` and a ``CSVLogger`` file).

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the epoch logs to watch.
    factor : float in (0, 1), default 0.1
        ``new_lr = lr * factor``.
    patience : int, default 10
        Epochs without improvement before the rate is lowered.
    verbose : int, default 0
        1: print a line to standard error each time the rate is lowered.
    mode : {"auto", "min", "max"}, default "auto"
        Whether smaller or larger is better; "auto" takes "max" for
        accuracy and r2 and "min" otherwise.
    min_delta : float, default 1e-4
        Smallest change that counts as an improvement.
    cooldown : int, default 0
        Epochs to wait after lowering the rate before counting again.
    min_lr : float, default 0.0
        The rate never goes below this.

    Attributes
    ----------
    best : float
    wait : int
        Epochs without improvement so far.
    cooldown_counter : int
        Cooldown epochs still to come.

    Raises
    ------
    ValueError
        At the start of training, if the optimizer's learning rate is a
        schedule (the two would fight over it); after an epoch whose logs
        lack ``monitor``.

    Notes
    -----
    With ``fit(resume=True)`` the counts carry on from the run's history (the
    rate itself is the optimizer's, saved with the model), so a resumed run
    lowers the rate when an uninterrupted one would have.

    Examples
    --------
    >>> from plainnet.callbacks import ReduceLROnPlateau
    >>> plateau = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5, min_lr=1e-5)
    >>> # model.fit(X, y, epochs=200, validation_split=0.2, callbacks=[plateau])
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__()
        self.factor = check_float("factor", factor, 0.0, 1.0, min_inclusive=False,
                                  max_inclusive=False)
        self.tracker = Monitor(monitor, mode, min_delta)
        self.monitor, self.mode = monitor, self.tracker.mode
        self.min_delta = self.tracker.min_delta
        self.patience = check_int("patience", patience, 0)
        self.verbose = check_int("verbose", verbose, 0)
        self.cooldown = check_int("cooldown", cooldown, 0)
        self.min_lr = check_float("min_lr", min_lr, 0.0)
        self._reset()

    def _reset(self) -> None:
        self.tracker.reset()
        self.wait = 0
        self.cooldown_counter = 0

    @property
    def best(self) -> float:
        """The best monitored value so far."""
        return self.tracker.best

    def in_cooldown(self) -> bool:
        """Whether the epochs right after a reduction are still being skipped."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        learning_rate = self.model.optimizer.learning_rate
        if isinstance(learning_rate, Schedule):
            raise ValueError(
                f"ReduceLROnPlateau sets the learning rate, but the optimizer's is a schedule "
                f"({learning_rate!r}); use a number, or the schedule alone")
        self._reset()
        history = getattr(self.model, "history", None)  # fit(resume=True): carry on
        if history is not None:
            for epoch, value in zip(history.epoch, history.history.get(self.monitor, ())):
                self._record(epoch, value, reduce=False)

    def on_epoch_begin(self, epoch, logs=None):
        if logs is not None:  # fit passes these on to on_epoch_end, so History records it
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)

    def on_epoch_end(self, epoch, logs=None):
        self._record(epoch, self.tracker.value(logs, "ReduceLROnPlateau"))

    def _record(self, epoch: int, value: float, reduce: bool = True) -> None:
        """Count one epoch's value; lower the rate when it is time (``reduce``)."""
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.tracker.update(epoch, value):  # (NaN never improves)
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                if reduce and not self._lower(epoch):
                    return  # already at min_lr: keep counting, as Keras does
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _lower(self, epoch: int) -> bool:
        """Multiply the learning rate by ``factor`` (not below ``min_lr``); False if at it."""
        optimizer = self.model.optimizer
        old = float(optimizer.learning_rate)
        if old <= self.min_lr:
            return False
        optimizer.learning_rate = max(old * self.factor, self.min_lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                  f"{optimizer.learning_rate:g}.", file=sys.stderr)
        return True
