"""The learning-rate range test: train briefly at ever larger rates and watch the loss.

Leslie Smith's test (and fastai's ``lr_find``): starting from the model as it
is, take ``num_steps`` optimizer steps, one batch each, with the learning rate
growing exponentially from ``start_lr`` to ``end_lr``::

    lr_i = start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))

and record each batch's loss. The loss first barely moves (rate too small),
then falls, then explodes (rate too large). A good learning rate lies
where it falls fast, well before the bottom (a tenth of the rate at the
bottom is a common choice). Afterwards the model's weights,
its optimizer (state, step count, learning rate) and its random generator are
put back exactly as they were: the test changes nothing.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import as_float_array, check_bool, check_float, check_inputs, check_int
from ..errors import NotCompiledError

__all__ = ["LRFindResult", "lr_find"]


@dataclass
class LRFindResult:
    """What :func:`lr_find` measured.

    Attributes
    ----------
    learning_rates : ndarray, shape (steps,)
        The rate of each step taken.
    losses : ndarray, shape (steps,)
        The loss of each step's batch, computed before that step's update.
    smoothed_losses : ndarray, shape (steps,)
        Their exponential moving average, corrected for its start at zero:
        ``avg_i = beta avg_(i-1) + (1 - beta) loss_i``; ``smoothed_i = avg_i / (1 - beta**(i+1))``.
    stopped_early : bool
        Whether the sweep stopped before ``end_lr`` because the loss exploded
        (or stopped being finite).
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    stopped_early: bool

    def suggestion(self) -> float:
        """A learning rate to start from: a tenth of the rate at the lowest smoothed loss.

        At the bottom of the curve the rate is already nearly too large (the
        loss explodes soon after), so a tenth of it is a safe, still fast
        choice (fastai's ``lr_min``). A starting point, not an answer: read
        the plot too.

        Raises
        ------
        ValueError
            If no step was recorded.
        """
        if len(self.learning_rates) == 0:
            raise ValueError("the sweep recorded no step (the first loss was not finite): "
                             "lower start_lr")
        return float(self.learning_rates[int(np.argmin(self.smoothed_losses))] / 10)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The loss against the learning rate (:func:`plainnet.plotting.lr_range.plot_lr_find`)."""
        from ..plotting.lr_range import plot_lr_find  # matplotlib: an upper floor, optional

        return plot_lr_find(self, ax=ax, **kwargs)


def lr_find(model: Any, X: Any, y: Any, start_lr: float = 1e-7, end_lr: float = 10.0,
            num_steps: int = 100, batch_size: int = 32, smoothing: float = 0.98,
            diverge_factor: float = 4.0, shuffle: bool = True) -> LRFindResult:
    """Run the learning-rate range test on a compiled model; leave the model as it was.

    Parameters
    ----------
    model : Sequential
        Compiled (its optimizer is the one tested); built, or built here
        from ``X`` as ``fit`` would.
    X, y : array-like
        Training data, as for ``fit``.
    start_lr, end_lr : float, defaults 1e-7 and 10
        The first and last learning rates, ``0 < start_lr < end_lr``.
    num_steps : int, default 100
        Steps (batches) of the sweep, at least 2; the data are gone through
        again (reshuffled) as often as needed.
    batch_size : int, default 32
    smoothing : float in [0, 1), default 0.98
        ``beta`` of the moving average of the loss (0: no smoothing).
    diverge_factor : float > 1, default 4.0
        Stop once the smoothed loss exceeds this multiple of its lowest value.
    shuffle : bool, default True
        Draw the batches in a random order (from the model's generator,
        whose state is restored afterwards).

    Returns
    -------
    LRFindResult
        ``learning_rates``, ``losses``, ``smoothed_losses``, ``stopped_early``,
        ``suggestion()`` (a tenth of the rate at the lowest smoothed loss) and
        ``plot()``.

    Raises
    ------
    NotCompiledError
        If the model is not compiled.
    ValueError, TypeError
        For bad arguments or data (named in the message).

    Examples
    --------
    >>> result = lr_find(model, X, y, num_steps=60)          # doctest: +SKIP
    >>> result.suggestion()                                  # doctest: +SKIP
    >>> result.plot().savefig("lr_find.png")                 # doctest: +SKIP
    """
    start_lr = check_float("start_lr", start_lr, 0.0, min_inclusive=False)
    end_lr = check_float("end_lr", end_lr, start_lr, min_inclusive=False)
    num_steps = check_int("num_steps", num_steps, 2)
    batch_size = check_int("batch_size", batch_size, 1)
    smoothing = check_float("smoothing", smoothing, 0.0, 1.0, max_inclusive=False)
    diverge_factor = check_float("diverge_factor", diverge_factor, 1.0, min_inclusive=False)
    shuffle = check_bool("shuffle", shuffle)
    if not getattr(model, "compiled", False):
        raise NotCompiledError("call compile(loss=..., optimizer=...) before lr_find(); the "
                               "model does not know its loss and optimizer yet")
    X = as_float_array("X", X, model.dtype)
    if not model.built:
        model.build(X.shape[1:])
    X = check_inputs(X, model.input_shape)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; they must match")

    rates = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    saved = _Snapshot(model)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            losses, stopped = _sweep(model, X, y, rates, batch_size, shuffle, smoothing,
                                     diverge_factor)
    finally:
        saved.restore(model)
    losses = np.asarray(losses, dtype=np.float64)
    return LRFindResult(rates[:len(losses)], losses, _smooth(losses, smoothing), stopped)


def _sweep(model, X, y, rates, batch_size, shuffle, smoothing, diverge_factor):
    """Take one step per rate; return the batch losses and whether the loss exploded."""
    optimizer, n = model.optimizer, len(X)
    batch_size = min(batch_size, n)
    losses: list[float] = []
    average, best = 0.0, math.inf
    order, start = np.arange(n), n  # start = n: draw a new order at the first step
    for step, rate in enumerate(rates):
        if start + batch_size > n:  # the data are used up: go through them again
            order = model.rng.permutation(n) if shuffle else np.arange(n)
            start = 0
        rows = order[start:start + batch_size]
        start += batch_size
        optimizer.learning_rate = float(rate)
        loss = model.compute_gradients(X[rows], y[rows])  # forward, loss, backward
        if not math.isfinite(loss):
            return losses, True
        losses.append(loss)
        average = smoothing * average + (1 - smoothing) * loss
        smoothed = average / (1 - smoothing ** (step + 1))
        best = min(best, smoothed)
        if step > 0 and smoothed > diverge_factor * best:
            return losses, True
        optimizer.step(model.trainable_parameters())
    return losses, False


def _smooth(losses: np.ndarray, beta: float) -> np.ndarray:
    """The bias-corrected exponential moving average of ``losses``."""
    smoothed, average = np.empty_like(losses), 0.0
    for i, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        smoothed[i] = average / (1 - beta ** (i + 1))
    return smoothed


class _Snapshot:
    """Everything the sweep changes, copied: weights, optimizer, random generator."""

    def __init__(self, model: Any) -> None:
        optimizer = model.optimizer
        self.weights = model.get_weights()  # copies, running statistics included
        self.state = {name: {slot: array.copy() for slot, array in slots.items()}
                      for name, slots in optimizer.state.items()}
        self.iterations = optimizer.iterations
        self.learning_rate = optimizer.learning_rate  # a number or a schedule object
        self.rng_state = copy.deepcopy(model.rng.bit_generator.state)

    def restore(self, model: Any) -> None:
        optimizer = model.optimizer
        model.set_weights(self.weights)
        optimizer.state = self.state
        optimizer.iterations = self.iterations
        optimizer.learning_rate = self.learning_rate
        model.rng.bit_generator.state = self.rng_state
        model.clear_caches()
