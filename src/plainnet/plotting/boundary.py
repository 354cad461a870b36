"""Decision boundaries: the plane coloured by the class a model predicts, the data on top.

:func:`plot_decision_boundary` asks the model for the class probabilities on a
grid covering the data (:mod:`plainnet.plotting.predictions`), shades each
region in its class's colour (stronger where the model is surer), draws the
boundaries and probability contours, and scatters the points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .figure import CLASS_COLORS, pyplot
from .predictions import input_width, predict_classes, predict_probabilities

__all__ = ["PROBABILITY_LEVELS", "plot_decision_boundary"]

#: The winning class's probability along the dashed contours.
PROBABILITY_LEVELS = (0.75, 0.95)


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
    n_inputs = input_width(model)
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

    plt = pyplot("plot_decision_boundary")
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
