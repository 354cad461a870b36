"""The outputs ``evaluate`` and ``predict`` score: every batch of the data, in inference mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int
from .data import ArrayData, StreamData

__all__ = ["body_outputs", "forward_body", "stream_outputs"]


def forward_body(model: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
    """The output of the model's body (what the loss reads) for one batch: layer by layer."""
    for layer in model.body_layers():
        x = layer.forward(x, training)
    return x


def _in_chunks(model: Any, X: np.ndarray, batch_size: Any) -> np.ndarray:
    size = len(X) if batch_size is None else check_int("batch_size", batch_size, 1)
    chunks = [forward_body(model, X[start:start + size]) for start in range(0, len(X), size)]
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def body_outputs(model: Any, data: ArrayData | StreamData, batch_size: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(body_output, y, weights)`` over all of ``data`` (weights None if it has none)."""
    if isinstance(data, ArrayData):  # in one piece, or in batch_size chunks
        return _in_chunks(model, data.X, batch_size), data.y, data.weights
    parts = [(forward_body(model, x), y, w) for x, y, w in data.batches()]
    if not parts:
        raise ValueError(f"{data.what} gave no batches to evaluate")
    outputs, targets, weights = zip(*parts)
    if all(w is None for w in weights):
        return np.concatenate(outputs), np.concatenate(targets), None
    weights = [np.ones(len(o), model.dtype) if w is None else w
               for o, w in zip(outputs, weights)]
    return np.concatenate(outputs), np.concatenate(targets), np.concatenate(weights)


def stream_outputs(model: Any, source: Any, steps: Any, check_X: Any) -> np.ndarray:
    """The body's outputs for each batch of a stream of ``X`` (or ``(X, ...)``) batches."""
    data = StreamData(source, steps, lambda x, y, w: (check_X(x), y, w), "x", "steps")
    outputs = [forward_body(model, x) for x, _, _ in data.batches()]
    if not outputs:
        raise ValueError("x gave no batches to predict")
    return np.concatenate(outputs)
