"""matplotlib as an optional extra: never imported by ``import plainnet.plotting``, a clear
error naming the extra when missing, and the file-only Agg backend without a display."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from plotting_helpers import moons_model

from plainnet.plotting import plot_decision_boundary, plot_history, plot_network


def test_missing_matplotlib_names_the_extra(monkeypatch):
    model, history, X, y = moons_model()
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    for call in (lambda: plot_history(history), lambda: plot_decision_boundary(model, X, y),
                 lambda: plot_network(model)):
        with pytest.raises(ImportError, match=r'needs matplotlib; install it with: .*'
                                              r'pip install .*\[plot\]'):
            call()


def test_import_plainnet_does_not_import_matplotlib():
    code = ("import sys, plainnet, plainnet.plotting, plainnet.cli; "
            "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display is a Unix notion")
def test_agg_is_chosen_without_a_display():
    pytest.importorskip("matplotlib")
    code = ("import matplotlib; from plainnet.plotting.figure import pyplot; pyplot('test'); "
            "print(matplotlib.get_backend().lower())")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=env)
    assert result.stdout.strip() == "agg"
