"""Tests of plainnet.sklearn: scikit-learn's own checks, parity with scikit-learn's MLP,
fitted attributes, and use inside pipelines, grid searches and cross-validation."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_iris,
    load_wine,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from plainnet import Sequential  # noqa: E402
from plainnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def multilabel():
    return make_multilabel_classification(200, 8, n_classes=3, random_state=0)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(150, 5, n_targets=2, noise=1.0, random_state=0)
    return X, y / 100


def quiet(fn, *args, **kwargs):
    """Call ``fn`` with ConvergenceWarning silenced (short runs rarely converge)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------- scikit-learn's checks
@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    """scikit-learn's check_estimator suite, one test per check, nothing marked xfail."""
    quiet(check, estimator)


# ----------------------------------------------------------------- packaging
def test_plainnet_does_not_import_sklearn():
    code = "import sys, plainnet; assert 'sklearn' not in sys.modules, 'sklearn was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_sklearn_names_the_extra():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n"
        "    import plainnet.sklearn\n"
        "except ImportError as exc:\n"
        "    assert 'plainnet[sklearn]' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------- parity with scikit-learn
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
def test_sgd_follows_sklearn_exactly(cancer, params):
    """Same random_state: same initial weights, batches, penalties and stopping epochs."""
    ours, theirs = fit_both("MLPClassifier", *cancer, **params)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(cancer[0]), theirs.predict_proba(cancer[0]),
                               atol=1e-9)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_
        assert ours.best_loss_ is None
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)


@pytest.mark.parametrize("task", ["multiclass", "multilabel", "regression"])
def test_sgd_parity_other_tasks(task, iris, multilabel, regression):
    cls_name = "MLPRegressor" if task == "regression" else "MLPClassifier"
    X, y = {"multiclass": iris, "multilabel": multilabel, "regression": regression}[task]
    ours, theirs = fit_both(cls_name, X, y, solver="sgd", max_iter=25, batch_size=32)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert ours.out_activation_ == theirs.out_activation_
    if task == "regression":
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-7, atol=1e-9)
    else:
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)


def test_adam_stays_close_to_sklearn(iris):
    """Adam places epsilon differently (PyTorch's way): close, not bit-identical."""
    ours, theirs = fit_both("MLPClassifier", *iris, max_iter=100)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-3)
    assert (ours.predict(iris[0]) == theirs.predict(iris[0])).mean() >= 0.99


def test_partial_fit_and_warm_start_follow_sklearn(cancer):
    X, y = cancer
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


# ----------------------------------------------------------- fitted attributes
def test_fitted_attributes_multiclass(iris):
    X, y = iris
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


def test_binary_string_labels_and_logistic_output(cancer):
    X, y = cancer
    labels = np.array(["benign", "malignant"])[y]
    clf = quiet(MLPClassifier(max_iter=30, random_state=0).fit, X, labels)
    np.testing.assert_array_equal(clf.classes_, ["benign", "malignant"])
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.predict(X).dtype == labels.dtype
    assert clf.score(X, labels) > 0.95


def test_multilabel(multilabel):
    X, Y = multilabel
    clf = quiet(MLPClassifier(max_iter=50, random_state=0).fit, X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict(X).shape == Y.shape
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_array_equal(clf.predict(X), (proba > 0.5).astype(Y.dtype))


def test_multi_output_regression(regression):
    X, y = regression
    reg = quiet(MLPRegressor(max_iter=300, random_state=0).fit, X, y)
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 2
    assert reg.predict(X).shape == (150, 2)
    assert reg.score(X, y) > 0.9
    single = quiet(MLPRegressor(max_iter=5, random_state=0).fit, X, y[:, 0])
    assert single.predict(X).shape == (150,)


def test_regressor_loss_is_sklearns_half_squared_error(regression):
    X, y = regression
    # one full batch and a negligible step: the epoch's loss is that of the final weights
    reg = quiet(MLPRegressor(alpha=0.0, solver="sgd", batch_size=150, learning_rate_init=1e-12,
                             max_iter=1, random_state=0).fit, X, y)
    assert reg.loss_ == pytest.approx(0.5 * np.mean((reg.predict(X) - y) ** 2), rel=1e-9)
    # the L2 term is 0.5 * alpha * ||W||^2 / n_batch
    penalised = quiet(clone(reg).set_params(alpha=3.0).fit, X, y)
    penalty = 0.5 * 3.0 * sum(np.sum(w**2) for w in penalised.coefs_) / 150
    assert penalised.loss_ == pytest.approx(reg.loss_ + penalty, rel=1e-9)


def test_coefs_are_the_networks_arrays(iris):
    X, y = iris
    clf = quiet(MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit, X, y)
    assert clf.coefs_[0] is clf.model_.layers[0].weights
    clf.coefs_[-1][:] = 0.0
    clf.intercepts_[-1][:] = [0.0, 0.0, 1.0]  # every prediction: the last class
    assert (clf.predict(X) == 2).all()
    clf.intercepts_ = [np.zeros(5), np.array([0.0, 3.0, 0.0])]
    assert (clf.predict(X) == 1).all()
    with pytest.raises(ValueError, match="shape"):
        clf.coefs_ = [np.zeros((4, 5)), np.zeros((5, 4))]


def test_float32(iris):
    X, y = iris
    clf = quiet(MLPClassifier(max_iter=300, random_state=0, dtype=np.float32).fit, X, y)
    assert clf.model_.dtype == np.float32
    assert clf.coefs_[0].dtype == np.float32 and clf.model_.predict(X).dtype == np.float32
    # outputs follow the dtype of X, as scikit-learn's do
    assert clf.predict_proba(X).dtype == np.float64
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert clf.score(X, y) > 0.95
    reg = quiet(MLPRegressor(max_iter=5, dtype="float32").fit, X, X[:, :2])
    assert reg.predict(X).dtype == np.float64


# ---------------------------------------------------------------- training rules
def test_convergence_warning_only_when_max_iter_is_reached(iris):
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(max_iter=3, random_state=0).fit(*iris)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPClassifier(max_iter=200, tol=10.0, n_iter_no_change=2, random_state=0)
        clf.fit(*iris)
    # the first epoch sets best_loss_, then n_iter_no_change + 1 epochs fail to beat it by tol
    assert clf.n_iter_ == 4


def test_early_stopping_keeps_best_validation_weights(cancer):
    X, y = cancer
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


def test_partial_fit_needs_classes_first(iris):
    X, y = iris
    clf = MLPClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    clf.partial_fit(X, y)
    assert len(clf.loss_curve_) == 2 and clf.n_iter_ == 1


def test_partial_fit_needs_classes_first_for_multilabel_too(multilabel):
    X, Y = multilabel  # as in scikit-learn (the docstring said otherwise)
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier(random_state=0).partial_fit(X, Y)
    clf = MLPClassifier(random_state=0).partial_fit(X, Y, classes=[0, 1, 2])
    assert clf.predict(X).shape == Y.shape


def test_verbose_prints_like_sklearn(iris, capsys):
    quiet(MLPClassifier(max_iter=2, verbose=True, random_state=0).fit, *iris)
    assert capsys.readouterr().out.startswith("Iteration 1, loss = ")


def test_warm_start_keeps_the_weights(iris):
    X, y = iris
    clf = quiet(MLPClassifier(max_iter=5, warm_start=True, random_state=0).fit, X, y)
    model = clf.model_
    quiet(clf.fit, X, y)
    assert clf.model_ is model and len(clf.loss_curve_) == 10
    clf.set_params(hidden_layer_sizes=(3,))
    with pytest.raises(ValueError, match="layer sizes"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="same classes"):
        clf.set_params(hidden_layer_sizes=(100,)).fit(X[y < 2], y[y < 2])


# ------------------------------------------------------------- parameter errors
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
def test_bad_parameters_raise_at_fit(iris, params, error, match):
    clf = MLPClassifier(**params)  # __init__ only stores them
    with pytest.raises(error, match=match):
        clf.fit(*iris)


def test_partial_fit_is_hidden_for_lbfgs():
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPRegressor(), "partial_fit")


def test_diverging_training_raises(regression):
    X, y = regression
    with pytest.raises(ValueError, match="diverged"), np.errstate(all="ignore"):
        MLPRegressor(solver="sgd", learning_rate_init=10.0, random_state=0).fit(X, y * 1e6)


# ------------------------------------------------------- inside scikit-learn tools
def test_pipeline(cancer):
    X, y = load_breast_cancer(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(random_state=0))])
    quiet(pipe.fit, X, y)
    assert pipe.score(X, y) > 0.97
    assert pipe.predict_proba(X).shape == (len(X), 2)


def test_grid_search(iris):
    X, y = iris
    search = GridSearchCV(MLPClassifier(max_iter=300, random_state=0),
                          {"hidden_layer_sizes": [(5,), (20,)], "alpha": [1e-4, 1e-1]}, cv=3)
    quiet(search.fit, X, y)
    assert set(search.best_params_) == {"hidden_layer_sizes", "alpha"}
    assert search.best_score_ >= 0.85
    assert isinstance(search.best_estimator_.model_, Sequential)


def test_cross_val_score_regression(regression):
    X, y = regression
    scores = quiet(cross_val_score, MLPRegressor(max_iter=300, random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8


def test_clone_get_and_set_params():
    clf = MLPClassifier(hidden_layer_sizes=(7,), solver="sgd", dtype=np.float32)
    params = clf.get_params()
    assert params["hidden_layer_sizes"] == (7,) and params["dtype"] is np.float32
    assert set(params) >= set(neural_network.MLPClassifier().get_params())
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == params
    assert twin.set_params(alpha=0.5).alpha == 0.5 and clf.alpha == 0.0001


def test_pickle_round_trip(iris):
    X, y = iris
    clf = quiet(MLPClassifier(max_iter=10, random_state=0).fit, X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert copy.coefs_[0] is copy.model_.layers[0].weights


def test_dataframe_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    clf = quiet(MLPClassifier(max_iter=20, random_state=0).fit, frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    np.testing.assert_array_equal(clf.predict(frame), clf.model_.predict(X).argmax(axis=1))
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[frame.columns[::-1]])


def test_regressor_takes_loss_first_like_scikit_learn():
    import inspect

    from sklearn.neural_network import MLPRegressor as SkMLPRegressor

    from plainnet.sklearn import MLPRegressor as PnMLPRegressor

    ours = list(inspect.signature(PnMLPRegressor).parameters)
    theirs = list(inspect.signature(SkMLPRegressor).parameters)
    assert ours[: len(theirs)] == theirs  # the same names in the same order, plus dtype
    assert PnMLPRegressor().get_params()["loss"] == "squared_error"
    X, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match="loss='poisson' is not supported"):
        PnMLPRegressor(loss="poisson").fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of"):
        PnMLPRegressor(loss="huber").fit(X, y)
