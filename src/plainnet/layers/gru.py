"""``GRU``: gated recurrent unit, in the ``reset_after`` form of PyTorch and Keras.

See :mod:`plainnet.layers.recurrent` for what every recurrent layer shares
(shapes, masks, the products over all steps); this file is the cell.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from .base import Shape
from .recurrent import Recurrent, carry, split_carry

__all__ = ["GRU"]


class GRU(Recurrent):
    """Gated recurrent unit (Cho et al., 2014), ``reset_after`` form (PyTorch's, Keras's default).

    Two gates and no separate cell: the new state is a gate-weighted average
    of the old state and a candidate::

        xw = x_t @ kernel + bias                          # (batch, 3 * units)
        hu = h_{t-1} @ recurrent_kernel + recurrent_bias  # (batch, 3 * units)
        z = sigmoid(xw[:, 0u:1u] + hu[:, 0u:1u])     update gate: how much of h_{t-1} to keep
        r = sigmoid(xw[:, 1u:2u] + hu[:, 1u:2u])     reset gate: how much of h_{t-1} the
                                                     candidate sees
        n = tanh(xw[:, 2u:3u] + r * hu[:, 2u:3u])    the candidate (reset applied *after*
                                                     the recurrent product: "reset_after")
        h_t = z * h_{t-1} + (1 - z) * n

    Backward, at step ``t`` with ``dh = dL/dh_t`` (from the output and from step ``t + 1``)::

        dz = dh * (h_{t-1} - n) * z (1 - z)
        dn = dh * (1 - z) * (1 - n**2)                  # gradient of n's pre-activation
        dr = dn * hu[:, 2u:3u] * r (1 - r)
        dxw = [dz, dr, dn]                              # gradient of xw
        dhu = [dz, dr, dn * r]                          # gradient of hu
        dL/dh_{t-1} = dhu @ recurrent_kernel.T + dh * z

    Parameters
    ----------
    units : int >= 1
    return_sequences : bool, default False
    kernel_init, recurrent_init, bias_init : str
        See :class:`~plainnet.layers.recurrent.Recurrent`; ``bias_init`` starts both biases.

    Attributes
    ----------
    kernel : ndarray of shape (features, 3 * units)
    recurrent_kernel : ndarray of shape (units, 3 * units)
    bias, recurrent_bias : ndarray of shape (3 * units,)
        Gate blocks in Keras's order ``z, r, n`` (update, reset, candidate).

    Notes
    -----
    PyTorch orders the blocks ``r, z, n``. With ``order = [r, z, n]`` the block
    indices (``[1, 0, 2]``), ``torch.nn.GRU(features, units, batch_first=True)``
    computes the same with ``weight_ih_l0 = kernel[:, blocks(order)].T``,
    ``weight_hh_l0 = recurrent_kernel[:, blocks(order)].T``,
    ``bias_ih_l0 = bias[blocks(order)]`` and ``bias_hh_l0 = recurrent_bias[blocks(order)]``.
    Keras's ``GRU(reset_after=True)`` stores ``[kernel, recurrent_kernel,
    stack([bias, recurrent_bias])]`` in this same order.
    """

    gates = 3
    param_names = ("kernel", "recurrent_kernel", "bias", "recurrent_bias")
    cache_names = (*Recurrent.cache_names, "update", "reset", "candidate", "recurrent_candidate")

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """As :class:`Recurrent`, plus ``recurrent_bias`` of shape ``(3 * units,)``."""
        return {**super().parameter_shapes(input_shape), "recurrent_bias": (3 * self.units,)}

    def _forward_steps(self, xw: np.ndarray) -> np.ndarray:
        batch, time, _ = xw.shape
        u = self.units
        hidden = np.empty((batch, time, u), dtype=xw.dtype)
        self.update, self.reset = np.empty_like(hidden), np.empty_like(hidden)  # z, r
        self.candidate = np.empty_like(hidden)  # n
        self.recurrent_candidate = np.empty_like(hidden)  # hu[:, 2u:3u], before the reset
        h = np.zeros((batch, u), dtype=xw.dtype)  # h_0
        for t in range(time):
            hu = h @ self.recurrent_kernel + self.recurrent_bias  # (batch, 3 * units)
            z = sigmoid(xw[:, t, :u] + hu[:, :u])
            r = sigmoid(xw[:, t, u:2 * u] + hu[:, u:2 * u])
            n = np.tanh(xw[:, t, 2 * u:] + r * hu[:, 2 * u:])
            h = carry(self.step_mask(t), z * h + (1.0 - z) * n, h)
            hidden[:, t] = h
            self.update[:, t], self.reset[:, t], self.candidate[:, t] = z, r, n
            self.recurrent_candidate[:, t] = hu[:, 2 * u:]
        return hidden

    def _backward_steps(self, grad_hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        time = grad_hidden.shape[1]
        h_prev_all = self.previous_states()  # (batch, time, units)
        dxw = np.empty((*grad_hidden.shape[:2], 3 * self.units), dtype=grad_hidden.dtype)
        dhu = np.empty_like(dxw)
        dh_next = np.zeros_like(grad_hidden[:, 0])  # dL/dh_t from step t + 1
        for t in reversed(range(time)):
            z, r, n = self.update[:, t], self.reset[:, t], self.candidate[:, t]
            dh, dh_carried = split_carry(self.step_mask(t), grad_hidden[:, t] + dh_next)
            dz = dh * (h_prev_all[:, t] - n) * z * (1.0 - z)  # h = z * h_prev + (1 - z) * n
            dn = dh * (1.0 - z) * (1.0 - n**2)  # through tanh
            dr = dn * self.recurrent_candidate[:, t] * r * (1.0 - r)
            dxw[:, t] = np.concatenate([dz, dr, dn], axis=1)  # (batch, 3 * units)
            dhu[:, t] = np.concatenate([dz, dr, dn * r], axis=1)
            dh_next = dhu[:, t] @ self.recurrent_kernel.T + dh * z + dh_carried
        self.grad_recurrent_bias = dhu.sum(axis=(0, 1))  # (3 * units,)
        return dxw, dhu
