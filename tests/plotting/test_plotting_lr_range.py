"""plot_lr_find: the learning-rate range test's loss against the learning rate."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from plotting_helpers import (
    assert_renders,
    close_figures,  # noqa: F401 (autouse fixture)
    legend_texts,
    require_matplotlib,
)

from plainnet.plotting.lr_range import plot_lr_find
from plainnet.training import LRFindResult

plt = require_matplotlib()


def sweep(n=50):
    rates = 1e-5 * 1e6 ** (np.arange(n) / (n - 1))
    x = np.log10(rates)
    losses = 1.0 - 0.8 / (1 + np.exp(-3 * (x + 2))) + np.exp(2 * (x - 0.5))  # falls, explodes
    return LRFindResult(rates, losses + 0.01 * np.sin(7 * x), losses, True)


def test_loss_against_a_log_learning_rate_with_the_suggestion(tmp_path):
    result = sweep()
    fig = plot_lr_find(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate"
    raw, smooth, dot = ax.get_lines()
    np.testing.assert_array_equal(smooth.get_xdata(), result.learning_rates)
    np.testing.assert_array_equal(smooth.get_ydata(), result.smoothed_losses)
    assert dot.get_xdata()[0] == result.suggestion()
    bottom = result.learning_rates[np.argmin(result.smoothed_losses)]
    assert result.suggestion() == pytest.approx(bottom / 10)
    assert legend_texts(ax)[2].startswith("suggestion: ")
    assert_renders(fig, tmp_path / "lr.png")


def test_skips_and_an_axes_of_ones_own():
    result = sweep()
    fig, ax = plt.subplots()
    assert plot_lr_find(result, ax=ax, skip_start=5, skip_end=10, suggestion=False) is fig
    assert len(ax.get_lines()) == 2
    assert len(ax.get_lines()[1].get_xdata()) == 35
    assert result.plot(ax=ax) is fig  # the result's own shortcut
    with pytest.raises(ValueError, match="skip_start=30 and skip_end=30"):
        plot_lr_find(result, skip_start=30, skip_end=30)


def test_missing_matplotlib_names_the_extra():
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import numpy as np\n"
            "from plainnet.training import LRFindResult\n"
            "r = LRFindResult(np.array([1e-3, 1e-2, 1e-1]), np.ones(3), np.ones(3), False)\n"
            "try:\n"
            "    r.plot()\n"
            "except ImportError as exc:\n"
            "    assert '[plot]' in str(exc) and 'plot_lr_find' in str(exc), exc\n"
            "else:\n"
            "    raise SystemExit('no ImportError')\n")
    subprocess.run([sys.executable, "-c", code], check=True)
