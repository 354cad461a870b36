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

The modules, one picture each:

=================  ==========================================================
``figure``         the lazy matplotlib import, the class colours
``history``        :func:`plot_history`, :func:`read_history_csv`
``predictions``    :func:`predict_classes`, :func:`predict_probabilities`
``boundary``       :func:`plot_decision_boundary`
``network``        :func:`plot_network`
``lr_range``       :func:`plot_lr_find` (the learning-rate range test)
=================  ==========================================================
"""

from __future__ import annotations

# The constants are public without being in __all__ (as before); ``X as X`` re-exports them.
from .boundary import PROBABILITY_LEVELS as PROBABILITY_LEVELS
from .boundary import plot_decision_boundary
from .figure import CLASS_COLORS as CLASS_COLORS
from .figure import PLOT_HINT as PLOT_HINT
from .history import METRIC_LABELS as METRIC_LABELS
from .history import plot_history, read_history_csv
from .lr_range import plot_lr_find
from .network import plot_network
from .predictions import predict_classes, predict_probabilities

__all__ = [
    "plot_decision_boundary",
    "plot_history",
    "plot_lr_find",
    "plot_network",
    "predict_classes",
    "predict_probabilities",
    "read_history_csv",
]

