"""predict_classes and predict_probabilities on plainnet's models (no matplotlib needed).

The tutorial's network, logits with several classes and label-only estimators
are covered with the decision boundaries they feed (test_plotting_boundary.py).
"""

from __future__ import annotations

import numpy as np
from plotting_helpers import moons_model

import plainnet
from plainnet.plotting import predict_classes, predict_probabilities


def test_sigmoid_output_gives_two_probability_columns():
    model, _, X, y = moons_model()
    probabilities = predict_probabilities(model, X)
    assert probabilities.shape == (len(X), 2)
    np.testing.assert_allclose(probabilities[:, 1], model.predict(X)[:, 0], rtol=1e-6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(predict_classes(model, X), probabilities.argmax(axis=1))


def test_binary_logit_threshold_is_zero():
    model = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    model.compile(loss="binary_crossentropy")
    assert model.outputs_are_logits
    X = np.random.default_rng(0).normal(size=(50, 2))
    expected = (model.predict(X)[:, 0] > 0).astype(int)
    np.testing.assert_array_equal(predict_classes(model, X), expected)
    np.testing.assert_array_equal(predict_probabilities(model, X).argmax(axis=1), expected)


def test_regression_outputs_are_not_probabilities():
    model = plainnet.Sequential([plainnet.Dense(2, 1)], seed=0)
    X = np.array([[10.0, 10.0], [-10.0, -10.0]])
    assert predict_probabilities(model, X) is None  # outputs outside [0, 1]
