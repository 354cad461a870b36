"""Tests for plainnet.plotting: learning curves, decision boundaries, the network drawing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import plainnet
from plainnet import datasets
from plainnet.plotting import (
    plot_decision_boundary,
    plot_history,
    plot_network,
    predict_classes,
    read_history_csv,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def moons_model():
    """A small Sequential trained on moons (binary, sigmoid output) and its data."""
    X, y = datasets.moons(200, noise=0.15, seed=0)
    model = plainnet.Sequential([plainnet.Dense(2, 16, activation="tanh"),
                                 plainnet.Dense(16, 1), plainnet.Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(X, y, epochs=150, batch_size=32, validation_split=0.2, verbose=0)
    return model, history, X, y


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


# --------------------------------------------------------------------- history
def test_plot_history_one_panel_per_metric(moons_model):
    _, history, _, _ = moons_model
    fig = plot_history(history)
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert _labels(loss_ax) == ["loss", "val_loss"]
    assert _labels(acc_ax) == ["accuracy", "val_accuracy"]
    assert loss_ax.get_xlabel() == "epoch"
    assert loss_ax.get_title() == "loss"
    x, values = loss_ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, np.arange(1, 151))
    np.testing.assert_allclose(values, history.history["loss"])


def test_plot_history_accepts_dict_metrics_and_ax(moons_model):
    _, history, _, _ = moons_model
    fig, ax = plt.subplots()
    returned = plot_history(history.history, metrics="loss", ax=ax)
    assert returned is fig
    assert _labels(ax) == ["loss", "val_loss"]
    assert ax.get_ylabel() == "loss"
    # a val_ name means the same metric; a model's .history works too
    fig2 = plot_history(moons_model[0], metrics=["val_accuracy"])
    assert _labels(fig2.axes[0]) == ["accuracy", "val_accuracy"]
    # the tutorial's network keeps a loss per epoch
    nn = plainnet.NeuralNetwork(seed=0).train(*datasets.xor(), epochs=30)
    (ax3,) = plot_history(nn).axes
    assert _labels(ax3) == ["loss"] and len(ax3.get_lines()[0].get_xdata()) == 30


def test_plot_history_from_csv_logger(tmp_path):
    X, y = datasets.xor()
    model = plainnet.Sequential([plainnet.Dense(2, 4, activation="tanh"),
                                 plainnet.Dense(4, 1), plainnet.Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    log = tmp_path / "log.csv"
    model.fit(X, y, epochs=5, batch_size=4, verbose=0, callbacks=[plainnet.CSVLogger(log)])
    data = read_history_csv(log)
    assert data["epoch"] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(data["loss"], model.history.history["loss"])
    fig = plot_history(log)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    x, _ = fig.axes[0].get_lines()[0].get_data()
    np.testing.assert_array_equal(x, [1, 2, 3, 4, 5])


def test_plot_history_errors(tmp_path):
    with pytest.raises(ValueError, match="no 'accuracy'"):
        plot_history({"loss": [1.0, 0.5]}, metrics=["accuracy"])
    with pytest.raises(ValueError, match="empty"):
        plot_history({})
    with pytest.raises(ValueError, match="metrics is empty"):
        plot_history({"loss": [1.0, 0.5]}, metrics=[])
    with pytest.raises(TypeError, match="History"):
        plot_history(42)
    untrained = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match="no history"):
        plot_history(untrained)
    bad = tmp_path / "bad.csv"
    bad.write_text("loss\n0.5\n")
    with pytest.raises(ValueError, match="'epoch' column"):
        plot_history(bad)
    bad.write_text("epoch,loss\n0,abc\n")
    with pytest.raises(ValueError, match="line 2.*expected a number"):
        read_history_csv(bad)
    with pytest.raises(FileNotFoundError):
        read_history_csv(tmp_path / "missing.csv")


def test_read_history_csv_reports_unreadable_files_as_value_errors(tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("epoch,loss\n0," + "1" * 200_000 + "\n")  # a cell over csv's size limit
    with pytest.raises(ValueError, match="huge.csv: malformed CSV"):
        read_history_csv(huge)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("epoch,lösung\n0,1\n".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.csv: not UTF-8"):
        read_history_csv(latin1)


# ----------------------------------------------------------- decision boundary
def test_decision_boundary_on_moons(moons_model):
    model, _, X, y = moons_model
    ax = plot_decision_boundary(model, X, y, resolution=50)
    assert ax.get_title() == "Decision boundary"
    assert ax.get_legend() is not None
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert len(ax.collections) >= 3  # filled regions, boundary line, the scattered classes
    # the plotted area covers every point
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1
    assert y0 < X[:, 1].min() and X[:, 1].max() < y1
    # the classes drawn are the model's: a trained model gets most of moons right
    assert np.mean(predict_classes(model, X) == y) > 0.85


def test_decision_boundary_multiclass_logits_and_tutorial():
    X, y = datasets.blobs(90, centers=[[-3, 0], [3, 0], [0, 4]], cluster_std=0.5, seed=1)
    model = plainnet.Sequential([plainnet.Dense(2, 8, activation="relu"),
                                 plainnet.Dense(8, 3)], seed=0)  # ends in logits
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=80, batch_size=16, verbose=0)
    assert np.mean(predict_classes(model, X) == y) > 0.9
    ax = plot_decision_boundary(model, X, np.eye(3)[y], resolution=30)  # one-hot y is fine
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0", "class 1", "class 2"]

    Xx, yx = datasets.xor()
    nn = plainnet.NeuralNetwork(seed=0).train(Xx, yx)
    np.testing.assert_array_equal(predict_classes(nn, Xx), yx)
    fig, ax = plt.subplots()
    assert plot_decision_boundary(nn, Xx, yx, ax=ax, resolution=20) is ax


def test_binary_logit_threshold_is_zero():
    model = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    model.compile(loss="binary_crossentropy")
    assert model.outputs_are_logits
    X = np.random.default_rng(0).normal(size=(50, 2))
    expected = (model.predict(X)[:, 0] > 0).astype(int)
    np.testing.assert_array_equal(predict_classes(model, X), expected)


def test_decision_boundary_errors(moons_model):
    model, _, X, y = moons_model
    with pytest.raises(ValueError, match="X must have 2 features.*has 3 features"):
        plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="2 features"):
        plot_decision_boundary(model, np.zeros(5))
    wide = plainnet.Sequential([plainnet.Dense(4, 1)], seed=0)
    with pytest.raises(ValueError, match="model with 2 inputs.*takes 4"):
        plot_decision_boundary(wide, X, y)
    with pytest.raises(ValueError, match="200 samples but y has 3"):
        plot_decision_boundary(model, X, y[:3])
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(model, X, y, resolution=1)
    with pytest.raises(TypeError, match="predict"):
        plot_decision_boundary(object(), X, y)


# ----------------------------------------------------------------- network
def test_plot_network(moons_model):
    ax = plot_network(moons_model[0], max_neurons=16)
    assert ax.get_title() == "Network: 2 - 16 - 1"
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["2\ninput", "16\ntanh", "1\nsigmoid"]
    wide = plainnet.Sequential([plainnet.Dense(64, 20, activation="relu"),
                                plainnet.Dense(20, 10), plainnet.Softmax()], seed=0)
    ax = plot_network(wide, max_neurons=5)
    assert "(5 drawn)" in ax.texts[0].get_text()
    assert len(ax.get_lines()) == 5 * 5 + 5 * 5  # only drawn neurons are connected
    nn = plainnet.NeuralNetwork(seed=0)
    assert plot_network(nn).get_title() == "Network: 2 - 4 - 1"
    with pytest.raises(TypeError, match="Sequential or a NeuralNetwork"):
        plot_network(object())
    with pytest.raises(TypeError, match="max_neurons must be an integer"):
        plot_network(nn, max_neurons="5")
    with pytest.raises(ValueError, match="max_neurons must be >= 1"):
        plot_network(nn, max_neurons=0)


# ------------------------------------------------------- missing matplotlib
def test_missing_matplotlib_names_the_extra(monkeypatch, moons_model):
    model, history, X, y = moons_model
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    for call in (lambda: plot_history(history), lambda: plot_decision_boundary(model, X, y),
                 lambda: plot_network(model)):
        with pytest.raises(ImportError, match=r'pip install "plainnet\[plot\]"'):
            call()


def test_import_plainnet_does_not_import_matplotlib():
    code = ("import sys, plainnet, plainnet.plotting, plainnet.cli; "
            "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
