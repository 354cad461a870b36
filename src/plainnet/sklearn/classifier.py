"""``MLPClassifier``: scikit-learn's multi-layer perceptron classifier, trained by plainnet.

Multiclass targets get a softmax output and the categorical cross-entropy;
binary and multilabel targets a logistic (sigmoid) output per label and the
binary cross-entropy. scikit-learn's ``LabelBinarizer`` turns the labels into
those 0/1 columns and back.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d, validate_data

from ..losses import BinaryCrossEntropy
from .base import BaseMLP
from .docs import ATTRIBUTES, PARAMETERS, SAMPLE_WEIGHT_NOTES

__all__ = ["MLPClassifier"]


class _SummedBinaryCrossEntropy(BinaryCrossEntropy):
    """scikit-learn's multilabel log-loss: summed over the labels (plainnet's averages).

    ``l = -sum_k [y_k log p_k + (1 - y_k) log(1 - p_k)]`` per sample: ``k`` times
    plainnet's :class:`~plainnet.losses.BinaryCrossEntropy`, as are its gradients.
    """

    def per_position(self, y_true, y_pred, from_logits=None):
        return super().per_position(y_true, y_pred, from_logits) * y_pred.shape[-1]

    def position_gradient(self, y_true, y_pred, from_logits=None):
        return super().position_gradient(y_true, y_pred, from_logits) * y_pred.shape[-1]

    def value_and_gradient(self, y_true, y_pred, from_logits=None, sample_weight=None):
        loss, grad = super().value_and_gradient(y_true, y_pred, from_logits, sample_weight)
        if not self._logits(from_logits):
            return loss, grad  # made from per_position and position_gradient: summed already
        grad *= y_pred.shape[-1]  # the fast form for logits averages over the labels
        return loss * y_pred.shape[-1], grad


class MLPClassifier(ClassifierMixin, BaseMLP):
    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32),
                             reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        f"the previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(bool)

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _plainnet_loss(self):
        if self.out_activation_ == "softmax":
            return "categorical_crossentropy"
        return _SummedBinaryCrossEntropy() if self.n_outputs_ > 1 else "binary_crossentropy"

    def _stratify(self) -> bool:
        return self.n_outputs_ == 1  # as scikit-learn: only binary targets are stratified

    def _training_targets(self, y: np.ndarray) -> np.ndarray:
        if self.out_activation_ == "softmax":
            return np.argmax(y, axis=1)  # class indices: cheaper than one-hot rows
        return y

    def _validation_targets(self, y: np.ndarray):
        return self._label_binarizer.inverse_transform(y)

    def _validation_score(self, outputs: np.ndarray, y, sample_weight=None) -> float:
        return accuracy_score(y, self._labels(outputs), sample_weight=sample_weight)

    def _labels(self, probabilities: np.ndarray):
        if self.n_outputs_ == 1:
            probabilities = probabilities.ravel()
        return self._label_binarizer.inverse_transform(probabilities)

    @available_if(lambda est: est.solver != "lbfgs")
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default None
            How much each sample counts.
        classes : array-like of shape (n_classes,), default None
            Every class the model will ever see (for multilabel ``y``, the
            label indices); required on the first call, ignored afterwards.

        Returns
        -------
        self : MLPClassifier
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def predict(self, X):
        """Predicted class labels.

        The most probable class of each sample (multiclass data); for binary
        and multilabel data, each label whose probability is above 0.5.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels from ``classes_``; a 0/1 indicator matrix for multilabel data.
        """
        return self._labels(self._forward(self._check_X(X)))

    def predict_proba(self, X):
        """Class probabilities.

        The network's softmax outputs (multiclass data) or logistic outputs
        (binary and multilabel data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; binary data gets the two
            columns ``[1 - p, p]``. Multilabel: the probability of each label,
            independently.
        """
        probabilities = self._forward(self._check_X(X))
        if self.n_outputs_ == 1:
            p = probabilities.ravel()
            return np.vstack([1 - p, p]).T
        return probabilities

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Taken in place on the probabilities: one that is 0 gives ``-inf``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``, as for :meth:`predict_proba`.
        """
        probabilities = self.predict_proba(X)
        return np.log(probabilities, out=probabilities)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MLPClassifier.__doc__ = f"""Multi-layer perceptron classifier trained by plainnet.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    minimises the log-loss with a softmax output (multiclass) or a logistic
    output (binary and multilabel), with Adam or SGD.
{PARAMETERS}
    Attributes
    ----------
    classes_ : ndarray
        Class labels (the label indices for multilabel data).
{ATTRIBUTES}
    Notes
    -----{SAMPLE_WEIGHT_NOTES}
    See Also
    --------
    MLPRegressor : The regression counterpart.
    sklearn.neural_network.MLPClassifier : The estimator this one replaces.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from plainnet.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), MLPClassifier(max_iter=500, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """
