"""The training driver, the predictions and the fitted arrays that both estimators share.

Fitting is scikit-learn's bookkeeping around one ``Sequential.fit`` call;
``coefs_`` and ``intercepts_`` are the network's own weight arrays.

:class:`BaseMLP` runs the training; a subclass says what its task needs
through a few hooks: ``_validate_input`` (checked ``X`` and 2-D targets),
``_output_activation``, ``_plainnet_loss``, ``_stratify`` (split the
early-stopping set by class?), ``_training_targets``,
``_validation_targets`` and ``_validation_score`` (of finite network outputs).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..errors import TrainingDivergedError
from ..optimizers import SGD, Adam
from .network import build_network, dense_layers, layer_units
from .params import MLPParameters
from .schedule import SklearnSchedule, SklearnShuffle, set_learning_rate

__all__ = ["BaseMLP"]


def _layer_arrays(name: str, doc: str) -> property:
    """A fitted-array property: the ``name`` array of each Dense layer of ``model_``.

    Reading gives the layers' own arrays; assigning a list of arrays copies
    them in place, after checking their number and shapes.
    """

    def read(self) -> list[np.ndarray]:
        return [getattr(layer, name) for layer in dense_layers(self.model_)]

    def write(self, values) -> None:
        dense = dense_layers(self.model_)
        values = list(values)
        if len(values) != len(dense):
            raise ValueError(f"expected {len(dense)} arrays, got {len(values)}")
        arrays = [np.asarray(v, dtype=self.model_.dtype) for v in values]
        for i, (layer, array) in enumerate(zip(dense, arrays)):
            if array.shape != getattr(layer, name).shape:
                raise ValueError(f"array {i} must have shape {getattr(layer, name).shape}, got "
                                 f"{array.shape}")
        for layer, array in zip(dense, arrays):
            np.copyto(getattr(layer, name), array)

    return property(read, write, doc=doc)


def _normalised_weights(weights: np.ndarray | None) -> tuple[np.ndarray | None, float]:
    """Training weights scaled to mean 1, and the mean they had (1.0 without weights).

    scikit-learn divides each batch's weighted loss by the batch's total
    weight; ``Sequential.fit`` divides by the batch size (Keras's rule).
    With weights of mean 1 the two agree for a full batch, and on average
    for smaller ones; the mean goes to the L2 penalty (see SklearnSchedule).
    """
    if weights is None:
        return None, 1.0
    mean = float(weights.mean())
    if not mean > 0:
        raise ValueError("sample_weight of the training samples are all zero (the non-zero "
                         "ones went to the early-stopping validation set); give more samples "
                         "non-zero weights")
    return weights / mean, mean


class BaseMLP(MLPParameters):
    """Shared training loop, prediction and fitted arrays of the two estimators."""

    # -------------------------------------------------------------- building
    def _initialize(self, units: list[int], dtype: np.dtype) -> None:
        """Reset every fitted attribute and build a new network (a first fit)."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = units[-1]
        self.n_layers_ = len(units)
        self.out_activation_ = self._output_activation()
        self.model_ = build_network(units, self.activation, self.out_activation_, dtype,
                                    self._random_state)
        self._best_weights = self.model_.get_weights()
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _new_optimizer(self):
        if self.solver == "sgd":
            momentum = float(self.momentum)
            return SGD(learning_rate=self.learning_rate_init, momentum=momentum,
                       nesterov=bool(self.nesterovs_momentum) and momentum > 0)
        return Adam(learning_rate=self.learning_rate_init, beta_1=self.beta_1,
                    beta_2=self.beta_2, epsilon=self.epsilon)

    # -------------------------------------------------------------- training
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``, from new weights unless ``warm_start``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels, or a 0/1 indicator matrix for multilabel
            data (classifier); values (regressor).
        sample_weight : array-like of shape (n_samples,), default None
            How much each sample counts (non-negative, not all zero); see the
            notes on sample weights in the class documentation.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    @available_if(lambda est: est.solver != "lbfgs")
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default None
            How much each sample counts.

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def _fit(self, X, y, incremental: bool, sample_weight=None):
        sizes, dtype = self._check_params()
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:  # a float vector of n non-negative, not all zero weights
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        units = [X.shape[1], *sizes, y.shape[1]]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(units, dtype)
        elif units != layer_units(self.model_):
            raise ValueError(
                f"the network has layer sizes {layer_units(self.model_)}, but this data and "
                f"hidden_layer_sizes need {units}; fit a new model (warm_start=False)"
            )
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        model = self.model_
        if not incremental or not model.compiled:  # scikit-learn restarts its solver here
            model.compile(loss=self._plainnet_loss(), optimizer=self._new_optimizer())
        if self.early_stopping and self.validation_scores_ is None:  # switched on for a warm start
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
            self.best_loss_ = None

        weight_train = weight_val = None
        if self.early_stopping:
            stratify = y if self._stratify() else None
            arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
            split = train_test_split(*arrays, random_state=self._random_state,
                                     test_size=self.validation_fraction, stratify=stratify)
            X_train, X_val, y_train, y_val = split[:4]
            if sample_weight is not None:
                weight_train, weight_val = split[4:]
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' or the "
                    "size of your dataset."
                )
            validation = (np.asarray(X_val, dtype=dtype), self._validation_targets(y_val),
                          weight_val)
        else:
            X_train, y_train, validation, weight_train = X, y, None, sample_weight
        weight_train, weight_scale = _normalised_weights(weight_train)

        n_samples = X_train.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                              "going to be clipped", stacklevel=3)
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        end_epoch = functools.partial(self._end_epoch, n_samples=n_samples,
                                      validation=validation, incremental=incremental)
        schedule = SklearnSchedule(dense_layers(model), self.alpha, n_samples, batch_size,
                                   end_epoch, weight_scale)
        shuffle = SklearnShuffle(self._random_state, n_samples) if self.shuffle else False
        self.n_iter_ = 0
        try:
            model.fit(X_train, self._training_targets(y_train),
                      epochs=1 if incremental else self.max_iter, batch_size=batch_size,
                      shuffle=shuffle, verbose=0, callbacks=[schedule],
                      sample_weight=weight_train)
        except TrainingDivergedError as exc:
            raise TrainingDivergedError(
                f"{exc}. For this estimator: scale the inputs (e.g. StandardScaler in a "
                "Pipeline) or lower learning_rate_init"
            ) from exc
        if self.early_stopping:  # back to the weights with the best validation score
            model.set_weights(self._best_weights)
        return self

    def _end_epoch(self, loss: float, n_samples: int, validation: tuple | None,
                   incremental: bool) -> bool:
        """scikit-learn's bookkeeping after each epoch; return True to stop training."""
        self.n_iter_ += 1
        self.loss_ = loss
        self.t_ += n_samples
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
        self._update_no_improvement_count(validation)
        optimizer = self.model_.optimizer
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            set_learning_rate(optimizer, self.learning_rate_init / (self.t_ + 1) ** self.power_t)
        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if validation is not None else "Training loss"
            message = (f"{what} did not improve more than tol={self.tol:f} for "
                       f"{self.n_iter_no_change} consecutive epochs.")
            if self.solver == "adam" or self.learning_rate != "adaptive":
                if self.verbose:
                    print(message + " Stopping.")
                return True
            if optimizer.learning_rate <= 1e-6:
                if self.verbose:
                    print(message + " Learning rate too small. Stopping.")
                return True
            set_learning_rate(optimizer, optimizer.learning_rate / 5.0)  # 'adaptive': slow down
            if self.verbose:
                print(message + f" Setting learning rate to {optimizer.learning_rate:f}")
            self._no_improvement_count = 0
        if not incremental and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return False

    def _update_no_improvement_count(self, validation: tuple | None) -> None:
        if validation is not None:
            X_val, y_val, weight_val = validation
            outputs = self._forward(X_val)
            score = (self._validation_score(outputs, y_val, weight_val)
                     if np.isfinite(outputs).all() else np.nan)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = self.model_.get_weights()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    # ------------------------------------------------------------ predicting
    def _check_X(self, X) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=(np.float64, np.float32), reset=False)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs (probabilities or values), ``(n_samples, n_outputs)``.

        In the dtype of ``X`` (float32 or float64), as scikit-learn returns
        them, whatever the precision of the network.
        """
        return self.model_.predict(X).astype(X.dtype, copy=False)

    # ------------------------------------------------------ fitted arrays
    coefs_ = _layer_arrays(
        "weights", "Weight matrices ``(n_in, n_out)`` of the layers: the network's own arrays.")
    intercepts_ = _layer_arrays("bias", "Bias vectors of the layers: the network's own arrays.")
