"""The progress line ``plainnet train`` writes on standard error."""

from __future__ import annotations

import sys
from typing import Any

from ..training.callbacks import Callback

__all__ = ["ProgressLine"]


class ProgressLine(Callback):
    """Training progress on standard error: the epoch and its losses and metrics.

    On a terminal one line is rewritten after every epoch; in a file or a
    pipe a line is written every tenth of the run, and after the last epoch.
    """

    def __init__(self, epochs: int, stream: Any = None) -> None:
        super().__init__()
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = max(1, epochs // 10)
        self.pending = ""  # the latest epoch's line, until it is written for good
        self.width = 0     # of the longest live line so far: a shorter one covers it

    def on_epoch_end(self, epoch, logs=None):
        self.pending = f"epoch {epoch + 1}/{self.epochs}  " + "  ".join(
            f"{k} {v:.4g}" for k, v in (logs or {}).items())
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
