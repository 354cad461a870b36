"""The exception types plainnet raises on purpose.

Every one of them subclasses a built-in exception, so ``except ValueError``
keeps working for callers who do not care about the finer distinction.
"""

from __future__ import annotations

__all__ = ["DivergenceWarning", "ModelFileError", "NotCompiledError", "TrainingDivergedError"]


class ModelFileError(ValueError):
    """A model file is missing, damaged, hostile or of an unknown format."""


class TrainingDivergedError(ValueError):
    """The training loss became NaN or infinite.

    The model's weights are restored to the last step whose loss was finite.
    """


class NotCompiledError(RuntimeError):
    """A model was trained or evaluated before ``compile`` was called."""


class DivergenceWarning(RuntimeWarning):
    """Training blew up while every number stayed finite.

    Warned once per ``fit`` when the training loss grew to 100 times its
    first epoch's value, or the validation R² fell below -1 (worse than
    always predicting the mean, by far): the learning rate is likely too
    large.
    """
