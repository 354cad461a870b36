"""``LSTM``: long short-term memory, a recurrent layer with a cell state and three gates.

See :mod:`plainnet.layers.recurrent` for what every recurrent layer shares
(shapes, masks, the products over all steps); this file is the cell.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from .recurrent import Recurrent, carry, split_carry

__all__ = ["LSTM"]


class LSTM(Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), as in Keras and PyTorch.

    Besides the output state ``h`` the layer carries a cell state ``c``, changed
    only by element-wise gates, so a gradient can travel many steps along it::

        z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias      # (batch, 4 * units)
        i = sigmoid(z[:, 0u:1u])     input gate:  how much new content to write
        f = sigmoid(z[:, 1u:2u])     forget gate: how much of c_{t-1} to keep
        g = tanh(z[:, 2u:3u])        the new content
        o = sigmoid(z[:, 3u:4u])     output gate: how much of the cell to show
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    Backward, at step ``t``, with ``dh = dL/dh_t`` and ``dc = dL/dc_t`` (from the
    output and from step ``t + 1``)::

        do = dh * tanh(c_t)
        dc = dc + dh * o * (1 - tanh(c_t)**2)
        di, df, dg = dc * g, dc * c_{t-1}, dc * i
        dz = [di * i (1 - i), df * f (1 - f), dg * (1 - g**2), do * o (1 - o)]
        dL/dh_{t-1} = dz @ recurrent_kernel.T
        dL/dc_{t-1} = dc * f                     # no matrix: the "constant error carousel"

    Parameters
    ----------
    units : int >= 1
    return_sequences : bool, default False
    kernel_init, recurrent_init, bias_init : str
        See :class:`~plainnet.layers.recurrent.Recurrent`. Whatever
        ``bias_init`` gives, the forget gate's bias then starts at 1 (Keras's
        ``unit_forget_bias``, Jozefowicz et al. 2015): the cell remembers by
        default until it learns to forget.

    Attributes
    ----------
    kernel : ndarray of shape (features, 4 * units)
    recurrent_kernel : ndarray of shape (units, 4 * units)
    bias : ndarray of shape (4 * units,)
        Gate blocks in the order ``i, f, g, o`` (input, forget, cell, output).

    Notes
    -----
    The gate order is Keras's and PyTorch's. ``torch.nn.LSTM(features, units,
    batch_first=True)`` computes the same with ``weight_ih_l0 = kernel.T``,
    ``weight_hh_l0 = recurrent_kernel.T`` and ``bias_ih_l0 + bias_hh_l0 = bias``
    (e.g. ``bias_ih_l0 = bias``, ``bias_hh_l0 = 0``). Keras's ``LSTM`` weights
    are ``[kernel, recurrent_kernel, bias]`` as they are here.
    """

    gates = 4
    cache_names = (*Recurrent.cache_names, "activated_gates", "cells", "tanh_cells")

    def initialize_bias(self) -> None:
        u = self.units
        self.bias[u:2 * u] = 1.0  # forget gate: remember by default

    def _forward_steps(self, xw: np.ndarray) -> np.ndarray:
        batch, time, _ = xw.shape
        u = self.units
        hidden = np.empty((batch, time, u), dtype=xw.dtype)
        self.cells = np.empty_like(hidden)  # c_1 .. c_time (as carried on)
        self.tanh_cells = np.empty_like(hidden)  # tanh of each step's new cell
        self.activated_gates = np.empty_like(xw)  # i, f, g, o of each step
        h = np.zeros((batch, u), dtype=xw.dtype)  # h_0
        c = np.zeros_like(h)  # c_0
        for t in range(time):
            z = xw[:, t] + h @ self.recurrent_kernel  # (batch, 4 * units)
            i, f, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), sigmoid(z[:, 3 * u:])
            g = np.tanh(z[:, 2 * u:3 * u])
            c_new = f * c + i * g  # (batch, units)
            tanh_c = np.tanh(c_new)
            h_new = o * tanh_c
            m = self.step_mask(t)
            h, c = carry(m, h_new, h), carry(m, c_new, c)
            hidden[:, t], self.cells[:, t], self.tanh_cells[:, t] = h, c, tanh_c
            self.activated_gates[:, t] = np.concatenate([i, f, g, o], axis=1)
        return hidden

    def _backward_steps(self, grad_hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch, time, u = grad_hidden.shape
        dz_all = np.empty_like(self.activated_gates)  # (batch, time, 4 * units)
        dh_next = np.zeros_like(grad_hidden[:, 0])  # dL/dh_t from step t + 1
        dc_next = np.zeros_like(dh_next)  # dL/dc_t from step t + 1
        for t in reversed(range(time)):
            gates = self.activated_gates[:, t]
            i, f, g, o = gates[:, :u], gates[:, u:2 * u], gates[:, 2 * u:3 * u], gates[:, 3 * u:]
            c_prev = self.cells[:, t - 1] if t > 0 else np.zeros_like(dh_next)
            tanh_c = self.tanh_cells[:, t]
            m = self.step_mask(t)
            dh, dh_carried = split_carry(m, grad_hidden[:, t] + dh_next)
            dc, dc_carried = split_carry(m, dc_next)
            do = dh * tanh_c  # h = o * tanh(c)
            dc = dc + dh * o * (1.0 - tanh_c**2)
            di, df, dg = dc * g, dc * c_prev, dc * i  # c = f * c_prev + i * g
            dz = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f),
                                 dg * (1.0 - g**2), do * o * (1.0 - o)], axis=1)
            dz_all[:, t] = dz  # (batch, 4 * units)
            dh_next = dz @ self.recurrent_kernel.T + dh_carried  # (batch, units)
            dc_next = dc * f + dc_carried
        return dz_all, dz_all  # z = x @ kernel + h @ recurrent_kernel + bias
