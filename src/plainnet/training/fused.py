"""plainnet's own update rules, fused and in place, on the packed parameter vector.

:mod:`plainnet.optimizers` writes each rule as its formula, which makes a
few temporary arrays per parameter. Here the same operations run in the same
order (so the results are the same to the last bit: ``tests/training`` checks
it in float32 and float64), written into reused buffers, on the whole flat
vector of :class:`~plainnet.training.packing.PackedParameters` at once (block by
block for a large model), writing the new values into its spare buffer.

Optimizers of your own (or plainnet's with ``clipnorm``, whose norms are per
parameter) run their ``step`` on the packed views instead: same numbers,
just fewer tricks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import optimizers as opt
from .packing import PackedParameters

__all__ = ["BLOCK_BYTES", "FusedStep", "StepOverflow", "block_size"]


class StepOverflow(ArithmeticError):
    """An optimizer step overflowed (or made NaN) and was taken back."""

#: Bytes of each array in one block (262,144 float32 or 131,072 float64 values).
#: Measured on the 784-256-128-10 network (235k parameters), Adam steps: blocks of
#: 1 MiB (one block for that model) 443 us, 256 KiB 500 us, 128 KiB 548 us: fewer
#: NumPy calls beat keeping every block of every array the rule touches in the L2
#: cache. Blocks still bound the scratch buffers of a large model.
BLOCK_BYTES = 1_048_576


def block_size(dtype: np.dtype) -> int:
    """Values per block for parameters of this ``dtype``."""
    return BLOCK_BYTES // np.dtype(dtype).itemsize


# Each rule: (optimizer, p, g, state, new, lr, a, b, out): the new parameters are written
# into ``out`` (the spare buffer; ``p`` is left as it was) and the new state slots into
# ``new`` (the spare state; ``state`` is left as it was, so a step can be taken back without
# a copy); ``a`` and ``b`` are scratch arrays shaped like ``p``; the operations are those of
# the formula, in the order it evaluates them.

def _sgd(o: opt.SGD, p, g, state, new, lr, a, b, out) -> None:
    if not o.momentum:
        np.subtract(p, np.multiply(g, lr, out=a), out=out)  # p - lr * g
        return
    v = np.multiply(state["velocity"], o.momentum, out=new["velocity"])
    v += g  # v = momentum * v + g
    if o.nesterov:
        step = np.multiply(v, o.momentum, out=b)
        np.add(g, step, out=step)  # g + momentum * v
        np.subtract(p, np.multiply(step, lr, out=a), out=out)
    else:
        np.subtract(p, np.multiply(v, lr, out=a), out=out)


def _adam(o: opt.Adam, p, g, state, new, lr, a, b, out) -> None:
    beta_1, beta_2, t = o.beta_1, o.beta_2, o.iterations
    m = np.multiply(state["m"], beta_1, out=new["m"])
    m += np.multiply(g, 1 - beta_1, out=a)  # m = beta_1 * m + (1 - beta_1) * g
    v = np.multiply(state["v"], beta_2, out=new["v"])
    np.square(g, out=a)
    a *= 1 - beta_2
    v += a  # v = beta_2 * v + (1 - beta_2) * g**2
    step = np.divide(m, 1 - beta_1**t, out=a)  # m_hat
    step *= lr  # lr * m_hat
    denominator = np.divide(v, 1 - beta_2**t, out=b)  # v_hat
    np.sqrt(denominator, out=denominator)
    denominator += o.epsilon  # sqrt(v_hat) + epsilon
    step /= denominator
    np.subtract(p, step, out=out)


def _adamw(o: opt.AdamW, p, g, state, new, lr, a, b, out) -> None:
    np.multiply(p, 1 - lr * o.weight_decay, out=out)  # decay, then Adam from there
    _adam(o, out, g, state, new, lr, a, b, out)


def _rmsprop(o: opt.RMSprop, p, g, state, new, lr, a, b, out) -> None:
    v = np.multiply(state["v"], o.rho, out=new["v"])
    np.square(g, out=a)
    a *= 1 - o.rho
    v += a  # v = rho * v + (1 - rho) * g**2
    step = np.multiply(g, lr, out=a)
    denominator = np.sqrt(v, out=b)
    denominator += o.epsilon
    step /= denominator  # lr * g / (sqrt(v) + epsilon)
    np.subtract(p, step, out=out)


def _adagrad(o: opt.Adagrad, p, g, state, new, lr, a, b, out) -> None:
    total = np.add(state["sum"], np.square(g, out=a), out=new["sum"])  # s = s + g**2
    step = np.multiply(g, lr, out=a)
    denominator = np.sqrt(total, out=b)
    denominator += o.epsilon
    step /= denominator  # lr * g / (sqrt(s) + epsilon)
    np.subtract(p, step, out=out)


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
    """One optimizer step on a packed model; :meth:`undo` takes it back.

    The new values go into ``packed.spare``, which then becomes the live
    buffer (``packed.flip()``): the values before the step stay in the
    other buffer, so undoing it is another flip. The optimizer's state
    (moments, velocities) is double-buffered the same way, so an undo puts
    it back too, without a copy at every step: a run continued after a
    divergence starts from a consistent state.

    The step runs with NumPy's overflow and invalid-value errors raised: an
    update that overflows (``g**2`` beyond the largest float, say) is taken
    back at once and reported as :class:`StepOverflow`, never left behind as
    an infinite moment that would make the model unsavable.

    Parameters
    ----------
    optimizer : Optimizer
    packed : PackedParameters
    """

    def __init__(self, optimizer: opt.Optimizer, packed: PackedParameters) -> None:
        self.optimizer, self.packed = optimizer, packed
        self.rule = FUSED_RULES.get(type(optimizer)) if optimizer.clipnorm is None else None
        size = min(block_size(packed.param.dtype), packed.param.size)
        self.scratch = (np.empty(size, packed.param.dtype), np.empty(size, packed.param.dtype))
        # the state's two buffers: slot -> flat vector, and (name, slot) -> view, live first
        self._flat_state: list[dict[str, np.ndarray]] = [{}, {}]
        self._state_views: list[dict[tuple[str, str], np.ndarray]] = [{}, {}]
        self._plain_backup: list[tuple[dict, dict]] = []  # (slots, their copies): plain path
        self._plain_names: set[str] = set()
        self._iterations = optimizer.iterations
        self.stepped = False  # whether there is a step to undo

    def __call__(self) -> None:
        """Update every parameter from ``packed.grad``; raise StepOverflow if it overflows."""
        self.stepped = False
        self._iterations = self.optimizer.iterations
        if self.rule is None:  # the plain rules may replace a slot's array: keep copies
            self._plain_backup = [(slots, {k: a.copy() for k, a in slots.items()})
                                  for slots in self.optimizer.state.values()]
            self._plain_names = set(self.optimizer.state)
        flipped = False
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                flipped = self._step()
        except FloatingPointError as error:
            if flipped:  # the plain path changed the live buffer in place
                self.packed.flip()
            self._restore_state(flipped_state=False)
            raise StepOverflow(str(error)) from None
        self.stepped = True

    def _step(self) -> bool:
        """The update itself; returns True once the parameter buffers are flipped."""
        packed, optimizer = self.packed, self.optimizer
        if self.rule is None:  # the optimizer's own step, on the packed views
            np.copyto(packed.spare, packed.param)
            packed.flip()
            optimizer.step(packed.triples())
            return True
        state, new_state = self._state_vectors()
        lr = optimizer.current_learning_rate()
        optimizer.iterations += 1
        param, grad, new, size = packed.param, packed.grad, packed.spare, self.scratch[0].size
        if param.size <= size:  # one block: the whole vectors (a small model)
            self.rule(optimizer, param, grad, state, new_state, lr, *self.scratch, new)
        else:
            for start in range(0, param.size, size):
                block = slice(start, start + size)
                p = param[block]
                n = p.size
                self.rule(optimizer, p, grad[block],
                          {slot: flat[block] for slot, flat in state.items()},
                          {slot: flat[block] for slot, flat in new_state.items()}, lr,
                          self.scratch[0][:n], self.scratch[1][:n], new[block])
        packed.flip()
        self._flip_state()
        return True

    def undo(self) -> None:
        """Put back the parameters and optimizer state from before the last step (if any)."""
        if self.stepped:
            self.packed.flip()
            self._restore_state(flipped_state=True)
            self.stepped = False

    # ------------------------------------------------- the state, double-buffered
    def _flip_state(self) -> None:
        """Make the state written by the last step live: ``optimizer.state`` points at it."""
        self._flat_state.reverse()
        self._state_views.reverse()
        state = self.optimizer.state
        for (name, slot), view in self._state_views[0].items():
            state[name][slot] = view

    def _restore_state(self, flipped_state: bool) -> None:
        self.optimizer.iterations = self._iterations
        if self.rule is not None:
            if flipped_state and self._state_views[0]:
                self._flip_state()  # the buffer from before the step is live again
            return
        for slots, copies in self._plain_backup:
            slots.update(copies)
        for name in set(self.optimizer.state) - self._plain_names:  # created by the step
            del self.optimizer.state[name]

    def _state_vectors(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """``(live, spare)``: one flat vector per state slot in each; ``optimizer.state[name]
        [slot]`` are views into the live one.

        If anything replaced those views since the last step (the optimizer's
        plain ``step``, loading, ``reset()``), the vectors are rebuilt from
        what ``optimizer.state`` holds now.
        """
        optimizer = self.optimizer
        live, spare = self._flat_state
        if not optimizer.slots:  # plain SGD keeps no state
            return live, spare
        if live and all(optimizer.state.get(name, {}).get(slot) is view
                        for (name, slot), view in self._state_views[0].items()):
            return live, spare
        buffers: list[dict[str, np.ndarray]] = [{}, {}]
        views: list[dict[tuple[str, str], np.ndarray]] = [{}, {}]
        for slot in optimizer.slots:
            for k in range(2):
                buffers[k][slot] = np.empty_like(self.packed.param)
            for name, start, stop, shape in self.packed.segments:
                view, other = (buffers[k][slot][start:stop].reshape(shape) for k in range(2))
                current = optimizer.state.get(name, {}).get(slot)
                if current is not None and current.shape == shape:
                    view[...] = current
                else:
                    view[...] = optimizer.initial_state(slot, view)
                optimizer.state.setdefault(name, {})[slot] = views[0][name, slot] = view
                views[1][name, slot] = other
        self._flat_state, self._state_views = buffers, views
        return buffers[0], buffers[1]
