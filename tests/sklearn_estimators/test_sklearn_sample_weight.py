"""sample_weight in MLPClassifier.fit / MLPRegressor.fit, as scikit-learn's MLP weighs samples:
equal to scikit-learn's own estimator for full batches and constant weights, the weighted losses
by hand, and one clear error for bad weights. (check_estimator's sample-weight checks run in
test_sklearn_compatibility.py.)"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn_helpers import cancer, iris, multilabel, quiet, regression  # noqa: E402

from plainnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402
from plainnet.sklearn.classifier import _SummedBinaryCrossEntropy  # noqa: E402
from plainnet.sklearn.regressor import _HalfSquaredError  # noqa: E402

OURS = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}


def fit_both(cls_name, X, y, sample_weight, **params):
    ours = quiet(OURS[cls_name](random_state=0, **params).fit, X, y, sample_weight)
    theirs = quiet(getattr(neural_network, cls_name)(random_state=0, **params).fit, X, y,
                   sample_weight=sample_weight)
    return ours, theirs


def assert_same_fit(ours, theirs, X, rtol=1e-9):
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    method = "predict_proba" if hasattr(theirs, "predict_proba") else "predict"
    np.testing.assert_allclose(getattr(ours, method)(X), getattr(theirs, method)(X), atol=1e-8)


def weights(n, kind, seed=0):
    rng = np.random.default_rng(seed)
    return {"integers": rng.integers(0, 4, size=n).astype(float),
            "floats": rng.exponential(size=n),
            "constant": np.full(n, 2.5)}[kind]


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel", "regression"])
@pytest.mark.parametrize("kind", ["integers", "floats"])
def test_full_batch_sgd_follows_sklearn_exactly(task, kind):
    """One batch per epoch: plainnet's weighted loss is scikit-learn's, penalty included."""
    data = {"binary": lambda: tuple(a[:180] for a in cancer()), "multiclass": iris,
            "multilabel": multilabel, "regression": regression}[task]
    X, y = data()
    cls_name = "MLPRegressor" if task == "regression" else "MLPClassifier"
    ours, theirs = fit_both(cls_name, X, y, weights(len(X), kind), solver="sgd", max_iter=25,
                            alpha=0.5, hidden_layer_sizes=(8,))
    assert_same_fit(ours, theirs, X)


def test_constant_weights_follow_sklearn_exactly_with_small_batches():
    """Weights of one value: every batch's total weight is its size times that value."""
    X, y = cancer()  # 569 samples in batches of 64: a short last batch too
    ours, theirs = fit_both("MLPClassifier", X, y, weights(len(X), "constant"), solver="sgd",
                            max_iter=15, batch_size=64, alpha=1.0)
    assert_same_fit(ours, theirs, X)


@pytest.mark.filterwarnings("ignore:Got `batch_size`:UserWarning")  # one batch: 600 > 512
def test_early_stopping_splits_the_weights_and_weighs_the_validation_score():
    X, y = cancer()
    ours, theirs = fit_both("MLPClassifier", X, y, weights(len(X), "floats"), solver="sgd",
                            max_iter=20, batch_size=600, early_stopping=True)
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    assert_same_fit(ours, theirs, X)


def test_small_batches_stay_close_to_sklearn():
    """scikit-learn divides each batch by its total weight, plainnet by its size times the
    mean weight: equal on average, so the curves stay close."""
    X, y = cancer()
    ours, theirs = fit_both("MLPClassifier", X, y, weights(len(X), "floats"), solver="sgd",
                            max_iter=15, batch_size=64)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=0.05)
    assert np.mean(ours.predict(X) == theirs.predict(X)) > 0.97


def test_weights_change_the_fit_and_zero_weights_remove_samples():
    X, y = iris()
    w = np.ones(len(X))
    w[y == 2] = 0.0  # class 2 does not count
    clf = quiet(MLPClassifier(random_state=0, max_iter=200, hidden_layer_sizes=(10,)).fit,
                X, y, w)
    unweighted = quiet(MLPClassifier(random_state=0, max_iter=200,
                                     hidden_layer_sizes=(10,)).fit, X, y)
    assert clf.predict_proba(X)[y == 2, 2].mean() < unweighted.predict_proba(X)[y == 2, 2].mean()
    reg = quiet(MLPRegressor(random_state=0, max_iter=5).partial_fit, *regression(),
                sample_weight=np.arange(150.0))
    assert reg.n_iter_ == 1


@pytest.mark.parametrize("estimator", [MLPClassifier(max_iter=5), MLPRegressor(max_iter=5)])
@pytest.mark.parametrize("sample_weight, match", [
    (np.r_[-1.0, np.ones(149)], "Negative values"),
    (np.ones(149), r"sample_weight.shape == \(149,\), expected \(150,\)"),
    (np.zeros(150), "at least one non-zero"),
])
def test_bad_weights_get_one_clear_error(estimator, sample_weight, match):
    X, y = iris()
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y, sample_weight=sample_weight)


def test_the_losses_weigh_samples_by_hand():
    rng = np.random.default_rng(0)
    y_true, y_pred, w = rng.normal(size=(5, 2)), rng.normal(size=(5, 2)), rng.random(5)
    d = y_pred - y_true
    loss, grad = _HalfSquaredError().value_and_gradient(y_true, y_pred, sample_weight=w)
    assert loss == pytest.approx(np.sum(w * 0.5 * np.mean(d**2, axis=1)) / 5, rel=1e-12)
    np.testing.assert_allclose(grad, w[:, None] * d / 5, rtol=1e-12)
    assert _HalfSquaredError()(y_true, y_pred) == pytest.approx(0.5 * np.mean(d**2))
    labels = rng.integers(0, 2, size=(5, 3)).astype(float)
    z = rng.normal(size=(5, 3))
    p = 1 / (1 + np.exp(-z))
    per_sample = -np.sum(labels * np.log(p) + (1 - labels) * np.log(1 - p), axis=1)  # summed
    summed = _SummedBinaryCrossEntropy()
    for scores, from_logits in ((z, True), (p, False)):
        loss, grad = summed.value_and_gradient(labels, scores, from_logits, sample_weight=w)
        assert loss == pytest.approx(np.sum(w * per_sample) / 5, rel=1e-9)
        dz = w[:, None] * (p - labels) / 5  # d loss / d logits
        np.testing.assert_allclose(grad if from_logits else grad * p * (1 - p), dz, rtol=1e-6)
