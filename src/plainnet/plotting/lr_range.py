"""The picture of the learning-rate range test: loss against learning rate (log scale)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .figure import pyplot

__all__ = ["plot_lr_find"]


def plot_lr_find(result: Any, ax: Any = None, skip_start: int = 0, skip_end: int = 0,
                 suggestion: bool = True):
    """Plot what :func:`plainnet.training.lr_range.lr_find` measured.

    The smoothed loss (solid) and the raw batch losses (faint) against the
    learning rate on a logarithmic axis, and, with ``suggestion``, a dot at
    :meth:`LRFindResult.suggestion` (a tenth of the rate at the lowest loss).

    Parameters
    ----------
    result : LRFindResult
        What ``lr_find`` returned.
    ax : matplotlib Axes, optional
        Draw on this Axes instead of a new figure.
    skip_start, skip_end : int, default 0
        Steps left out at the start (where the loss has not moved yet) and
        at the end (where it explodes and squashes the rest of the curve).
    suggestion : bool, default True
        Mark :meth:`LRFindResult.suggestion`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``skip_start`` and ``skip_end`` leave no step.
    ImportError
        If matplotlib is not installed.
    """
    rates = np.asarray(result.learning_rates)
    stop = len(rates) - int(skip_end)
    if int(skip_start) < 0 or int(skip_end) < 0 or stop <= int(skip_start):
        raise ValueError(f"skip_start={skip_start} and skip_end={skip_end} must be >= 0 and "
                         f"leave some of the {len(rates)} steps")
    part = slice(int(skip_start), stop)
    plt = pyplot("plot_lr_find")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    else:
        fig = ax.figure
    ax.plot(rates[part], np.asarray(result.losses)[part], color="0.7", lw=0.8,
            label="batch loss")
    ax.plot(rates[part], np.asarray(result.smoothed_losses)[part], label="smoothed loss")
    if suggestion and len(rates):
        best = result.suggestion()
        at = int(np.argmin(np.abs(np.log(rates) - np.log(best))))  # the nearest step
        ax.plot([best], [result.smoothed_losses[at]], "o", color="C3",
                label=f"suggestion: {best:.2g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig
