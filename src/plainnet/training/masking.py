"""Padding masks: batches of sequences of different lengths, padded with token 0.

``Embedding(..., mask_zero=True)`` marks the real steps of each sequence,
``mask = tokens != 0``, shape ``(batch, time)``. The mask then goes down the
model with the sequence: a layer that honours masks (``supports_masking``:
the recurrent layers carry their state over padded steps, attention does not
look at padded keys) receives it in ``forward(x, training, mask=mask)``; a
layer's ``compute_mask`` says what goes on (a recurrent layer without
``return_sequences`` ends it); a layer without one (``Dense``, an activation)
passes it on while its output keeps the ``(batch, time)`` axes.

The loss and the metrics then skip the padded steps. As in Keras, the loss
is the mean over the real steps only: with sample weights ``w`` and mask
``m`` (1 real, 0 padding) over ``n`` positions,

    L = sum_i w_i m_i l_i / sum_i m_i

which the losses compute as weights ``w_i m_i n / sum(m)`` (see
:mod:`plainnet.losses`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["forward_masked", "loss_weights", "metric_weights", "produces_masks"]


def produces_masks(layers: list[Any]) -> bool:
    """Whether some layer makes a padding mask (an ``Embedding`` with ``mask_zero``)."""
    return any(getattr(layer, "mask_zero", False) and hasattr(layer, "compute_mask")
               for layer in layers)


def forward_masked(layers: list[Any], x: np.ndarray, training: bool
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """The layers applied in turn, the mask handed down: ``(output, mask of the output)``."""
    mask = None
    for layer in layers:
        if mask is not None and getattr(layer, "supports_masking", False):
            y = layer.forward(x, training, mask=mask)
        else:
            y = layer.forward(x, training)
        if hasattr(layer, "compute_mask"):
            mask = layer.compute_mask(x, mask)
        elif mask is not None and (y.ndim < 2 or y.shape[:2] != mask.shape):
            mask = None  # the time axis is gone
        x = y
    return x, mask


def metric_weights(sample_weight: np.ndarray | None, mask: np.ndarray | None
                   ) -> np.ndarray | None:
    """Per-position weights ``w_i m_i`` (what a metric's weighted mean uses), or None."""
    if mask is None:
        return sample_weight
    weights = mask.astype(np.float64)
    if sample_weight is not None:
        weights *= sample_weight.reshape(sample_weight.shape + (1,) * (mask.ndim - 1))
    return weights


def loss_weights(sample_weight: np.ndarray | None, mask: np.ndarray | None,
                 dtype: Any = np.float64) -> np.ndarray | None:
    """Weights ``w_i m_i n / sum(m)``: the losses' mean over ``n`` positions becomes the
    mean over the real steps (None without mask or weights)."""
    weights = metric_weights(sample_weight, mask)
    if mask is None or weights is None:
        return weights
    real = int(np.count_nonzero(mask))
    return (weights * (mask.size / max(real, 1))).astype(dtype)
