"""plainnet.sklearn as scikit-learn sees it: its estimator checks, its tools (pipelines,
grid searches, cross-validation, clone, pickle, DataFrames), and the optional extra."""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from sklearn_helpers import iris, quiet, regression  # noqa: E402

from plainnet import Sequential  # noqa: E402
from plainnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


# --------------------------------------------------------- scikit-learn's checks
@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    """scikit-learn's check_estimator suite, one test per check, nothing marked xfail."""
    quiet(check, estimator)


def test_regressor_takes_loss_first_like_scikit_learn():
    ours = list(inspect.signature(MLPRegressor).parameters)
    theirs = list(inspect.signature(neural_network.MLPRegressor).parameters)
    assert ours[: len(theirs)] == theirs  # the same names in the same order, plus dtype


def test_clone_get_and_set_params():
    clf = MLPClassifier(hidden_layer_sizes=(7,), solver="sgd", dtype=np.float32)
    params = clf.get_params()
    assert params["hidden_layer_sizes"] == (7,) and params["dtype"] is np.float32
    assert set(params) >= set(neural_network.MLPClassifier().get_params())
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == params
    assert twin.set_params(alpha=0.5).alpha == 0.5 and clf.alpha == 0.0001


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
        "    assert '[sklearn]' in str(exc) and 'pip install' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------- inside scikit-learn tools
def test_pipeline():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(random_state=0))])
    quiet(pipe.fit, X, y)
    assert pipe.score(X, y) > 0.97
    assert pipe.predict_proba(X).shape == (len(X), 2)


def test_grid_search():
    X, y = iris()
    search = GridSearchCV(MLPClassifier(max_iter=300, random_state=0),
                          {"hidden_layer_sizes": [(5,), (20,)], "alpha": [1e-4, 1e-1]}, cv=3)
    quiet(search.fit, X, y)
    assert set(search.best_params_) == {"hidden_layer_sizes", "alpha"}
    assert search.best_score_ >= 0.85
    assert isinstance(search.best_estimator_.model_, Sequential)


def test_cross_val_score_regression():
    X, y = regression()
    scores = quiet(cross_val_score, MLPRegressor(max_iter=300, random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8


def test_pickle_round_trip():
    X, y = iris()
    clf = quiet(MLPClassifier(max_iter=10, random_state=0).fit, X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert copy.coefs_[0] is copy.model_.layers[0].weights


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = iris()
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    clf = quiet(MLPClassifier(max_iter=20, random_state=0).fit, frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    np.testing.assert_array_equal(clf.predict(frame), clf.model_.predict(X).argmax(axis=1))
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[frame.columns[::-1]])
