"""Models trained once for all the command-line tests (each ``train`` takes seconds)."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import COLOURS, run, write_csv

from plainnet import datasets


@pytest.fixture(scope="session")
def colours(tmp_path_factory):
    """A classifier trained on a CSV whose text target sits between the two features."""
    folder = tmp_path_factory.mktemp("colours")
    X, y = datasets.blobs(150, centers=[[0, 0], [4, 4], [-4, 4]], cluster_std=0.8, seed=3)
    write_csv(folder / "colours.csv", ["a", "colour", "b"],
              [[X[i, 0], COLOURS[y[i]], X[i, 1]] for i in range(len(y))])
    result = run("train", "colours.csv", "--target", "colour", "--epochs", "40", "--hidden",
                 "8", "--learning-rate", "0.01", "--out", "colours.pnet",
                 "--plot", "history.png", cwd=folder, check=True)
    return folder, X, COLOURS[y], result


@pytest.fixture(scope="session")
def houses(tmp_path_factory):
    """A regression model trained on features of very different scales."""
    folder = tmp_path_factory.mktemp("houses")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01]
    y = 500.0 + 30.0 * X[:, 0] - 0.4 * X[:, 1] + 900.0 * X[:, 2] + rng.normal(size=200)
    write_csv(folder / "houses.csv", ["rooms", "area", "age", "price"],
              np.column_stack([X, y]).tolist())
    result = run("train", "houses.csv", "--target", "price", "--epochs", "100", "--hidden",
                 "16", "--learning-rate", "0.01", "--out", "houses.pnet", cwd=folder,
                 check=True)
    return folder, X, y, result
