"""``MLPRegressor``: scikit-learn's multi-layer perceptron regressor, trained by plainnet.

A linear output and scikit-learn's half squared error,
``0.5 * mean((prediction - y)**2)``, minimised with Adam or SGD.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import column_or_1d, validate_data

from .._validation import check_choice
from ..losses import Loss
from .base import BaseMLP
from .docs import ATTRIBUTES, PARAMETERS_AFTER_LOSS, SAMPLE_WEIGHT_NOTES
from .params import with_shared_parameters

__all__ = ["MLPRegressor"]


class _HalfSquaredError(Loss):
    """scikit-learn's regression loss: ``0.5 * mean((y_pred - y_true)**2)``.

    The value is the mean over every element, as scikit-learn reports
    ``loss_``; the gradient is ``(y_pred - y_true) / n_samples``, the one
    scikit-learn trains with. With one output the gradient is exactly that of
    the value; with ``k`` outputs scikit-learn's gradient sums the outputs
    instead of averaging them (``k`` times larger), and so does this one.
    Per sample: ``l_i = 0.5 * mean_k d_ik**2`` and ``dl_i/dy_pred = d_i``
    (``d = y_pred - y_true``); with weights, ``sum_i w_i l_i / n`` and
    ``w_i d_i / n`` (plainnet's rule for every loss).
    """

    name = "half_squared_error"

    def __init__(self) -> None:
        super().__init__(None)

    def per_position(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return 0.5 * np.mean(np.square(y_pred - y_true), axis=-1)  # (batch,)

    def position_gradient(self, y_true, y_pred, from_logits=None) -> np.ndarray:
        return y_pred - y_true  # (batch, outputs): the outputs' sum, as scikit-learn

    def value_and_gradient(self, y_true, y_pred, from_logits=None, sample_weight=None):
        if sample_weight is not None:
            return super().value_and_gradient(y_true, y_pred, from_logits, sample_weight)
        diff = y_pred - y_true  # (batch, outputs)
        return 0.5 * float(np.mean(np.square(diff))), diff / diff.shape[0]  # (batch, outputs)


class MLPRegressor(RegressorMixin, BaseMLP):
    @with_shared_parameters
    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu",
                 **params):
        # scikit-learn's MLPRegressor takes ``loss`` first; the order is kept for drop-in use.
        # The signature lists every parameter explicitly (see with_shared_parameters).
        super().__init__(hidden_layer_sizes, activation, **params)
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

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

    def _validation_score(self, outputs: np.ndarray, y, sample_weight=None) -> float:
        return r2_score(y, outputs, sample_weight=sample_weight)

    def predict(self, X):
        """Predicted values: the network's linear outputs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D when the model was fitted on a single output.
        """
        predictions = self._forward(self._check_X(X))
        return predictions.ravel() if predictions.shape[1] == 1 else predictions


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
    sklearn.neural_network.MLPRegressor : The estimator this one replaces.
    MLPClassifier : The classification counterpart, with the same parameters.

    Notes
    -----
    With ``k`` outputs, ``loss_`` is the mean over the outputs (as scikit-learn
    reports it) but scikit-learn's gradient is that of their sum, ``k`` times
    larger; this estimator trains with the same gradient, so both libraries
    take the same steps.
{SAMPLE_WEIGHT_NOTES}
    Examples
    --------
    >>> import numpy as np
    >>> from plainnet.sklearn import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(learning_rate_init=0.01, random_state=0)
    >>> reg.fit(X, X.ravel() ** 2).score(X, X.ravel() ** 2) > 0.9
    True
    """
