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
* the callbacks, called only where they do something;
* under a distributed ``strategy`` (:mod:`plainnet.distributed`): this rank's
  piece of each global batch, the gradients averaged over the ranks after
  ``backward`` (with Ctrl-C and divergence shared in the same Allreduce), and
  the epoch's loss, metrics and validation computed over every rank's rows.
  With ``strategy=None`` none of this runs.
"""

from __future__ import annotations

import math
import signal
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import losses
from .._validation import all_finite
from ..errors import TrainingDivergedError
from . import kernels
from .callbacks import Callback, History
from .data import ArrayData
from .divergence import DivergenceWatch
from .evaluation import forward_body
from .fused import FusedStep, StepOverflow
from .masking import forward_masked, loss_weights, metric_weights, produces_masks
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
    strategy : MPIStrategy or None
        How the ranks share the work (see :mod:`plainnet.distributed`); None: alone.
    """

    def __init__(self, model: Any, callbacks: list[Callback], total_epochs: int,
                 strategy: Any = None) -> None:
        self.model, self.callbacks, self.total_epochs = model, callbacks, total_epochs
        self.strategy = strategy
        self.packed = packed_parameters(model)
        self.update = FusedStep(model.optimizer, self.packed)
        body = model.body_layers()
        self.body = body
        self.masking, self.mask = produces_masks(body), None  # padded sequences
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
        # (Under a strategy, every epoch: ranks with other callbacks must raise together.)
        self.check_every_epoch = strategy is not None or any(
            not isinstance(cb, (History, ProgressBar, EpochLogger)) for cb in callbacks)
        earlier = model.history.history.get("loss") if model.history and model.epochs_done else None
        self.watch = DivergenceWatch(earlier[0] if earlier else None)
        self.interrupted = False
        self._state_backup: list[tuple[np.ndarray, np.ndarray]] = []
        # under a strategy: this rank's rows in the batch, the step's shared results, and
        # whether a Ctrl-C shared during a step this rank had no rows for ended training
        self.count = self.global_count = 0
        self.global_loss, self.shared_stop, self.stopped = 0.0, False, False

    # ------------------------------------------------------------ around the loop
    def __enter__(self) -> TrainingRun:
        # NumPy's overflow warnings are silenced: plainnet detects what they would say
        # (a non-finite loss or weights, an overflowing update) and reports it once.
        self._errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
        self._errstate.__enter__()
        self._restore_sigint = self._catch_ctrl_c()
        self.model.stop_training = False
        self.started: list[Callback] = []  # on_train_end goes to these only
        try:
            if self.strategy is not None:  # rank 0's weights, state, generator, history
                self.strategy.start(self.model, self.model.history)
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
        self._errstate.__exit__(None, None, None)
        self._restore_sigint()
        self.packed.settle()  # the layers' arrays are the same objects as before fit
        for cb in self.started:
            cb.on_train_end({"failed": True} if error_type is not None else {})
        if self.strategy is not None:  # an error on this rank alone ends every rank
            self.strategy.finish(error)

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
            self.epoch, self.loss_sum, self.n_seen = epoch, 0.0, 0
            self.outputs, self.targets, self.weights = [], [], []
            self.metric_sums: dict[str, float] = {}  # sequences: metrics summed batch by batch
            self.positions = 0.0
            yield epoch

    def batches(self, data: Any, batch_size: int, shuffle: Any
                ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """``(x, y, sample_weight)`` of each batch of ``data`` (ArrayData or StreamData),
        in this epoch's order."""
        n = data.n_samples
        order = None
        if n is None:  # a stream: its own order
            pass
        elif callable(shuffle):
            order = check_order(shuffle(n), n)
        elif self.strategy is not None:  # the one-process order, or (sharded) the rank's own
            if shuffle and batch_size < self.strategy.n_samples:
                order = self.strategy.order(self.model.rng, n)
        elif shuffle and batch_size < n:  # one batch of everything: order is moot
            order = self.model.rng.permutation(n)
        bounds = None if self.strategy is None else self.strategy.batch_bounds(n, batch_size)
        self.batch = -1
        for self.batch, batch in enumerate(data.batches(batch_size, order, bounds)):
            if bounds is not None:
                self.count = len(batch[0])
                if self.count == 0:  # no rows here in this (small) batch: a zero in the sum
                    if self.idle_step():
                        return
                    continue
            yield batch
        if getattr(data, "exhausted", False):
            self.model.stop_training = True

    # ------------------------------------------------------- the steps, made fast
    def forward(self, x: np.ndarray) -> np.ndarray:
        """The body's output in training mode (what the loss reads)."""
        if self.masking:  # each layer given the padding mask (see training.masking)
            x, self.mask = forward_masked(self.body, x, True)
            return x
        for forward in self.forward_steps:
            x = forward(x, True)
        return x

    def loss_weights(self, weights: np.ndarray | None) -> np.ndarray | None:
        """The batch's sample weights, with the padded steps of its sequences left out."""
        if self.mask is None:
            return weights
        return loss_weights(weights, self.mask, self.model.dtype)

    def backward(self, grad: np.ndarray) -> None:
        """Backpropagate ``dL/d(output)`` through the body, into the packed gradients.

        Gradients a layer set as new arrays, and parameters anything replaced
        since the last step (a callback, the layer itself), are copied in here.
        """
        for backward in self.backward_steps:
            grad = backward(grad)
        self.packed.collect()
        if self.strategy is not None:
            self.share()

    def step(self) -> None:
        """One optimizer step on every trainable parameter (taken back if it overflows)."""
        try:
            self.update()
        except StepOverflow as error:
            self.diverged(f"the optimizer's update overflowed ({error})")

    # ------------------------------------------------------------ divergence
    def check(self, loss: float) -> None:
        """Raise (after rolling back the last step) unless ``loss`` is finite.

        Under a strategy the verdict waits for :meth:`share`, where every rank
        learns which ranks' losses were not finite.
        """
        self.loss, self.failed = loss, not math.isfinite(loss)
        if self.failed:
            if self.strategy is None:
                self.diverged(f"a loss of {loss}")
            return
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
        error = TrainingDivergedError(
            f"training diverged: {what} at epoch {self.epoch + 1}, batch {self.batch + 1}; "
            "the weights of the last step with a finite loss were restored. Try a smaller "
            "learning rate, scaling the inputs, or clipnorm on the optimizer"
        )
        if self.strategy is not None:
            error.all_ranks = True  # every rank saw the same and raises: nothing to abort
        raise error

    # ------------------------------------------------------------ distributed
    def share(self) -> None:
        """Average the gradient over the ranks (one Allreduce; see :mod:`plainnet.distributed`).

        The same Allreduce tells every rank whether any rank's loss was not
        finite (then all roll back and raise together) or saw Ctrl-C.
        """
        self.global_loss, self.global_count, failed, self.shared_stop = (
            self.strategy.share_step(self.packed.grad, self.loss, self.count, self.failed,
                                     self.interrupted))
        if failed:
            ranks = ", ".join(str(rank) for rank in failed)
            self.diverged(f"a non-finite loss on rank {ranks} of {self.strategy.size}")

    def idle_step(self) -> bool:
        """A step to which this rank brings no rows: it joins the Allreduce and the update.

        Returns True if Ctrl-C on some rank ends training here (as the others stop).
        """
        self.loss, self.failed = 0.0, False
        self.share()
        self.step()
        for cb in self.batch_callbacks:
            cb.on_batch_end(self.batch, {"loss": self.global_loss, "size": self.global_count})
        if self.shared_stop:
            warn_interrupted(self.epoch, self.batch)
            self.stopped = True
        return self.stopped

    def validate(self, validation: Any) -> dict[str, float]:
        """Loss and metrics on the validation data; under a strategy each rank scores its
        contiguous share of the rows and the outputs are gathered (same numbers as alone)."""
        model = self.model
        if self.strategy is None:
            return model._evaluate_data(validation)
        start, stop = self.strategy.share_of(validation.n_samples)
        part = ArrayData(*(None if a is None else a[start:stop]
                           for a in (validation.X, validation.y, validation.weights)))
        outputs, y, weights = self.strategy.gather_rows(
            forward_body(model, part.X), part.y, part.weights)
        weighted = {} if weights is None else {"sample_weight": weights}
        from_logits = losses.output_mode(model.loss, model.layers[-1])[1]
        loss = model.loss(y, outputs, from_logits=from_logits, **weighted)
        return {"loss": loss + sum(layer.regularization_loss() for layer in model.layers),
                **model.metric_values(y, outputs, weights)}

    # --------------------------------------------------------------- callbacks
    def batch_done(self, loss: float, output: np.ndarray, y: np.ndarray,
                   weights: np.ndarray | None) -> bool:
        """Record a batch, tell the callbacks; True if Ctrl-C asks to stop."""
        size = len(output)
        self.loss_sum += loss * size
        self.n_seen += size
        if self.model.metric_names and output.ndim > 2:  # sequences: metrics batch by batch
            self._add_sequence_metrics(output, y, metric_weights(weights, self.mask))
        elif self.model.metric_names:
            self.outputs.append(output)
            self.targets.append(y)
            if weights is not None:
                self.weights.append(weights)
        if self.batch_callbacks:
            logs = ({"loss": loss, "size": size} if self.strategy is None else
                    {"loss": self.global_loss, "size": self.global_count})
            for cb in self.batch_callbacks:
                cb.on_batch_end(self.batch, logs)
        stop = self.interrupted if self.strategy is None else self.shared_stop
        if stop:
            warn_interrupted(self.epoch, self.batch)
        return stop

    def _add_sequence_metrics(self, output, y, weights) -> None:
        """Add a batch's metrics, weighted by its (real) positions: storing every step's
        outputs for the epoch would take too much memory for a language model."""
        count = output[..., 0].size if weights is None else float(np.sum(weights))
        for name, value in self.model.metric_values(y, output, weights).items():
            self.metric_sums[name] = self.metric_sums.get(name, 0.0) + value * count
        self.positions += count

    def epoch_logs(self) -> dict[str, float]:
        """The epoch's mean loss and its metrics over the outputs seen in training.

        Under a strategy: over every rank's outputs, with BatchNorm's running
        statistics first replaced by their mean over the ranks.
        """
        strategy = self.strategy
        if self.stopped:  # Ctrl-C ended the epoch in a step this rank had no rows for
            return {}
        if strategy is not None:
            strategy.average([getattr(layer, name) for layer, name in self.state_names])
        if (self.check_every_epoch or self.epoch + 1 == self.total_epochs) and not (
                all_finite(self.packed.param)
                and all(all_finite(a) for a, _ in self._state_backup)):
            self.diverged("non-finite weights")
        loss_sum, n_seen = self.loss_sum, self.n_seen
        if strategy is not None:
            loss_sum, n_seen = strategy.total(loss_sum, n_seen)
        if n_seen == 0:  # a stream with no batches left: nothing to log
            return {}
        logs = {"loss": loss_sum / n_seen}
        if self.positions:
            logs.update({k: v / self.positions for k, v in self.metric_sums.items()})
        if self.outputs or (strategy is not None and self.model.metric_names):
            targets, outputs, weights = (np.concatenate(parts) if parts else None for parts in
                                         (self.targets, self.outputs, self.weights))
            if strategy is not None:
                targets, outputs, weights = strategy.gather_rows(targets, outputs, weights)
            logs.update(self.model.metric_values(targets, outputs, weights))
        return logs

    def epoch_done(self, logs: dict[str, float]) -> bool:
        """Tell the callbacks an epoch ended; True if Ctrl-C asks to stop."""
        if self.stopped or (self.n_seen == 0 and self.strategy is None):
            return True  # nothing was trained (a stream ran out): not an epoch
        logs.update(self.begin_logs)
        self.watch.check(self.epoch, logs)  # warns once if training blew up while finite
        self.model.epochs_done += 1
        for cb in self.callbacks:
            cb.on_epoch_end(self.epoch, logs)
        if self.strategy is not None:  # Ctrl-C or a stop asked on any rank stops them all
            interrupted, stop = self.strategy.total(self.interrupted, self.model.stop_training)
            self.interrupted, self.model.stop_training = interrupted > 0, stop > 0
        if self.interrupted:  # Ctrl-C during validation or a callback
            warn_interrupted(self.epoch, self.batch)
        return self.interrupted
