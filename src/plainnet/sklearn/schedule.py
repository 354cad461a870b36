"""scikit-learn's training rules, run inside ``Sequential.fit``.

Three things scikit-learn's MLP does during an epoch that plainnet's loop
does not do by itself:

* it visits the samples in the order its ``RandomState`` draws
  (:class:`SklearnShuffle`, passed as ``fit(shuffle=...)``);
* it scales the L2 penalty by the size of each batch, the short last one
  included, and runs its stopping rules after each epoch
  (:class:`SklearnSchedule`, a callback);
* its SGD changes the learning rate between epochs ("invscaling",
  "adaptive") without disturbing the momentum (:func:`set_learning_rate`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..callbacks import Callback
from ..layers import Dense
from ..optimizers import Optimizer

__all__ = ["SklearnSchedule", "SklearnShuffle", "set_learning_rate"]


class SklearnShuffle:
    """Each epoch's sample order, drawn exactly as scikit-learn's MLP draws it.

    scikit-learn reshuffles the previous epoch's order (``order =
    order[random_state.permutation(n)]``) with its ``RandomState``; passing
    this as ``Sequential.fit(shuffle=...)`` makes plainnet visit the batches
    in the same sequence.
    """

    def __init__(self, random_state: np.random.RandomState, n_samples: int) -> None:
        self.random_state = random_state
        self.order = np.arange(n_samples)

    def __call__(self, n_samples: int) -> np.ndarray:
        self.order = self.order[self.random_state.permutation(n_samples)]
        return self.order


class SklearnSchedule(Callback):
    """Runs scikit-learn's per-batch and per-epoch rules inside ``Sequential.fit``.

    * before each batch, the ``l2`` of every ``Dense`` layer is
      ``alpha / (2 * batch size * weight_scale)``, so the penalty matches
      scikit-learn's ``0.5 * alpha * ||W||**2 / n_batch`` also on a smaller
      last batch (with sample weights, scikit-learn divides by the batch's
      total weight instead of ``n_batch``: ``batch size * weight_scale``, the
      mean weight, is that total for a full batch, and on average otherwise);
    * after each epoch, ``end_epoch(loss)`` is called with the epoch's loss:
      the estimator records it, checks for convergence (or the validation
      score) and returns True to stop training.

    Parameters
    ----------
    dense : list of Dense
        The layers whose ``l2`` follows the batch size.
    alpha : float
        scikit-learn's L2 strength.
    n_samples, batch_size : int
        Training samples per epoch and the size of a full batch.
    end_epoch : callable
        ``end_epoch(loss) -> bool``, called after each epoch.
    weight_scale : float, default 1.0
        The mean sample weight (1 without weights).
    """

    def __init__(self, dense: list[Dense], alpha: float, n_samples: int, batch_size: int,
                 end_epoch: Callable[[float], bool], weight_scale: float = 1.0) -> None:
        super().__init__()
        self.weight_scale = float(weight_scale)
        self.dense = dense
        self.alpha = float(alpha)
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.end_epoch = end_epoch

    def set_l2(self, batch_size: int) -> None:
        """Set every layer's ``l2`` to ``alpha / (2 * batch_size * weight_scale)``."""
        l2 = self.alpha / (2.0 * batch_size * self.weight_scale)
        for layer in self.dense:
            layer.l2 = l2

    def on_epoch_begin(self, epoch, logs=None):
        self.set_l2(self.batch_size)

    def on_batch_end(self, batch, logs=None):
        remaining = self.n_samples - (batch + 1) * self.batch_size
        if 0 < remaining < self.batch_size:  # the next batch is the short last one
            self.set_l2(remaining)

    def on_epoch_end(self, epoch, logs=None):
        if self.end_epoch(logs["loss"]):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.set_l2(self.batch_size)


def set_learning_rate(optimizer: Optimizer, new: float) -> None:
    """Change SGD's learning rate the way scikit-learn's schedules do.

    scikit-learn's momentum buffer holds steps (``v = momentum * v - lr * g``),
    plainnet's holds gradients (``v = momentum * v + g``, step ``lr * v``):
    rescaling plainnet's buffer by ``old / new`` keeps the pending momentum
    step unchanged, so the two follow the same path.
    """
    old, optimizer.learning_rate = optimizer.learning_rate, new
    if new > 0:
        for state in optimizer.state.values():
            if "velocity" in state:
                state["velocity"] *= old / new
