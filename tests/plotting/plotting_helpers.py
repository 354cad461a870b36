"""Helpers shared by the tests of plainnet.plotting.

Import what a module needs; a module that draws also imports the autouse
fixture ``close_figures`` (with ``# noqa: F401``) and calls
:func:`require_matplotlib` before importing anything else from matplotlib.
"""

from __future__ import annotations

import functools
import sys

import numpy as np
import pytest

import plainnet
from plainnet import datasets


def require_matplotlib():
    """Skip the calling module without matplotlib; else select Agg and return pyplot."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure after each test (they stay open otherwise)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@functools.cache
def moons_model():
    """``(model, history, X, y)``: a small Sequential trained on moons, sigmoid output.

    Trained once per session; tests must not change it.
    """
    X, y = datasets.moons(200, noise=0.15, seed=0)
    model = plainnet.Sequential([plainnet.Dense(2, 16, activation="tanh"),
                                 plainnet.Dense(16, 1), plainnet.Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(X, y, epochs=150, batch_size=32, validation_split=0.2, verbose=0)
    return model, history, X, y


def line_labels(ax) -> list[str]:
    """The label of each line on ``ax``, in drawing order."""
    return [line.get_label() for line in ax.get_lines()]


def legend_texts(ax) -> list[str]:
    """The entries of ``ax``'s legend."""
    return [text.get_text() for text in ax.get_legend().get_texts()]


def assert_renders(fig, path) -> np.ndarray:
    """Save ``fig`` as a PNG, read it back, check it holds a real drawing; return its RGB."""
    from matplotlib.image import imread

    fig.savefig(path, dpi=80)
    rgb = imread(path)[..., :3]
    assert rgb.shape[0] > 150 and rgb.shape[1] > 150
    drawn = ~(rgb > 0.97).all(axis=2)  # not the white background
    assert drawn.mean() > 0.03, f"only {drawn.mean():.1%} of the pixels are drawn"
    assert rgb.std() > 0.05
    assert len(np.unique((rgb * 255).astype(int).reshape(-1, 3), axis=0)) > 30
    return rgb
