"""The exception types plainnet raises on purpose.

Every one of them subclasses a built-in exception, so ``except ValueError``
keeps working for callers who do not care about the finer distinction.
"""

from __future__ import annotations

__all__ = ["ModelFileError", "NotCompiledError", "TrainingDivergedError"]


class ModelFileError(ValueError):
    """A model file is missing, damaged, hostile or of an unknown format."""


class TrainingDivergedError(ValueError):
    """The training loss became NaN or infinite.

    The model's weights are restored to the last step whose loss was finite.
    """


class NotCompiledError(RuntimeError):
    """A model was trained or evaluated before ``compile`` was called."""
