"""Fixtures shared by all of plainnet's tests.

Fixtures: ``tiny_data`` (a small seeded float64 regression/classification set)
and ``xor`` (the four XOR points).

Helper functions live in ``tests/core_helpers.py`` (``from core_helpers import
...``); the layer-contract harness every layer type goes through lives in
``tests/layers/layer_contract.py``.
"""

from __future__ import annotations

import os

# One BLAS thread: the tests' arrays are small, and on a busy 2-core machine OpenBLAS's
# spinning threads made the same small fit take 1.6 s or 19 s. Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from core_helpers import TinyData, make_tiny_data


@pytest.fixture
def tiny_data() -> TinyData:
    """A fresh :class:`core_helpers.TinyData` (seed 0)."""
    return make_tiny_data(0)


@pytest.fixture
def xor():
    """``(X, y)``: the four XOR points (int arrays, y of shape (4,))."""
    return np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
