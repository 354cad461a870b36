"""Checkpoints and resuming: ``ModelCheckpoint``, ``fit(checkpoint=...)``, ``fit(resume=True)``.

The promise, tested in process and with a real process killed by SIGKILL: a
training run stopped part-way and resumed from its checkpoint ends with
exactly the weights (and optimizer state, generator state and history) of a
run that was never interrupted, with shuffling and dropout on. (That ``save``
itself survives SIGKILL is tested in test_io_atomic.py.)

``ModelCheckpoint(save_best_only=True)`` writes only the best epochs, by the
rule ``EarlyStopping`` applies, so the two always agree on the best weights.
"""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from io_helpers import assert_same_model, first_line, kill, small_model, start, training_data

import plainnet
from plainnet import Callback, EarlyStopping, ModelCheckpoint

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


def test_resuming_from_a_checkpoint_matches_an_uninterrupted_run(tmp_path):
    reference, _ = uninterrupted(6)
    X, y = training_data()
    path = tmp_path / "run.pnet"
    first = small_model(seed=7)
    first.fit(X, y, epochs=2, checkpoint=path, **FIT)  # "crashes" after 2
    assert_same_model(first, plainnet.load(path))  # the file holds the model as fit left it
    assert plainnet.load(path).history.history.keys() == {
        "loss", "accuracy", "val_loss", "val_accuracy"}

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


# ====================================================================== save_best_only


def feed(checkpoint, model, values, monitor="val_loss"):
    """Call the checkpoint as fit would, for epochs with these monitored values.

    Returns the epochs done by the model in the file after each epoch (None
    while there is no file).
    """
    checkpoint.set_model(model)
    checkpoint.on_train_begin({})
    in_file = []
    for epoch, value in enumerate(values, start=model.epochs_done):
        model.epochs_done = epoch + 1
        checkpoint.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        path = checkpoint.path
        in_file.append(plainnet.load(path).epochs_done if os.path.exists(path) else None)
    return in_file


@pytest.mark.parametrize("kwargs, values, in_file", [
    ({}, [1.0, 0.5, 0.7, 0.4, 0.4], [1, 2, 2, 4, 4]),  # only strictly better epochs
    ({"min_delta": 0.2}, [1.0, 0.9, 0.7, 0.75, 0.45], [1, 1, 3, 3, 5]),  # better by > 0.2
    ({"min_delta": -0.2}, [1.0, 0.9, 0.7, 0.75, 0.45], [1, 1, 3, 3, 5]),  # its sign is ignored
    ({"mode": "max"}, [0.5, 0.7, 0.6, 0.7, 0.9], [1, 2, 2, 2, 5]),
    ({"monitor": "val_accuracy"}, [0.5, 0.7, 0.6, 0.7, 0.9], [1, 2, 2, 2, 5]),  # auto: max
    ({"monitor": "val_r2"}, [0.5, 0.4, 0.6], [1, 1, 3]),  # auto: max
    ({"save_best_only": False}, [1.0, 2.0, 3.0], [1, 2, 3]),  # every epoch
])
def test_save_best_only_writes_the_file_only_when_the_monitored_value_improves(
        tmp_path, kwargs, values, in_file):
    kwargs = {"save_best_only": True, **kwargs}
    checkpoint = ModelCheckpoint(tmp_path / "best.pnet", **kwargs)
    monitor = kwargs.get("monitor", "val_loss")
    assert feed(checkpoint, small_model(), values, monitor) == in_file
    if kwargs["save_best_only"]:
        assert checkpoint.best_epoch == in_file[-1] - 1
        assert checkpoint.best == values[checkpoint.best_epoch]


def test_a_resumed_save_best_only_run_keeps_the_best_of_the_whole_run(tmp_path):
    model = small_model()
    model.history = plainnet.History({"loss": [1.0] * 3, "val_loss": [0.5, 0.3, 0.4]},
                                     [0, 1, 2])
    model.epochs_done = 3
    checkpoint = ModelCheckpoint(tmp_path / "best.pnet", save_best_only=True)
    # epoch 3 (0.35) is no better than epoch 1 (0.3), seen before the resume; epoch 4 is
    assert feed(checkpoint, model, [0.35, 0.25]) == [None, 5]
    assert checkpoint.best_epoch == 4


@pytest.mark.parametrize("monitor, mode, min_delta", [
    ("val_loss", "auto", 0.0),
    ("val_loss", "min", 0.01),
    ("val_accuracy", "auto", 0.0),  # ties are frequent: both must keep the earlier epoch
    ("loss", "min", 0.0),
])
def test_save_best_only_and_early_stopping_agree_on_the_best_weights(tmp_path, monitor, mode,
                                                                     min_delta):
    X, y = training_data(n=96)
    model = small_model(seed=3)
    stopper = EarlyStopping(monitor=monitor, mode=mode, min_delta=min_delta, patience=4,
                            restore_best_weights=True)
    checkpoint = ModelCheckpoint(tmp_path / "best.pnet", save_best_only=True, monitor=monitor,
                                 mode=mode, min_delta=min_delta)
    model.fit(X, y, epochs=40, callbacks=[stopper, checkpoint], **FIT)
    assert checkpoint.best_epoch == stopper.best_epoch is not None
    best = plainnet.load(tmp_path / "best.pnet")
    assert best.epochs_done == stopper.best_epoch + 1
    for a, b in zip(best.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # what EarlyStopping restored


def test_save_best_only_and_early_stopping_agree_after_a_later_worse_epoch(tmp_path):
    """The case that matters: the best epoch is not the last one."""
    X, y = training_data(n=96)
    model = small_model(seed=3)
    stopper = EarlyStopping(patience=2, min_delta=0.01, restore_best_weights=True)
    checkpoint = ModelCheckpoint(tmp_path / "best.pnet", save_best_only=True, min_delta=0.01)
    model.fit(X, y, epochs=100, callbacks=[stopper, checkpoint], **FIT)
    assert stopper.stopped_epoch is not None and stopper.best_epoch < stopper.stopped_epoch
    best = plainnet.load(tmp_path / "best.pnet")
    assert best.epochs_done == stopper.best_epoch + 1 < model.epochs_done
    for a, b in zip(best.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_save_best_only_needs_the_monitored_value(tmp_path):
    X, y = training_data()
    checkpoint = ModelCheckpoint(tmp_path / "best.pnet", save_best_only=True)
    with pytest.raises(ValueError, match="ModelCheckpoint monitors 'val_loss'.*validation"):
        small_model().fit(X, y, epochs=2, callbacks=[checkpoint], verbose=0)
    assert not (tmp_path / "best.pnet").exists()
    # without save_best_only the monitor is not read: no validation data needed
    small_model().fit(X, y, epochs=1, callbacks=[ModelCheckpoint(tmp_path / "m.pnet")],
                      verbose=0)
    assert plainnet.load(tmp_path / "m.pnet").epochs_done == 1


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"save_best_only": "yes"}, TypeError, "save_best_only"),
    ({"mode": "best"}, ValueError, "mode must be 'auto', 'min' or 'max'"),
    ({"monitor": 3}, TypeError, "monitor must be a string"),
    ({"min_delta": "0.1"}, TypeError, "min_delta"),
])
def test_bad_checkpoint_arguments(tmp_path, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        ModelCheckpoint(tmp_path / "m.pnet", **kwargs)


def test_model_checkpoint_is_reached_from_every_public_path_and_import_plainnet_skips_io():
    import plainnet.callbacks
    import plainnet.io
    import plainnet.io.checkpoint

    assert (plainnet.ModelCheckpoint is plainnet.callbacks.ModelCheckpoint
            is plainnet.io.ModelCheckpoint is plainnet.io.checkpoint.ModelCheckpoint)
    assert "ModelCheckpoint" in plainnet.__all__ and "ModelCheckpoint" in plainnet.callbacks.__all__
    with pytest.raises(AttributeError, match="no attribute 'ModelCheckpoints'"):
        plainnet.ModelCheckpoints  # noqa: B018
    code = ("import sys, plainnet, plainnet.callbacks\n"
            "assert 'plainnet.io' not in sys.modules, 'import plainnet imported plainnet.io'\n"
            "from plainnet.callbacks import ModelCheckpoint\n"
            "assert 'plainnet.io' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
