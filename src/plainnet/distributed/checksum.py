"""Digests that tell whether every rank loaded the same model and data, cheaply.

A digest is a SHA-256 of what identifies the thing, read without touching
most of it: for arrays their shapes, dtypes and a few sampled rows; for a
file its size, its first block (the header) and a few sampled blocks; for a
model its configuration (layers, loss, optimizer, metrics). Rank 0
broadcasts its digest and every rank compares (see
:meth:`plainnet.distributed.MPIStrategy.prepare`): a rank that loaded
another file or built another model is one clear error, not wrong training.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import numpy as np

__all__ = ["SAMPLES", "array_digest", "file_digest", "model_digest"]

#: rows (or blocks) sampled, evenly spaced, first and last included
SAMPLES = 16


def sample_positions(n: int, samples: int = SAMPLES) -> np.ndarray:
    """Up to ``samples`` evenly spaced positions in ``range(n)``, first and last included."""
    return np.unique(np.linspace(0, n - 1, min(n, samples)).astype(np.int64)) if n else (
        np.zeros(0, np.int64))


def array_digest(*arrays: np.ndarray | None, rows: bool = True) -> str:
    """Digest of arrays: shapes, dtypes and (``rows``) a few sampled rows of each.

    With ``rows=False`` only the shape of one row counts (each rank holds
    other rows: sharded data).
    """
    digest = hashlib.sha256()
    for array in arrays:
        if array is None:
            digest.update(b"none;")
            continue
        shape = array.shape if rows else array.shape[1:]
        digest.update(f"{array.dtype.str}{shape};".encode())
        if rows and len(array):
            digest.update(np.ascontiguousarray(array[sample_positions(len(array))]).tobytes())
    return digest.hexdigest()


def file_digest(path: str | os.PathLike, block: int = 4096, samples: int = SAMPLES) -> str:
    """Digest of a file: its size, its first ``block`` bytes and ``samples`` sampled blocks."""
    size = os.path.getsize(path)
    digest = hashlib.sha256(f"{size};".encode())
    with open(path, "rb") as file:
        digest.update(file.read(block))
        for position in sample_positions(max(size // block, 1), samples):
            file.seek(int(position) * block)
            digest.update(file.read(block))
    return digest.hexdigest()


def model_digest(model: Any) -> str:
    """Digest of a compiled model's layers, dtype, loss, optimizer and metrics (not weights)."""
    optimizer = model.optimizer
    described = {
        "config": model.get_config(),
        "loss": [type(model.loss).__name__, model.loss.get_config()],
        "optimizer": [type(optimizer).__name__, optimizer.get_config()],
        "metrics": list(model.metric_names),
    }
    text = json.dumps(described, sort_keys=True, default=lambda value: type(value).__name__)
    return hashlib.sha256(text.encode()).hexdigest()
