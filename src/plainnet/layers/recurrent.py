"""Recurrent layers: one cell applied at every time step, carrying a state along.

A recurrent layer reads a sequence ``x`` of shape ``(batch, time, features)``
one step at a time and keeps a state ``h`` of shape ``(batch, units)``::

    h_0 = 0
    h_t = cell(x_t, h_{t-1})            for t = 1 .. time
    y   = h_time                        (batch, units)           return_sequences=False
    y   = [h_1, ..., h_time]            (batch, time, units)     return_sequences=True

The cells (``SimpleRNN`` here, ``LSTM`` in ``lstm.py``, ``GRU`` in ``gru.py``)
all start from the same affine maps, one block of ``units`` columns per gate::

    x_t @ kernel + bias                 # (batch, features) @ (features, gates * units)
    h_{t-1} @ recurrent_kernel          # (batch, units) @ (units, gates * units)

The input's part does not depend on the state, so it is computed for every
step at once before the loop (``xw``, one matrix product); only the state's
part runs inside the loop.

Backpropagation through time (BPTT) runs the loop backwards. At step ``t``
the gradient ``dL/dh_t`` has two sources: the output at step ``t`` (with
``return_sequences``) and step ``t + 1``, which read ``h_t``. Each cell's
``_backward_steps`` walks ``t = time .. 1``, turns ``dL/dh_t`` into the
gradients of its gate pre-activations, and hands ``dL/dh_{t-1}`` to the step
before. What is left is again a product over all steps at once::

    grad_kernel           = sum_t x_t.T @ dxw_t        # (features, gates * units)
    grad_bias             = sum_t dxw_t                # (gates * units,)
    grad_recurrent_kernel = sum_t h_{t-1}.T @ dhu_t    # (units, gates * units)
    dL/dx_t               = dxw_t @ kernel.T           # (batch, features)

with ``dxw_t``/``dhu_t`` the gradients of ``x_t @ kernel + bias`` and of
``h_{t-1} @ recurrent_kernel`` (the same array except in ``GRU``).

Masks (padding): given ``mask`` of shape ``(batch, time)`` (False at padded
steps), a masked step keeps the previous state, ``h_t = h_{t-1}`` (and
``c_t = c_{t-1}`` in an LSTM), as in Keras; it gives zeros in the output
sequence and its input gets zero gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .._validation import check_bool, check_int
from .base import Layer, Shape

__all__ = ["Recurrent", "SimpleRNN", "carry", "split_carry"]


def carry(m: np.ndarray | None, new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """``new`` where the step is real, ``old`` (the state carried on) where it is padding.

    ``m`` is the step's mask column ``(batch, 1)`` or None (no padding).
    """
    return new if m is None else np.where(m, new, old)


def split_carry(m: np.ndarray | None, grad: np.ndarray) -> tuple[np.ndarray, Any]:
    """The backward of :func:`carry`: ``(dL/dnew, dL/dold)``; ``dL/dold`` is 0 without a mask."""
    if m is None:
        return grad, 0.0
    return np.where(m, grad, 0.0), np.where(m, 0.0, grad)


class Recurrent(Layer):
    """What ``SimpleRNN``, ``LSTM`` and ``GRU`` share: shapes, parameters, masks, and the
    products over all steps; a subclass writes its cell's loop in ``_forward_steps`` and
    ``_backward_steps``.

    Parameters
    ----------
    units : int >= 1
        Size of the state ``h`` (and of the output at each step).
    return_sequences : bool, default False
        Return the state at every step ``(batch, time, units)`` instead of
        the last one ``(batch, units)``.
    kernel_init, recurrent_init, bias_init : str
        Initializers of ``kernel`` (Glorot uniform), ``recurrent_kernel``
        (orthogonal, one square block per gate) and ``bias`` (zeros).
    """

    gates = 1
    param_names: tuple[str, ...] = ("kernel", "recurrent_kernel", "bias")
    cache_names: tuple[str, ...] = ("input", "mask", "hidden")
    supports_masking = True

    def __init__(self, units: int, return_sequences: bool = False,
                 kernel_init: str = "glorot_uniform", recurrent_init: str = "orthogonal",
                 bias_init: str = "zeros") -> None:
        super().__init__()
        self.units = check_int("units", units, 1)
        self.return_sequences = check_bool("return_sequences", return_sequences)
        for init in (kernel_init, recurrent_init, bias_init):
            initializers.get(init)  # fail early on a bad name
        self.kernel_init, self.recurrent_init, self.bias_init = (kernel_init, recurrent_init,
                                                                 bias_init)

    # ------------------------------------------------------------------ shapes
    def _features(self, input_shape: Shape) -> int:
        shape = tuple(input_shape)
        if len(shape) != 2 or shape[1] is None:
            raise ValueError(f"{self.name} ({type(self).__name__}) expects inputs of shape "
                             f"(time, features) with a known number of features, got {shape}")
        return shape[1]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """``(time, units)`` with ``return_sequences``, else ``(units,)``."""
        self._features(input_shape)
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """Shapes of ``kernel``, ``recurrent_kernel`` and ``bias`` for inputs of ``input_shape``."""
        width = self.gates * self.units
        return {"kernel": (self._features(input_shape), width),
                "recurrent_kernel": (self.units, width), "bias": (width,)}

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        output_shape = self.compute_output_shape(input_shape)
        self.dtype = np.dtype(dtype)
        for name, shape in self.parameter_shapes(input_shape).items():
            if name.startswith("recurrent_kernel"):  # one square block per gate
                init = initializers.get(self.recurrent_init)
                blocks = [init((self.units, self.units), rng, self.dtype)
                          for _ in range(self.gates)]
                value = np.concatenate(blocks, axis=1)  # (units, gates * units)
            else:
                init = self.kernel_init if name == "kernel" else self.bias_init
                value = initializers.get(init)(shape, rng, self.dtype)
            setattr(self, name, value)
            setattr(self, "grad_" + name, np.zeros_like(value))
        self.initialize_bias()
        return output_shape

    def initialize_bias(self) -> None:
        """Hook for a cell's own start values (LSTM: forget-gate bias 1)."""

    # ------------------------------------------------------------------- maths
    def _check_input(self, x: np.ndarray) -> np.ndarray:
        features = self.kernel.shape[0]
        if x.ndim != 3 or x.shape[2] != features:
            raise ValueError(f"{self.name} ({type(self).__name__}) expects inputs of shape "
                             f"(batch, time, {features}), got {x.shape}")
        return x

    def forward(self, x: np.ndarray, training: bool = False,
                mask: np.ndarray | None = None) -> np.ndarray:
        self.input = self._check_input(x)  # (batch, time, features)
        self.mask = None if mask is None else _step_mask(self, mask, x)  # (batch, time, 1)
        xw = x @ self.kernel + self.bias  # (batch, time, gates * units): every step at once
        self.hidden = self._forward_steps(xw)  # (batch, time, units): h_1 .. h_time
        if not self.return_sequences:
            return self.hidden[:, -1]  # (batch, units)
        return self.hidden if self.mask is None else self.hidden * self.mask

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x = self.input
        batch, time, features = x.shape
        # dL/dh_t from the output: at every step, or at the last one only
        grad_hidden = np.zeros_like(self.hidden)  # (batch, time, units)
        if self.return_sequences:
            grad_hidden[...] = grad_output if self.mask is None else grad_output * self.mask
        else:
            grad_hidden[:, -1] = grad_output
        dxw, dhu = self._backward_steps(grad_hidden)  # (batch, time, gates * units) each
        width = self.gates * self.units
        h_prev = self.previous_states()  # (batch, time, units): h_0 .. h_{time-1}
        self.grad_kernel = x.reshape(-1, features).T @ dxw.reshape(-1, width)  # (f, g*u)
        self.grad_bias = dxw.sum(axis=(0, 1))  # (gates * units,)
        self.grad_recurrent_kernel = (h_prev.reshape(-1, self.units).T
                                      @ dhu.reshape(-1, width))  # (units, gates * units)
        return dxw @ self.kernel.T  # (batch, time, g*u) @ (g*u, features)

    def previous_states(self) -> np.ndarray:
        """``h_{t-1}`` for every step: ``h_0 = 0`` then ``h_1 .. h_{time-1}``."""
        h0 = np.zeros_like(self.hidden[:, :1])
        return np.concatenate([h0, self.hidden[:, :-1]], axis=1)

    def step_mask(self, t: int) -> np.ndarray | None:
        """The mask column of step ``t``, ``(batch, 1)`` booleans, or None without a mask."""
        return None if self.mask is None else self.mask[:, t]

    def _forward_steps(self, xw: np.ndarray) -> np.ndarray:
        """The recurrence, one step at a time (each recurrent layer writes its own)."""
        raise NotImplementedError(f"{type(self).__name__} must define _forward_steps(xw)")

    def _backward_steps(self, grad_hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Backpropagation through time, one step at a time (each layer writes its own)."""
        raise NotImplementedError(f"{type(self).__name__} must define _backward_steps(grad)")

    def compute_mask(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
        """The mask goes on with the sequence (``return_sequences``), else it ends here."""
        return mask if self.return_sequences else None

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units, "return_sequences": self.return_sequences,
                "kernel_init": self.kernel_init, "recurrent_init": self.recurrent_init,
                "bias_init": self.bias_init}


def _step_mask(layer: Layer, mask: Any, x: np.ndarray) -> np.ndarray:
    """``mask`` of shape ``(batch, time)`` as booleans ``(batch, time, 1)``, checked."""
    mask = np.asarray(mask)
    if mask.shape != x.shape[:2]:
        raise ValueError(f"{layer.name} ({type(layer).__name__}) expects a mask of shape "
                         f"(batch, time) = {x.shape[:2]}, got {mask.shape}")
    return mask.astype(bool)[:, :, None]


class SimpleRNN(Recurrent):
    """Fully connected recurrent layer (Elman network)::

        h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)    # (batch, units)

    Backward, at step ``t`` with ``dh = dL/dh_t`` (from the output and from step ``t + 1``)::

        dz       = dh * (1 - h_t**2)               # through tanh
        dL/dh_{t-1} = dz @ recurrent_kernel.T      # handed to step t - 1

    The factor ``recurrent_kernel.T * (1 - h**2)`` is applied once per step,
    so a gradient travelling back ``k`` steps is multiplied ``k`` times: it
    vanishes (or explodes) over long distances, which the gates of ``LSTM`` and
    ``GRU`` were designed to avoid.

    Parameters
    ----------
    units, return_sequences, kernel_init, recurrent_init, bias_init
        See :class:`Recurrent`.

    Attributes
    ----------
    kernel : ndarray of shape (features, units)
    recurrent_kernel : ndarray of shape (units, units)
    bias : ndarray of shape (units,)

    Notes
    -----
    PyTorch's ``torch.nn.RNN(features, units, batch_first=True)`` computes the
    same with ``weight_ih_l0 = kernel.T``, ``weight_hh_l0 = recurrent_kernel.T``
    and two biases whose sum is ``bias`` (e.g. ``bias_ih_l0 = bias``,
    ``bias_hh_l0 = 0``; then ``grad_bias`` equals the gradient of each).
    """

    gates = 1
    cache_names = Recurrent.cache_names

    def _forward_steps(self, xw: np.ndarray) -> np.ndarray:
        batch, time, _ = xw.shape
        hidden = np.empty((batch, time, self.units), dtype=xw.dtype)
        h = np.zeros((batch, self.units), dtype=xw.dtype)  # h_0
        for t in range(time):
            h_new = np.tanh(xw[:, t] + h @ self.recurrent_kernel)  # (batch, units)
            h = carry(self.step_mask(t), h_new, h)
            hidden[:, t] = h
        return hidden

    def _backward_steps(self, grad_hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        time = grad_hidden.shape[1]
        dxw = np.empty_like(grad_hidden)  # (batch, time, units)
        dh_next = np.zeros_like(grad_hidden[:, 0])  # dL/dh_t from step t + 1; none after the end
        for t in reversed(range(time)):
            dh = grad_hidden[:, t] + dh_next  # (batch, units)
            dh_new, dh_carried = split_carry(self.step_mask(t), dh)
            h_new = self.hidden[:, t]  # equal to the new state wherever the step is real
            dz = dh_new * (1.0 - h_new**2)  # through tanh
            dxw[:, t] = dz
            dh_next = dz @ self.recurrent_kernel.T + dh_carried  # (batch, units)
        return dxw, dxw  # the same pre-activation feeds x @ kernel and h @ recurrent_kernel
