"""Optimizers: turn gradients into parameter updates.

An optimizer sees only ``(name, parameter, gradient)`` triples; it never
knows which layer a parameter belongs to. Each one is its update rule,
:meth:`Optimizer.update`, written once as the formula below, and the state
that rule keeps per parameter (momentum, moment estimates) in
``self.state[name][slot]``.

Update rules (``g`` is the gradient, ``lr`` the learning rate, ``t`` the step,
counted from 1), as PyTorch defines them:

* SGD:      ``v = momentum * v + g``; ``p = p - lr * v``
  (Nesterov: ``p = p - lr * (g + momentum * v)``)
* Adam:     ``m = beta_1 * m + (1 - beta_1) * g``; ``v = beta_2 * v + (1 - beta_2) * g**2``;
  ``m_hat = m / (1 - beta_1**t)``; ``v_hat = v / (1 - beta_2**t)``;
  ``p = p - lr * m_hat / (sqrt(v_hat) + epsilon)``
* AdamW:    ``p = p * (1 - lr * weight_decay)``, then the Adam step
* RMSprop:  ``v = rho * v + (1 - rho) * g**2``; ``p = p - lr * g / (sqrt(v) + epsilon)``
* Adagrad:  ``s = s + g**2``; ``p = p - lr * g / (sqrt(s) + epsilon)``

Every optimizer takes ``clipnorm``: each gradient whose L2 norm exceeds it is
scaled down to that norm before the update. ``learning_rate`` may be a
number or a :mod:`plainnet.schedules` schedule, evaluated at each step.

``fit`` runs plainnet's own rules faster (fused, in place, on all the
parameters at once: :mod:`plainnet.training.fused`), with the same numbers.
An optimizer of your own only needs ``update``, and ``slots`` if it keeps state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._validation import check_bool, check_float, resolve
from .schedules import Schedule

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "get", "OPTIMIZER_TYPES"]

ParamTriple = tuple[str, np.ndarray, np.ndarray]


class Optimizer:
    """Base class: subclasses implement the rule :meth:`update`.

    Parameters
    ----------
    learning_rate : float or Schedule
    clipnorm : float or None
        Largest L2 norm allowed for each parameter's gradient.
    """

    name = "optimizer"
    #: names of the per-parameter state arrays this optimizer keeps
    slots: tuple[str, ...] = ()

    def __init__(self, learning_rate: float | Schedule = 0.01, clipnorm: float | None = None):
        if isinstance(learning_rate, Schedule):
            self.learning_rate: float | Schedule = learning_rate
        else:
            self.learning_rate = check_float("learning_rate", learning_rate, 0.0)
        self.clipnorm = None if clipnorm is None else check_float(
            "clipnorm", clipnorm, 0.0, min_inclusive=False)
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def current_learning_rate(self) -> float:
        """The learning rate the next step will use."""
        if isinstance(self.learning_rate, Schedule):
            return float(self.learning_rate(self.iterations))
        return float(self.learning_rate)

    def step(self, params: Iterable[ParamTriple]) -> None:
        """Update every parameter in place from its gradient: ``p[...] = update(p, g)``."""
        lr = self.current_learning_rate()
        self.iterations += 1
        for name, param, grad in params:
            param[...] = self.update(param, self.clip(grad), self.state_for(name, param), lr)

    def update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray],
               lr: float) -> np.ndarray:
        """The update rule: return the new value of parameter ``p`` given its gradient ``g``.

        ``state`` holds this parameter's slots (``state["m"]``, ...); the rule
        replaces them with their new values. ``self.iterations`` is the step
        ``t``, counted from 1.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    def clip(self, grad: np.ndarray) -> np.ndarray:
        """``grad`` scaled down to norm ``clipnorm`` if it is longer (else ``grad`` itself)."""
        if self.clipnorm is not None:
            norm = math.sqrt(float(np.vdot(grad, grad)))
            if norm > self.clipnorm:
                return grad * (self.clipnorm / norm)
        return grad

    def state_for(self, name: str, param: np.ndarray) -> dict[str, np.ndarray]:
        """The state of parameter ``name`` (its slots), created at the first step."""
        state = self.state.get(name)
        if state is None:
            state = self.state[name] = {s: self.initial_state(s, param) for s in self.slots}
        return state

    def initial_state(self, slot: str, param: np.ndarray) -> np.ndarray:
        """The value a state slot starts from (zeros unless an optimizer says otherwise)."""
        return np.zeros_like(param)

    def check_state(self, params: Iterable[ParamTriple]) -> None:
        """Refuse state held for parameters of another shape or dtype (another model's)."""
        for name, param, _ in params:
            for array in self.state.get(name, {}).values():
                if array.shape != param.shape or array.dtype != param.dtype:
                    raise ValueError(
                        f"the optimizer holds state for a parameter {name!r} of shape "
                        f"{array.shape} ({array.dtype}), but this model's has shape "
                        f"{param.shape} ({param.dtype}): it was used by another model; pass "
                        "a new optimizer, or call optimizer.reset() first"
                    )

    def convert_state(self, dtype: np.dtype) -> None:
        """Convert every state array to ``dtype`` (for a model copied to another dtype)."""
        self.state = {name: {slot: array.astype(dtype) for slot, array in slots.items()}
                      for name, slots in self.state.items()}

    def reset(self) -> None:
        """Forget all state (moments, step count)."""
        self.iterations = 0
        self.state = {}

    def get_config(self) -> dict[str, Any]:
        """Hyper-parameters as JSON-able values (a schedule as its type and config)."""
        lr = self.learning_rate
        if isinstance(lr, Schedule):
            lr = {"schedule": type(lr).__name__, "config": lr.get_config()}
        return {"learning_rate": lr, "clipnorm": self.clipnorm}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    ``v = momentum * v + g``; ``p = p - lr * v`` (with ``momentum=0``:
    ``p = p - lr * g``; Nesterov: ``p = p - lr * (g + momentum * v)``).

    Parameters
    ----------
    learning_rate : float or Schedule, default 0.01
    momentum : float in [0, 1), default 0.0
    nesterov : bool, default False
    clipnorm : float or None
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 clipnorm=None):
        super().__init__(learning_rate, clipnorm)
        self.momentum = check_float("momentum", momentum, 0.0, 1.0, max_inclusive=False)
        self.nesterov = check_bool("nesterov", nesterov)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.slots = ("velocity",) if self.momentum else ()

    def update(self, p, g, state, lr):
        if not self.momentum:
            return p - lr * g
        v = state["velocity"] = self.momentum * state["velocity"] + g
        if self.nesterov:  # look ahead: step along g + momentum * v
            return p - lr * (g + self.momentum * v)
        return p - lr * v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: per-parameter steps from running means of the gradient and its square.

    ``m = beta_1 * m + (1 - beta_1) * g``; ``v = beta_2 * v + (1 - beta_2) * g**2``;
    ``m_hat = m / (1 - beta_1**t)``; ``v_hat = v / (1 - beta_2**t)``;
    ``p = p - lr * m_hat / (sqrt(v_hat) + epsilon)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 0.001
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
    epsilon : float, default 1e-8
    clipnorm : float or None
    """

    name = "adam"
    slots = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, clipnorm=None):
        super().__init__(learning_rate, clipnorm)
        self.beta_1 = check_float("beta_1", beta_1, 0.0, 1.0, max_inclusive=False)
        self.beta_2 = check_float("beta_2", beta_2, 0.0, 1.0, max_inclusive=False)
        self.epsilon = check_float("epsilon", epsilon, 0.0)

    def update(self, p, g, state, lr):
        beta_1, beta_2, t = self.beta_1, self.beta_2, self.iterations
        m = state["m"] = beta_1 * state["m"] + (1 - beta_1) * g  # running mean of g
        v = state["v"] = beta_2 * state["v"] + (1 - beta_2) * g**2  # ... and of g**2
        m_hat = m / (1 - beta_1**t)  # bias corrections: m and v start at 0
        v_hat = v / (1 - beta_2**t)
        return p - lr * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p = p * (1 - lr * weight_decay)``, then Adam.

    Parameters
    ----------
    weight_decay : float, default 0.01
    (others as :class:`Adam`)
    """

    name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.01, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, clipnorm=None):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, clipnorm)
        self.weight_decay = check_float("weight_decay", weight_decay, 0.0)

    def update(self, p, g, state, lr):
        p = p * (1 - lr * self.weight_decay)  # decoupled weight decay, then Adam from there
        return super().update(p, g, state, lr)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


class RMSprop(Optimizer):
    """RMSprop: divide each step by a running root-mean-square of recent gradients.

    ``v = rho * v + (1 - rho) * g**2``; ``p = p - lr * g / (sqrt(v) + epsilon)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 0.001
    rho : float in [0, 1), default 0.9
    epsilon : float, default 1e-7
    clipnorm : float or None
    """

    name = "rmsprop"
    slots = ("v",)

    def __init__(self, learning_rate=0.001, rho: float = 0.9, epsilon: float = 1e-7,
                 clipnorm=None):
        super().__init__(learning_rate, clipnorm)
        self.rho = check_float("rho", rho, 0.0, 1.0, max_inclusive=False)
        self.epsilon = check_float("epsilon", epsilon, 0.0)

    def update(self, p, g, state, lr):
        v = state["v"] = self.rho * state["v"] + (1 - self.rho) * g**2
        return p - lr * g / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adagrad(Optimizer):
    """Adagrad: divide each step by the root of the sum of all past squared gradients.

    ``s = s + g**2``; ``p = p - lr * g / (sqrt(s) + epsilon)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 0.01
    initial_accumulator_value : float, default 0.0
    epsilon : float, default 1e-10
    clipnorm : float or None
    """

    name = "adagrad"
    slots = ("sum",)

    def __init__(self, learning_rate=0.01, initial_accumulator_value: float = 0.0,
                 epsilon: float = 1e-10, clipnorm=None):
        super().__init__(learning_rate, clipnorm)
        self.initial_accumulator_value = check_float(
            "initial_accumulator_value", initial_accumulator_value, 0.0)
        self.epsilon = check_float("epsilon", epsilon, 0.0)

    def initial_state(self, slot, param):
        return np.full_like(param, self.initial_accumulator_value)

    def update(self, p, g, state, lr):
        total = state["sum"] = state["sum"] + g**2  # sum of g**2 so far
        return p - lr * g / (np.sqrt(total) + self.epsilon)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


OPTIMIZER_TYPES: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)
}


def get(optimizer: str | Optimizer) -> Optimizer:
    """Return an optimizer from a name (``"adam"``, default settings) or the object itself."""
    return resolve("optimizer", optimizer, OPTIMIZER_TYPES, Optimizer)


