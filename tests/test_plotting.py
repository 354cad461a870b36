"""Tests for plainnet.plotting: learning curves, decision boundaries, the network drawing."""

from __future__ import annotations

import os
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
    predict_probabilities,
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


def _legend(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def assert_renders(fig, path) -> np.ndarray:
    """Save ``fig`` as a PNG, read it back, check it holds a real drawing; return its RGB."""
    from matplotlib.image import imread

    fig.savefig(path, dpi=80)
    rgb = imread(path)[..., :3]
    assert rgb.shape[0] > 150 and rgb.shape[1] > 150
    drawn = ~(rgb > 0.97).all(axis=2)  # not the white background
    assert drawn.mean() > 0.03, f"only {drawn.mean():.1%} of the pixels are drawn"
    assert rgb.std() > 0.05
    assert len(np.unique((rgb * 255).astype(int).reshape(-1, 3), axis=0)) > 30
    return rgb


# --------------------------------------------------------------------- history
def test_plot_history_one_panel_per_metric(moons_model):
    _, history, _, _ = moons_model
    fig = plot_history(history)
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert _labels(loss_ax) == ["training", "validation"]
    assert _labels(acc_ax) == ["training", "validation"]
    assert [line.get_linestyle() for line in loss_ax.get_lines()] == ["-", "--"]
    assert loss_ax.get_xlabel() == "epoch"
    assert loss_ax.get_title() == "loss"
    x, values = loss_ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, np.arange(1, 151))
    np.testing.assert_allclose(values, history.history["loss"])
    _, val_values = loss_ax.get_lines()[1].get_data()
    np.testing.assert_allclose(val_values, history.history["val_loss"])


def test_plot_history_renders_a_png(moons_model, tmp_path):
    _, history, _, _ = moons_model
    assert_renders(plot_history(history), tmp_path / "history.png")


def test_plot_history_names_regression_metrics():
    history = {"loss": [1.0, 0.5], "mae": [0.9, 0.6], "r2": [0.1, 0.5], "val_r2": [0.0, 0.4]}
    fig = plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "MAE", "R²"]
    assert _labels(fig.axes[2]) == ["training", "validation"]


def test_plot_history_accepts_dict_metrics_and_ax(moons_model):
    _, history, _, _ = moons_model
    fig, ax = plt.subplots()
    returned = plot_history(history.history, metrics="loss", ax=ax)
    assert returned is fig
    assert _labels(ax) == ["training", "validation"]
    assert ax.get_ylabel() == "loss"
    # several metrics on one Axes: the labels name them
    fig_shared, shared = plt.subplots()
    plot_history(history, ax=shared)
    assert _labels(shared) == ["training loss", "validation loss", "training accuracy",
                               "validation accuracy"]
    # a val_ name means the same metric; a model's .history works too
    fig2 = plot_history(moons_model[0], metrics=["val_accuracy"])
    assert _labels(fig2.axes[0]) == ["training", "validation"]
    assert fig2.axes[0].get_title() == "accuracy"
    # the tutorial's network keeps a loss per epoch
    nn = plainnet.NeuralNetwork(seed=0).train(*datasets.xor(), epochs=30)
    (ax3,) = plot_history(nn).axes
    assert _labels(ax3) == ["training"] and len(ax3.get_lines()[0].get_xdata()) == 30


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


# ----------------------------------------------------------- decision boundary
def test_decision_boundary_on_moons(moons_model, tmp_path):
    model, _, X, y = moons_model
    fig = plot_decision_boundary(model, X, y, resolution=50)
    ax = fig.axes[0]
    assert ax.get_title() == "Decision boundary"
    assert ax.get_xlabel() == "x[0]" and ax.get_ylabel() == "x[1]"
    assert _legend(ax) == ["decision boundary", "probability 0.75 and 0.95", "class 0",
                           "class 1"]
    assert len(ax.images) == 1  # the shaded regions
    # the plotted area covers every point
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1
    assert y0 < X[:, 1].min() and X[:, 1].max() < y1
    # the classes drawn are the model's: a trained model gets most of moons right
    assert np.mean(predict_classes(model, X) == y) > 0.85
    rgb = assert_renders(fig, tmp_path / "boundary.png")
    assert (~(rgb > 0.97).all(axis=2)).mean() > 0.3  # the regions fill the axes


def test_decision_boundary_regions_follow_the_predictions(moons_model):
    """The colour at a point is its predicted class's colour, stronger where surer."""
    from matplotlib.colors import to_rgb

    from plainnet.plotting import CLASS_COLORS

    model, _, X, y = moons_model
    ax = plot_decision_boundary(model, X, y, resolution=40).axes[0]
    image = ax.images[0].get_array()                    # (40, 40, 3), rows from the bottom
    (x0, x1, y0, y1) = ax.images[0].get_extent()
    grid = np.column_stack([g.ravel() for g in np.meshgrid(np.linspace(x0, x1, 40),
                                                          np.linspace(y0, y1, 40))])
    probabilities = predict_probabilities(model, grid)
    predicted = probabilities.argmax(axis=1)
    pixels = np.asarray(image).reshape(-1, 3)
    colours = np.array([to_rgb(CLASS_COLORS[c]) for c in predicted])
    # each pixel is white minus a share of (white - its class's colour): the class's own hue
    share = (1 - pixels).max(axis=1) / (1 - colours).max(axis=1)
    np.testing.assert_allclose(pixels, 1 - share[:, None] * (1 - colours), atol=1e-6)
    sure = probabilities.max(axis=1)
    assert share[sure > 0.95].min() > share[sure < 0.6].max()  # stronger where surer


def test_decision_boundary_names_classes_and_features():
    X, y = datasets.blobs(90, centers=[[-3, 0], [3, 0], [0, 4]], cluster_std=0.5, seed=1)
    model = plainnet.Sequential([plainnet.Dense(2, 8, activation="relu"),
                                 plainnet.Dense(8, 3)], seed=0)  # ends in logits
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=80, batch_size=16, verbose=0)
    assert np.mean(predict_classes(model, X) == y) > 0.9
    probabilities = predict_probabilities(model, X)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)  # softmax of logits
    fig = plot_decision_boundary(model, X, np.eye(3)[y], resolution=30,  # one-hot y is fine
                                 class_names=["cat", "dog", "fish"],
                                 feature_names=["height", "weight"])
    ax = fig.axes[0]
    assert _legend(ax)[-3:] == ["cat", "dog", "fish"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("height", "weight")
    # only the classes present in y are in the legend
    ax2 = plot_decision_boundary(model, X[y > 0], y[y > 0], resolution=20,
                                 class_names=["cat", "dog", "fish"]).axes[0]
    assert _legend(ax2)[-2:] == ["dog", "fish"]


def test_decision_boundary_for_the_tutorial_network_on_a_given_ax(tmp_path):
    Xx, yx = datasets.xor()
    nn = plainnet.NeuralNetwork(seed=0).train(Xx, yx)
    np.testing.assert_array_equal(predict_classes(nn, Xx), yx)
    assert predict_probabilities(nn, Xx).shape == (4, 2)
    fig, ax = plt.subplots()
    assert plot_decision_boundary(nn, Xx, yx, ax=ax, resolution=40) is fig
    assert len(ax.images) == 1
    assert_renders(fig, tmp_path / "xor.png")


def test_labels_only_estimators_get_flat_regions():
    class Halves:  # a "classifier" whose predict returns labels
        n_features_in_ = 2

        def predict(self, X):
            return np.where(np.asarray(X)[:, 0] > 0, "right", "left")

    X = np.array([[-1.0, 0.0], [1.0, 1.0], [-2.0, 1.0], [2.0, -1.0]])
    y = np.array(["left", "right", "left", "right"])
    assert predict_probabilities(Halves(), X) is None
    ax = plot_decision_boundary(Halves(), X, y, resolution=20).axes[0]
    assert _legend(ax) == ["decision boundary", "class left", "class right"]


def test_binary_logit_threshold_is_zero():
    model = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    model.compile(loss="binary_crossentropy")
    assert model.outputs_are_logits
    X = np.random.default_rng(0).normal(size=(50, 2))
    expected = (model.predict(X)[:, 0] > 0).astype(int)
    np.testing.assert_array_equal(predict_classes(model, X), expected)
    np.testing.assert_array_equal(predict_probabilities(model, X).argmax(axis=1), expected)


def test_regression_outputs_are_not_probabilities():
    model = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    X = np.array([[10.0, 10.0], [-10.0, -10.0]])
    assert predict_probabilities(model, X) is None  # outputs outside [0, 1]


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
def test_plot_network(moons_model, tmp_path):
    fig = plot_network(moons_model[0], max_neurons=16)
    ax = fig.axes[0]
    assert ax.get_title() == "Network: 2 - 16 - 1"
    assert [t.get_text() for t in ax.texts] == ["2\ninput", "16\ntanh", "1\nsigmoid"]
    assert fig.axes[1].get_ylabel() == "weight"  # the colour bar
    (lines,) = ax.collections[:1]
    assert len(lines.get_segments()) == 2 * 16 + 16 * 1  # every weight once
    assert_renders(fig, tmp_path / "network.png")


def test_plot_network_shades_weights_by_sign_and_size():
    model = plainnet.Sequential([plainnet.Dense(2, 2)], seed=0)
    model.layers[0].weights[...] = [[1.0, -1.0], [0.1, -0.1]]
    lines = plot_network(model).axes[0].collections[0]
    values = np.asarray(lines.get_array())
    colours = lines.to_rgba(values)
    widths = np.asarray(lines.get_linewidths())

    def where(value):
        return np.flatnonzero(np.isclose(values, value))[0]

    big_positive, big_negative = colours[where(1.0)], colours[where(-1.0)]
    assert big_positive[2] > big_positive[0] and big_negative[0] > big_negative[2]  # blue, red
    assert colours[where(0.1)][:3].min() > big_positive[:3].min()  # paler
    assert widths[where(1.0)] > widths[where(0.1)]  # thicker


def test_plot_network_limits_wide_layers_and_checks_arguments():
    wide = plainnet.Sequential([plainnet.Dense(64, 20, activation="relu"),
                                plainnet.Dense(20, 10), plainnet.Softmax()], seed=0)
    ax = plot_network(wide, max_neurons=5).axes[0]
    assert "(5 drawn)" in ax.texts[0].get_text()
    assert len(ax.collections[0].get_segments()) == 5 * 5 + 5 * 5  # only drawn neurons
    nn = plainnet.NeuralNetwork(seed=0)
    assert plot_network(nn).axes[0].get_title() == "Network: 2 - 4 - 1"
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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display is a Unix notion")
def test_agg_is_chosen_without_a_display():
    code = ("import matplotlib; from plainnet.plotting import _pyplot; _pyplot('test'); "
            "print(matplotlib.get_backend().lower())")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=env)
    assert result.stdout.strip() == "agg"
