"""Pictures of training: learning curves, decision boundaries and the network itself.

matplotlib is an optional extra (``pip install "plainnet[plot]"``). It is
imported inside each function, never at module level, so ``import plainnet``
and ``import plainnet.plotting`` work without it; only calling a plotting
function needs it.

Every function draws on the ``ax`` you give it (or on a new figure) and
returns what it drew on. None of them calls ``plt.show()``: in a script, save
the figure with ``fig.savefig("out.png")``; in a notebook it appears by itself.

>>> from plainnet.plotting import plot_history, plot_decision_boundary  # doctest: +SKIP
>>> fig = plot_history(history)                                       # doctest: +SKIP
>>> ax = plot_decision_boundary(model, X, y)                          # doctest: +SKIP
>>> ax.figure.savefig("boundary.png")                                 # doctest: +SKIP
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "plot_decision_boundary",
    "plot_history",
    "plot_network",
    "predict_classes",
    "read_history_csv",
]

PLOT_HINT = 'install the optional extra with: pip install "plainnet[plot]"'

#: Colours for classes 0, 1, 2, ... (matplotlib's "tab10" cycle).
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _pyplot(what: str):
    """Import ``matplotlib.pyplot`` lazily, or raise an ImportError naming the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(f"{what} needs matplotlib; {PLOT_HINT}") from error
    return plt


# ---------------------------------------------------------------------------
# Learning curves
# ---------------------------------------------------------------------------


def read_history_csv(path: str | os.PathLike) -> dict[str, list[float]]:
    """Read a file written by :class:`plainnet.CSVLogger` into a history dict.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV file whose header is ``epoch,<key>,<key>,...``.

    Returns
    -------
    dict of str to list of float
        ``{"epoch": [...], "loss": [...], ...}``, one value per row. Empty
        cells (a key missing from some epochs) become NaN.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is not UTF-8 CSV text, is empty, has no ``epoch`` column
        or holds a cell that is not a number.
    """
    path = os.fspath(path)
    with open(path, newline="", encoding="utf-8") as file:
        try:
            rows = [row for row in csv.reader(file) if row]
        except csv.Error as error:
            raise ValueError(f"{path}: malformed CSV: {error}") from None
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not UTF-8 text: {error}") from None
    if not rows:
        raise ValueError(f"{path}: the file is empty; expected a CSVLogger log")
    header, body = [name.strip() for name in rows[0]], rows[1:]
    if "epoch" not in header:
        raise ValueError(f"{path}: expected a CSVLogger log with an 'epoch' column, "
                         f"found columns {header}")
    if not body:
        raise ValueError(f"{path}: the log has a header but no epochs")
    history: dict[str, list[float]] = {name: [] for name in header}
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {line}: expected {len(header)} columns, "
                             f"found {len(row)}")
        for name, cell in zip(header, row):
            try:
                history[name].append(float(cell) if cell.strip() else float("nan"))
            except ValueError:
                raise ValueError(f"{path}, line {line}, column {name!r}: expected a number, "
                                 f"found {cell!r}") from None
    return history


def _history_dict(history: Any) -> tuple[dict[str, list[float]], list[int] | None]:
    """``(series, epochs)`` from a History, a dict, a model with ``.history`` or a CSV path."""
    epochs = None
    if isinstance(history, (str, os.PathLike)):
        history = read_history_csv(history)
    elif hasattr(history, "loss_history"):  # the tutorial's NeuralNetwork
        history = {"loss": history.loss_history}
    elif hasattr(history, "history") and not isinstance(history, Mapping):
        epochs = getattr(history, "epoch", None)  # a History (or a model holding one)
        history = history.history
        if history is None:
            raise ValueError("the model has no history: train it with fit() first")
        if hasattr(history, "history") and not isinstance(history, Mapping):
            epochs = getattr(history, "epoch", None)  # model.history is a History
            history = history.history
    if not isinstance(history, Mapping):
        raise TypeError("history must be a History, a dict of lists, or the path of a "
                        f"CSVLogger file, got {type(history).__name__}")
    series = {str(k): list(v) for k, v in history.items()}
    if "epoch" in series:  # a CSVLogger log: epochs counted from 0
        epochs = [int(e) for e in series.pop("epoch")]
    if not series or not any(len(v) for v in series.values()):
        raise ValueError("history is empty: train for at least one epoch first")
    return series, (list(epochs) if epochs else None)


def plot_history(history: Any, metrics: Sequence[str] | str | None = None, ax: Any = None):
    """Plot the loss and metrics of every epoch: the learning curves.

    Each metric gets its own panel with the training curve and, when the
    history has it, the validation curve (``loss`` and ``val_loss``, ...).
    Training curves that keep falling while validation curves rise are the
    picture of overfitting.

    Parameters
    ----------
    history : History, dict, model or path
        What ``model.fit`` returns, its ``.history`` dict (``{"loss": [...],
        "val_loss": [...], ...}``), a trained ``Sequential`` (its last
        history), the tutorial's ``NeuralNetwork`` (its ``loss_history``), or
        the path of a :class:`plainnet.CSVLogger` file.
    metrics : str or sequence of str, optional
        Names to plot, without the ``val_`` prefix (``["loss", "accuracy"]``).
        Default: every key of the history except ``learning_rate``.
    ax : matplotlib Axes, optional
        Draw every curve on this one Axes instead of one panel per metric.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``fig.axes`` holds one Axes per metric (or the ``ax`` given).

    Raises
    ------
    ValueError
        If the history is empty, ``metrics`` is empty or names a metric that
        is not in the history.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> history = model.fit(X, y, epochs=50, validation_split=0.2)  # doctest: +SKIP
    >>> plot_history(history).savefig("curves.png")                 # doctest: +SKIP
    """
    series, epochs = _history_dict(history)
    available = [k for k in series if not k.startswith("val_")]
    available += [k[4:] for k in series if k.startswith("val_") and k[4:] not in available]
    available.sort(key=lambda k: k != "loss")  # the loss first, the rest in their order
    if metrics is None:
        metrics = [k for k in available if k != "learning_rate"] or available
    elif isinstance(metrics, str):
        metrics = [metrics]
    metrics = [m[4:] if m.startswith("val_") and m[4:] in available else m for m in metrics]
    if not metrics:
        raise ValueError(f"metrics is empty; the history has {sorted(series)}")
    for name in metrics:
        if name not in available:
            raise ValueError(f"the history has no {name!r}; it has {sorted(series)}")
    plt = _pyplot("plot_history")

    if ax is None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6),
                                 squeeze=False, layout="constrained")
        axes = list(axes[0])
    else:
        fig, axes = ax.figure, [ax] * len(metrics)

    for name, axis in zip(metrics, axes):
        for key, style in ((name, "-"), (f"val_{name}", "--")):
            if key not in series:
                continue
            values = np.asarray(series[key], dtype=float)
            x = (np.asarray(epochs[: len(values)]) + 1 if epochs and len(epochs) >= len(values)
                 else np.arange(1, len(values) + 1))
            axis.plot(x, values, style, label=key, marker="o" if len(values) == 1 else None)
        axis.set_xlabel("epoch")
        if ax is None:
            axis.set_ylabel(name)
            axis.set_title(name)
        axis.grid(True, alpha=0.3)
        axis.legend()
    if ax is not None and len(metrics) == 1:
        ax.set_ylabel(metrics[0])
    return fig


# ---------------------------------------------------------------------------
# Decision boundaries
# ---------------------------------------------------------------------------


def _n_inputs(model: Any) -> int | None:
    """Input width of a plainnet model (Sequential, NeuralNetwork) or a fitted estimator."""
    for attribute in ("n_inputs", "input_layer", "n_features_in_"):
        value = getattr(model, attribute, None)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return int(value)
    return None


def predict_classes(model: Any, X: np.ndarray) -> np.ndarray:
    """Class labels ``(n,)`` a model assigns to the rows of ``X``.

    One output column is a binary classifier: class 1 when the output passes
    the threshold, 0.5 for probabilities or 0 for logits
    (``model.outputs_are_logits``). Several columns: the arg-max. A ``predict``
    that already returns labels ``(n,)`` (a scikit-learn style estimator) is
    used as it is.
    """
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method, got {type(model).__name__}")
    outputs = np.asarray(model.predict(X))
    if outputs.ndim == 1:
        return outputs
    if outputs.shape[1] == 1:
        threshold = 0.0 if getattr(model, "outputs_are_logits", False) else 0.5
        return (outputs[:, 0] > threshold).astype(np.int64)
    return outputs.argmax(axis=1)


def plot_decision_boundary(model: Any, X: Any, y: Any = None, ax: Any = None,
                           resolution: int = 200):
    """Colour the plane by the class the model predicts, and scatter the data on top.

    Works for a :class:`plainnet.Sequential` classifier (one sigmoid/logit
    output: threshold 0.5, or 0 for logits; several outputs: arg-max), the
    tutorial's :class:`plainnet.NeuralNetwork`, and estimators whose
    ``predict`` returns labels.

    Parameters
    ----------
    model : Sequential, NeuralNetwork or estimator
        A trained classifier taking two inputs.
    X : array-like of shape (n_samples, 2)
        The points to show; the plotted area covers them with a margin.
    y : array-like of shape (n_samples,) or (n_samples, k), optional
        Their true classes (integer labels or one-hot rows), used to colour
        the points. Without ``y`` the points are drawn in black.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    resolution : int, default 200
        The grid has ``resolution x resolution`` points (the model predicts
        each one), at least 2.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``X`` does not have exactly two columns, the model does not take
        two inputs, or ``y`` does not match ``X``.
    ImportError
        If matplotlib is not installed.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        features = f"{X.shape[1]} features" if X.ndim == 2 else f"shape {X.shape}"
        raise ValueError("plot_decision_boundary draws the plane, so X must have 2 features "
                         f"(shape (n_samples, 2)), but X has {features}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    n_inputs = _n_inputs(model)
    if n_inputs is not None and n_inputs != 2:
        raise ValueError(f"plot_decision_boundary needs a model with 2 inputs, but the model "
                         f"takes {n_inputs}")
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            y = y.argmax(axis=1)  # one-hot rows -> labels
        y = y.reshape(-1)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)}; they must match")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise TypeError(f"resolution must be an integer, got {type(resolution).__name__}")
    if resolution < 2:
        raise ValueError(f"resolution must be >= 2, got {resolution}")
    plt = _pyplot("plot_decision_boundary")
    from matplotlib.colors import ListedColormap

    # A grid of points covering the data with a 10 % margin on every side.
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-3) + 0.1
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)                     # (resolution, resolution) each
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])  # (resolution**2, 2)

    predicted = np.asarray(predict_classes(model, grid))
    labels = np.unique(predicted if y is None else np.concatenate([predicted, y]))
    codes = np.searchsorted(labels, predicted).reshape(grid_x.shape)  # 0..k-1 per grid point
    k = len(labels)
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(k)]
    cmap = ListedColormap(colors)

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    # One filled band per class: the level boundaries sit halfway between the codes.
    ax.contourf(grid_x, grid_y, codes, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25,
                vmin=-0.5, vmax=k - 0.5)
    if k > 1:
        ax.contour(grid_x, grid_y, codes, levels=np.arange(1, k) - 0.5, colors="k",
                   linewidths=0.8)
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], c="k", s=12, label="data")
    else:
        for code, label in enumerate(labels):
            mask = y == label
            if mask.any():
                ax.scatter(X[mask, 0], X[mask, 1], color=colors[code], edgecolors="k",
                           linewidths=0.4, s=18, label=f"class {label}")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.set_title("Decision boundary")
    ax.legend(loc="best", fontsize="small")
    return ax


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------


def _network_layers(model: Any) -> tuple[list[int], list[np.ndarray], list[str]]:
    """Layer widths, weight matrices and a label per layer of neurons."""
    if hasattr(model, "weights1") and hasattr(model, "weights2"):  # the tutorial's network
        widths = [model.input_layer, model.hidden_layer, model.output_layer]
        return widths, [model.weights1, model.weights2], ["input", "sigmoid", "sigmoid"]
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError("plot_network draws a Sequential or a NeuralNetwork, got "
                        f"{type(model).__name__}")
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


def plot_network(model: Any, ax: Any = None, max_neurons: int = 12):
    """Draw the neurons as circles and the weights as lines between them.

    Blue lines are positive weights, red negative; thicker means larger in
    size. Layers wider than ``max_neurons`` show only their first
    ``max_neurons`` neurons (and say so).

    Parameters
    ----------
    model : Sequential or NeuralNetwork
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    max_neurons : int, default 12
        Most neurons drawn per layer.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``model`` is neither a Sequential nor a NeuralNetwork, or
        ``max_neurons`` is not an integer.
    ValueError
        If ``max_neurons`` is less than 1.
    ImportError
        If matplotlib is not installed.
    """
    widths, weights, names = _network_layers(model)
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, (int, np.integer)):
        raise TypeError(f"max_neurons must be an integer, got {type(max_neurons).__name__}")
    if max_neurons < 1:
        raise ValueError(f"max_neurons must be >= 1, got {max_neurons}")
    plt = _pyplot("plot_network")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 * len(widths) + 1, 4.5), layout="constrained")

    shown = [min(w, max_neurons) for w in widths]
    tallest = max(shown)

    def positions(layer: int) -> np.ndarray:  # y of each drawn neuron, top to bottom, centred
        return np.arange(shown[layer])[::-1] - (shown[layer] - 1) / 2

    biggest = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    for i, w in enumerate(weights):
        left, right = positions(i), positions(i + 1)
        for a in range(shown[i]):
            for b in range(shown[i + 1]):
                value = float(w[a, b])
                ax.plot([i, i + 1], [left[a], right[b]],
                        color="tab:blue" if value >= 0 else "tab:red",
                        linewidth=0.2 + 2.5 * abs(value) / biggest, alpha=0.6, zorder=1)
    for i, width in enumerate(widths):
        ys = positions(i)
        ax.scatter(np.full(shown[i], i), ys, s=180, color="white", edgecolors="k", zorder=2)
        label = f"{width}\n{names[i]}"
        if width > shown[i]:
            label += f"\n({shown[i]} drawn)"
        ax.text(i, -(tallest - 1) / 2 - 0.8, label, ha="center", va="top", fontsize="small")
    ax.set_xlim(-0.5, len(widths) - 0.5)
    ax.set_ylim(-(tallest - 1) / 2 - 3.0, (tallest - 1) / 2 + 0.8)
    ax.set_axis_off()
    ax.set_title("Network: " + " - ".join(str(w) for w in widths))
    return ax
