"""plot_network: the layers as columns of neurons, the weights as coloured lines."""

from __future__ import annotations

import numpy as np
import pytest
from plotting_helpers import (
    assert_renders,
    close_figures,  # noqa: F401 (autouse fixture)
    moons_model,
    require_matplotlib,
)

import plainnet
from plainnet.plotting import plot_network

require_matplotlib()


def test_plot_network(tmp_path):
    fig = plot_network(moons_model()[0], max_neurons=16)
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


def test_a_model_the_picture_cannot_show_gets_a_clear_message():
    pytest.importorskip("matplotlib")
    from plainnet import Dense, Flatten, Sequential
    from plainnet.plotting import plot_network

    images = Sequential([Flatten(), Dense(3)], seed=0, input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match=r"inputs have shape \(4, 4, 1\).*summary"):
        plot_network(images)
    unbuilt = Sequential([Dense(3)], seed=0)
    with pytest.raises(ValueError, match="not built yet"):
        plot_network(unbuilt)
