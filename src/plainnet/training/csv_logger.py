"""``CSVLogger``: one CSV row per epoch, and a log that survives a crash and a resume.

A run that checkpoints every epoch (``fit(checkpoint=...)``) and logs with
``CSVLogger(path, append=True)`` can be killed between writing an epoch's row
and saving its checkpoint; resumed (``fit(resume=True)``), it trains that
epoch again. Before its first epoch, the logger therefore cuts from the file
the rows of the epochs it is about to train again (and a last line left half
written), so the log holds each epoch once.
"""

from __future__ import annotations

import csv
import os
import warnings

from .._validation import check_bool, check_int
from .callbacks import Callback

__all__ = ["CSVLogger", "rows_to_keep"]


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch,loss,...``; each row is flushed at once.

    Epochs are numbered from ``start``: 0 as Keras does (the default), or 1 to
    match a progress line's "Epoch 1/10"; the other columns are the sorted
    keys of the first epoch's logs.

    Parameters
    ----------
    path : str or os.PathLike
    separator : str, default ","
    append : bool, default False
        Add to an existing file instead of starting a new one. The rows then
        follow the file's header (its columns, in its order; a key the header
        lacks is left out with a warning). With ``fit(resume=True)`` the rows
        that the file holds for the epochs being trained again are removed
        first (see the module docstring): a resumed log has each epoch once. A
        last line without its line break is taken as half written, and removed.
    start : int, default 0
        The number written for the first epoch.

    Examples
    --------
    A run that can be killed and resumed by running the same script::

        model.fit(X, y, epochs=100, checkpoint="run.pnet", resume=True,
                  callbacks=[CSVLogger("run.csv", append=True)])
    """

    def __init__(self, path: str | os.PathLike, separator: str = ",", append: bool = False,
                 start: int = 0):
        super().__init__()
        self.start = check_int("start", start, 0)
        self.path = os.fspath(path)
        if not isinstance(separator, str):
            raise TypeError(f"separator must be a string, got {type(separator).__name__}")
        if len(separator) != 1:
            raise ValueError(f"separator must be a single character, got {separator!r}")
        self.separator = separator
        self.append = check_bool("append", append)
        self.keys: list[str] | None = None
        self._file = None

    def on_train_begin(self, logs=None):
        self.keys = None  # this run's columns: the file's header's, or its first logs' keys
        self._warned: set[str] = set()
        header = None
        if self.append and os.path.exists(self.path) and os.path.getsize(self.path) > 0:
            history = getattr(self.model, "history", None)
            resumed = bool(getattr(history, "epoch", None))  # fit(resume=True) continues it
            header = self._trim(self.model.epochs_done + self.start if resumed else None)
        self._file = open(self.path, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self._header_written = header is not None
        if header and header[0] == "epoch":
            self.keys = header[1:]

    def _trim(self, first_epoch: int | None) -> list[str] | None:
        """Cut what a run starting at ``first_epoch`` writes again (see :func:`rows_to_keep`).

        Returns the file's first row (its header) as a list, or None if
        nothing is left.
        """
        with open(self.path, "rb") as handle:
            data = handle.read()
        complete = data.split(b"\n")[:-1]  # after the last newline: nothing, or half a row
        lines = [line.decode("utf-8", "replace").rstrip("\r") for line in complete]
        keep = rows_to_keep(lines, self.separator, first_epoch)
        size = sum(len(line) + 1 for line in complete[:keep])
        if size < len(data):
            os.truncate(self.path, size)  # one system call: the rows before stay as they were
        if keep == 0:
            return None
        return next(csv.reader([lines[0]], delimiter=self.separator))

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if not self._header_written:
            self._writer.writerow(["epoch", *self.keys])
            self._header_written = True
        left_out = sorted(set(logs) - set(self.keys) - self._warned)
        if left_out:
            warnings.warn(f"CSVLogger: {self.path} has the columns {self.keys}, so "
                          f"{', '.join(map(repr, left_out))} not logged; log to a new file to "
                          "keep them", RuntimeWarning, stacklevel=2)
            self._warned.update(left_out)
        self._writer.writerow([epoch + self.start, *(logs.get(k, "") for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


def rows_to_keep(lines: list[str], separator: str, first_epoch: int | None) -> int:
    """How many of a log's complete ``lines`` a run starting at ``first_epoch`` keeps.

    A log may hold several runs (each from a header or from epoch 0); only
    the last one can be the run being resumed. Its rows of epoch
    ``first_epoch`` or later are dropped, as are blank or unreadable lines at
    the end. ``first_epoch=None`` (a new run) keeps every complete line.
    """
    keep = len(lines)
    while keep and not lines[keep - 1].strip():
        keep -= 1
    if first_epoch is None:
        return keep
    previous = None
    for i in range(keep - 1, -1, -1):  # from the end back to the start of the last run
        field = lines[i].split(separator, 1)[0].strip().strip('"')
        try:
            epoch = int(field)
        except ValueError:
            break  # the header (or a foreign line): the last run starts after it
        if previous is not None and epoch >= previous:
            break  # epochs grow within a run: a new run starts after this line
        if epoch >= first_epoch:
            keep = i
        previous = epoch
    return keep
