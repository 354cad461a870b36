"""The network itself: layers as columns of neurons, joined by lines coloured by their weights.

:func:`plot_network` draws a :class:`plainnet.Sequential` (its ``Dense``
layers, labelled with the activations that follow them) or the tutorial's
:class:`plainnet.NeuralNetwork`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .figure import pyplot

__all__ = ["plot_network"]


def _network_layers(model: Any) -> tuple[list[int], list[np.ndarray], list[str]]:
    """Layer widths, weight matrices and a label per layer of neurons."""
    if hasattr(model, "weights1") and hasattr(model, "weights2"):  # the tutorial's network
        widths = [model.input_layer, model.hidden_layer, model.output_layer]
        return widths, [model.weights1, model.weights2], ["input", "sigmoid", "sigmoid"]
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError("plot_network draws a Sequential or a NeuralNetwork, got "
                        f"{type(model).__name__}")
    _check_drawable(model)
    widths, weights, names = [model.n_inputs], [], ["input"]
    for layer in layers:
        if hasattr(layer, "weights") and np.ndim(layer.weights) == 2:
            widths.append(layer.weights.shape[1])
            weights.append(np.asarray(layer.weights))
            names.append("linear")
        elif weights:  # an activation (or dropout, batch norm) after a Dense layer
            kind = type(layer).__name__.lower()
            names[-1] = kind if names[-1] == "linear" else f"{names[-1]}+{kind}"
    return widths, weights, names


def _check_drawable(model: Any) -> None:
    """A clear ValueError for a model this picture cannot show (images, sequences)."""
    shape = getattr(model, "input_shape", None)
    if shape is None:
        raise ValueError("the model is not built yet, so its layers have no weights to draw: "
                         "pass input_shape=... to Sequential, or call fit or predict first")
    if len(shape) != 1:
        raise ValueError(f"plot_network draws networks of neurons on inputs of shape "
                         f"(features,); this model's inputs have shape {tuple(shape)}: use "
                         "model.summary() to see its layers and shapes")
    for layer in model.layers:
        drawable = (hasattr(layer, "weights") and np.ndim(layer.weights) == 2) or not (
            layer.param_names or type(layer).__name__ in ("Flatten", "Reshape"))
        if not drawable and type(layer).__name__ != "BatchNormalization":
            raise ValueError(f"plot_network draws Dense layers as columns of neurons; "
                             f"{layer.name} ({type(layer).__name__}) is not one: use "
                             "model.summary() to see its layers and shapes")


def plot_network(model: Any, ax: Any = None, max_neurons: int = 12):
    """Draw the layers as columns of neurons, joined by their weights.

    Each line is one weight, coloured by its sign and size on a shared
    scale (blue positive, red negative, pale near zero; the colour bar gives
    the values) and thicker when larger. Layers wider than ``max_neurons``
    show only their first ``max_neurons`` neurons (and say so).

    Parameters
    ----------
    model : Sequential or NeuralNetwork
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    max_neurons : int, default 12
        Most neurons drawn per layer.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the network is on ``fig.axes[0]`` (or the ``ax`` given),
        the colour bar on the axes after it.

    Raises
    ------
    TypeError
        If ``model`` is neither a Sequential nor a NeuralNetwork, or
        ``max_neurons`` is not an integer.
    ValueError
        If ``max_neurons`` is less than 1, or the model is not a network of
        ``Dense`` layers on ``(features,)`` inputs (a convolution, images):
        the message says so and points to ``model.summary()``.
    ImportError
        If matplotlib is not installed.
    """
    widths, weights, names = _network_layers(model)
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, (int, np.integer)):
        raise TypeError(f"max_neurons must be an integer, got {type(max_neurons).__name__}")
    if max_neurons < 1:
        raise ValueError(f"max_neurons must be >= 1, got {max_neurons}")
    plt = pyplot("plot_network")
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

    if ax is None:
        _, ax = plt.subplots(figsize=(1.9 * len(widths) + 1.8, 4.8), layout="constrained")
    shown = [min(w, max_neurons) for w in widths]
    tallest = max(shown)

    def heights(layer: int) -> np.ndarray:  # y of each drawn neuron, top to bottom, centred
        return np.arange(shown[layer])[::-1] - (shown[layer] - 1) / 2

    segments, values = [], []
    for i, w in enumerate(weights):
        left, right = heights(i), heights(i + 1)
        for a in range(shown[i]):
            for b in range(shown[i + 1]):
                segments.append([(i, left[a]), (i + 1, right[b])])
                values.append(float(w[a, b]))
    order = np.argsort(np.abs(values), kind="stable")  # the strongest weights on top
    values = np.asarray(values)[order]
    biggest = float(np.abs(values).max()) if values.size else 1.0
    biggest = biggest or 1.0
    lines = LineCollection([segments[i] for i in order], cmap="RdBu",
                           norm=Normalize(-biggest, biggest),
                           linewidths=0.3 + 2.2 * np.abs(values) / biggest, zorder=1)
    lines.set_array(values)
    ax.add_collection(lines)
    for i, width in enumerate(widths):
        ax.scatter(np.full(shown[i], i), heights(i), s=160, color="white", edgecolors="k",
                   linewidths=1.0, zorder=2)
        label = f"{width}\n{names[i]}"
        if width > shown[i]:
            label += f"\n({shown[i]} drawn)"
        ax.annotate(label, xy=(i, -(tallest - 1) / 2 - 0.5), xytext=(0, -4),
                    textcoords="offset points", ha="center", va="top", fontsize="small",
                    annotation_clip=False)  # under the tallest column, whatever the scale
    ax.set_xlim(-0.4, len(widths) - 0.6)
    ax.set_ylim(-(tallest - 1) / 2 - 0.5, (tallest - 1) / 2 + 0.5)
    ax.set_axis_off()
    ax.set_title("Network: " + " - ".join(str(w) for w in widths))
    colorbar = ax.figure.colorbar(lines, ax=ax, shrink=0.6, pad=0.02)
    colorbar.set_label("weight")
    return ax.figure
