"""Tests for CSVLogger(append=True) across a crash and a resume: each epoch once in the log."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import plainnet
from plainnet import Callback, CSVLogger, Dense, Sequential
from plainnet.training.csv_logger import rows_to_keep


def read_rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2))
    return X, X @ np.array([1.0, -1.0]) + 0.5


def new_model():
    model = Sequential([Dense(2, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    return model


class CrashAfterLogging(Callback):
    """Raises at the end of ``epoch``: after CSVLogger wrote its row, before the checkpoint."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt("killed")


def test_a_resumed_log_has_each_epoch_once(tmp_path):
    X, y = data()
    log, checkpoint = tmp_path / "run.csv", tmp_path / "run.pnet"
    with pytest.raises(KeyboardInterrupt):
        new_model().fit(X, y, epochs=6, batch_size=8, checkpoint=checkpoint, verbose=0,
                        callbacks=[CSVLogger(log, append=True), CrashAfterLogging(3)])
    assert [row[0] for row in read_rows(log)] == ["epoch", "0", "1", "2", "3"]  # 3 logged
    with open(log, "a") as handle:
        handle.write("4,0.1")  # and half a row more, as a kill in the middle of a write leaves
    model = plainnet.io.load(checkpoint)  # a new process: the checkpoint has epochs 0-2
    assert model.epochs_done == 3
    history = model.fit(X, y, epochs=6, batch_size=8, checkpoint=checkpoint, resume=True,
                        verbose=0, callbacks=[CSVLogger(log, append=True)])
    rows = read_rows(log)
    assert [row[0] for row in rows] == ["epoch", "0", "1", "2", "3", "4", "5"]
    assert rows[0] == ["epoch", "loss", "mae"]
    assert [float(row[1]) for row in rows[1:]] == history.history["loss"]


def test_only_the_last_run_of_a_shared_log_is_trimmed(tmp_path):
    X, y = data()
    log = tmp_path / "runs.csv"
    new_model().fit(X, y, epochs=3, callbacks=[CSVLogger(log)], verbose=0)  # run 1: 0-2
    model = new_model()
    model.fit(X, y, epochs=2, callbacks=[CSVLogger(log, append=True)], verbose=0)  # run 2
    with open(log, "a") as handle:
        handle.write("2,9.0,9.0\n")  # run 2's epoch 2, logged but not in its model
    model.fit(X, y, epochs=4, resume=True, callbacks=[CSVLogger(log, append=True)], verbose=0)
    assert [row[0] for row in read_rows(log)] == ["epoch", "0", "1", "2", "0", "1", "2", "3"]
    assert "9.0" not in log.read_text()


def test_a_new_run_appends_after_everything(tmp_path):
    X, y = data()
    log = tmp_path / "runs.csv"
    for _ in range(2):
        new_model().fit(X, y, epochs=2, callbacks=[CSVLogger(log, append=True)], verbose=0)
    assert [row[0] for row in read_rows(log)] == ["epoch", "0", "1", "0", "1"]


def test_appended_rows_follow_the_files_header(tmp_path):
    X, y = data()
    log = tmp_path / "log.csv"
    log.write_text("epoch,mae,loss\n")  # another column order than a new log's
    model = new_model()
    with pytest.warns(RuntimeWarning, match=r"'val_loss', 'val_mae' not logged"):
        history = model.fit(X, y, epochs=2, validation_data=(X, y), verbose=0,
                            callbacks=[CSVLogger(log, append=True)])
    rows = read_rows(log)
    assert rows[0] == ["epoch", "mae", "loss"] and len(rows) == 3
    assert [float(row[2]) for row in rows[1:]] == history.history["loss"]


@pytest.mark.parametrize("lines, first_epoch, keep", [
    (["epoch,loss", "0,1", "1,2", "2,3"], None, 4),   # a new run keeps everything
    (["epoch,loss", "0,1", "1,2", "2,3"], 2, 3),      # resuming at epoch 2: its row goes
    (["epoch,loss", "0,1", "1,2", "2,3"], 0, 1),
    (["epoch,loss", "0,1", "1,2", "0,1", "1,2"], 1, 4),  # the last run only
    (["epoch,loss", "0,1", "1,2", "", "  "], 5, 3),   # blank lines at the end
    (["0,1", "1,2"], 1, 1),                            # no header
    (["epoch;loss", "0;1", "1;2"], 1, 2),
])
def test_rows_to_keep(lines, first_epoch, keep):
    separator = ";" if ";" in lines[-1] else ","
    assert rows_to_keep(lines, separator, first_epoch) == keep


def test_the_old_import_path_still_works():
    from plainnet.training.callbacks import CSVLogger as Old

    assert Old is CSVLogger is plainnet.callbacks.CSVLogger


def test_start_numbers_epochs_from_one_and_a_resume_keeps_each_once(tmp_path):
    import numpy as np

    from plainnet import Dense, Sequential
    from plainnet.training.csv_logger import CSVLogger as Logger

    X = np.random.default_rng(0).normal(size=(8, 2))
    model = Sequential([Dense(1)], seed=0, input_shape=(2,))
    model.compile("mse", "sgd")
    path = tmp_path / "log.csv"
    model.fit(X, X[:, 0], epochs=2, verbose=0, callbacks=[Logger(path, append=True, start=1)])
    model.fit(X, X[:, 0], epochs=4, verbose=0, resume=True,
              callbacks=[Logger(path, append=True, start=1)])
    epochs = [line.split(",")[0] for line in path.read_text().splitlines()[1:]]
    assert epochs == ["1", "2", "3", "4"]
