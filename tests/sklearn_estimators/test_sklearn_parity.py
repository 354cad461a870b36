"""plainnet.sklearn against scikit-learn's own MLP: with the same random_state both start
from the same weights and visit the same batches, so SGD agrees to rounding error and Adam
to about 1e-5 (epsilon placed as PyTorch places it)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn.datasets import load_iris, load_wine  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn_helpers import cancer, iris, multilabel, quiet, regression  # noqa: E402

from plainnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

OURS = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}


def fit_both(cls_name, X, y, **params):
    """Fit plainnet's and scikit-learn's estimator with the same parameters and seed."""
    ours = quiet(OURS[cls_name](random_state=0, **params).fit, X, y)
    theirs = quiet(getattr(neural_network, cls_name)(random_state=0, **params).fit, X, y)
    return ours, theirs


@pytest.mark.parametrize("params", [
    {"solver": "sgd", "max_iter": 30},
    {"solver": "sgd", "max_iter": 30, "nesterovs_momentum": False, "activation": "tanh"},
    {"solver": "sgd", "max_iter": 30, "momentum": 0.0, "hidden_layer_sizes": (7, 5),
     "activation": "logistic"},
    {"solver": "sgd", "max_iter": 30, "learning_rate": "invscaling", "learning_rate_init": 0.1},
    {"solver": "sgd", "max_iter": 60, "learning_rate": "adaptive", "tol": 0.5,
     "n_iter_no_change": 2},
    # a batch size that leaves a short last batch, and a strong L2 penalty
    {"solver": "sgd", "max_iter": 20, "batch_size": 64, "alpha": 1.0},
    {"solver": "sgd", "max_iter": 40, "early_stopping": True, "activation": "identity"},
    {"solver": "sgd", "max_iter": 20, "shuffle": False, "hidden_layer_sizes": ()},
])
def test_sgd_follows_sklearn_exactly(params):
    """Same random_state: same initial weights, batches, penalties and stopping epochs."""
    X, y = cancer()
    ours, theirs = fit_both("MLPClassifier", X, y, **params)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_
        assert ours.best_loss_ is None
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)


@pytest.mark.parametrize("task", ["multiclass", "multilabel", "regression"])
def test_sgd_parity_other_tasks(task):
    cls_name = "MLPRegressor" if task == "regression" else "MLPClassifier"
    X, y = {"multiclass": iris, "multilabel": multilabel, "regression": regression}[task]()
    ours, theirs = fit_both(cls_name, X, y, solver="sgd", max_iter=25, batch_size=32)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert ours.out_activation_ == theirs.out_activation_
    if task == "regression":
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-7, atol=1e-9)
    else:
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)


def test_adam_stays_close_to_sklearn():
    """Adam places epsilon differently (PyTorch's way): close, not bit-identical."""
    X, y = iris()
    ours, theirs = fit_both("MLPClassifier", X, y, max_iter=100)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-3)
    assert (ours.predict(X) == theirs.predict(X)).mean() >= 0.99


def test_partial_fit_and_warm_start_follow_sklearn():
    X, y = cancer()
    ours = MLPClassifier(solver="sgd", random_state=0)
    theirs = neural_network.MLPClassifier(solver="sgd", random_state=0)
    for start in range(0, 300, 100):
        ours.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1])
        theirs.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1])
    assert ours.n_iter_ == theirs.n_iter_ == 1
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)

    params = {"solver": "sgd", "random_state": 0, "max_iter": 5, "warm_start": True}
    ours, theirs = MLPClassifier(**params), neural_network.MLPClassifier(**params)
    for _ in range(2):
        quiet(ours.fit, X, y)
        quiet(theirs.fit, X, y)
    assert len(ours.loss_curve_) == 10
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("load", [load_iris, load_wine], ids=["iris", "wine"])
def test_cross_validated_accuracy_within_one_point_of_sklearn(load):
    """The quality bar of the benchmark, on its two fastest data sets."""
    X, y = load(return_X_y=True)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = {}
    for name, cls in (("plainnet", MLPClassifier), ("sklearn", neural_network.MLPClassifier)):
        pipeline = make_pipeline(StandardScaler(), cls(random_state=0))
        scores[name] = quiet(cross_val_score, pipeline, X, y, cv=folds).mean()
    assert abs(scores["plainnet"] - scores["sklearn"]) <= 0.01
