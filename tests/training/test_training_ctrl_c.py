"""Ctrl-C during ``fit``: stop after the current batch, keep the weights and the history of
the completed epochs, warn once; a second Ctrl-C stops at once; the handler is restored.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

from core_helpers import assert_weights_equal
from plainnet import Adam, Callback, Dense, Sequential, Softmax


def classification_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    return X, y


def small_classifier(seed=0, dtype=np.float64):
    model = Sequential([Dense(2, 8, activation="tanh"), Dense(8, 3), Softmax()], seed=seed,
                       dtype=dtype)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(0.01), metrics=["accuracy"])
    return model


class WeightRecorder(Callback):
    """Copies of the weights after every batch."""

    def __init__(self):
        super().__init__()
        self.after_batch = []

    def on_batch_end(self, batch, logs=None):
        self.after_batch.append(self.model.get_weights())


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
    model = pn.Sequential([pn.Dense(32, activation="tanh"), pn.Dense(1)], seed=0)
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
