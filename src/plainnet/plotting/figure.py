"""What every figure needs: matplotlib imported lazily (with a clear error), and the colours.

matplotlib is an optional extra; :func:`pyplot` is the one place that imports
it, inside the plotting functions, so ``import plainnet.plotting`` works
without it.
"""

from __future__ import annotations

import os
import sys

from .._extras import install_hint

__all__ = ["CLASS_COLORS", "PLOT_HINT", "no_display", "pyplot"]

PLOT_HINT = f"install the optional extra with: {install_hint('plot')}"

#: Colours for classes 0, 1, 2, ... (matplotlib's "tab10" cycle).
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def pyplot(what: str):
    """Import ``matplotlib.pyplot`` lazily, or raise an ImportError naming the extra.

    Without a display (Linux or BSD with neither ``DISPLAY`` nor
    ``WAYLAND_DISPLAY``, and no ``MPLBACKEND`` chosen), matplotlib is first
    switched to its ``Agg`` backend, which only writes files.

    Parameters
    ----------
    what : str
        The function that needs matplotlib, named in the error.

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Raises
    ------
    ImportError
        If matplotlib is not installed; the message says how to install it.
    """
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(f"{what} needs matplotlib; install it with: "
                          f"{install_hint('plot')}") from error
    if "matplotlib.pyplot" not in sys.modules and no_display():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def no_display() -> bool:
    """Whether this is a Unix without a graphical display and no backend was chosen."""
    unix = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
    chosen = os.environ.get("MPLBACKEND")
    return (unix and not chosen and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY"))
