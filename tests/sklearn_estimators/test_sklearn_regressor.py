"""MLPRegressor: one or several outputs, scikit-learn's half squared error, its ``loss``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn_helpers import quiet, regression  # noqa: E402

from plainnet.sklearn import MLPRegressor  # noqa: E402


def test_multi_output_regression():
    X, y = regression()
    reg = quiet(MLPRegressor(max_iter=300, random_state=0).fit, X, y)
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 2
    assert reg.predict(X).shape == (150, 2)
    assert reg.score(X, y) > 0.9
    single = quiet(MLPRegressor(max_iter=5, random_state=0).fit, X, y[:, 0])
    assert single.predict(X).shape == (150,)


def test_regressor_loss_is_sklearns_half_squared_error():
    X, y = regression()
    # one full batch and a negligible step: the epoch's loss is that of the final weights
    reg = quiet(MLPRegressor(alpha=0.0, solver="sgd", batch_size=150, learning_rate_init=1e-12,
                             max_iter=1, random_state=0).fit, X, y)
    assert reg.loss_ == pytest.approx(0.5 * np.mean((reg.predict(X) - y) ** 2), rel=1e-9)
    # the L2 term is 0.5 * alpha * ||W||^2 / n_batch
    penalised = quiet(clone(reg).set_params(alpha=3.0).fit, X, y)
    penalty = 0.5 * 3.0 * sum(np.sum(w**2) for w in penalised.coefs_) / 150
    assert penalised.loss_ == pytest.approx(reg.loss_ + penalty, rel=1e-9)


def test_loss_is_squared_error_only():
    assert MLPRegressor().get_params()["loss"] == "squared_error"
    X, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match="loss='poisson' is not supported"):
        MLPRegressor(loss="poisson").fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of"):
        MLPRegressor(loss="huber").fit(X, y)


def test_diverging_training_raises():
    X, y = regression()
    with pytest.raises(ValueError, match="diverged"), np.errstate(all="ignore"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loss grows 100-fold before it overflows: a warning
        MLPRegressor(solver="sgd", learning_rate_init=10.0, random_state=0).fit(X, y * 1e6)
