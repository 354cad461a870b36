"""Tests for plainnet.callbacks: hook order, EarlyStopping, LearningRateScheduler, History,
CSVLogger."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from plainnet import (
    SGD,
    Adam,
    BatchNormalization,
    Callback,
    CSVLogger,
    Dense,
    EarlyStopping,
    ExponentialDecay,
    History,
    LearningRateScheduler,
    Sequential,
    Softmax,
    TrainingDivergedError,
)


def classification_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 0] > 1).astype(int)
    return X, y


def small_classifier(optimizer=None, seed=0):
    model = Sequential([Dense(2, 6, activation="tanh"), Dense(6, 3), Softmax()], seed=seed,
                       dtype=np.float64)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer or Adam(0.01),
                  metrics=["accuracy"])
    return model


class Recorder(Callback):
    """Records every hook call, in order, with a copy of its logs."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def set_model(self, model):
        super().set_model(model)
        self.calls.append(("set_model",))

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, dict(logs)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


class Scripted(Callback):
    """Overwrites ``logs[key]`` with ``values[epoch]``: a monitored value we control."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, list(values)
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())


# ------------------------------------------------------------------ hook order
def test_hooks_are_called_in_the_documented_order():
    X, y = classification_data(25)  # batches of 10, 10, 5
    recorder = Recorder()
    model = small_classifier()
    model.fit(X, y, epochs=2, batch_size=10, validation_data=(X, y), callbacks=[recorder],
              verbose=0)
    names = [call[:2] if call[0] not in ("set_model", "train_begin", "train_end") else call
             for call in recorder.calls]
    epoch = [("epoch_begin", None), ("batch_end", 0), ("batch_end", 1), ("batch_end", 2),
             ("epoch_end", None)]
    expected = [("set_model",), ("train_begin",)]
    for e in range(2):
        expected += [(name, e if i is None else i) for name, i in epoch]
    expected.append(("train_end",))
    assert names == expected
    assert recorder.model is model
    batch_logs = [call[2] for call in recorder.calls if call[0] == "batch_end"]
    assert [logs["size"] for logs in batch_logs] == [10, 10, 5] * 2
    assert all(set(logs) == {"loss", "size"} for logs in batch_logs)
    epoch_logs = [call[2] for call in recorder.calls if call[0] == "epoch_end"]
    assert set(epoch_logs[0]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert [logs["loss"] for logs in epoch_logs] == model.history.history["loss"]


def test_the_base_callback_does_nothing_and_every_hook_exists():
    callback = Callback()
    assert callback.model is None
    for hook in ("on_train_begin", "on_train_end"):
        assert getattr(callback, hook)({}) is None
    for hook in ("on_epoch_begin", "on_epoch_end", "on_batch_end"):
        assert getattr(callback, hook)(0, {}) is None
    X, y = classification_data(20)
    small_classifier().fit(X, y, callbacks=[Callback()], verbose=0)


def test_callbacks_must_be_callback_objects():
    X, y = classification_data(20)
    with pytest.raises(TypeError, match=r"callbacks\[1\]"):
        small_classifier().fit(X, y, callbacks=[Callback(), lambda: None], verbose=0)


def test_callbacks_may_be_a_single_callback_but_not_another_object():
    X, y = classification_data(20)
    recorder = Recorder()
    small_classifier().fit(X, y, callbacks=recorder, verbose=0)
    assert recorder.calls[-1] == ("train_end",)
    with pytest.raises(TypeError, match="callbacks must be a list of plainnet Callbacks, got int"):
        small_classifier().fit(X, y, callbacks=5, verbose=0)


def test_a_callback_whose_train_begin_never_ran_is_not_ended(tmp_path):
    """The error of a failing on_train_begin is the one reported, and the callbacks after
    it are not ended: an EarlyStopping must not restore weights from an earlier fit."""
    X, y = classification_data(20)
    model = small_classifier()
    missing = tmp_path / "missing" / "log.csv"
    with pytest.raises(FileNotFoundError):  # not an AttributeError from EarlyStopping
        model.fit(X, y, epochs=2, callbacks=[CSVLogger(missing), EarlyStopping("loss")],
                  verbose=0)
    stopper, recorder = EarlyStopping("loss"), Recorder()
    model.fit(X, y, epochs=3, callbacks=[stopper], verbose=0)  # it keeps that fit's best
    model.fit(X, y, epochs=2, verbose=0)
    weights = model.get_weights()
    with pytest.raises(FileNotFoundError):
        model.fit(X, y, epochs=2, callbacks=[CSVLogger(missing), stopper, recorder], verbose=0)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert recorder.calls == [("set_model",)]


def test_on_train_end_runs_when_fit_raises():
    X, y = classification_data(20)
    recorder = Recorder()
    model = Sequential([Dense(2, 1)], seed=0)
    model.compile(loss="mse", optimizer=SGD(1e30))
    with pytest.raises(TrainingDivergedError), np.errstate(all="ignore"):
        model.fit(X * 1e10, y, epochs=3, callbacks=[recorder], verbose=0)
    assert recorder.calls[-1] == ("train_end",)


def test_a_callback_can_stop_training():
    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    X, y = classification_data(20)
    model = small_classifier()
    history = model.fit(X, y, epochs=10, callbacks=[StopAfterTwo()], verbose=0)
    assert history.epoch == [0, 1]
    history = model.fit(X, y, epochs=3, verbose=0)  # the flag does not stick
    assert history.epoch == [0, 1, 2]


# --------------------------------------------------------------- EarlyStopping
class FakeModel:
    """The part of a model EarlyStopping uses."""

    def __init__(self):
        self.weights = [np.zeros(2)]
        self.stop_training = False

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def drive(callback, values, key="val_loss"):
    """Feed ``values`` epoch by epoch as fit would; return the epochs actually run."""
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin({})
    ran = []
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]  # weights "trained" in this epoch
        ran.append(epoch)
        callback.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    callback.on_train_end({})
    return ran, model


def test_early_stopping_patience():
    values = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.0]
    ran, model = drive(EarlyStopping(patience=2), values)
    assert ran == [0, 1, 2, 3, 4]  # best at epoch 2, two epochs without improvement
    ran, _ = drive(EarlyStopping(patience=3), values)
    assert ran == [0, 1, 2, 3, 4, 5]
    ran, _ = drive(EarlyStopping(patience=4), values)
    assert ran == list(range(7))
    ran, _ = drive(EarlyStopping(patience=0), values)
    assert ran == [0, 1, 2, 3]


def test_early_stopping_records_best_and_stopped_epoch():
    callback = EarlyStopping(patience=1)
    drive(callback, [3.0, 1.0, 2.0, 0.5])
    assert callback.best == 1.0 and callback.best_epoch == 1 and callback.stopped_epoch == 2


def test_early_stopping_min_delta():
    values = [1.0, 0.95, 0.93, 0.92, 0.5]
    ran, _ = drive(EarlyStopping(patience=3, min_delta=0.1), values)
    assert ran == [0, 1, 2, 3]  # none of 0.95, 0.93, 0.92 beats 1.0 by more than 0.1
    ran, _ = drive(EarlyStopping(patience=3, min_delta=0.0), values)
    assert ran == [0, 1, 2, 3, 4]
    ran, _ = drive(EarlyStopping(patience=1, min_delta=-0.1), [1.0, 0.85, 0.8])
    assert ran == [0, 1, 2]  # the sign of min_delta does not matter: 0.85 improves by 0.15


def test_early_stopping_equal_value_is_not_an_improvement():
    ran, _ = drive(EarlyStopping(patience=1), [1.0, 1.0, 0.5])
    assert ran == [0, 1]


@pytest.mark.parametrize("monitor", ["val_accuracy", "accuracy", "acc", "val_r2",
                                     "val_Accuracy", "R2"])  # compile takes names in any case
def test_early_stopping_mode_auto_maximises_accuracy_and_r2(monitor):
    callback = EarlyStopping(monitor=monitor, patience=1)
    assert callback.mode == "max"
    ran, model = drive(callback, [0.5, 0.7, 0.9, 0.8, 0.95], key=monitor)
    assert ran == [0, 1, 2, 3]
    assert callback.best == 0.9
    np.testing.assert_array_equal(model.weights[0], [2.0, 2.0])


@pytest.mark.parametrize("monitor", ["val_loss", "loss", "mae", "val_mse"])
def test_early_stopping_mode_auto_minimises_losses(monitor):
    assert EarlyStopping(monitor=monitor).mode == "min"


def test_early_stopping_explicit_mode():
    ran, _ = drive(EarlyStopping(monitor="score", mode="max", patience=1), [1, 2, 1], "score")
    assert ran == [0, 1, 2]
    ran, _ = drive(EarlyStopping(monitor="score", mode="min", patience=1), [1, 2, 1], "score")
    assert ran == [0, 1]
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="biggest")


def test_early_stopping_restores_the_best_weights_of_a_fake_model():
    _, model = drive(EarlyStopping(patience=2), [3.0, 1.0, 2.0, 2.5])
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])
    _, model = drive(EarlyStopping(patience=2, restore_best_weights=False),
                     [3.0, 1.0, 2.0, 2.5])
    np.testing.assert_array_equal(model.weights[0], [3.0, 3.0])


def test_early_stopping_in_fit_restores_the_best_epochs_weights():
    X, y = classification_data(40)
    model = Sequential([Dense(2, 4, activation="tanh"), BatchNormalization(), Dense(4, 3),
                        Softmax()], seed=0, dtype=np.float64)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(0.05))
    scripted = Scripted("score", [0.9, 0.5, 0.4, 0.45, 0.6, 0.41, 0.3, 0.1])
    stopper = EarlyStopping(monitor="score", patience=3)
    history = model.fit(X, y, epochs=8, batch_size=10, callbacks=[scripted, stopper],
                        verbose=0)
    assert history.epoch == [0, 1, 2, 3, 4, 5]  # best at epoch 2, then 3 without improvement
    assert stopper.best_epoch == 2 and stopper.stopped_epoch == 5
    best = scripted.weights[2]
    assert not np.array_equal(best[0], scripted.weights[-1][0])
    for restored, saved in zip(model.get_weights(), best):  # BN statistics included
        np.testing.assert_array_equal(restored, saved)


def test_early_stopping_without_restoring_keeps_the_last_weights():
    X, y = classification_data(40)
    model = small_classifier(Adam(0.05))
    scripted = Scripted("score", [0.9, 0.5, 0.6, 0.7])
    stopper = EarlyStopping(monitor="score", patience=2, restore_best_weights=False)
    model.fit(X, y, epochs=4, callbacks=[scripted, stopper], verbose=0)
    for now, last in zip(model.get_weights(), scripted.weights[-1]):
        np.testing.assert_array_equal(now, last)


def test_early_stopping_on_real_val_loss():
    """Over-fitting a noisy problem: val_loss turns up and training stops early."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = rng.integers(0, 3, size=30)  # pure noise: nothing generalises
    X_val, y_val = rng.normal(size=(30, 2)), rng.integers(0, 3, size=30)
    model = Sequential([Dense(2, 32, activation="relu"), Dense(32, 3), Softmax()], seed=0,
                       dtype=np.float64)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(0.05))
    stopper = EarlyStopping(patience=5)
    history = model.fit(X, y, epochs=300, batch_size=30, validation_data=(X_val, y_val),
                        callbacks=[stopper], verbose=0)
    val = history.history["val_loss"]
    assert len(val) < 300
    assert stopper.best_epoch == int(np.argmin(val))
    assert len(val) == stopper.best_epoch + 1 + 5
    assert model.evaluate(X_val, y_val)["loss"] == pytest.approx(min(val), rel=1e-12)


def test_early_stopping_missing_monitor_is_a_clear_error():
    X, y = classification_data(20)
    with pytest.raises(ValueError) as info:
        small_classifier().fit(X, y, epochs=3, callbacks=[EarlyStopping()], verbose=0)
    message = str(info.value)
    assert "'val_loss'" in message and "validation" in message
    assert "accuracy" in message and "loss" in message  # says what is there instead


def test_early_stopping_argument_checks():
    with pytest.raises(TypeError, match="monitor"):
        EarlyStopping(monitor=3)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="restore_best_weights"):
        EarlyStopping(restore_best_weights="yes")


def test_early_stopping_defaults():
    callback = EarlyStopping()
    assert (callback.monitor, callback.patience, callback.min_delta,
            callback.restore_best_weights) == ("val_loss", 10, 0.0, True)


def test_early_stopping_starts_afresh_each_fit():
    callback = EarlyStopping(monitor="score", patience=1)
    drive(callback, [1.0, 0.5, 0.7], key="score")
    ran, _ = drive(callback, [3.0, 2.0, 1.0], key="score")
    assert ran == [0, 1, 2]


def noisy_problem():
    """Validation data the model cannot learn: val_loss turns up and EarlyStopping stops."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 3, size=30)
    return X, y, (rng.normal(size=(30, 2)), rng.integers(0, 3, size=30))


def noisy_model():
    model = Sequential([Dense(2, 32, activation="relu"), Dense(32, 3), Softmax()], seed=0,
                       dtype=np.float64)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(0.05))
    return model


def test_best_weights_path_restores_the_best_weights_in_a_resumed_process(tmp_path):
    import plainnet

    X, y, validation = noisy_problem()
    fit = {"batch_size": 10, "validation_data": validation, "verbose": 0}
    reference, stopper = noisy_model(), EarlyStopping(patience=5)
    reference.fit(X, y, epochs=300, callbacks=[stopper], **fit)
    best, stopped = stopper.best_epoch, stopper.stopped_epoch
    assert best + 5 == stopped < 299  # it stopped early, five epochs after the best

    checkpoint, best_path = tmp_path / "run.pnet", tmp_path / "best.pnet"
    first = EarlyStopping(patience=5, best_weights_path=best_path)
    noisy_model().fit(X, y, epochs=best + 3, checkpoint=checkpoint, callbacks=[first], **fit)
    assert best_path.is_file() and plainnet.load(best_path).epochs_done == best + 1
    for saved, kept in zip(plainnet.load(best_path).get_weights(), first.best_weights):
        np.testing.assert_array_equal(saved, kept)  # the file has the best epoch's weights

    # "a new process": the model and the callback come from files and arguments alone
    resumed = plainnet.load(checkpoint)
    second = EarlyStopping(patience=5, best_weights_path=str(best_path))
    resumed.fit(X, y, epochs=300, checkpoint=checkpoint, resume=True, callbacks=[second], **fit)
    assert (second.best_epoch, second.stopped_epoch) == (best, stopped)
    assert resumed.history.history == reference.history.history
    for restored, expected in zip(resumed.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(restored, expected)


def test_best_weights_path_missing_or_from_another_run_is_a_clear_error(tmp_path):
    import plainnet

    X, y, validation = noisy_problem()
    fit = {"batch_size": 10, "validation_data": validation, "verbose": 0}
    checkpoint, best_path = tmp_path / "run.pnet", tmp_path / "best.pnet"
    stopper = EarlyStopping(patience=50, best_weights_path=best_path)
    noisy_model().fit(X, y, epochs=12, checkpoint=checkpoint, callbacks=[stopper], **fit)
    assert stopper.best_epoch < 11  # the best weights are not the checkpoint's own
    best_path.rename(tmp_path / "elsewhere.pnet")
    with pytest.raises(FileNotFoundError, match=r"best\.pnet.*does not exist"):
        plainnet.load(checkpoint).fit(X, y, epochs=20, resume=True, callbacks=[
            EarlyStopping(patience=50, best_weights_path=best_path)], **fit)
    plainnet.load(checkpoint).save(best_path)  # weights of the wrong epoch
    with pytest.raises(ValueError, match=f"after epoch 12.*at epoch {stopper.best_epoch + 1}"):
        plainnet.load(checkpoint).fit(X, y, epochs=20, resume=True, callbacks=[
            EarlyStopping(patience=50, best_weights_path=best_path)], **fit)
    with pytest.raises(TypeError, match="best_weights_path"):
        EarlyStopping(best_weights_path=3)


# ------------------------------------------------------- LearningRateScheduler
class RecordingSGD(SGD):
    """SGD that records the learning rate used by every step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.used = []

    def step(self, params):
        self.used.append(self.current_learning_rate())
        super().step(params)


def test_learning_rate_scheduler_sets_the_rate_used_each_epoch():
    X, y = classification_data(40)
    optimizer = RecordingSGD(0.1)
    model = small_classifier(optimizer)
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return 0.1 * 0.5**epoch

    history = model.fit(X, y, epochs=3, batch_size=20,
                        callbacks=[LearningRateScheduler(schedule)], verbose=0)
    assert seen == [(0, 0.1), (1, 0.1), (2, 0.05)]  # epoch and the current rate
    assert optimizer.used == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]  # two batches per epoch
    assert optimizer.learning_rate == 0.025
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]


def test_learning_rate_scheduler_changes_the_weight_update():
    """The step really uses the new rate: SGD's update is -lr * gradient."""
    X = np.array([[1.0], [2.0]])
    y = np.array([1.0, 3.0])
    model = Sequential([Dense(1, 1, weight_init="zeros")], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(1.0))
    # gradient at w = b = 0: d/dw mean((w x + b - y)^2) = mean(-2 x y) = -7, d/db = -4
    model.fit(X, y, epochs=1, batch_size=2, shuffle=False, verbose=0,
              callbacks=[LearningRateScheduler(lambda epoch, lr: 0.01)])
    np.testing.assert_allclose(model.layers[0].weights, [[0.07]], rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].bias, [0.04], rtol=1e-12)


def test_learning_rate_scheduler_checks():
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(0.1)
    X, y = classification_data(20)
    with pytest.raises(ValueError, match="learning rate"):
        small_classifier(SGD(0.1)).fit(
            X, y, callbacks=[LearningRateScheduler(lambda e, lr: -1.0)], verbose=0)
    with pytest.raises(ValueError, match="schedule"):
        small_classifier(SGD(ExponentialDecay(0.1, 10, 0.5))).fit(
            X, y, callbacks=[LearningRateScheduler(lambda e, lr: lr)], verbose=0)


# --------------------------------------------------------------------- History
def test_history_records_every_key_per_epoch():
    history = History()
    history.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    history.on_epoch_end(1, {"loss": np.float32(0.5), "val_loss": 1.5})
    assert history.epoch == [0, 1]
    assert history.history == {"loss": [1.0, 0.5], "val_loss": [2.0, 1.5]}
    assert type(history.history["loss"][1]) is float
    assert "epochs=2" in repr(history)


def test_history_is_always_on():
    X, y = classification_data(20)
    model = small_classifier()
    history = model.fit(X, y, epochs=2, callbacks=[], verbose=0)
    assert len(history.history["loss"]) == 2


# ------------------------------------------------------------------- CSVLogger
def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_csv_logger_writes_a_header_and_one_row_per_epoch(tmp_path):
    X, y = classification_data(40)
    path = tmp_path / "log.csv"
    model = small_classifier()
    history = model.fit(X, y, epochs=3, batch_size=10, validation_split=0.25,
                        callbacks=[CSVLogger(path)], verbose=0)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(rows) == 1 + 3
    for epoch, row in enumerate(rows[1:]):
        assert int(row[0]) == epoch
        for key, text in zip(rows[0][1:], row[1:]):
            assert float(text) == history.history[key][epoch]  # written exactly


def test_csv_logger_with_learning_rate_scheduler(tmp_path):
    X, y = classification_data(20)
    path = tmp_path / "log.csv"
    small_classifier(SGD(0.1)).fit(
        X, y, epochs=2,
        callbacks=[LearningRateScheduler(lambda e, lr: lr / 2), CSVLogger(path)], verbose=0)
    rows = read_csv(path)
    column = rows[0].index("learning_rate")
    assert [float(r[column]) for r in rows[1:]] == [0.05, 0.025]


def test_csv_logger_overwrites_by_default_and_appends_on_request(tmp_path):
    X, y = classification_data(20)
    path = tmp_path / "log.csv"
    path.write_text("old content\n")
    model = small_classifier()
    model.fit(X, y, epochs=2, callbacks=[CSVLogger(path)], verbose=0)
    first = read_csv(path)
    assert first[0][0] == "epoch" and len(first) == 3
    history = model.fit(X, y, epochs=3, callbacks=[CSVLogger(path, append=True)], verbose=0)
    rows = read_csv(path)
    assert rows[:3] == first  # kept, and no second header
    assert len(rows) == 3 + 3
    assert [float(r[2]) for r in rows[3:]] == history.history["loss"]
    assert sum(row[0] == "epoch" for row in rows) == 1


def test_csv_logger_append_to_a_new_file_writes_the_header(tmp_path):
    X, y = classification_data(20)
    path = tmp_path / "new.csv"
    small_classifier().fit(X, y, epochs=1, callbacks=[CSVLogger(path, append=True)], verbose=0)
    assert read_csv(path)[0] == ["epoch", "accuracy", "loss"]


def test_csv_logger_separator_and_flush(tmp_path):
    path = tmp_path / "log.tsv"

    class ReadBack(Callback):
        rows_seen = []

        def on_epoch_end(self, epoch, logs=None):
            self.rows_seen.append(len(path.read_text().splitlines()))

    X, y = classification_data(20)
    small_classifier().fit(X, y, epochs=2,
                           callbacks=[CSVLogger(path, separator="\t"), ReadBack()], verbose=0)
    assert ReadBack.rows_seen == [2, 3]  # each row is on disk at the end of its epoch
    assert path.read_text().splitlines()[0] == "epoch\taccuracy\tloss"


def test_a_csv_logger_used_again_writes_the_columns_of_the_new_fit(tmp_path):
    X, y = classification_data(40)
    path = tmp_path / "log.csv"
    logger, model = CSVLogger(path), small_classifier()
    model.fit(X, y, epochs=1, callbacks=[logger], verbose=0)
    history = model.fit(X, y, epochs=2, validation_split=0.25, callbacks=[logger], verbose=0)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [float(row[4]) for row in rows[1:]] == history.history["val_loss"]


@pytest.mark.parametrize("separator, error", [(",,", ValueError), ("", ValueError),
                                              (b",", TypeError)])
def test_csv_logger_separator_must_be_one_character(tmp_path, separator, error):
    with pytest.raises(error, match="separator must be"):
        CSVLogger(tmp_path / "log.csv", separator=separator)


def test_csv_logger_closes_its_file_after_an_error(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    X, y = classification_data(20)
    with pytest.raises(ValueError):  # EarlyStopping finds no val_loss at the first epoch end
        small_classifier().fit(X, y, epochs=2, callbacks=[logger, EarlyStopping()], verbose=0)
    assert logger._file is None
    assert len(read_csv(path)) == 2


def test_early_stopping_does_not_undo_the_divergence_restore():
    # TrainingDivergedError promises the weights of the last finite step; EarlyStopping's
    # best-weights restore at the end of training must not replace them after the error.
    import plainnet

    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = X @ np.array([[1.0], [2.0], [-1.0]])
    model = plainnet.Sequential([plainnet.Dense(3, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=plainnet.SGD(learning_rate=0.05))
    # mode="max" makes epoch 0 (the highest loss) the best; epoch 2 then diverges
    stopper = plainnet.EarlyStopping(monitor="loss", patience=100, mode="max")
    blow_up = plainnet.LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 2 else 1e200)
    seen = {}

    class Spy(plainnet.Callback):
        def on_train_end(self, logs=None):
            seen["logs"] = logs

    with pytest.raises(plainnet.TrainingDivergedError), np.errstate(all="ignore"):
        model.fit(X, y, epochs=5, batch_size=8, verbose=0, callbacks=[stopper, blow_up, Spy()])
    assert seen["logs"] == {"failed": True}
    assert stopper.best_weights is not None  # epoch 0 was a best epoch
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    assert not all(np.array_equal(a, b) for a, b in zip(weights, stopper.best_weights))
