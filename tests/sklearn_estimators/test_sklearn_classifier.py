"""MLPClassifier: multiclass, binary and multilabel targets, its fitted attributes,
probabilities and partial_fit's classes."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn_helpers import cancer, iris, multilabel, quiet  # noqa: E402

from plainnet import Sequential  # noqa: E402
from plainnet.sklearn import MLPClassifier  # noqa: E402


def test_fitted_attributes_multiclass():
    X, y = iris()
    clf = quiet(MLPClassifier(hidden_layer_sizes=(8, 6), max_iter=20, random_state=0).fit, X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_features_in_ == 4
    assert not hasattr(clf, "feature_names_in_")
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3
    assert clf.out_activation_ == "softmax"
    assert [c.shape for c in clf.coefs_] == [(4, 8), (8, 6), (6, 3)]
    assert [b.shape for b in clf.intercepts_] == [(8,), (6,), (3,)]
    assert clf.n_iter_ == len(clf.loss_curve_) == 20
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.t_ == 20 * len(X)
    assert isinstance(clf.model_, Sequential)
    assert clf.model_.dtype == np.float64 and clf.coefs_[0].dtype == np.float64
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_binary_string_labels_and_logistic_output():
    X, y = cancer()
    labels = np.array(["benign", "malignant"])[y]
    clf = quiet(MLPClassifier(max_iter=30, random_state=0).fit, X, labels)
    np.testing.assert_array_equal(clf.classes_, ["benign", "malignant"])
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.predict(X).dtype == labels.dtype
    assert clf.score(X, labels) > 0.95


def test_multilabel():
    X, Y = multilabel()
    clf = quiet(MLPClassifier(max_iter=50, random_state=0).fit, X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict(X).shape == Y.shape
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_array_equal(clf.predict(X), (proba > 0.5).astype(Y.dtype))


def test_partial_fit_needs_classes_first():
    X, y = iris()
    clf = MLPClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    clf.partial_fit(X, y)
    assert len(clf.loss_curve_) == 2 and clf.n_iter_ == 1


def test_partial_fit_needs_classes_first_for_multilabel_too():
    X, Y = multilabel()  # as in scikit-learn (the docstring said otherwise)
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier(random_state=0).partial_fit(X, Y)
    clf = MLPClassifier(random_state=0).partial_fit(X, Y, classes=[0, 1, 2])
    assert clf.predict(X).shape == Y.shape
