"""The public home of the callbacks (they live in :mod:`plainnet.training`).

``from plainnet.callbacks import EarlyStopping`` keeps working; see
:mod:`plainnet.training.callbacks` for what a callback is and when ``fit``
calls it. ``CSVLogger`` lives in :mod:`plainnet.training.csv_logger`,
``ReduceLROnPlateau`` in :mod:`plainnet.training.plateau`, the progress
output in :mod:`plainnet.training.progress` and ``ModelCheckpoint`` in
:mod:`plainnet.io.checkpoint`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .training.callbacks import (
    Callback,
    EarlyStopping,
    History,
    LearningRateScheduler,
)
from .training.csv_logger import CSVLogger
from .training.plateau import ReduceLROnPlateau
from .training.progress import EpochLogger, ProgressBar

if TYPE_CHECKING:  # at run time __getattr__ below imports it on first use
    from .io.checkpoint import ModelCheckpoint

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "EpochLogger",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgressBar",
    "ReduceLROnPlateau",
]


def __getattr__(name: str):
    # ModelCheckpoint saves models, so it lives in plainnet.io (above model.py); importing
    # it on first use keeps zipfile and json (~20 ms) out of `import plainnet`.
    if name == "ModelCheckpoint":
        from .io.checkpoint import ModelCheckpoint

        return ModelCheckpoint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
