"""Checkpoints: a callback that saves the model to one file, atomically, as it trains."""

from __future__ import annotations

import os

from .._validation import check_bool
from ..training.callbacks import Callback
from ..training.monitor import Monitor
from .saving import save

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    """Save the model to one file, atomically, at the end of every epoch (or of the best ones).

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
    save_best_only : bool, default False
        Write the file only at the end of an epoch whose monitored value is
        the best so far, so that it holds the best model rather than the
        latest. An epoch is the best when

        ``value < best - min_delta`` (mode "min") or
        ``value > best + min_delta`` (mode "max"),

        the rule :class:`~plainnet.callbacks.EarlyStopping` applies
        (:class:`plainnet.training.monitor.Monitor`): with the same
        ``monitor``, ``mode`` and ``min_delta``, the file holds the weights that
        ``EarlyStopping(restore_best_weights=True)`` restores.
    monitor : str, default "val_loss"
        Key of the epoch logs to watch (``"loss"``, ``"val_accuracy"``, ...);
        used only with ``save_best_only``.
    mode : {"auto", "min", "max"}, default "auto"
        Whether smaller or larger is better; "auto" takes "max" for accuracy
        and r2 and "min" otherwise.
    min_delta : float, default 0.0
        Smallest change that counts as an improvement.

    Notes
    -----
    The model is saved only at the end of complete epochs, never after an
    early stop's weight restoration or a Ctrl-C in the middle of an epoch,
    so the file always describes the state at the start of the next epoch.
    Its random generator state is the one that epoch will shuffle with.

    With ``save_best_only`` and ``fit(resume=True)`` the best value is
    picked up from the run's history, so a resumed run does not overwrite the
    file with an epoch worse than one before the resume.
    """

    def __init__(self, path: str | os.PathLike, save_best_only: bool = False,
                 monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0) -> None:
        super().__init__()
        self.path = os.fspath(path)
        self.save_best_only = check_bool("save_best_only", save_best_only)
        self.tracker = Monitor(monitor, mode, min_delta)
        self.monitor, self.mode, self.min_delta = monitor, self.tracker.mode, self.tracker.min_delta

    best = property(lambda self: self.tracker.best,
                    doc="The best monitored value so far (with ``save_best_only``).")
    best_epoch = property(lambda self: self.tracker.best_epoch,
                          doc="Its epoch, the one in the file (None before any).")

    def on_train_begin(self, logs=None):
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):  # fail now, not after the first epoch
            raise FileNotFoundError(f"cannot write checkpoint {self.path!r}: the folder "
                                    f"{folder!r} does not exist")
        self.tracker.reset()
        if self.save_best_only:  # fit(resume=True): the best of the run so far counts
            history = getattr(self.model, "history", None)
            if history is not None:
                for epoch, value in zip(history.epoch, history.history.get(self.monitor, ())):
                    self.tracker.update(epoch, value)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            if not self.tracker.update(epoch, self.tracker.value(logs, "ModelCheckpoint")):
                return  # not an improvement: the file keeps the best epoch's model
        save(self.model, self.path)
