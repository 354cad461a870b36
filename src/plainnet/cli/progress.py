"""The progress ``plainnet train`` shows: a line on standard error, or a line per epoch.

Both show a regression's errors in the target's own units (the model trains on
the standardised target ``(y - mean) / scale``, so its ``loss`` (MSE) is
multiplied by ``scale**2`` and its MAE by ``scale``; R² has no unit).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from ..training.callbacks import Callback
from ..training.progress import EpochLogger, format_seconds

__all__ = ["EpochLines", "ProgressLine", "in_target_units"]

#: The power of the target's scale in each metric: MSE (the loss) is in units², MAE in units.
_UNIT_POWERS = {"loss": 2, "mse": 2, "mae": 1}


def in_target_units(logs: dict[str, Any], target_scale: float | None) -> dict[str, Any]:
    """The logs with the squared and absolute errors (and ``val_`` ones) in the target's units."""
    if target_scale is None:
        return dict(logs)
    result = {}
    for key, value in logs.items():
        power = _UNIT_POWERS.get(key.removeprefix("val_"))
        numeric = isinstance(value, (int, float))
        result[key] = value * target_scale ** power if power and numeric else value
    return result


class EpochLines(EpochLogger):
    """``--verbose 2``: fit's line per epoch (``Epoch 3/100 - 0.01s - loss: ...``), in the
    target's units."""

    def __init__(self, epochs: int, stream: Any = None, target_scale: float | None = None
                 ) -> None:
        super().__init__(epochs, stream)
        self.target_scale = target_scale

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, in_target_units(logs or {}, self.target_scale))


class ProgressLine(Callback):
    """Training progress on standard error: the epoch, its losses and metrics, and an ETA.

    On a terminal one line is rewritten after every epoch; in a file or a
    pipe a line is written every tenth of the run, and after the last epoch.
    The time left is the mean time of this run's epochs so far times the
    epochs still to go (a resumed run counts from where it started).

    Parameters
    ----------
    epochs : int
        The epoch the run ends at.
    stream : file, optional
        Default ``sys.stderr``.
    target_scale : float, optional
        For a regression trained on a standardised target ``(y - mean) / scale``:
        the scale, so that the line shows the errors in the target's own
        units: ``mse * scale**2`` and ``mae * scale`` (R² has no unit).
    """

    def __init__(self, epochs: int, stream: Any = None, target_scale: float | None = None
                 ) -> None:
        super().__init__()
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = max(1, epochs // 10)
        self.target_scale = target_scale
        self.pending = ""  # the latest epoch's line, until it is written for good
        self.width = 0     # of the longest live line so far: a shorter one covers it
        self.start: float | None = None
        self.first_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        if self.start is None:
            self.start, self.first_epoch = time.perf_counter(), epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.start is None:  # no on_epoch_begin (a caller that skips it)
            self.start, self.first_epoch = time.perf_counter(), epoch
        values = in_target_units({k: v for k, v in (logs or {}).items() if k != "size"},
                                 self.target_scale)
        self.pending = f"epoch {epoch + 1}/{self.epochs}  " + "  ".join(
            f"{k} {v:.4g}" for k, v in values.items() if isinstance(v, (int, float)))
        done, left = epoch + 1 - self.first_epoch, self.epochs - epoch - 1
        if left > 0 and done > 0:
            per_epoch = (time.perf_counter() - self.start) / done
            self.pending += f"  ETA {format_seconds(per_epoch * left)}"
        if self.live:
            self.width = max(self.width, len(self.pending))
            self.stream.write("\r" + self.pending.ljust(self.width))
        elif (epoch + 1) % self.every == 0:
            self.stream.write(self.pending + "\n")
            self.pending = ""
        self.stream.flush()

    def on_train_end(self, logs=None):
        """End the live line, or write the last epoch if it was not written yet."""
        if self.pending:
            self.stream.write("\n" if self.live else self.pending + "\n")
            self.stream.flush()
            self.pending = ""
