"""Which epoch is best: the one rule ``EarlyStopping`` and ``ModelCheckpoint`` share.

A monitored value (``"val_loss"``, ``"val_accuracy"``, ...) improves when it
beats the best so far by more than ``min_delta``: smaller is better in mode
``"min"``, larger in mode ``"max"``. Both callbacks ask the same
:class:`Monitor`, so ``EarlyStopping(restore_best_weights=True)`` and
``ModelCheckpoint(save_best_only=True)`` always agree on the best epoch.
"""

from __future__ import annotations

import math

from .._validation import check_float

__all__ = ["Monitor"]

#: log keys where larger is better, found in the key's name ("val_accuracy", "r2")
_LARGER_IS_BETTER = ("acc", "r2")


class Monitor:
    """The best value of one log key so far, and whether a new value beats it.

    Parameters
    ----------
    monitor : str
        Key of the epoch logs to watch.
    mode : {"auto", "min", "max"}
        Whether smaller or larger is better; ``"auto"`` takes ``"max"`` for
        accuracy and r2 and ``"min"`` otherwise.
    min_delta : float, default 0.0
        Smallest change that counts as an improvement (its sign is ignored).

    Attributes
    ----------
    best : float
        Best value seen (``inf`` for mode "min", ``-inf`` for "max" before any).
    best_epoch : int or None
    """

    def __init__(self, monitor: str, mode: str = "auto", min_delta: float = 0.0) -> None:
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a string, got {type(monitor).__name__}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if any(k in monitor.lower() for k in _LARGER_IS_BETTER) else "min"
        self.monitor, self.mode = monitor, mode
        self.min_delta = abs(check_float("min_delta", min_delta))
        self.reset()

    def reset(self) -> None:
        """Forget the best value: the next value is an improvement."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None

    def improves(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, epoch: int, value: float) -> bool:
        """Record one epoch's value; True if it is the new best."""
        if not self.improves(value):
            return False
        self.best, self.best_epoch = value, epoch
        return True

    def value(self, logs: dict | None, who: str) -> float:
        """The monitored value from an epoch's logs, or a clear error naming ``who`` asks."""
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"{who} monitors {self.monitor!r}, but the epoch logs only have "
                f"{sorted(logs)}; pass validation_data or validation_split to fit, or "
                "monitor another value"
            )
        return float(logs[self.monitor])
