"""The outputs ``evaluate`` and ``predict`` score: every batch of the data, in inference mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int
from .data import ArrayData, StreamData
from .masking import forward_masked, metric_weights, produces_masks

__all__ = ["body_outputs", "forward_body", "forward_with_mask", "stream_outputs"]


def forward_body(model: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
    """The output of the model's body (what the loss reads) for one batch: layer by layer."""
    for layer in model.body_layers():
        x = layer.forward(x, training)
    return x


def forward_with_mask(model: Any, x: np.ndarray, training: bool = False
                      ) -> tuple[np.ndarray, np.ndarray | None]:
    """``(body output, its padding mask)``; the mask is None unless the model makes one."""
    layers = model.body_layers()
    if produces_masks(layers):
        return forward_masked(layers, x, training)
    return forward_body(model, x, training), None


def _positions(out, y, w, mask):
    """A batch of sequences flattened to positions (so batches of other lengths concatenate)."""
    k = out.shape[-1]
    w = metric_weights(w, mask) if mask is not None else (
        None if w is None else np.repeat(w, out[..., 0].size // len(out)))
    labels = y.ndim == out.ndim - 1
    return (out.reshape(-1, k), y.reshape(-1) if labels else y.reshape(-1, k),
            None if w is None else w.reshape(-1), None if mask is None else mask.reshape(-1))


def _joined(parts: list[tuple], dtype: Any) -> tuple:
    """``(outputs, y, weights, mask)`` of several batches, concatenated."""
    if len({p[0].shape[1:] for p in parts}) > 1:  # sequences of different lengths
        parts = [_positions(*p) for p in parts]
    outputs, targets, weights, masks = zip(*parts)
    if any(w is not None for w in weights):
        weights = [np.ones(o.shape[:m.ndim] if m is not None else len(o), dtype)
                   if w is None else w for o, w, m in zip(outputs, weights, masks)]
        weights = np.concatenate(weights)
    else:
        weights = None
    mask = None if all(m is None for m in masks) else np.concatenate(
        [np.ones(o.shape[:2], bool) if m is None else m for o, m in zip(outputs, masks)])
    return np.concatenate(outputs), np.concatenate(targets), weights, mask


def body_outputs(model: Any, data: ArrayData | StreamData, batch_size: Any = None) -> tuple:
    """``(body_output, y, sample_weight, mask)`` over all of ``data`` (None where absent)."""
    if isinstance(data, ArrayData):  # in one piece, or in batch_size chunks
        X = data.X
        size = len(X) if batch_size is None else check_int("batch_size", batch_size, 1)
        chunks = [forward_with_mask(model, X[start:start + size])
                  for start in range(0, len(X), size)]
        if len(chunks) == 1:
            return chunks[0][0], data.y, data.weights, chunks[0][1]
        masks = [m for _, m in chunks]
        mask = None if masks[0] is None else np.concatenate(masks)
        return np.concatenate([o for o, _ in chunks]), data.y, data.weights, mask
    parts = [(*forward_with_mask(model, x), y, w) for x, y, w in data.batches()]
    if not parts:
        raise ValueError(f"{data.what} gave no batches to evaluate")
    return _joined([(out, y, w, mask) for out, mask, y, w in parts], model.dtype)


def stream_outputs(model: Any, source: Any, steps: Any, check_X: Any) -> np.ndarray:
    """The body's outputs for each batch of a stream of ``X`` (or ``(X, ...)``) batches."""
    data = StreamData(source, steps, lambda x, y, w: (check_X(x), y, w), "x", "steps")
    outputs = [forward_with_mask(model, x)[0] for x, _, _ in data.batches()]
    if not outputs:
        raise ValueError("x gave no batches to predict")
    return np.concatenate(outputs)
