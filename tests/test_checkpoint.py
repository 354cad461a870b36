"""Checkpoints and resuming: ``fit(checkpoint=...)``, ``fit(resume=True)``, and SIGKILL.

The two promises tested with real processes killed by SIGKILL:

* ``save`` is atomic: killed at any moment, it leaves the old file or the new
  one, and ``load`` reads it.
* A training run killed part-way and resumed from its checkpoint ends with
  exactly the weights (and optimizer state, generator state and history) of a
  run that was never interrupted, with shuffling and dropout on.
"""

from __future__ import annotations

import copy
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import plainnet
from io_helpers import assert_same_model, small_model, training_data
from plainnet import Callback, ModelCheckpoint

TESTS = Path(__file__).resolve().parent
FIT = {"batch_size": 16, "verbose": 0, "validation_split": 0.25}  # shuffle is on by default


class Recorder(Callback):
    """Keeps the generator state at each epoch's start and the weights at each epoch's end."""

    def __init__(self):
        super().__init__()
        self.rng_at_begin, self.weights_at_end = {}, {}

    def on_epoch_begin(self, epoch, logs=None):
        self.rng_at_begin[epoch] = copy.deepcopy(self.model.rng.bit_generator.state)

    def on_epoch_end(self, epoch, logs=None):
        self.weights_at_end[epoch] = self.model.get_weights()


class ReadCheckpoint(Callback):
    """After a ModelCheckpoint earlier in the list has saved, load the file and keep it."""

    def __init__(self, path):
        super().__init__()
        self.path, self.loaded = path, {}

    def on_epoch_end(self, epoch, logs=None):
        self.loaded[epoch] = plainnet.load(self.path)


def uninterrupted(epochs, **fit):
    X, y = training_data()
    model, recorder = small_model(seed=7), Recorder()
    model.fit(X, y, epochs=epochs, callbacks=[recorder], **{**FIT, **fit})
    return model, recorder


# ========================================================================= in process


def test_the_checkpoint_of_epoch_k_is_the_state_at_the_start_of_epoch_k_plus_1(tmp_path):
    reference, recorder = uninterrupted(4)
    X, y = training_data()
    path = tmp_path / "run.pnet"
    model, reader = small_model(seed=7), ReadCheckpoint(path)
    model.fit(X, y, epochs=4, callbacks=[ModelCheckpoint(path), reader], **FIT)
    for epoch in range(4):
        saved = reader.loaded[epoch]
        assert saved.epochs_done == epoch + 1
        assert saved.history.epoch == list(range(epoch + 1))
        for a, b in zip(saved.get_weights(), recorder.weights_at_end[epoch], strict=True):
            np.testing.assert_array_equal(a, b)
        if epoch + 1 in recorder.rng_at_begin:  # the state the next epoch shuffles with
            assert saved.rng.bit_generator.state == recorder.rng_at_begin[epoch + 1]
    assert_same_model(reference, model)


def test_fit_with_checkpoint_leaves_the_final_model_in_the_file(tmp_path):
    X, y = training_data()
    model = small_model(seed=1)
    model.fit(X, y, epochs=3, checkpoint=tmp_path / "run.pnet", **FIT)
    assert_same_model(model, plainnet.load(tmp_path / "run.pnet"))
    assert plainnet.load(tmp_path / "run.pnet").history.history.keys() == {
        "loss", "accuracy", "val_loss", "val_accuracy"}


def test_resuming_from_a_checkpoint_matches_an_uninterrupted_run(tmp_path):
    reference, _ = uninterrupted(6)
    X, y = training_data()
    path = tmp_path / "run.pnet"
    small_model(seed=7).fit(X, y, epochs=2, checkpoint=path, **FIT)  # "crashes" after 2

    resumed = plainnet.load(path)
    history = resumed.fit(X, y, epochs=6, checkpoint=path, resume=True, **FIT)
    assert history.epoch == list(range(6)) and len(history.history["loss"]) == 6
    assert_same_model(reference, resumed)
    assert_same_model(reference, plainnet.load(path))


def early_stopping():
    return plainnet.EarlyStopping(patience=2, min_delta=0.01)  # stops at epoch 13 here


def test_a_resumed_run_with_early_stopping_stops_where_an_uninterrupted_one_does(tmp_path):
    X, y = training_data()
    reference, stopper = small_model(seed=7), early_stopping()
    reference.fit(X, y, epochs=100, callbacks=[stopper], **FIT)
    assert 3 < stopper.stopped_epoch < 99  # it did stop early
    path = tmp_path / "run.pnet"
    # "crash" right after the best epoch, then resume in a new process with a new callback
    small_model(seed=7).fit(X, y, epochs=stopper.best_epoch + 1, checkpoint=path, **FIT)
    resumed, second = plainnet.load(path), early_stopping()
    resumed.fit(X, y, epochs=100, checkpoint=path, resume=True, callbacks=[second], **FIT)
    assert second.stopped_epoch == stopper.stopped_epoch
    assert second.best_epoch == stopper.best_epoch
    assert_same_model(reference, resumed)  # the best weights restored, history alike


def test_resuming_a_run_that_early_stopping_had_ended_trains_nothing(tmp_path):
    X, y = training_data()
    path = tmp_path / "run.pnet"
    model, stopper = small_model(seed=7), early_stopping()
    model.fit(X, y, epochs=100, checkpoint=path, callbacks=[stopper], **FIT)
    loaded = plainnet.load(path)
    before = loaded.get_weights()
    with pytest.warns(RuntimeWarning, match="latest weights"):  # the file has the last epoch's
        loaded.fit(X, y, epochs=100, resume=True, callbacks=[early_stopping()], **FIT)
    assert loaded.epochs_done == stopper.stopped_epoch + 1
    for a, b in zip(loaded.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_best_weights_from_before_a_resume_that_were_not_kept_give_a_warning(tmp_path):
    X, y = training_data()
    reference, stopper = small_model(seed=7), early_stopping()
    reference.fit(X, y, epochs=100, callbacks=[stopper], **FIT)
    path = tmp_path / "run.pnet"
    small_model(seed=7).fit(X, y, epochs=stopper.best_epoch + 2, checkpoint=path, **FIT)
    resumed, second = plainnet.load(path), early_stopping()
    with pytest.warns(RuntimeWarning, match=f"epoch {stopper.best_epoch + 1}.*latest weights"):
        resumed.fit(X, y, epochs=100, resume=True, callbacks=[second], **FIT)
    assert second.stopped_epoch == stopper.stopped_epoch


def test_a_restartable_script_gives_the_same_model_however_often_it_is_restarted(tmp_path):
    """The pattern of the docs: load the checkpoint if there is one, else start afresh."""
    reference, _ = uninterrupted(5)
    X, y = training_data()
    path = tmp_path / "run.pnet"
    for stop_at in (2, 3, 5, 5):  # three "crashes", then a run after the end
        model = plainnet.load(path) if path.exists() else small_model(seed=7)
        model.fit(X, y, epochs=stop_at, checkpoint=path, resume=True, **FIT)
    assert_same_model(reference, plainnet.load(path))


def test_resuming_a_finished_run_trains_nothing(tmp_path):
    X, y = training_data()
    path = tmp_path / "run.pnet"
    small_model(seed=7).fit(X, y, epochs=3, checkpoint=path, **FIT)
    before = path.read_bytes()
    model = plainnet.load(path)
    model.fit(X, y, epochs=3, checkpoint=path, resume=True, **FIT)
    assert model.epochs_done == 3
    assert_same_model(plainnet.load(path), model)
    assert path.read_bytes() == before


def test_a_checkpoint_in_a_missing_folder_fails_before_training(tmp_path):
    X, y = training_data()
    model = small_model(seed=7)
    weights = model.get_weights()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.fit(X, y, epochs=2, checkpoint=tmp_path / "missing" / "run.pnet", **FIT)
    assert model.epochs_done == 0
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ===================================================================== killed processes

SAVE_FOREVER = """
import sys
import numpy as np
from plainnet import Dense, ReLU, Sequential

path = sys.argv[1]
model = Sequential([Dense(700, 700), ReLU(), Dense(700, 700)], seed=0, dtype=np.float64)
version = 0
while True:  # save versions 1, 2, 3, ... of a 7.8 MB model until killed
    version += 1
    for layer in model.layers:
        for array in layer.arrays().values():
            array.fill(version)
    model.epochs_done = version
    model.save(path)
    print(version, flush=True)
"""


def start(script, *args):
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_line(process):
    line = process.stdout.readline()
    if not line:
        process.wait()
        pytest.fail(f"the child process failed:\n{process.stderr.read()}")
    return line


def kill(process):
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.stdout.read().split()


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "model.pnet"
    chance = random.Random(12345)
    interrupted_saves = 0
    for _ in range(6):
        process = start(SAVE_FOREVER, path)
        reported = [int(first_line(process))]  # at least one complete save
        time.sleep(chance.uniform(0.0, 0.15))
        reported += [int(line) for line in kill(process)]
        last_reported = reported[-1]

        model = plainnet.load(path)  # never damaged
        version = model.epochs_done
        # the save under way may have finished its rename just before the kill
        assert version in (last_reported, last_reported + 1)
        for array in model.get_weights():
            assert np.all(array == version)  # all of one version: never a mixture

        leftovers = [name for name in os.listdir(tmp_path) if name != "model.pnet"]
        for name in leftovers:
            assert re.fullmatch(r"\.model\.pnet\.tmp-[0-9a-f]{8}", name), name
            os.unlink(tmp_path / name)
        interrupted_saves += bool(leftovers)
    assert interrupted_saves > 0, "no kill landed in the middle of a save"


TRAIN = """
import sys
sys.path.insert(0, sys.argv[1])
import plainnet
from io_helpers import small_model, training_data

path, epochs = sys.argv[2], int(sys.argv[3])

class Tell(plainnet.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        print(epoch, flush=True)  # the checkpoint of the epoch before is on disk

X, y = training_data(n=1500)
model = small_model(seed=7)
model.fit(X, y, epochs=epochs, batch_size=16, verbose=0, validation_split=0.25,
          checkpoint=path, callbacks=[Tell()])
print("done", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_training_killed_and_resumed_ends_bit_identical_to_an_uninterrupted_run(tmp_path):
    epochs = 25
    X, y = training_data(n=1500)
    reference = small_model(seed=7)
    reference.fit(X, y, epochs=epochs, **FIT)

    chance = random.Random(2024)
    for trial in range(3):
        path = tmp_path / f"run{trial}.pnet"
        process = start(TRAIN, TESTS, path, epochs)
        stop_after = chance.randint(2, epochs - 10)
        while int(first_line(process)) < stop_after:
            pass
        time.sleep(chance.uniform(0.0, 0.012))  # an epoch takes ~10 ms: kill in it or its save
        assert "done" not in kill(process)

        resumed = plainnet.load(path)
        assert 0 < resumed.epochs_done < epochs
        resumed.fit(X, y, epochs=epochs, checkpoint=path, resume=True, **FIT)
        assert_same_model(reference, resumed)
        assert_same_model(reference, plainnet.load(path))
