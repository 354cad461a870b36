"""``MLPRegressor``: scikit-learn's multi-layer perceptron regressor, trained by plainnet.

A linear output and scikit-learn's half squared error,
``0.5 * mean((prediction - y)**2)``, minimised with Adam or SGD.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d, validate_data

from .._validation import check_choice
from ..losses import Loss
from .base import BaseMLP
from .docs import ATTRIBUTES, PARAMETERS_AFTER_LOSS

__all__ = ["MLPRegressor"]


class _HalfSquaredError(Loss):
    """scikit-learn's regression loss: ``0.5 * mean((y_pred - y_true)**2)``.

    The value is the mean over every element, as scikit-learn reports
    ``loss_``; the gradient is ``(y_pred - y_true) / n_samples``, the one
    scikit-learn trains with. With one output the gradient is exactly that of
    the value; with ``k`` outputs scikit-learn's gradient sums the outputs
    instead of averaging them (``k`` times larger), and so does this one.
    """

    name = "half_squared_error"

    def __init__(self) -> None:
        super().__init__(None)

    def __call__(self, y_true, y_pred, from_logits=None) -> float:
        return 0.5 * float(np.mean(np.square(y_pred - y_true)))

    def gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return (y_pred - y_true) / y_pred.shape[0]  # (batch, outputs)

    def value_and_gradient(self, y_true, y_pred, from_logits=None):
        diff = y_pred - y_true  # (batch, outputs)
        return 0.5 * float(np.mean(np.square(diff))), diff / diff.shape[0]  # (batch, outputs)


class MLPRegressor(RegressorMixin, BaseMLP):
    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=np.float64,
    ):
        # scikit-learn's MLPRegressor takes ``loss`` first; the order is kept for drop-in use
        super().__init__(
            hidden_layer_sizes, activation, solver=solver, alpha=alpha, batch_size=batch_size,
            learning_rate=learning_rate, learning_rate_init=learning_rate_init,
            power_t=power_t, max_iter=max_iter, shuffle=shuffle, random_state=random_state,
            tol=tol, verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun, dtype=dtype,
        )
        self.loss = loss

    def _check_params(self):
        if self.loss == "poisson":
            raise ValueError(
                "loss='poisson' is not supported by plainnet.sklearn; use "
                "loss='squared_error' (the default) or sklearn.neural_network for Poisson"
            )
        check_choice("loss", self.loss, ("squared_error",))
        return super()._check_params()

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _output_activation(self) -> str:
        return "identity"

    def _plainnet_loss(self):
        return _HalfSquaredError()

    def _stratify(self) -> bool:
        return False

    def _training_targets(self, y: np.ndarray) -> np.ndarray:
        return y

    def _validation_targets(self, y: np.ndarray):
        return y

    def _validation_score(self, X: np.ndarray, y) -> float:
        predictions = self._forward(X)
        if not np.isfinite(predictions).all():
            return np.nan
        return r2_score(y, predictions)

    def fit(self, X, y):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(X, y, incremental=False)

    @available_if(lambda est: est.solver != "lbfgs")
    def partial_fit(self, X, y):
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        predictions = self._forward(self._check_X(X))
        return predictions.ravel() if predictions.shape[1] == 1 else predictions

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


MLPRegressor.__doc__ = f"""Multi-layer perceptron regressor trained by plainnet.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    minimises the squared error (``loss_`` is scikit-learn's
    ``0.5 * mean((y - prediction)**2)``) with a linear output, with Adam or SGD.

    Parameters
    ----------
    loss : {{"squared_error"}}, default "squared_error"
        The loss to minimise. scikit-learn's "poisson" is not supported
        (``fit`` raises ``ValueError``).
{PARAMETERS_AFTER_LOSS}
    Attributes
    ----------
{ATTRIBUTES}
    See Also
    --------
    MLPClassifier : The classification counterpart.
    sklearn.neural_network.MLPRegressor : The estimator this one replaces.

    Examples
    --------
    >>> import numpy as np
    >>> from plainnet.sklearn import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(learning_rate_init=0.01, random_state=0)
    >>> reg.fit(X, X.ravel() ** 2).score(X, X.ravel() ** 2) > 0.9
    True
    """
