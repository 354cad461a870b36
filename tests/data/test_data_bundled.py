"""Tests for plainnet.data.bundled: the data sets that come with scikit-learn."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from plainnet.data import digits, iris


def test_digits():
    pytest.importorskip("sklearn")
    X, y = digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert set(np.unique(y).tolist()) == set(range(10))
    full = digits(return_X_y=False)
    np.testing.assert_array_equal(full.X, X)
    assert len(full.feature_names) == 64 and len(full.target_names) == 10


def test_digits_as_images():
    pytest.importorskip("sklearn")
    X, y = digits()
    images, y_images = digits(as_images=True)
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float64
    np.testing.assert_array_equal(images[:, 2, 3, 0], X[:, 8 * 2 + 3])  # row 2, column 3
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y_images, y)
    full = digits(return_X_y=False, as_images=True)
    assert full.X.shape == (1797, 8, 8, 1) and len(full.target_names) == 10
    with pytest.raises(TypeError, match="as_images"):
        digits(as_images="yes")


def test_iris():
    pytest.importorskip("sklearn")
    X, y = iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [50, 50, 50] and y.dtype == np.int64
    assert iris(return_X_y=False).target_names == ["setosa", "versicolor", "virginica"]


@pytest.mark.parametrize("loader", [digits, iris])
def test_missing_sklearn_gives_clear_import_error(monkeypatch, loader):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    # the command that works here: from this checkout, pip install -e ".[sklearn]"
    with pytest.raises(ImportError, match=r'needs scikit-learn; install it with: .*'
                                          r'pip install .*\[sklearn\]'):
        loader()
