"""Learning curves: the loss and metrics of every epoch, from a History, a dict or a CSV log.

:func:`plot_history` draws one panel per metric, training solid and
validation dashed; :func:`read_history_csv` reads a :class:`plainnet.CSVLogger`
file back into the same ``{"loss": [...], ...}`` dict.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .figure import pyplot

__all__ = ["METRIC_LABELS", "plot_history", "read_history_csv"]

#: How ``plot_history`` names the metrics in titles and axis labels.
METRIC_LABELS = {"mse": "MSE", "mae": "MAE", "r2": "R²", "learning_rate": "learning rate"}


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
    plt = pyplot("plot_history")

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
