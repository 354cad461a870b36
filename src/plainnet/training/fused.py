"""plainnet's own update rules, fused and in place, on the packed parameter vector.

:mod:`plainnet.optimizers` writes each rule as its formula, which makes a
few temporary arrays per parameter. Here the same operations run in the same
order (so the results are the same to the last bit: ``tests/training`` checks
it in float32 and float64), written into reused buffers, on the whole flat
vector of :class:`~plainnet.training.packing.PackedParameters` at once, block
by block: each block of every array the rule touches stays in the CPU's
cache between the rule's passes.

Optimizers of your own (or plainnet's with ``clipnorm``, whose norms are per
parameter) run their ``step`` on the packed views instead: same numbers,
just fewer tricks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import optimizers as opt
from .packing import PackedParameters

__all__ = ["BLOCK_BYTES", "FusedStep", "block_size"]

#: Bytes of each array in one block (65,536 float32 or 32,768 float64 values):
#: small enough that a block of every array a rule touches stays in the L2
#: cache, large enough that the Python loop over blocks costs little.
BLOCK_BYTES = 262_144


def block_size(dtype: np.dtype) -> int:
    """Values per block for parameters of this ``dtype``."""
    return BLOCK_BYTES // np.dtype(dtype).itemsize


# Each rule: (optimizer, p, g, state, lr, a, b) with a, b scratch arrays shaped like p;
# p and the state slots are updated in place, in the order the formula evaluates.

def _sgd(o: opt.SGD, p, g, state, lr, a, b) -> None:
    if not o.momentum:
        p -= np.multiply(g, lr, out=a)  # p - lr * g
        return
    v = state["velocity"]
    v *= o.momentum
    v += g  # v = momentum * v + g
    if o.nesterov:
        step = np.multiply(v, o.momentum, out=b)
        np.add(g, step, out=step)  # g + momentum * v
        p -= np.multiply(step, lr, out=a)
    else:
        p -= np.multiply(v, lr, out=a)


def _adam(o: opt.Adam, p, g, state, lr, a, b) -> None:
    beta_1, beta_2, t = o.beta_1, o.beta_2, o.iterations
    m, v = state["m"], state["v"]
    m *= beta_1
    m += np.multiply(g, 1 - beta_1, out=a)  # m = beta_1 * m + (1 - beta_1) * g
    v *= beta_2
    np.square(g, out=a)
    a *= 1 - beta_2
    v += a  # v = beta_2 * v + (1 - beta_2) * g**2
    step = np.divide(m, 1 - beta_1**t, out=a)  # m_hat
    step *= lr  # lr * m_hat
    denominator = np.divide(v, 1 - beta_2**t, out=b)  # v_hat
    np.sqrt(denominator, out=denominator)
    denominator += o.epsilon  # sqrt(v_hat) + epsilon
    step /= denominator
    p -= step


def _adamw(o: opt.AdamW, p, g, state, lr, a, b) -> None:
    p *= 1 - lr * o.weight_decay
    _adam(o, p, g, state, lr, a, b)


def _rmsprop(o: opt.RMSprop, p, g, state, lr, a, b) -> None:
    v = state["v"]
    v *= o.rho
    np.square(g, out=a)
    a *= 1 - o.rho
    v += a  # v = rho * v + (1 - rho) * g**2
    step = np.multiply(g, lr, out=a)
    denominator = np.sqrt(v, out=b)
    denominator += o.epsilon
    step /= denominator  # lr * g / (sqrt(v) + epsilon)
    p -= step


def _adagrad(o: opt.Adagrad, p, g, state, lr, a, b) -> None:
    total = state["sum"]
    total += np.square(g, out=a)  # s = s + g**2
    step = np.multiply(g, lr, out=a)
    denominator = np.sqrt(total, out=b)
    denominator += o.epsilon
    step /= denominator  # lr * g / (sqrt(s) + epsilon)
    p -= step


#: The fused rule of each of plainnet's optimizer types (exact types: a subclass may
#: have its own ``update``, and then takes the plain path).
FUSED_RULES: dict[type, Callable] = {
    opt.SGD: _sgd,
    opt.Adam: _adam,
    opt.AdamW: _adamw,
    opt.RMSprop: _rmsprop,
    opt.Adagrad: _adagrad,
}


class FusedStep:
    """One optimizer step on a packed model, keeping the previous values for a rollback.

    Parameters
    ----------
    optimizer : Optimizer
    packed : PackedParameters
    """

    def __init__(self, optimizer: opt.Optimizer, packed: PackedParameters) -> None:
        self.optimizer, self.packed = optimizer, packed
        self.rule = FUSED_RULES.get(type(optimizer)) if optimizer.clipnorm is None else None
        self.previous = np.empty_like(packed.param)  # the values before the last step
        size = min(block_size(packed.param.dtype), max(packed.param.size, 1))
        self.scratch = (np.empty(size, packed.param.dtype), np.empty(size, packed.param.dtype))
        self._flat_state: dict[str, np.ndarray] = {}
        self._state_views: dict[tuple[str, str], np.ndarray] = {}
        self.stepped = False  # whether `previous` holds anything yet

    def __call__(self) -> None:
        """Update every parameter from ``packed.grad``; ``previous`` keeps the old values."""
        packed, optimizer = self.packed, self.optimizer
        self.stepped = True
        if self.rule is None:  # the optimizer's own step, on the packed views
            np.copyto(self.previous, packed.param)
            optimizer.step(packed.triples())
            return
        state = self._state_vectors()
        lr = optimizer.current_learning_rate()
        optimizer.iterations += 1
        size = self.scratch[0].size
        for start in range(0, packed.param.size, size):
            block = slice(start, start + size)
            p = packed.param[block]
            self.previous[block] = p
            n = p.size
            self.rule(optimizer, p, packed.grad[block],
                      {slot: flat[block] for slot, flat in state.items()}, lr,
                      self.scratch[0][:n], self.scratch[1][:n])

    def undo(self) -> None:
        """Put back the parameters from before the last step (if there was one)."""
        if self.stepped:
            np.copyto(self.packed.param, self.previous)

    def _state_vectors(self) -> dict[str, np.ndarray]:
        """One flat vector per state slot; ``optimizer.state[name][slot]`` are views into it.

        If anything replaced those views since the last step (the optimizer's
        plain ``step``, loading, ``reset()``), the vectors are rebuilt from
        what ``optimizer.state`` holds now.
        """
        optimizer = self.optimizer
        if self._flat_state and all(optimizer.state.get(name, {}).get(slot) is view
                                    for (name, slot), view in self._state_views.items()):
            return self._flat_state
        flat_state, views = {}, {}
        for slot in optimizer.slots:
            flat = np.empty_like(self.packed.param)
            for name, start, stop, shape in self.packed.segments:
                view = flat[start:stop].reshape(shape)
                current = optimizer.state.get(name, {}).get(slot)
                if current is not None and current.shape == shape:
                    view[...] = current
                else:
                    view[...] = optimizer.initial_state(slot, view)
                optimizer.state.setdefault(name, {})[slot] = views[name, slot] = view
            flat_state[slot] = flat
        self._flat_state, self._state_views = flat_state, views
        return flat_state
