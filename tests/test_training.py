"""Tests for Sequential.fit: validation, progress output, Ctrl-C, divergence, regularisation.

Each test is built so that it fails when the behaviour it names is wrong: values
are compared with ``evaluate`` on the exact rows, with hand formulas, or with
finite differences (``plainnet.gradcheck``).
"""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import plainnet
from plainnet import (
    SGD,
    Adam,
    BatchNormalization,
    Callback,
    Dense,
    Dropout,
    ReLU,
    Sequential,
    Softmax,
    Tanh,
    TrainingDivergedError,
    gradcheck,
)
from plainnet.callbacks import EpochLogger, ProgressBar


def regression_data(n=40, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = X @ rng.normal(size=n_features) + 0.1 * rng.normal(size=n)
    return X, y


def small_classifier(seed=0, dtype=np.float64, optimizer=None):
    model = Sequential([Dense(2, 8, activation="tanh"), Dense(8, 3), Softmax()], seed=seed,
                       dtype=dtype)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer or Adam(0.01),
                  metrics=["accuracy"])
    return model


def classification_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    return X, y


class WeightRecorder(Callback):
    """Copies of the weights after every batch and every epoch."""

    def __init__(self):
        super().__init__()
        self.after_batch, self.after_epoch, self.batch_losses = [], [], []

    def on_batch_end(self, batch, logs=None):
        self.after_batch.append(self.model.get_weights())
        self.batch_losses.append(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        self.after_epoch.append(self.model.get_weights())


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


# ------------------------------------------------------------------ validation
def test_validation_split_takes_the_last_rows_before_shuffling():
    X, y = regression_data(n=40)
    model = Sequential([Dense(3, 4, activation="tanh"), Dense(4, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.0), metrics=["mae"])  # lr 0: weights fixed
    history = model.fit(X, y, epochs=2, batch_size=7, validation_split=0.25, verbose=0)
    train, val = model.evaluate(X[:30], y[:30]), model.evaluate(X[30:], y[30:])
    for epoch in range(2):
        assert history.history["val_loss"][epoch] == pytest.approx(val["loss"], rel=1e-12)
        assert history.history["val_mae"][epoch] == pytest.approx(val["mae"], rel=1e-12)
        assert history.history["loss"][epoch] == pytest.approx(train["loss"], rel=1e-12)
        assert history.history["mae"][epoch] == pytest.approx(train["mae"], rel=1e-12)


def test_validation_split_trains_only_on_the_first_rows():
    """Training with a split is bit-identical to training on the first rows alone."""
    X, y = regression_data(n=50)

    def trained(X_fit, y_fit, **kwargs):
        model = Sequential([Dense(3, 5, activation="tanh"), Dense(5, 1)], seed=3)
        model.compile(loss="mse", optimizer=Adam(0.01))
        history = model.fit(X_fit, y_fit, epochs=3, batch_size=8, verbose=0, **kwargs)
        return model, history

    # int(50 * (1 - 0.3)) = 35 training rows; the last 15 validate
    split_model, split_history = trained(X, y, validation_split=0.3)
    plain_model, plain_history = trained(X[:35], y[:35])
    assert_weights_equal(split_model.get_weights(), plain_model.get_weights())
    assert split_history.history["loss"] == plain_history.history["loss"]
    assert split_history.history["val_loss"][-1] == pytest.approx(
        split_model.evaluate(X[35:], y[35:])["loss"], rel=1e-6)


@pytest.mark.parametrize("n, split", [(1, 0.5), (3, 0.7), (10, 1e-17)])
def test_validation_split_leaving_an_empty_part_is_an_error(n, split):
    X, y = regression_data(n=n)
    model = Sequential([Dense(3, 1)], seed=0)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(X, y, validation_split=split, verbose=0)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5])
def test_validation_split_out_of_range(split):
    X, y = regression_data(n=10)
    model = Sequential([Dense(3, 1)], seed=0)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(X, y, validation_split=split, verbose=0)


def test_validation_data():
    X, y = classification_data(60)
    X_val, y_val = classification_data(20, seed=1)
    model = small_classifier()
    recorder = WeightRecorder()
    history = model.fit(X, y, epochs=3, batch_size=16, validation_data=(X_val, y_val),
                        callbacks=[recorder], verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == [0, 1, 2]
    assert all(len(values) == 3 for values in history.history.values())
    # every epoch's val_* is evaluate() with that epoch's final weights
    for epoch, weights in enumerate(recorder.after_epoch):
        model.set_weights(weights)
        scores = model.evaluate(X_val, y_val)
        assert history.history["val_loss"][epoch] == pytest.approx(scores["loss"], rel=1e-12)
        assert history.history["val_accuracy"][epoch] == scores["accuracy"]


def test_validation_data_as_a_list_and_bad_forms():
    X, y = classification_data(30)
    model = small_classifier()
    history = model.fit(X, y, validation_data=[X[:5], y[:5]], verbose=0)
    assert "val_loss" in history.history
    with pytest.raises(TypeError, match="validation_data"):
        model.fit(X, y, validation_data=X, verbose=0)
    with pytest.raises(ValueError, match="X_val"):
        model.fit(X, y, validation_data=(X[:, :1], y), verbose=0)
    with pytest.raises(ValueError, match="y_val"):
        model.fit(X, y, validation_data=(X[:5], y[:4]), verbose=0)
    with pytest.raises(ValueError, match="either"):
        model.fit(X, y, validation_data=(X, y), validation_split=0.2, verbose=0)


def test_no_validation_means_no_val_keys():
    X, y = classification_data(30)
    history = small_classifier().fit(X, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}


def test_history_is_returned_and_kept_on_the_model():
    X, y = classification_data(30)
    model = small_classifier()
    history = model.fit(X, y, epochs=4, batch_size=10, verbose=0)
    assert isinstance(history, plainnet.History)
    assert model.history is history
    assert history.epoch == [0, 1, 2, 3]
    assert all(isinstance(v, float) for v in history.history["loss"])
    second = model.fit(X, y, epochs=2, verbose=0)
    assert second is not history and model.history is second and second.epoch == [0, 1]


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    X, y = regression_data(n=23)
    model = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.01))
    recorder = WeightRecorder()
    history = model.fit(X, y, epochs=1, batch_size=10, callbacks=[recorder], verbose=0)
    sizes = [10, 10, 3]
    expected = sum(s * loss for s, loss in zip(sizes, recorder.batch_losses)) / 23
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------- verbose
def fit_quietly(verbose, epochs=2, **kwargs):
    X, y = classification_data(40)
    model = small_classifier()
    return model.fit(X, y, epochs=epochs, batch_size=10, verbose=verbose, **kwargs)


def test_a_fit_without_resume_starts_a_new_run_that_resume_can_finish():
    X, y = classification_data(40)
    reference = small_classifier()
    reference.fit(X, y, epochs=3, verbose=0)  # an earlier run (a warm start)
    reference.fit(X, y, epochs=4, verbose=0)  # a run of 4 epochs
    model = small_classifier()
    model.fit(X, y, epochs=3, verbose=0)
    model.fit(X, y, epochs=2, verbose=0)  # the run of 4, stopped after 2 ...
    assert model.epochs_done == 2 and model.history.epoch == [0, 1]
    history = model.fit(X, y, epochs=4, resume=True, verbose=0)  # ... and finished
    assert model.epochs_done == 4 and history.epoch == [0, 1, 2, 3]
    assert history.history["loss"] == reference.history.history["loss"]
    assert_weights_equal(model.get_weights(), reference.get_weights())


def test_verbose_0_prints_nothing(capfd):
    X, y = classification_data(40)
    fit_quietly(0, validation_data=(X, y))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    X, y = classification_data(40)
    history = fit_quietly(2, epochs=3, validation_data=(X, y))
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3 and err == ""
    for epoch, line in enumerate(lines):
        assert line.startswith(f"Epoch {epoch + 1}/3 - ")
        assert f"loss: {history.history['loss'][epoch]:.4g}" in line
        assert f"val_accuracy: {history.history['val_accuracy'][epoch]:.4g}" in line
    assert "\r" not in out


def test_verbose_1_uses_tqdm_when_installed(capsys):
    pytest.importorskip("tqdm")
    history = fit_quietly(1, epochs=2)
    out, err = capsys.readouterr()
    text = out + err
    assert "Epoch 1/2" in text and "Epoch 2/2" in text
    assert "40/40" in text  # samples done
    assert "sample/s" in text  # rate
    assert f"loss: {history.history['loss'][-1]:.4g}" in text


def test_verbose_1_plain_fallback_without_tqdm(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` now raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    recorder = WeightRecorder()
    history = fit_quietly(1, epochs=2, callbacks=[recorder])
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 3  # one finished line per epoch
    for epoch in range(2):
        line = lines[epoch]
        assert line.startswith(f"\rEpoch {epoch + 1}/2 [")
        final = line.split("\r")[-1]  # what is left on screen
        assert "40/40" in final and "samples/s" in final
        assert f"loss: {history.history['loss'][epoch]:.4g}" in final
        assert f"accuracy: {history.history['accuracy'][epoch]:.4g}" in final
    # the first redraw of epoch 1 shows the running loss after one batch of 10
    first = lines[0].split("\r")[1]
    assert "10/40" in first
    assert f"loss: {recorder.batch_losses[0]:.4g}" in first


def test_progress_bar_running_loss_and_rate_into_a_stream(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    stream = io.StringIO()
    bar = ProgressBar(epochs=1, n_samples=30, stream=stream)
    bar.on_epoch_begin(0)
    bar.on_batch_end(0, {"loss": 2.0, "size": 10})
    bar.last_draw = 0.0  # redraw now (redraws are throttled to ten a second)
    bar.start -= 1.0  # ... in an epoch that has been running for a second
    bar.on_batch_end(1, {"loss": 1.0, "size": 20})
    bar.on_epoch_end(0, {"loss": 1.25})
    frames = stream.getvalue().split("\r")[1:]
    assert "10/30" in frames[0] and "loss: 2 " not in frames[0] and "loss: 2" in frames[0]
    assert "30/30" in frames[1] and "loss: 1.333" in frames[1]  # (2*10 + 1*20) / 30
    assert re.search(r"[\d,]+ samples/s", frames[1])
    assert frames[-1].endswith("loss: 1.25\n")


def test_progress_bar_with_tqdm_into_a_stream():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    bar = ProgressBar(epochs=2, n_samples=30, stream=stream)
    bar.on_epoch_begin(1)
    bar.on_batch_end(0, {"loss": 2.0, "size": 30})
    bar.on_epoch_end(1, {"loss": 2.0, "val_loss": 3.0})
    text = stream.getvalue()
    assert "Epoch 2/2" in text and "30/30" in text and "sample/s" in text
    assert "loss: 2 - val_loss: 3" in text


def test_epoch_logger_into_a_stream():
    stream = io.StringIO()
    logger = EpochLogger(epochs=5, stream=stream)
    logger.on_epoch_begin(0)
    logger.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.25})
    assert re.fullmatch(r"Epoch 1/5 - \d+\.\d\ds - loss: 0\.5 - val_loss: 0\.25\n",
                        stream.getvalue())


@pytest.mark.parametrize("verbose", [3, -1])
def test_bad_verbose(verbose):
    with pytest.raises(ValueError, match="verbose"):
        fit_quietly(verbose)


# ---------------------------------------------------------------------- Ctrl-C
class CtrlC(Callback):
    """Raises SIGINT (as Ctrl-C does) after batch ``batch`` of epoch ``epoch``."""

    def __init__(self, epoch, batch, times=1):
        super().__init__()
        self.at, self.times = (epoch, batch), times
        self.epoch = None
        self.train_end_calls = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            for _ in range(self.times):
                signal.raise_signal(signal.SIGINT)

    def on_train_end(self, logs=None):
        self.train_end_calls += 1


def test_ctrl_c_stops_after_the_current_batch_and_keeps_everything():
    X, y = classification_data(40)  # 4 batches of 10 per epoch
    model = small_classifier()
    recorder, ctrl_c = WeightRecorder(), CtrlC(epoch=2, batch=1)
    handler_before = signal.getsignal(signal.SIGINT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, y, epochs=10, batch_size=10, callbacks=[recorder, ctrl_c],
                            verbose=0)
    assert model.optimizer.iterations == 2 * 4 + 2  # two epochs and two batches
    assert len(recorder.after_batch) == 10
    assert_weights_equal(model.get_weights(), recorder.after_batch[-1])
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2
    assert model.history is history and model.epochs_done == 2
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(runtime) == 1
    message = str(runtime[0].message)
    assert "Ctrl-C" in message and "epoch 3" in message and "batch 2" in message
    assert runtime[0].filename == __file__  # points at the caller's fit(...) line
    assert ctrl_c.train_end_calls == 1
    assert signal.getsignal(signal.SIGINT) is handler_before


def test_ctrl_c_in_the_last_batch_of_an_epoch():
    X, y = classification_data(40)
    model = small_classifier()
    with pytest.warns(RuntimeWarning, match="Ctrl-C"):
        history = model.fit(X, y, epochs=5, batch_size=10, callbacks=[CtrlC(0, 3)], verbose=0)
    assert model.optimizer.iterations == 4
    assert history.epoch == []  # the epoch's end (its logs) was never reached


class CtrlCAtEpochEnd(Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            signal.raise_signal(signal.SIGINT)


def test_ctrl_c_during_the_epoch_end_stops_before_the_next_epoch():
    X, y = classification_data(40)
    model = small_classifier()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, y, epochs=5, batch_size=10, validation_data=(X, y),
                            callbacks=[CtrlCAtEpochEnd()], verbose=0)
    assert model.optimizer.iterations == 2 * 4  # no batch of a third epoch
    assert history.epoch == [0, 1]
    assert [w.category for w in caught] == [RuntimeWarning]


@pytest.mark.parametrize("with_tqdm", [True, False])
def test_ctrl_c_with_a_progress_bar_finishes_the_line(capsys, monkeypatch, with_tqdm):
    if with_tqdm:
        pytest.importorskip("tqdm")
    else:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    X, y = classification_data(40)
    with pytest.warns(RuntimeWarning, match="Ctrl-C"):
        small_classifier().fit(X, y, epochs=3, batch_size=10, callbacks=[CtrlC(1, 1)],
                               verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/3" in out and "Epoch 3/3" not in out
    assert out.endswith("\n")  # the warning will not be glued to the bar
    if not with_tqdm:
        final = out.split("\n")[1].split("\r")[-1]  # where it stopped, on its own line
        assert final.startswith("Epoch 2/3 [") and "20/40" in final and "loss: " in final
    else:
        assert "20/40" in out


def test_second_ctrl_c_stops_at_once():
    X, y = classification_data(40)
    model = small_classifier()
    handler_before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, epochs=3, batch_size=10, callbacks=[CtrlC(1, 0, times=2)], verbose=0)
    assert signal.getsignal(signal.SIGINT) is handler_before


def test_an_ignored_sigint_stays_ignored_during_fit():
    X, y = classification_data(40)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            history = small_classifier().fit(X, y, epochs=3, batch_size=10,
                                             callbacks=[CtrlC(0, 1)], verbose=0)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert history.epoch == [0, 1, 2]


def test_a_sigint_handler_installed_outside_python_is_left_alone(monkeypatch):
    real_getsignal = signal.getsignal
    before = real_getsignal(signal.SIGINT)
    monkeypatch.setattr(signal, "getsignal", lambda signum: None)  # what such handlers give
    X, y = classification_data(40)
    small_classifier().fit(X, y, epochs=1, verbose=0)  # it cannot be restored, so not replaced
    assert real_getsignal(signal.SIGINT) is before


def test_fit_without_ctrl_c_does_not_warn_and_restores_the_handler():
    X, y = classification_data(40)
    handler_before = signal.getsignal(signal.SIGINT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small_classifier().fit(X, y, epochs=2, verbose=0)
    assert signal.getsignal(signal.SIGINT) is handler_before


CTRL_C_SCRIPT = textwrap.dedent("""
    import numpy as np
    import plainnet as pn

    class Started(pn.Callback):
        def on_train_begin(self, logs=None):
            print("started", flush=True)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 8))
    y = X.sum(axis=1)
    model = pn.Sequential([pn.Dense(8, 32, activation="tanh"), pn.Dense(32, 1)], seed=0)
    model.compile(loss="mse", optimizer="adam")
    history = model.fit(X, y, epochs=1_000_000, batch_size=4, verbose=0, callbacks=[Started()])
    finite = all(np.isfinite(w).all() for w in model.get_weights())
    print(f"stopped gracefully: {len(history.epoch)} epochs, "
          f"{model.optimizer.iterations} steps, finite={finite}", flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_to_a_running_fit_in_a_subprocess():
    process = subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "started"
        time.sleep(0.5)  # let it train for a while
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    match = re.search(r"stopped gracefully: (\d+) epochs, (\d+) steps, finite=True", out)
    assert match, out + err
    assert int(match.group(2)) > 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.count("RuntimeWarning") == 1 and "interrupted by Ctrl-C" in err


# ------------------------------------------------------------------- divergence
class SnapshotSGD(SGD):
    """SGD that keeps a copy of every parameter before each step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_step = []

    def step(self, params):
        params = list(params)
        self.before_step.append([p.copy() for _, p, _ in params])
        super().step(params)


def diverging_fit(layers, dtype=np.float32, lr=1e6, epochs=50):
    X, y = regression_data(n=40)
    y = 100 * y
    model = Sequential(layers, seed=0, dtype=dtype)
    optimizer = SnapshotSGD(lr)
    model.compile(loss="mse", optimizer=optimizer)
    with pytest.raises(TrainingDivergedError) as info, np.errstate(all="ignore"):
        model.fit(X, y, epochs=epochs, batch_size=8, verbose=0)
    return model, optimizer, info.value


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_learning_rate_raises_training_diverged(dtype):
    model, optimizer, error = diverging_fit([Dense(3, 8, activation="relu"), Dense(8, 1)],
                                            dtype=dtype)
    assert isinstance(error, ValueError)
    # the non-finite loss came from the batch after the last step taken
    steps, batches_per_epoch = optimizer.iterations, 5
    epoch, batch = divmod(steps, batches_per_epoch)
    assert f"epoch {epoch + 1}, batch {batch + 1}" in str(error)
    assert "diverged" in str(error) and "learning rate" in str(error)
    # the weights are those before the last (diverging) step, and finite
    params = [p for _, p, _ in model.parameters()]
    for param, saved in zip(params, optimizer.before_step[-1]):
        np.testing.assert_array_equal(param, saved)
        assert np.isfinite(param).all() and param.dtype == dtype
    assert np.isfinite(model.predict(regression_data(n=5)[0])).all()


def test_divergence_restores_batch_normalization_statistics():
    # here the diverging forward pass puts NaN into the running statistics
    model, optimizer, error = diverging_fit(
        [Dense(3, 8), ReLU(), Dense(8, 8), BatchNormalization(), Dense(8, 1)], lr=1e6)
    bn = model.layers[3]
    assert bn.moving_mean.dtype == np.float32
    for array in model.get_weights():
        assert np.isfinite(array).all()
    assert np.isfinite(model.predict(regression_data(n=5)[0])).all()


def test_divergence_at_the_first_batch_keeps_the_initial_weights():
    X = np.full((6, 2), 1e30, dtype=np.float32)  # finite inputs whose squared outputs overflow
    model = Sequential([Dense(2, 1, weight_init="ones")], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    initial = model.get_weights()
    with pytest.raises(TrainingDivergedError, match="epoch 1, batch 1"), \
            np.errstate(all="ignore"):
        model.fit(X, np.zeros(6), epochs=2, batch_size=3, verbose=0)
    assert_weights_equal(model.get_weights(), initial)
    assert model.optimizer.iterations == 0


def test_diverged_error_is_exported():
    assert issubclass(plainnet.TrainingDivergedError, ValueError)


# ------------------------------------------------------- regularisation (l1, l2)
def regularised_model(l1, l2, optimizer=None):
    model = Sequential([Dense(3, 4, activation="tanh", l1=l1, l2=l2), Dense(4, 2, l2=l2 / 2)],
                       seed=1, dtype=np.float64)
    model.compile(loss="mse", optimizer=optimizer or SGD(0.0))
    model.layers[0].bias[:] = [0.5, -1.0, 2.0, 0.1]  # non-zero, to show it is not penalised
    model.layers[2].bias[:] = [-0.3, 0.7]
    return model


@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.02), (0.03, 0.05)])
def test_l1_l2_add_exactly_their_penalty_to_the_reported_loss(l1, l2):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))
    model = regularised_model(l1, l2)
    W1, W2 = model.layers[0].weights, model.layers[2].weights
    data_loss = np.mean((model.predict(X) - y) ** 2)
    penalty = (l1 * np.abs(W1).sum() + l2 * np.square(W1).sum()
               + (l2 / 2) * np.square(W2).sum())  # the bias is not penalised
    assert model.evaluate(X, y)["loss"] == pytest.approx(data_loss + penalty, rel=1e-12)
    history = model.fit(X, y, epochs=1, batch_size=12, verbose=0)  # lr 0: nothing moves
    assert history.history["loss"][0] == pytest.approx(data_loss + penalty, rel=1e-12)


@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.02), (0.03, 0.05)])
def test_l1_l2_gradient(l1, l2):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    model = regularised_model(l1, l2)
    assert gradcheck(model, X, y) < 1e-6
    # and exactly the penalty's derivative on top of the data gradient
    plain = regularised_model(0.0, 0.0)
    model._forward_backward(X, y)
    plain._forward_backward(X, y)
    W1 = model.layers[0].weights
    np.testing.assert_allclose(model.layers[0].grad_weights - plain.layers[0].grad_weights,
                               l1 * np.sign(W1) + 2 * l2 * W1, rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(model.layers[0].grad_bias, plain.layers[0].grad_bias)


def test_l2_training_converges_to_the_ridge_solution():
    # minimise mean((X w + b - y)^2) + l2 |w|^2: with centred data,
    # w = (Xc^T Xc / n + l2 I)^-1 Xc^T yc / n and b = mean(y) - mean(X) w
    X, y = regression_data(n=40)
    l2, n = 0.3, len(X)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc / n + l2 * np.eye(3), Xc.T @ yc / n)
    b = y.mean() - X.mean(axis=0) @ w
    model = Sequential([Dense(3, 1, l2=l2)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.1, momentum=0.5))
    model.fit(X, y, epochs=500, batch_size=n, verbose=0)
    np.testing.assert_allclose(model.layers[0].weights.ravel(), w, atol=1e-8)
    np.testing.assert_allclose(model.layers[0].bias, [b], atol=1e-8)
    unregularised = np.linalg.lstsq(np.c_[X, np.ones(n)], y, rcond=None)[0][:3]
    assert np.linalg.norm(w) < 0.9 * np.linalg.norm(unregularised)


# ----------------------------------------------------------------------- Dropout
def test_dropout_inverted_scaling():
    layer = Dropout(0.3)
    model = Sequential([Dense(1, 1), layer], seed=0)  # builds the layer with the model's rng
    assert layer.rng is model.rng
    x = np.ones((1000, 100), dtype=np.float32)
    out = layer.forward(x, training=True)
    dropped = np.mean(out == 0)
    assert dropped == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.7)}
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # the expectation is preserved
    assert out.dtype == np.float32
    grad = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(grad, out)  # the same mask and scale on the way back


def test_dropout_is_the_identity_at_inference():
    layer = Dropout(0.5)
    Sequential([Dense(2, 2), layer], seed=0)
    x = np.arange(6.0).reshape(3, 2)
    assert layer.forward(x, training=False) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
    model = Sequential([Dense(3, 20), Dropout(0.5), Dense(20, 1)], seed=0)
    X = regression_data(n=10)[0]
    np.testing.assert_array_equal(model.predict(X), model.predict(X))


def test_dropout_masks_come_from_the_models_generator():
    x = np.ones((50, 20))

    def masks(seed):
        layer = Dropout(0.5)
        Sequential([Dense(20, 20), layer], seed=seed, dtype=np.float64)
        return [layer.forward(x, training=True) for _ in range(3)]

    first, again, other = masks(0), masks(0), masks(1)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # a new mask each batch
    assert not np.array_equal(first[0], other[0])


def test_dropout_does_not_touch_the_global_numpy_state():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    layer = Dropout(0.5)
    Sequential([Dense(2, 2), layer], seed=0)
    layer.forward(np.ones((10, 2)), training=True)
    assert np.random.random() == expected


def test_dropout_gradcheck():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    model = Sequential([Dense(3, 6), Tanh(), Dropout(0.4), Dense(6, 1)], seed=0,
                       dtype=np.float64)
    model.compile(loss="mse")
    assert gradcheck(model, X, y) < 1e-6


# ------------------------------------------------------------ BatchNormalization
def test_batch_normalization_defaults():
    layer = BatchNormalization()
    assert layer.momentum == 0.99 and layer.epsilon == 1e-3


def test_batch_normalization_uses_batch_statistics_in_training():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[1.0, -2.0, 5.0], scale=[0.5, 2.0, 3.0], size=(64, 3))
    model = Sequential([BatchNormalization(n_features=3)], seed=0, dtype=np.float64)
    layer = model.layers[0]
    out = layer.forward(X, training=True)
    expected = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_batch_normalization_moving_statistics_after_one_step():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[1.0, -2.0, 5.0], scale=[0.5, 2.0, 3.0], size=(32, 3))
    y = rng.normal(size=32)
    model = Sequential([Dense(3, 3), BatchNormalization(momentum=0.9), Dense(3, 1)], seed=0,
                       dtype=np.float64)
    model.layers[0].weights[:] = np.eye(3)  # the BN layer sees X itself
    model.compile(loss="mse", optimizer=SGD(0.1))
    bn = model.layers[1]
    model.fit(X, y, epochs=1, batch_size=32, shuffle=False, verbose=0)  # one step
    # moving = momentum * initial + (1 - momentum) * batch; initial mean 0, variance 1
    np.testing.assert_allclose(bn.moving_mean, 0.1 * X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.moving_variance, 0.9 + 0.1 * X.var(axis=0), rtol=1e-12)


def test_batch_normalization_uses_running_statistics_at_inference():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=3.0, scale=2.0, size=(40, 2))
    model = Sequential([BatchNormalization(n_features=2, momentum=0.5)], seed=0,
                       dtype=np.float64)
    bn = model.layers[0]
    for _ in range(3):
        bn.forward(X, training=True)
    bn.gamma[:] = [2.0, 0.5]
    bn.beta[:] = [1.0, -1.0]
    expected = (bn.gamma * (X - bn.moving_mean) / np.sqrt(bn.moving_variance + bn.epsilon)
                + bn.beta)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-12)
    # a prediction does not depend on the rest of its batch, and does not move the statistics
    mean_before = bn.moving_mean.copy()
    np.testing.assert_allclose(model.predict(X[:1]), expected[:1], rtol=1e-12)
    np.testing.assert_array_equal(bn.moving_mean, mean_before)


def test_batch_normalization_gradcheck():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 3, size=10)
    model = Sequential([Dense(3, 5), Tanh(), BatchNormalization(), Dense(5, 3), Softmax()],
                       seed=0, dtype=np.float64)
    model.compile(loss="categorical_crossentropy")
    bn = model.layers[2]
    bn.gamma[:] = rng.normal(size=5)
    bn.beta[:] = rng.normal(size=5)
    assert gradcheck(model, X, y) < 1e-6
    first = Sequential([BatchNormalization(n_features=3), Dense(3, 3), Softmax()], seed=0,
                       dtype=np.float64)
    first.compile(loss="categorical_crossentropy")
    first.layers[0].gamma[:] = [0.5, 2.0, -1.0]
    assert gradcheck(first, X, y) < 1e-6


def test_batch_normalization_removes_the_gradient_of_a_bias_before_it():
    """A constant shift before BN is normalised away, so its exact gradient is 0.

    (Finite differences of a zero gradient are pure rounding noise, so this case is
    checked directly rather than through gradcheck's relative error.)
    """
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 1))
    model = Sequential([Dense(3, 5), BatchNormalization(), Tanh(), Dense(5, 1)], seed=0,
                       dtype=np.float64)
    model.compile(loss="mse")
    model._forward_backward(X, y)
    assert np.abs(model.layers[0].grad_bias).max() < 1e-12
    assert np.abs(model.layers[0].grad_weights).max() > 1e-3


def test_batch_normalization_statistics_are_saved_with_the_weights():
    model = Sequential([Dense(2, 3), BatchNormalization()], seed=0)
    names = list(model.layers[1].arrays())
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(model.get_weights()) == 2 + 4


def test_last_step_that_breaks_the_weights_is_reported_and_undone():
    # One batch, one epoch: the only loss is computed with the initial (finite) weights,
    # and the step after it overflows float32. fit must not return non-finite weights.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    layers = [plainnet.Dense(3, 4, activation="relu"), plainnet.Dense(4, 1)]
    model = plainnet.Sequential(layers, seed=0)
    model.compile(loss="mse", optimizer=plainnet.SGD(learning_rate=1e300))
    before = model.get_weights()
    expected = "non-finite weights at epoch 1, batch 1"
    with pytest.raises(plainnet.TrainingDivergedError, match=expected), np.errstate(all="ignore"):
        model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    for restored, original in zip(model.get_weights(), before):
        np.testing.assert_array_equal(restored, original)
    assert model.epochs_done == 0


def test_changing_a_penalty_after_construction_changes_the_reported_loss():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    model = plainnet.Sequential([plainnet.Dense(3, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer="sgd")
    plain = model.evaluate(X, y)["loss"]
    model.layers[0].l2 = 0.5
    penalty = 0.5 * float(np.square(model.layers[0].weights).sum())
    assert model.evaluate(X, y)["loss"] == pytest.approx(plain + penalty, rel=1e-12)


def test_a_shuffle_callable_must_return_a_permutation():
    X, y = np.zeros((6, 2)), np.zeros((6, 1))
    model = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    for bad in (lambda n: np.arange(n - 1), lambda n: np.zeros(n, dtype=int),
                lambda n: np.arange(n) * 1.0):
        with pytest.raises(ValueError, match="must return a permutation of range"):
            model.fit(X, y, shuffle=bad, verbose=0)
    model.fit(X, y, shuffle=lambda n: np.arange(n)[::-1], verbose=0)  # a real one is fine
    assert model.epochs_done == 1


@pytest.mark.parametrize("with_tqdm", [True, False])
def test_verbose_1_with_thousands_of_fast_epochs_prints_a_few_lines(capsys, monkeypatch,
                                                                    with_tqdm):
    if with_tqdm:
        pytest.importorskip("tqdm")
    else:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    X, y = classification_data(8)
    start = time.perf_counter()
    history = small_classifier().fit(X, y, epochs=2000, batch_size=8, verbose=1)
    seconds = time.perf_counter() - start
    out = capsys.readouterr().out
    finished = [line.split("\r")[-1] for line in out.split("\n")[:-1]]
    # the first and the last epoch, and at most one line a second in between
    assert 2 <= len(finished) <= 3 + seconds
    assert finished[0].startswith("Epoch 1/2000") and finished[-1].startswith("Epoch 2000/2000")
    assert f"loss: {history.history['loss'][-1]:.4g}" in finished[-1]


def test_verbose_1_shows_where_early_stopping_ended_a_run_of_fast_epochs(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    X, y = classification_data(8)

    class StopAt(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = epoch == 499

    small_classifier().fit(X, y, epochs=2000, batch_size=8, verbose=1, callbacks=[StopAt()])
    last = capsys.readouterr().out.split("\n")[-2].split("\r")[-1]
    assert last.startswith("Epoch 500/2000") and "8/8" in last
