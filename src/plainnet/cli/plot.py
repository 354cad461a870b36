"""``plainnet plot`` and ``plot-history``: figures of a model and of its training.

matplotlib is imported only here, inside the functions, and always with the
Agg backend: the commands write files and never open a window.
"""

from __future__ import annotations

import argparse
import os

from .._extras import install_hint
from ..model import Sequential
from .errors import CommandError, UsageError
from .files import check_writable
from .models import Model, check_width, class_names, is_classifier, load_model, metadata
from .tabledata import labels_for, load_data

__all__ = ["PLOT_EXTRA", "cmd_plot", "cmd_plot_history", "history_figure",
           "prepare_figure_file", "save_figure"]

#: The start of the error when matplotlib is missing; the install command follows.
PLOT_EXTRA = "plotting needs matplotlib; install it with: "


def cmd_plot(args: argparse.Namespace) -> int:
    """``plainnet plot``: decision regions (a 2-feature classifier) or the training history."""
    prepare_figure_file(args.out)
    model = load_model(args.model)
    if args.csv is None and args.csv_option is None and args.data is None:
        if args.target is not None:
            raise UsageError("--target goes with a data file; without one, plot draws the "
                             "learning curves")
        save_figure(history_figure(model, args.model), args.out, "the learning curves")
        return 0
    data = load_data(args, model)
    check_width(model, data.X, data.name)
    y = labels_for(model, data)
    if is_classifier(model) and data.X.shape[1] == 2:
        from ..plotting import plot_decision_boundary

        fig = plot_decision_boundary(model, data.X, y, resolution=args.resolution,
                                     class_names=class_names(model),
                                     feature_names=data.features)
        fig.axes[0].set_title(f"{os.path.basename(args.model)} on "
                              f"{os.path.basename(data.name)}")
        what = "the decision regions"
    else:
        fig, what = history_figure(model, args.model), "the learning curves"
    save_figure(fig, args.out, what)
    return 0


def history_figure(model: Model, name: str):
    """The learning curves saved with ``model``, titled with its file name."""
    from ..plotting import plot_history

    if isinstance(model, Sequential) and not model.history:
        raise CommandError(f"{name} has no training history to draw")
    fig = plot_history(model)
    title = f"{os.path.basename(name)}: learning curves"
    if metadata(model).get("task") == "regression" and "scaling" in metadata(model):
        title += " (on the standardised target)"
    fig.suptitle(title)
    return fig


def cmd_plot_history(args: argparse.Namespace) -> int:
    """``plainnet plot-history``: learning curves from a CSVLogger file."""
    prepare_figure_file(args.out)
    from ..plotting import plot_history

    metrics = None if not args.metrics else [m.strip() for m in args.metrics.split(",")]
    save_figure(plot_history(args.log, metrics=metrics), args.out, "the learning curves")
    return 0


def prepare_figure_file(path: str) -> None:
    """Check, before any work, that matplotlib is there and the folder exists; use Agg."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(PLOT_EXTRA + install_hint("plot")) from None
    matplotlib.use("Agg")  # files only: never open a window
    check_writable("the image", path)


def save_figure(fig, path: str, what: str) -> None:
    """Write ``fig`` to ``path`` and say so: ``saved the learning curves to curves.png``."""
    import matplotlib.pyplot as plt

    from ..io import replace_atomically

    kind = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    try:  # atomically, as a model: Ctrl-C leaves the old file or none, never half a one
        replace_atomically(path, lambda file: fig.savefig(file, dpi=120, format=kind))
    finally:
        plt.close(fig)
    print(f"saved {what} to {path}")
