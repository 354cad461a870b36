"""Data sets and helpers shared by the tests of plainnet.sklearn.

The data are loaded once per test session (the functions cache their result);
tests must not modify the arrays they get.

This folder is not called ``tests/sklearn``: pytest puts ``tests/`` on
``sys.path``, where a folder of that name would be found by ``import sklearn``
(as a namespace package) when scikit-learn is not installed, and ruff would
count ``sklearn`` as a first-party module.
"""

from __future__ import annotations

import functools
import warnings

import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_iris,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


@functools.cache
def iris():
    """Iris, standardised: ``(X, y)``, 150 samples, 4 features, 3 classes."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@functools.cache
def cancer():
    """Breast cancer, standardised: ``(X, y)``, 569 samples, 30 features, 2 classes."""
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@functools.cache
def multilabel():
    """``(X, Y)``: 200 samples, 8 features, a 0/1 indicator matrix of 3 labels."""
    return make_multilabel_classification(200, 8, n_classes=3, random_state=0)


@functools.cache
def regression():
    """``(X, y)``: 150 samples, 5 features, 2 targets (scaled to order 1)."""
    X, y = make_regression(150, 5, n_targets=2, noise=1.0, random_state=0)
    return X, y / 100


def quiet(fn, *args, **kwargs):
    """Call ``fn`` with ConvergenceWarning silenced (short runs rarely converge)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)
