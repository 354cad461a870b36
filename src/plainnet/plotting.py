"""Pictures of training: learning curves, decision boundaries and the network itself.

matplotlib is an optional extra (``pip install "plainnet[plot]"``). It is
imported inside each function, never at module level, so ``import plainnet``
and ``import plainnet.plotting`` work without it; only calling a plotting
function needs it. Where there is no display (a server, a CI job), the
functions pick matplotlib's file-only ``Agg`` backend themselves.

Every function draws on the ``ax`` you give it (or on a new figure) and
returns the figure. None of them calls ``plt.show()``: in a script, save the
figure with ``fig.savefig("out.png")``; in a notebook it appears by itself.

>>> from plainnet.plotting import plot_history, plot_decision_boundary  # doctest: +SKIP
>>> plot_history(history).savefig("curves.png")                       # doctest: +SKIP
>>> plot_decision_boundary(model, X, y).savefig("boundary.png")       # doctest: +SKIP
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "plot_decision_boundary",
    "plot_history",
    "plot_network",
    "predict_classes",
    "predict_probabilities",
    "read_history_csv",
]

#: How ``plot_history`` names the metrics in titles and axis labels.
METRIC_LABELS = {"mse": "MSE", "mae": "MAE", "r2": "R²", "learning_rate": "learning rate"}

PLOT_HINT = 'install the optional extra with: pip install "plainnet[plot]"'

#: Colours for classes 0, 1, 2, ... (matplotlib's "tab10" cycle).
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _pyplot(what: str):
    """Import ``matplotlib.pyplot`` lazily, or raise an ImportError naming the extra.

    Without a display (Linux or BSD with neither ``DISPLAY`` nor
    ``WAYLAND_DISPLAY``, and no ``MPLBACKEND`` chosen), matplotlib is first
    switched to its ``Agg`` backend, which only writes files.
    """
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(f"{what} needs matplotlib; {PLOT_HINT}") from error
    if "matplotlib.pyplot" not in sys.modules and _no_display():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _no_display() -> bool:
    """Whether this is a Unix without a graphical display and no backend was chosen."""
    unix = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
    chosen = os.environ.get("MPLBACKEND")
    return (unix and not chosen and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY"))


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

    Each metric gets its own panel with the training curve (solid, labelled
    "training") and, when the history has it, the validation curve (dashed,
    "validation"): ``loss`` and ``val_loss``, ``accuracy`` and
    ``val_accuracy``, ... Training curves that keep falling while validation
    curves rise are the picture of overfitting.

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
        Draw every curve on this one Axes instead of one panel per metric
        (then the labels say which metric: "training loss", ...).

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

    shared = ax is not None and len(metrics) > 1  # several metrics on the caller's one Axes
    for name, axis in zip(metrics, axes):
        label = METRIC_LABELS.get(name, name)
        for key, part, style in ((name, "training", "-"), (f"val_{name}", "validation", "--")):
            if key not in series:
                continue
            values = np.asarray(series[key], dtype=float)
            x = (np.asarray(epochs[: len(values)]) + 1 if epochs and len(epochs) >= len(values)
                 else np.arange(1, len(values) + 1))
            axis.plot(x, values, style, label=f"{part} {label}" if shared else part,
                      marker="o" if len(values) == 1 else None)
        axis.set_xlabel("epoch")
        if not shared:
            axis.set_ylabel(label)
        if ax is None:
            axis.set_title(label)
        axis.grid(True, alpha=0.3)
        axis.legend()
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


def predict_probabilities(model: Any, X: np.ndarray) -> np.ndarray | None:
    """Class probabilities ``(n, k)`` of a classifier, or None if it gives none.

    ``predict_proba`` is used when the model has one (a scikit-learn style
    estimator; column j is ``model.classes_[j]``). Otherwise the outputs of
    ``predict`` are read as probabilities: logits (``model.outputs_are_logits``)
    go through a sigmoid or softmax first, and one column ``p`` (a binary
    classifier) becomes the two columns ``1 - p`` and ``p``. Outputs that
    cannot be probabilities (labels, values outside [0, 1]) give None.
    """
    if hasattr(model, "predict_proba"):
        probabilities = np.asarray(model.predict_proba(X), dtype=np.float64)
        return probabilities if probabilities.ndim == 2 else None
    outputs = np.asarray(model.predict(X))
    if outputs.ndim != 2 or outputs.dtype.kind not in "fiu":  # labels, not scores
        return None
    outputs = outputs.astype(np.float64)
    if getattr(model, "outputs_are_logits", False):
        if outputs.shape[1] == 1:
            outputs = 1.0 / (1.0 + np.exp(-outputs))
        else:
            shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
            outputs = shifted / shifted.sum(axis=1, keepdims=True)
    if outputs.min() < 0.0 or outputs.max() > 1.0:
        return None
    if outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs


def _check_boundary_inputs(model: Any, X: Any, y: Any, resolution: Any
                           ) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` as float ``(n, 2)`` and ``y`` as ``(n,)`` labels (or None), checked."""
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
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method, got {type(model).__name__}")
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
    return X, y


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A ``resolution x resolution`` grid covering ``X`` with a 10 % margin on every side."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-3) + 0.1
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    return np.meshgrid(xs, ys)  # two (resolution, resolution) arrays


def _shaded_regions(codes: np.ndarray, confidence: np.ndarray, colors: list[str]) -> np.ndarray:
    """An RGB image: each pixel its class's colour, paler where the model is less sure.

    ``confidence`` runs from 0 (a guess among the classes) to 1 (certain);
    the colour's strength goes from 8 % to 40 % over white.
    """
    from matplotlib.colors import to_rgb

    palette = np.array([to_rgb(c) for c in colors])            # (k, 3)
    strength = (0.08 + 0.32 * np.clip(confidence, 0.0, 1.0))[..., None]
    return 1.0 - strength * (1.0 - palette[codes])             # (rows, cols, 3)


def plot_decision_boundary(model: Any, X: Any, y: Any = None, ax: Any = None,
                           resolution: int = 200, class_names: Sequence[str] | None = None,
                           feature_names: Sequence[str] | None = None):
    """Colour the plane by the class the model predicts, and scatter the data on top.

    Each region takes its class's colour, stronger where the model is more
    sure; solid black lines are the decision boundaries, dashed grey lines
    the probability contours (the winning class's probability is 0.75 and
    0.95 along them). Works for a :class:`plainnet.Sequential`
    classifier (one sigmoid or logit output, or several outputs), the
    tutorial's :class:`plainnet.NeuralNetwork`, and estimators with
    ``predict_proba`` or a ``predict`` that returns labels (then without
    shading and contours).

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
    class_names : sequence of str, optional
        The name of each class for the legend, by class number (or by
        position in ``model.classes_``); default ``"class 0"``, ...
    feature_names : sequence of two str, optional
        Axis labels; default ``"x[0]"`` and ``"x[1]"``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``fig.axes[0]``, or ``ax.figure`` for an ``ax``).

    Raises
    ------
    ValueError
        If ``X`` does not have exactly two columns, the model does not take
        two inputs, or ``y`` does not match ``X``.
    ImportError
        If matplotlib is not installed.
    """
    X, y = _check_boundary_inputs(model, X, y, resolution)
    grid_x, grid_y = _grid(X, resolution)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])  # (resolution**2, 2)
    probabilities = predict_probabilities(model, grid)
    if probabilities is not None:
        k = probabilities.shape[1]
        labels = np.asarray(getattr(model, "classes_", np.arange(k)))
        predicted = labels[probabilities.argmax(axis=1)]
    else:
        predicted = np.asarray(predict_classes(model, grid))
        labels = np.unique(predicted)
    if y is not None:  # labels in y that the model never predicts still get a colour
        labels = np.concatenate([labels, np.setdiff1d(np.unique(y), labels)])
    order = np.argsort(labels, kind="stable")
    codes = order[np.searchsorted(labels[order], predicted)].reshape(grid_x.shape)  # 0..k-1
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(len(labels))]
    names = [f"class {label}" for label in labels] if class_names is None else class_names

    plt = _pyplot("plot_decision_boundary")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.8), layout="constrained")
    extent = (grid_x[0, 0], grid_x[0, -1], grid_y[0, 0], grid_y[-1, 0])
    if probabilities is None:  # labels only: flat regions, boundaries where the label changes
        confidence = np.full(grid_x.shape, 0.5)
    else:
        k = probabilities.shape[1]
        confidence = (probabilities.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 tie, 1 sure
    ax.imshow(_shaded_regions(codes, confidence.reshape(grid_x.shape), colors), origin="lower",
              extent=extent, aspect="auto", interpolation="bilinear", zorder=0)
    handles = _draw_boundaries(ax, grid_x, grid_y, codes, probabilities)
    handles += _scatter_classes(ax, X, y, labels, colors, names)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    x_name, y_name = ("x[0]", "x[1]") if feature_names is None else feature_names
    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    ax.set_title("Decision boundary")
    ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.9)
    return ax.figure


#: The winning class's probability along the dashed contours.
PROBABILITY_LEVELS = (0.75, 0.95)


def _draw_boundaries(ax: Any, grid_x: np.ndarray, grid_y: np.ndarray, codes: np.ndarray,
                     probabilities: np.ndarray | None) -> list:
    """Solid decision boundaries and dashed probability contours; their legend entries.

    With probabilities, the boundary of class j is where ``p_j`` equals the
    largest other probability (a smooth curve); without, where the label
    changes from one grid point to the next.
    """
    from matplotlib.lines import Line2D

    shape = grid_x.shape
    boundary = Line2D([], [], color="k", linewidth=1.2, label="decision boundary")
    if probabilities is None:
        if codes.max() > codes.min():
            ax.contour(grid_x, grid_y, codes, levels=np.arange(1, codes.max() + 1) - 0.5,
                       colors="k", linewidths=1.2, zorder=2)
        return [boundary]
    for j in range(probabilities.shape[1]):
        others = np.delete(probabilities, j, axis=1).max(axis=1)
        lead = (probabilities[:, j] - others).reshape(shape)
        if lead.min() < 0.0 < lead.max():
            ax.contour(grid_x, grid_y, lead, levels=[0.0], colors="k", linewidths=1.2,
                       zorder=2)
    top = probabilities.max(axis=1).reshape(shape)
    contours = ax.contour(grid_x, grid_y, top, levels=list(PROBABILITY_LEVELS), colors="0.3",
                          linewidths=0.7, linestyles="--", zorder=1)
    ax.clabel(contours, fmt=lambda level: f"{level:g}", fontsize=7)
    levels = " and ".join(f"{level:g}" for level in PROBABILITY_LEVELS)
    contour = Line2D([], [], color="0.3", linewidth=0.7, linestyle="--",
                     label=f"probability {levels}")
    return [boundary, contour]


def _scatter_classes(ax: Any, X: np.ndarray, y: np.ndarray | None, labels: np.ndarray,
                     colors: list[str], names: Sequence[str]) -> list:
    """The data points, one legend entry per class present in ``y`` (black without ``y``)."""
    if y is None:
        return [ax.scatter(X[:, 0], X[:, 1], c="k", s=12, label="data", zorder=3)]
    handles, size = [], float(np.clip(4000 / len(X), 18, 60))  # few points: bigger dots
    for code, label in enumerate(labels):
        mask = y == label
        if mask.any():
            handles.append(ax.scatter(X[mask, 0], X[mask, 1], color=colors[code],
                                      edgecolors="k", linewidths=0.5, s=size,
                                      label=str(names[code]), zorder=3))
    return handles


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
