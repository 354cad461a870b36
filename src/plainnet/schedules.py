"""Learning-rate schedules: a learning rate that changes with the step count.

A schedule is a callable ``schedule(step) -> learning_rate`` where ``step``
counts optimizer updates (batches) from 0. Pass one as the
``learning_rate`` of any optimizer::

    Adam(learning_rate=CosineDecay(1e-3, decay_steps=10_000))

The optimizer evaluates ``schedule(optimizer.iterations)`` before each
update, so the first update uses ``schedule(0)``.
"""

from __future__ import annotations

import math
from typing import Any

from ._validation import check_bool, check_float, check_int

__all__ = ["CosineDecay", "ExponentialDecay", "Schedule", "StepDecay", "WarmupCosineDecay",
           "SCHEDULE_TYPES"]


class Schedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class ExponentialDecay(Schedule):
    """``lr = initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is rounded down, so the rate drops
    in steps every ``decay_steps`` updates.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False) -> None:
        self.initial_learning_rate = check_float("initial_learning_rate",
                                                 initial_learning_rate, 0.0)
        self.decay_steps = check_int("decay_steps", decay_steps, 1)
        self.decay_rate = check_float("decay_rate", decay_rate, 0.0, min_inclusive=False)
        self.staircase = check_bool("staircase", staircase)

    def __call__(self, step: int) -> float:
        exponent = step / self.decay_steps
        if self.staircase:
            exponent = math.floor(exponent)
        return self.initial_learning_rate * self.decay_rate**exponent

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase}


class StepDecay(Schedule):
    """``lr = initial_learning_rate * gamma ** floor(step / step_size)``."""

    def __init__(self, initial_learning_rate: float, step_size: int, gamma: float = 0.1) -> None:
        self.initial_learning_rate = check_float("initial_learning_rate",
                                                 initial_learning_rate, 0.0)
        self.step_size = check_int("step_size", step_size, 1)
        self.gamma = check_float("gamma", gamma, 0.0, min_inclusive=False)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.gamma ** (step // self.step_size)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "step_size": self.step_size, "gamma": self.gamma}


class CosineDecay(Schedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha * initial`` in
    ``decay_steps`` updates, then constant::

        t = min(step, decay_steps) / decay_steps
        lr = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * t)) + alpha)
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0) -> None:
        self.initial_learning_rate = check_float("initial_learning_rate",
                                                 initial_learning_rate, 0.0)
        self.decay_steps = check_int("decay_steps", decay_steps, 1)
        self.alpha = check_float("alpha", alpha, 0.0, 1.0)

    def __call__(self, step: int) -> float:
        t = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * t))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha}


class WarmupCosineDecay(Schedule):
    """Linear warmup to ``peak_learning_rate``, then half a cosine down to ``alpha * peak``.

    The schedule transformers are trained with (GPT-2, nanoGPT): large early
    steps taken from random weights make Adam's first moment estimates
    unstable, so the rate climbs for ``warmup_steps`` updates first::

        step <  warmup_steps:  lr = peak * (step + 1) / warmup_steps
        step >= warmup_steps:  t  = min(step - warmup_steps, decay_steps) / decay_steps
                               lr = peak * ((1 - alpha) * 0.5 * (1 + cos(pi * t)) + alpha)

    The first update (step 0) already moves, at ``peak / warmup_steps``; the
    last warmup step reaches ``peak``, and the cosine starts from it. After
    ``warmup_steps + decay_steps`` updates the rate stays at ``alpha * peak``.
    ``warmup_steps=0`` is :class:`CosineDecay`.

    Parameters
    ----------
    peak_learning_rate : float >= 0
    warmup_steps : int >= 0
        Updates spent climbing linearly to the peak.
    decay_steps : int >= 1
        Updates of the cosine after the warmup.
    alpha : float in [0, 1], default 0.0
        Final rate as a fraction of the peak (nanoGPT uses 0.1).
    """

    def __init__(self, peak_learning_rate: float, warmup_steps: int, decay_steps: int,
                 alpha: float = 0.0) -> None:
        self.peak_learning_rate = check_float("peak_learning_rate", peak_learning_rate, 0.0)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, 0)
        self.decay_steps = check_int("decay_steps", decay_steps, 1)
        self.alpha = check_float("alpha", alpha, 0.0, 1.0)

    def __call__(self, step: int) -> float:
        peak = self.peak_learning_rate
        if step < self.warmup_steps:
            return peak * (step + 1) / self.warmup_steps
        t = min(step - self.warmup_steps, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * t))
        return peak * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"peak_learning_rate": self.peak_learning_rate,
                "warmup_steps": self.warmup_steps, "decay_steps": self.decay_steps,
                "alpha": self.alpha}


SCHEDULE_TYPES: dict[str, type[Schedule]] = {
    cls.__name__: cls for cls in (ExponentialDecay, StepDecay, CosineDecay, WarmupCosineDecay)
}
