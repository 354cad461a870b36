"""plot_history and read_history_csv: learning curves from a History, a dict, a model,
the tutorial's network or a CSVLogger file."""

from __future__ import annotations

import numpy as np
import pytest
from plotting_helpers import (
    assert_renders,
    close_figures,  # noqa: F401 (autouse fixture)
    line_labels,
    moons_model,
    require_matplotlib,
)

import plainnet
from plainnet import datasets
from plainnet.plotting import plot_history, read_history_csv

plt = require_matplotlib()


def test_plot_history_one_panel_per_metric(tmp_path):
    _, history, _, _ = moons_model()
    fig = plot_history(history)
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert line_labels(loss_ax) == ["training", "validation"]
    assert line_labels(acc_ax) == ["training", "validation"]
    assert [line.get_linestyle() for line in loss_ax.get_lines()] == ["-", "--"]
    assert loss_ax.get_xlabel() == "epoch"
    assert loss_ax.get_title() == "loss"
    x, values = loss_ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, np.arange(1, 151))
    np.testing.assert_allclose(values, history.history["loss"])
    _, val_values = loss_ax.get_lines()[1].get_data()
    np.testing.assert_allclose(val_values, history.history["val_loss"])
    assert_renders(fig, tmp_path / "history.png")


def test_plot_history_names_regression_metrics():
    history = {"loss": [1.0, 0.5], "mae": [0.9, 0.6], "r2": [0.1, 0.5], "val_r2": [0.0, 0.4]}
    fig = plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "MAE", "R²"]
    assert line_labels(fig.axes[2]) == ["training", "validation"]


def test_plot_history_accepts_dict_metrics_and_ax():
    model, history, _, _ = moons_model()
    fig, ax = plt.subplots()
    returned = plot_history(history.history, metrics="loss", ax=ax)
    assert returned is fig
    assert line_labels(ax) == ["training", "validation"]
    assert ax.get_ylabel() == "loss"
    # several metrics on one Axes: the labels name them
    _, shared = plt.subplots()
    plot_history(history, ax=shared)
    assert line_labels(shared) == ["training loss", "validation loss", "training accuracy",
                                   "validation accuracy"]
    # a val_ name means the same metric; a model's .history works too
    fig2 = plot_history(model, metrics=["val_accuracy"])
    assert line_labels(fig2.axes[0]) == ["training", "validation"]
    assert fig2.axes[0].get_title() == "accuracy"
    # the tutorial's network keeps a loss per epoch
    nn = plainnet.NeuralNetwork(seed=0).train(*datasets.xor(), epochs=30)
    (ax3,) = plot_history(nn).axes
    assert line_labels(ax3) == ["training"] and len(ax3.get_lines()[0].get_xdata()) == 30


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
    assert fig.axes[0].get_lines()[0].get_label() == "training"
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
