"""Optimizers: turn gradients into parameter updates.

An optimizer sees only ``(name, parameter, gradient)`` triples; it never
knows which layer a parameter belongs to. It updates each parameter **in
place** and keeps its own state (momentum, moment estimates) in
``self.state[name][slot]``, one dictionary per parameter name.

Update rules (``g`` is the gradient, ``lr`` the learning rate, ``t`` the step,
counted from 1), written as PyTorch implements them:

* SGD:      ``v = momentum * v + g``; ``p -= lr * v``
  (Nesterov: ``p -= lr * (g + momentum * v)``)
* Adam:     ``m = b1 m + (1 - b1) g``; ``s = b2 s + (1 - b2) g**2``;
  ``p -= lr / (1 - b1**t) * m / (sqrt(s) / sqrt(1 - b2**t) + eps)``
* AdamW:    ``p -= lr * weight_decay * p``, then the Adam step
* RMSprop:  ``s = rho s + (1 - rho) g**2``; ``p -= lr * g / (sqrt(s) + eps)``
* Adagrad:  ``s += g**2``; ``p -= lr * g / (sqrt(s) + eps)``

Every optimizer takes ``clipnorm``: each gradient whose L2 norm exceeds it is
scaled down to that norm before the update. ``learning_rate`` may be a
number or a :mod:`plainnet.schedules` schedule, evaluated at each step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._validation import check_bool, check_float
from .base import PackedParameters
from .schedules import Schedule

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "get", "OPTIMIZER_TYPES"]

ParamTriple = tuple[str, np.ndarray, np.ndarray]

#: Bytes of each array in one block when a packed model is updated block by
#: block (65,536 float32 or 32,768 float64 elements): small enough that a block
#: of every array an update rule touches (parameter, gradient, state, scratch,
#: the new values) stays in the CPU's L2 cache between the rule's passes,
#: large enough that the Python loop over blocks costs little.
BLOCK_BYTES = 262_144


def block_size(dtype: Any) -> int:
    """Elements per block of a packed update for parameters of this ``dtype``."""
    return BLOCK_BYTES // np.dtype(dtype).itemsize


class Optimizer:
    """Base class: subclasses implement ``_update(state, param, grad, lr, work)``.

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
        """Update every parameter in place from its gradient."""
        lr = self.current_learning_rate()
        self.iterations += 1
        for name, param, grad in params:
            if self.clipnorm is not None:
                norm = math.sqrt(float(np.vdot(grad, grad)))
                if norm > self.clipnorm:
                    grad = grad * (self.clipnorm / norm)
            state = self.state.get(name)
            if state is None:
                state = self.state[name] = {s: self._initial_state(s, param) for s in self.slots}
            self._update(state, param, grad, lr, self._work_buffer(name, param))

    def step_packed(self, packed: PackedParameters) -> None:
        """Update every parameter of a packed model (see ``PackedParameters``).

        The same rule as :meth:`step`, applied to the whole flat vector block
        by block: every update rule is element-wise, so this gives exactly the
        same numbers with far fewer NumPy calls (a tiny network) and far less
        memory traffic (a large one: each block stays in cache for all the
        rule's passes). The new values are written into ``packed.spare``, which
        then becomes the live vector: the previous values stay in
        ``packed.spare``, so the model can undo the step if training diverges.
        ``self.state[name][slot]`` are views into flat state vectors, so
        saving, loading and inspecting the state work as usual.
        """
        if self.clipnorm is not None:  # per-parameter norms: the general path, in place
            np.copyto(packed.spare, packed.param)
            packed.flip()
            self.step(packed.triples())
            return
        lr = self.current_learning_rate()
        self.iterations += 1
        slots = self._packed_slots(packed)
        param, grad, n = packed.param, packed.grad, packed.param.size
        size = block_size(param.dtype)
        work = self._work_buffer("packed", param[:min(n, size)])
        if n <= size:  # small: keep a copy, update in place (no views to swap)
            np.copyto(packed.spare, param)
            self._update(slots, param, grad, lr, work)
            return
        new = packed.spare
        for start in range(0, n, size):
            block = slice(start, start + size)
            p = param[block]
            state = {slot: flat[block] for slot, flat in slots.items()}
            self._update(state, p, grad[block], lr, work[:p.size], out=new[block])
        packed.flip()

    def _packed_slots(self, packed: PackedParameters) -> dict[str, np.ndarray]:
        """Flat state vectors for a packed model, one per slot (created on first use).

        ``self.state[name][slot]`` must be the views into them handed out last
        time; if anything replaced them (loading a checkpoint, ``reset()``), the
        flat vectors are rebuilt from what ``self.state`` holds now.
        """
        cached = self.__dict__.get("_packed")
        if cached is not None and cached[0] is packed and all(
                self.state.get(name, {}).get(slot) is view
                for (name, slot), view in cached[2].items()):
            return cached[1]  # the common case: nothing changed since the last step
        flats, views = {}, {}
        for slot in self.slots:
            flat = np.empty_like(packed.param)
            for name, start, stop, shape in packed.segments:
                view = flat[start:stop].reshape(shape)
                current = self.state.get(name, {}).get(slot)
                if current is not None and current.shape == shape:
                    view[...] = current
                else:
                    view[...] = self._initial_state(slot, view)
                self.state.setdefault(name, {})[slot] = views[name, slot] = view
            flats[slot] = flat
        self.__dict__["_packed"] = (packed, flats, views)
        return flats

    def _initial_state(self, slot: str, param: np.ndarray) -> np.ndarray:
        """The value a state slot starts from (zeros unless an optimizer says otherwise)."""
        return np.zeros_like(param)

    def _update(self, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray,
                lr: float, work: np.ndarray, out: np.ndarray | None = None) -> None:
        """Apply the update rule: write the new value of ``param`` into ``out``.

        ``out`` is ``param`` itself (an in-place update) unless given.
        ``state`` holds this parameter's slots, updated in place; ``work`` is
        a scratch array of the same shape, so the rule needs no new arrays.
        """
        raise NotImplementedError

    def _work_buffer(self, name: str, param: np.ndarray) -> np.ndarray:
        """A reusable scratch array shaped like ``param`` (not part of the saved state)."""
        buffers = self.__dict__.setdefault("_buffers", {})
        buffer = buffers.get(name)
        if buffer is None or buffer.shape != param.shape or buffer.dtype != param.dtype:
            buffer = buffers[name] = np.empty_like(param)
        return buffer

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_buffers", None)  # scratch space, rebuilt on the next step
        state.pop("_packed", None)  # flat copies of self.state, rebuilt on the next step
        return state

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

    def _update(self, state, param, grad, lr, work, out=None):
        out = param if out is None else out
        if not self.momentum:
            np.subtract(param, np.multiply(grad, lr, out=work), out=out)  # p - lr g
            return
        velocity = state["velocity"]
        velocity *= self.momentum
        velocity += grad  # v = momentum * v + g
        if self.nesterov:  # look ahead: step along g + momentum * v
            step = np.multiply(velocity, self.momentum, out=work)
            step += grad
            step *= lr
        else:
            step = np.multiply(velocity, lr, out=work)
        np.subtract(param, step, out=out)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: per-parameter steps from running means of the gradient and its square.

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

    def _update(self, state, param, grad, lr, work, out=None):
        t = self.iterations
        m, v = state["m"], state["v"]
        m *= self.beta_1
        m += np.multiply(grad, 1.0 - self.beta_1, out=work)  # m = b1 m + (1 - b1) g
        v *= self.beta_2
        np.multiply(grad, grad, out=work)
        work *= 1.0 - self.beta_2
        v += work  # v = b2 v + (1 - b2) g**2
        # m_hat / (sqrt(v_hat) + eps) with m_hat = m / c1, v_hat = v / c2, multiplied
        # through by sqrt(c2): the same value in one pass less
        c1, root_c2 = 1.0 - self.beta_1**t, math.sqrt(1.0 - self.beta_2**t)
        denominator = np.sqrt(v, out=work)
        denominator += self.epsilon * root_c2
        update = np.divide(m, denominator, out=work)
        update *= lr * root_c2 / c1
        np.subtract(param, update, out=param if out is None else out)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p -= lr * weight_decay * p`` before each step.

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

    def _update(self, state, param, grad, lr, work, out=None):
        if self.weight_decay:  # decay first, p * (1 - lr wd), then the Adam step from there
            param = np.multiply(param, 1.0 - lr * self.weight_decay,
                                out=param if out is None else out)
        super()._update(state, param, grad, lr, work, out)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


class RMSprop(Optimizer):
    """RMSprop: divide each step by a running root-mean-square of recent gradients.

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

    def _update(self, state, param, grad, lr, work, out=None):
        v = state["v"]
        v *= self.rho
        v += np.multiply(np.square(grad, out=work), 1.0 - self.rho, out=work)
        denominator = np.sqrt(v, out=work)
        denominator += self.epsilon  # sqrt(v) + eps
        step = np.divide(grad, denominator, out=work)
        step *= lr
        np.subtract(param, step, out=param if out is None else out)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adagrad(Optimizer):
    """Adagrad: divide each step by the root of the sum of all past squared gradients.

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

    def _initial_state(self, slot, param):
        return np.full_like(param, self.initial_accumulator_value)

    def _update(self, state, param, grad, lr, work, out=None):
        total = state["sum"]
        total += np.square(grad, out=work)  # sum of g**2 so far
        denominator = np.sqrt(total, out=work)
        denominator += self.epsilon
        step = np.divide(grad, denominator, out=work)
        step *= lr
        np.subtract(param, step, out=param if out is None else out)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


OPTIMIZER_TYPES: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def get(optimizer: str | Optimizer) -> Optimizer:
    """Return an optimizer from a name (``"adam"``, default settings) or the object itself."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        try:
            return OPTIMIZER_TYPES[optimizer.lower()]()
        except KeyError:
            raise ValueError(
                f"unknown optimizer {optimizer!r}; expected one of {sorted(OPTIMIZER_TYPES)} "
                "or an Optimizer object"
            ) from None
    raise TypeError(
        f"optimizer must be a name or a plainnet Optimizer object, got {type(optimizer).__name__}"
    )


