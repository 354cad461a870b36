"""What both estimators share: scikit-learn's stopping rules, early stopping, warm starts,
verbose output, the fitted arrays coefs_/intercepts_ and the network's dtype."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn_helpers import cancer, iris, quiet  # noqa: E402

from plainnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def test_convergence_warning_only_when_max_iter_is_reached():
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(max_iter=3, random_state=0).fit(*iris())
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPClassifier(max_iter=200, tol=10.0, n_iter_no_change=2, random_state=0)
        clf.fit(*iris())
    # the first epoch sets best_loss_, then n_iter_no_change + 1 epochs fail to beat it by tol
    assert clf.n_iter_ == 4


def test_early_stopping_keeps_best_validation_weights():
    X, y = cancer()
    clf = quiet(MLPClassifier(early_stopping=True, max_iter=40, n_iter_no_change=3,
                              random_state=0).fit, X, y)
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    with pytest.raises(ValueError, match="early_stopping"):
        clf.partial_fit(X, y)
    # switched on for a warm start after a fit without it
    warm = quiet(MLPClassifier(max_iter=3, warm_start=True, random_state=0).fit, X, y)
    quiet(warm.set_params(early_stopping=True).fit, X, y)
    assert warm.best_loss_ is None and len(warm.validation_scores_) == warm.n_iter_


def test_verbose_prints_like_sklearn(capsys):
    quiet(MLPClassifier(max_iter=2, verbose=True, random_state=0).fit, *iris())
    assert capsys.readouterr().out.startswith("Iteration 1, loss = ")


def test_warm_start_keeps_the_weights():
    X, y = iris()
    clf = quiet(MLPClassifier(max_iter=5, warm_start=True, random_state=0).fit, X, y)
    model = clf.model_
    quiet(clf.fit, X, y)
    assert clf.model_ is model and len(clf.loss_curve_) == 10
    clf.set_params(hidden_layer_sizes=(3,))
    with pytest.raises(ValueError, match="layer sizes"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="same classes"):
        clf.set_params(hidden_layer_sizes=(100,)).fit(X[y < 2], y[y < 2])


def test_coefs_are_the_networks_arrays():
    X, y = iris()
    clf = quiet(MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit, X, y)
    assert clf.coefs_[0] is clf.model_.layers[0].weights
    clf.coefs_[-1][:] = 0.0
    clf.intercepts_[-1][:] = [0.0, 0.0, 1.0]  # every prediction: the last class
    assert (clf.predict(X) == 2).all()
    clf.intercepts_ = [np.zeros(5), np.array([0.0, 3.0, 0.0])]
    assert (clf.predict(X) == 1).all()
    with pytest.raises(ValueError, match="shape"):
        clf.coefs_ = [np.zeros((4, 5)), np.zeros((5, 4))]


def test_float32():
    X, y = iris()
    clf = quiet(MLPClassifier(max_iter=300, random_state=0, dtype=np.float32).fit, X, y)
    assert clf.model_.dtype == np.float32
    assert clf.coefs_[0].dtype == np.float32 and clf.model_.predict(X).dtype == np.float32
    # outputs follow the dtype of X, as scikit-learn's do
    assert clf.predict_proba(X).dtype == np.float64
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert clf.score(X, y) > 0.95
    reg = quiet(MLPRegressor(max_iter=5, dtype="float32").fit, X, X[:, :2])
    assert reg.predict(X).dtype == np.float64
