"""What ``fit`` prints: nothing (``verbose=0``), a bar per epoch (``verbose=1``, tqdm or the
plain fallback), a line per epoch (``verbose=2``); throttled for thousands of fast epochs.
"""

from __future__ import annotations

import io
import re
import sys
import time

import pytest

from core_helpers import tanh_classifier as small_classifier
from core_helpers import two_feature_classes as classification_data
from plainnet import Callback
from plainnet.training.progress import EpochLogger, ProgressBar


class BatchLosses(Callback):
    def __init__(self):
        super().__init__()
        self.batch_losses = []

    def on_batch_end(self, batch, logs=None):
        self.batch_losses.append(logs["loss"])


def fit_quietly(verbose, epochs=2, **kwargs):
    X, y = classification_data(40)
    model = small_classifier()
    return model.fit(X, y, epochs=epochs, batch_size=10, verbose=verbose, **kwargs)


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
    recorder = BatchLosses()
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
