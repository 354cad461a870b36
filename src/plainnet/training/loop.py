"""Everything around ``fit``'s loop that is not the maths.

``Sequential.fit`` shows the loop itself (forward, loss, backward, step);
:class:`TrainingRun` supplies, as named steps:

* the batches of each epoch, in the model generator's shuffled order;
* the fast forms of those steps (packed parameters, Dense kernels, fused
  updates: :mod:`~plainnet.training.packing`, :mod:`~plainnet.training.kernels`,
  :mod:`~plainnet.training.fused`), with the same numbers as the plain ones;
* the rollback when the loss stops being finite (``TrainingDivergedError``
  with the weights from before the last step);
* Ctrl-C (stop after the current batch, keep what was learnt);
* the callbacks, called only where they do something.
"""

from __future__ import annotations

import math
import signal
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validation import all_finite
from ..errors import TrainingDivergedError
from . import kernels
from .callbacks import Callback, History
from .fused import FusedStep
from .packing import PackedParameters
from .progress import EpochLogger, ProgressBar, warn_interrupted

__all__ = ["TrainingRun", "packed_parameters"]

#: the packed parameters of each model (weakly held: they go with the model)
_PACKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def packed_parameters(model: Any) -> PackedParameters:
    """The model's trainable parameters packed into one vector (made once, kept)."""
    packed = _PACKED.get(model)
    if packed is None or not packed.fits(model.layers):
        packed = _PACKED[model] = PackedParameters(model.layers, model.dtype)
    packed.sync_params()
    return packed


def check_order(order: Any, n: int) -> np.ndarray:
    """The sample order a ``shuffle`` callable returned, checked: a permutation of n rows."""
    order = np.asarray(order)
    if (order.shape != (n,) or order.dtype.kind not in "iu"
            or not np.array_equal(np.sort(order), np.arange(n))):
        raise ValueError(
            f"the shuffle callable must return a permutation of range({n}) as integers, "
            f"got an array of shape {order.shape} and dtype {order.dtype}"
        )
    return order


class TrainingRun:
    """One call of ``fit``: its helpers, used as a context manager around the loop.

    Parameters
    ----------
    model : Sequential
        Compiled and built.
    callbacks : list of Callback
        Every callback, ``History`` and progress output included.
    total_epochs : int
    """

    def __init__(self, model: Any, callbacks: list[Callback], total_epochs: int) -> None:
        self.model, self.callbacks, self.total_epochs = model, callbacks, total_epochs
        self.packed = packed_parameters(model)
        self.update = FusedStep(model.optimizer, self.packed)
        body = model.body_layers()
        self.forward_steps = kernels.forward_steps(body)
        self.backward_steps = kernels.backward_steps(body)[::-1]  # last layer first
        # the arrays of saved state (running statistics), backed up before each step
        self.state_names = [(layer, name) for layer in model.layers
                            for name in layer.state_names]
        # the callbacks that do something at the start of an epoch and after a batch
        self.begin_callbacks = [cb for cb in callbacks
                                if type(cb).on_epoch_begin is not Callback.on_epoch_begin]
        self.batch_callbacks = [cb for cb in callbacks
                                if type(cb).on_batch_end is not Callback.on_batch_end]
        # The weights after an epoch are checked before callbacks see them (a checkpoint must
        # not save NaNs); with none that looks at weights, only the final epoch needs it.
        self.check_every_epoch = any(not isinstance(cb, (History, ProgressBar, EpochLogger))
                                     for cb in callbacks)
        self.interrupted = False
        self.order: np.ndarray | None = None
        self._state_backup: list[tuple[np.ndarray, np.ndarray]] = []

    # ------------------------------------------------------------ around the loop
    def __enter__(self) -> TrainingRun:
        self._restore_sigint = self._catch_ctrl_c()
        self.model.stop_training = False
        self.started: list[Callback] = []  # on_train_end goes to these only
        try:
            for cb in self.callbacks:
                cb.set_model(self.model)
            for cb in self.callbacks:
                cb.on_train_begin({})
                self.started.append(cb)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        self._restore_sigint()
        self.packed.settle()  # the layers' arrays are the same objects as before fit
        for cb in self.started:
            cb.on_train_end({"failed": True} if error_type is not None else {})

    def _catch_ctrl_c(self) -> Any:
        """Turn the first Ctrl-C into a flag checked after each batch; return the undo."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = signal.getsignal(signal.SIGINT)
        if previous is signal.SIG_IGN or previous is None:  # ignored, or not Python's
            return lambda: None

        def handler(signum, frame):
            self.interrupted = True
            signal.signal(signal.SIGINT, previous)  # a second Ctrl-C stops at once

        try:
            signal.signal(signal.SIGINT, handler)
        except ValueError:  # not allowed here (e.g. an embedded interpreter)
            return lambda: None
        return lambda: signal.signal(signal.SIGINT, previous)

    # -------------------------------------------------------------------- epochs
    def epochs(self, first: int) -> Iterator[int]:
        """The epochs still to run, until a callback sets ``model.stop_training``."""
        for epoch in range(first, self.total_epochs):
            if self.model.stop_training:
                return
            self.begin_logs: dict[str, float] = {}  # what callbacks log here (learning_rate)
            for cb in self.begin_callbacks:
                cb.on_epoch_begin(epoch, self.begin_logs)
            self.epoch, self.loss_sum, self.outputs = epoch, 0.0, []
            yield epoch

    def batches(self, X: np.ndarray, y: np.ndarray, batch_size: int,
                shuffle: Any) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(x, y)`` of each batch, in this epoch's order (rows gathered, no full copy)."""
        n = len(X)
        self.order = None
        if callable(shuffle):
            self.order = check_order(shuffle(n), n)
        elif shuffle and batch_size < n:  # one batch of everything: order is moot
            self.order = self.model.rng.permutation(n)
        for self.batch, start in enumerate(range(0, n, batch_size)):
            if self.order is None:
                yield X[start:start + batch_size], y[start:start + batch_size]
            else:
                rows = self.order[start:start + batch_size]
                yield X.take(rows, axis=0), y.take(rows, axis=0)

    # ------------------------------------------------------- the steps, made fast
    def forward(self, x: np.ndarray) -> np.ndarray:
        """The body's output in training mode (what the loss reads)."""
        for forward in self.forward_steps:
            x = forward(x, True)
        return x

    def backward(self, grad: np.ndarray) -> None:
        """Backpropagate ``dL/d(output)`` through the body, into the packed gradients.

        Gradients a layer set as new arrays, and parameters anything replaced
        since the last step (a callback, the layer itself), are copied in here.
        """
        for backward in self.backward_steps:
            grad = backward(grad)
        self.packed.collect()

    def step(self) -> None:
        """One optimizer step on every trainable parameter."""
        self.update()

    # ------------------------------------------------------------ divergence
    def check(self, loss: float) -> None:
        """Raise (after rolling back the last step) unless ``loss`` is finite."""
        if not math.isfinite(loss):
            self.diverged(f"a loss of {loss}")
        if not self.state_names:
            return
        arrays = [getattr(layer, name) for layer, name in self.state_names]
        if len(arrays) != len(self._state_backup) or any(
                a is not kept for a, (kept, _) in zip(arrays, self._state_backup)):
            self._state_backup = [(a, a.copy()) for a in arrays]
        else:
            for array, copy in self._state_backup:
                np.copyto(copy, array)

    def diverged(self, what: str) -> None:
        """Put back the weights and state from before the last step, then raise."""
        self.update.undo()
        for array, copy in self._state_backup:
            np.copyto(array, copy)
        raise TrainingDivergedError(
            f"training diverged: {what} at epoch {self.epoch + 1}, batch {self.batch + 1}; "
            "the weights of the last step with a finite loss were restored. Try a smaller "
            "learning rate, scaling the inputs, or clipnorm on the optimizer"
        )

    # --------------------------------------------------------------- callbacks
    def batch_done(self, loss: float, size: int, output: np.ndarray) -> bool:
        """Record a batch, tell the callbacks; True if Ctrl-C asks to stop."""
        self.loss_sum += loss * size
        if self.model.metric_names:
            self.outputs.append(output)
        if self.batch_callbacks:
            logs = {"loss": loss, "size": size}
            for cb in self.batch_callbacks:
                cb.on_batch_end(self.batch, logs)
        if self.interrupted:
            warn_interrupted(self.epoch, self.batch)
        return self.interrupted

    def epoch_logs(self, y: np.ndarray) -> dict[str, float]:
        """The epoch's mean loss and its metrics over the outputs seen in training."""
        if (self.check_every_epoch or self.epoch + 1 == self.total_epochs) and not (
                all_finite(self.packed.param)
                and all(all_finite(a) for a, _ in self._state_backup)):
            self.diverged("non-finite weights")
        logs = {"loss": self.loss_sum / len(y)}
        if self.outputs:
            y_seen = y if self.order is None else y.take(self.order, axis=0)
            logs.update(self.model.metric_values(y_seen, np.concatenate(self.outputs)))
        return logs

    def epoch_done(self, logs: dict[str, float]) -> bool:
        """Tell the callbacks an epoch ended; True if Ctrl-C asks to stop."""
        logs.update(self.begin_logs)
        self.model.epochs_done += 1
        for cb in self.callbacks:
            cb.on_epoch_end(self.epoch, logs)
        if self.interrupted:  # Ctrl-C during validation or a callback
            warn_interrupted(self.epoch, self.batch)
        return self.interrupted
