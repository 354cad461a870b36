"""The estimators' parameters: stored by ``__init__``, checked by ``fit``."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn_helpers import iris  # noqa: E402

from plainnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@pytest.mark.parametrize("params, error, match", [
    ({"solver": "lbfgs"}, ValueError, "lbfgs"),
    ({"solver": "newton"}, ValueError, "solver"),
    ({"activation": "softmax"}, ValueError, "activation"),
    ({"hidden_layer_sizes": (10, 0)}, ValueError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": "big"}, TypeError, "hidden_layer_sizes"),
    ({"alpha": -1.0}, ValueError, "alpha"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": "all"}, TypeError, "batch_size"),
    ({"learning_rate": "cosine"}, ValueError, "learning_rate"),
    ({"max_iter": 0}, ValueError, "max_iter"),
    ({"momentum": 1.0, "solver": "sgd"}, ValueError, "momentum"),
    ({"beta_2": 1.0}, ValueError, "beta_2"),
    ({"dtype": np.int32}, ValueError, "dtype"),
])
def test_bad_parameters_raise_at_fit(params, error, match):
    clf = MLPClassifier(**params)  # __init__ only stores them
    with pytest.raises(error, match=match):
        clf.fit(*iris())


def test_partial_fit_is_hidden_for_lbfgs():
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPRegressor(), "partial_fit")
