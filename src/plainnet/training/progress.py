"""What ``fit`` prints: a progress bar (``verbose=1``) or a line per epoch (``verbose=2``)."""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import Any

from .callbacks import Callback

__all__ = ["EpochLogger", "ProgressBar", "format_logs", "format_seconds", "warn_interrupted"]


def format_seconds(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``: a duration as people read it."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def format_logs(logs: dict[str, Any]) -> str:
    return " - ".join(f"{k}: {v:.4g}" for k, v in logs.items() if k != "size")


class ProgressBar(Callback):
    """What ``verbose=1`` shows: a bar per epoch with samples done, rate, the time the
    epoch still needs (``ETA``, from the rate so far) and running loss.

    Uses tqdm when it is installed (the ``progress`` extra), otherwise a
    plain single line rewritten in place. Output is throttled so that it
    costs nothing measurable, however short the epochs:

    * a bar is redrawn at most ten times a second (the first batch of a run
      draws at once);
    * each epoch ends with a finished line of its logs when epochs are slow
      (a second or more apart). When they are fast (thousands of tiny
      epochs), the first and the last epoch get one and the others only at
      most one a second; ``history`` has every epoch's numbers.
    """

    #: seconds between redraws of a bar, and between finished lines of fast epochs
    redraw_interval, line_interval = 0.1, 1.0

    def __init__(self, epochs: int, n_samples: int, stream=None) -> None:
        super().__init__()
        self.epochs, self.n_samples = epochs, n_samples
        self.stream = stream if stream is not None else sys.stdout
        try:
            import tqdm  # noqa: F401
            self._tqdm = True
        except ImportError:
            self._tqdm = False
        self.last_draw = self.last_line = -math.inf
        self.bar = None
        self._unshown: tuple[int, dict] | None = None  # an epoch whose line was skipped
        self._open = False  # a bar drawn and not finished yet
        self._in_epoch = False  # between on_epoch_begin and on_epoch_end

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.seen, self.loss_sum = epoch, 0, 0.0
        self.start = time.perf_counter()
        self._in_epoch = True

    def on_batch_end(self, batch, logs=None):
        size = logs["size"]
        self.seen += size
        self.loss_sum += logs["loss"] * size
        now = time.perf_counter()
        # redraw in an epoch that is taking its time (and once at the very start)
        if now - self.last_draw >= self.redraw_interval and (
                now - self.start >= self.redraw_interval or self.last_draw == -math.inf):
            self.last_draw = now
            self._draw(f"loss: {self.loss_sum / self.seen:.4g}")

    def _draw(self, text: str, final: bool = False) -> None:
        title = f"Epoch {self.epoch + 1}/{self.epochs}"
        self._open = not final
        if self._tqdm:
            if self.bar is None:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=self.n_samples, desc=title, unit="sample",
                                file=self.stream, leave=True, dynamic_ncols=True)
            self.bar.update(self.seen - self.bar.n)
            self.bar.set_postfix_str(text, refresh=True)
            if final:
                self.bar.close()
                self.bar = None
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        width = 24
        filled = int(width * self.seen / max(self.n_samples, 1))
        bar = "=" * filled + (">" if filled < width else "") + "." * (width - filled - 1)
        rate = self.seen / elapsed
        left = max(self.n_samples - self.seen, 0)
        eta = f"ETA {format_seconds(left / rate)} - " if not final and left and rate else ""
        line = (f"\r{title} [{bar[:width]}] {self.seen}/{self.n_samples} "
                f"- {rate:,.0f} samples/s - {eta}{text}")
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        self._in_epoch = False
        now = time.perf_counter()
        if (self._open or now - self.last_line >= self.line_interval
                or epoch + 1 == self.epochs):
            self._draw(format_logs(logs or {}), final=True)
            self.last_line = self.last_draw = now
            self._unshown = None
        else:
            self._unshown = (epoch, logs or {})

    def on_train_end(self, logs=None):
        """Show the epoch where training stopped if its line was skipped, or finish an open bar
        (Ctrl-C, an error): the line ends, so what follows starts on a line of its own."""
        if self._open or (self._in_epoch and self.seen):  # stopped during an epoch
            self._draw(f"loss: {self.loss_sum / max(self.seen, 1):.4g}", final=True)
        elif self._unshown is not None:
            (self.epoch, logs), self._unshown = self._unshown, None
            self.seen = self.n_samples
            self._draw(format_logs(logs), final=True)


class EpochLogger(Callback):
    """What ``verbose=2`` shows: one line per epoch."""

    def __init__(self, epochs: int, stream=None) -> None:
        super().__init__()
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        self.stream.write(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.2f}s - "
                          f"{format_logs(logs or {})}\n")
        self.stream.flush()


def warn_interrupted(epoch: int, batch: int) -> None:
    warnings.warn(
        f"fit interrupted by Ctrl-C during epoch {epoch + 1}, after batch {batch + 1}: the "
        "weights so far and the history of the completed epochs are kept",
        RuntimeWarning,
        stacklevel=5,  # warn_interrupted <- TrainingRun <- Sequential._train <- fit <- caller
    )
