"""scikit-learn estimators backed by plainnet: ``MLPClassifier`` and ``MLPRegressor``.

Drop-in replacements for :class:`sklearn.neural_network.MLPClassifier` and
:class:`sklearn.neural_network.MLPRegressor`: the same parameters with the same
names, defaults and meanings, the same fitted attributes, and the same
training algorithm, but the network is a :class:`plainnet.Sequential` that
plainnet's own engine trains (the fitted model is ``model_``)::

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from plainnet.sklearn import MLPClassifier

    clf = make_pipeline(StandardScaler(), MLPClassifier(random_state=0)).fit(X, y)

What scikit-learn does, and how it maps onto plainnet:

==========================  ===================================================
scikit-learn                plainnet
==========================  ===================================================
hidden layers, activation   ``Dense(n_in, n_out, activation=...)`` per layer
output 'softmax'            final ``Softmax`` + ``categorical_crossentropy``
output 'logistic'           final ``Sigmoid`` + ``binary_crossentropy``
                            (binary and multilabel)
output 'identity'           no final layer + half squared error (see below)
``alpha`` (L2)              ``Dense(l2=alpha / (2 * n_batch))``: scikit-learn adds
                            ``0.5 * alpha * ||W||**2 / n_batch`` to each batch's
                            mean loss; the smaller last batch of an epoch gets
                            its own ``l2``, so every batch's objective matches
``solver='adam'``           :class:`plainnet.optimizers.Adam`
``solver='sgd'``            :class:`plainnet.optimizers.SGD` (Nesterov momentum)
initialisation              ``U(-b, b)`` for weights *and* biases,
                            ``b = sqrt(6 / (fan_in + fan_out))`` (``2`` instead of
                            ``6`` for 'logistic'), drawn from ``random_state``
shuffling                   ``random_state``'s sequence, as scikit-learn's
stopping rules              scikit-learn's ``tol`` / ``n_iter_no_change`` rules,
                            checked after every epoch by a callback
==========================  ===================================================

With the same ``random_state`` both libraries start from the same weights and
visit the batches in the same order. With ``solver='sgd'`` (every learning-rate
schedule) their loss curves then agree to rounding error; with Adam they agree
to about 1e-5, because plainnet's Adam adds ``epsilon`` to the bias-corrected
root of the second moment (as PyTorch does) where scikit-learn adds it before
the correction.

Differences from scikit-learn, all deliberate:

* ``solver='lbfgs'`` is not supported (``fit`` raises ``ValueError``), so
  ``max_fun`` is accepted and ignored.
* Dense inputs only: sparse matrices raise ``TypeError`` (convert them with
  ``.toarray()``). ``sample_weight`` is not supported.
* ``dtype`` (plainnet's own): the precision of the network, ``float64`` by
  default like scikit-learn on ordinary data; ``float32`` trains faster.
* ``momentum`` must be below 1 (plainnet's SGD); scikit-learn accepts 1.

This module needs scikit-learn >= 1.6 (``pip install "plainnet[sklearn]"``);
the rest of plainnet never imports it.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import (
        _check_partial_fit_first_call,
        type_of_target,
        unique_labels,
    )
    from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "plainnet.sklearn needs scikit-learn >= 1.6, which is not installed (or too old): "
        'pip install "plainnet[sklearn]"'
    ) from exc

from ._validation import check_bool, check_choice, check_dtype, check_float, check_int
from .callbacks import Callback
from .errors import TrainingDivergedError
from .layers import Dense, Sigmoid, Softmax
from .losses import Loss
from .model import Sequential
from .optimizers import SGD, Adam

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


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


class _SklearnShuffle:
    """Each epoch's sample order, drawn exactly as scikit-learn's MLP draws it.

    scikit-learn reshuffles the previous epoch's order (``order =
    order[random_state.permutation(n)]``) with its ``RandomState``; passing
    this as ``Sequential.fit(shuffle=...)`` makes plainnet visit the batches
    in the same sequence.
    """

    def __init__(self, random_state: np.random.RandomState, n_samples: int) -> None:
        self.random_state = random_state
        self.order = np.arange(n_samples)

    def __call__(self, n_samples: int) -> np.ndarray:
        self.order = self.order[self.random_state.permutation(n_samples)]
        return self.order


class _SklearnSchedule(Callback):
    """Runs scikit-learn's per-batch and per-epoch rules inside ``Sequential.fit``.

    * before each batch, the ``l2`` of every ``Dense`` layer is
      ``alpha / (2 * batch size)``, so the penalty matches scikit-learn's
      ``0.5 * alpha * ||W||**2 / n_batch`` also on a smaller last batch;
    * after each epoch, the estimator records the loss, checks for
      convergence (or the validation score) and may stop training.
    """

    def __init__(self, estimator: _BaseMLP, n_samples: int, batch_size: int,
                 validation: tuple | None, incremental: bool) -> None:
        super().__init__()
        self.estimator = estimator
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.validation = validation
        self.incremental = incremental
        self.alpha = float(estimator.alpha)
        self.dense = [layer for layer in estimator.model_.layers if isinstance(layer, Dense)]

    def _set_l2(self, batch_size: int) -> None:
        l2 = self.alpha / (2.0 * batch_size)
        for layer in self.dense:
            layer.l2 = l2

    def on_epoch_begin(self, epoch, logs=None):
        self._set_l2(self.batch_size)

    def on_batch_end(self, batch, logs=None):
        remaining = self.n_samples - (batch + 1) * self.batch_size
        if 0 < remaining < self.batch_size:  # the next batch is the short last one
            self._set_l2(remaining)

    def on_epoch_end(self, epoch, logs=None):
        if self.estimator._end_epoch(logs["loss"], self.n_samples, self.validation,
                                     self.incremental):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self._set_l2(self.batch_size)


class _BaseMLP(BaseEstimator):
    """Shared parameters, validation and training loop of the two estimators."""

    def __init__(
        self,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype

    # ------------------------------------------------------------ parameters
    def _check_params(self) -> tuple[list[int], np.dtype]:
        """Validate every parameter; return the hidden sizes and the dtype."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = [sizes]
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(
                "hidden_layer_sizes must be an int or a sequence of ints, got "
                f"{type(sizes).__name__}"
            )
        sizes = [check_int(f"hidden_layer_sizes[{i}]", n) for i, n in enumerate(sizes)]
        if any(n <= 0 for n in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}")
        check_choice("activation", self.activation, _ACTIVATIONS)
        if self.solver == "lbfgs":
            raise ValueError(
                "solver='lbfgs' is not supported by plainnet.sklearn; use solver='adam' "
                "(the default) or 'sgd', or sklearn.neural_network for L-BFGS"
            )
        check_choice("solver", self.solver, ("adam", "sgd"))
        check_float("alpha", self.alpha, 0.0)
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            check_int("batch_size", self.batch_size, 1)
        check_choice("learning_rate", self.learning_rate, ("constant", "invscaling", "adaptive"))
        check_float("learning_rate_init", self.learning_rate_init, 0.0, min_inclusive=False)
        check_float("power_t", self.power_t, 0.0)
        check_int("max_iter", self.max_iter, 1)
        check_bool("shuffle", self.shuffle)
        check_float("tol", self.tol, 0.0)
        if not isinstance(self.verbose, (bool, np.bool_)):
            check_int("verbose", self.verbose, 0)
        check_bool("warm_start", self.warm_start)
        momentum = check_float("momentum", self.momentum, 0.0, 1.0)
        if self.solver == "sgd" and momentum == 1.0:
            raise ValueError("momentum must be < 1 (plainnet's SGD), got 1.0")
        check_bool("nesterovs_momentum", self.nesterovs_momentum)
        check_bool("early_stopping", self.early_stopping)
        check_float("validation_fraction", self.validation_fraction, 0.0, 1.0,
                    max_inclusive=False)
        check_float("beta_1", self.beta_1, 0.0, 1.0, max_inclusive=False)
        check_float("beta_2", self.beta_2, 0.0, 1.0, max_inclusive=False)
        check_float("epsilon", self.epsilon, 0.0, min_inclusive=False)
        if not (isinstance(self.n_iter_no_change, numbers.Real)
                and self.n_iter_no_change == np.inf):
            check_int("n_iter_no_change", self.n_iter_no_change, 1)
        check_int("max_fun", self.max_fun, 1)
        return sizes, check_dtype(self.dtype)

    # -------------------------------------------------------------- building
    def _build(self, layer_units: list[int], dtype: np.dtype) -> None:
        """Create ``model_`` and draw its weights the way scikit-learn does."""
        hidden = None if self.activation == "identity" else self.activation
        layers: list = []
        for i, (n_in, n_out) in enumerate(zip(layer_units[:-1], layer_units[1:])):
            last = i == len(layer_units) - 2
            layers.append(Dense(n_in, n_out, activation=None if last else hidden,
                                weight_init="zeros", bias_init="zeros"))
        if self.out_activation_ == "softmax":
            layers.append(Softmax())
        elif self.out_activation_ == "logistic":
            layers.append(Sigmoid())
        model = Sequential(layers, seed=None, dtype=dtype)
        # Glorot initialisation as scikit-learn's _init_coef: one bound for the
        # weights and the biases, drawn layer by layer from random_state.
        factor = 2.0 if self.activation == "logistic" else 6.0
        for layer in model.layers:
            if isinstance(layer, Dense):
                bound = np.sqrt(factor / (layer.n_inputs + layer.n_outputs))
                layer.weights[...] = self._random_state.uniform(
                    -bound, bound, (layer.n_inputs, layer.n_outputs))
                layer.bias[...] = self._random_state.uniform(-bound, bound, layer.n_outputs)
        self.model_ = model

    def _initialize(self, layer_units: list[int], dtype: np.dtype) -> None:
        """Reset every fitted attribute and build a new network (a first fit)."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        self._build(layer_units, dtype)
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
    def _fit(self, X, y, incremental: bool):
        sizes, dtype = self._check_params()
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        layer_units = [X.shape[1], *sizes, y.shape[1]]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, dtype)
        elif layer_units != self._layer_units():
            raise ValueError(
                f"the network has layer sizes {self._layer_units()}, but this data and "
                f"hidden_layer_sizes need {layer_units}; fit a new model (warm_start=False)"
            )
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        model = self.model_
        if not incremental or not model.compiled:  # scikit-learn restarts its solver here
            model.compile(loss=self._plainnet_loss(), optimizer=self._new_optimizer())
        if self.early_stopping and self.validation_scores_ is None:  # switched on for a warm start
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
            self.best_loss_ = None

        if self.early_stopping:
            stratify = y if self._stratify() else None
            X_train, X_val, y_train, y_val = train_test_split(
                X, y, random_state=self._random_state, test_size=self.validation_fraction,
                stratify=stratify)
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' or the "
                    "size of your dataset."
                )
            validation = (np.asarray(X_val, dtype=dtype), self._validation_targets(y_val))
        else:
            X_train, y_train, validation = X, y, None

        n_samples = X_train.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                              "going to be clipped", stacklevel=3)
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        schedule = _SklearnSchedule(self, n_samples, batch_size, validation, incremental)
        shuffle = _SklearnShuffle(self._random_state, n_samples) if self.shuffle else False
        self.n_iter_ = 0
        try:
            model.fit(X_train, self._training_targets(y_train),
                      epochs=1 if incremental else self.max_iter, batch_size=batch_size,
                      shuffle=shuffle, verbose=0, callbacks=[schedule])
        except TrainingDivergedError as exc:
            raise TrainingDivergedError(
                f"{exc}. For this estimator: scale the inputs (e.g. StandardScaler in a "
                "Pipeline) or lower learning_rate_init"
            ) from exc
        if self.early_stopping:  # back to the weights with the best validation score
            model.set_weights(self._best_weights)
        return self

    def _layer_units(self) -> list[int]:
        dense = [layer for layer in self.model_.layers if isinstance(layer, Dense)]
        return [dense[0].n_inputs] + [layer.n_outputs for layer in dense]

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
            self._set_learning_rate(self.learning_rate_init / (self.t_ + 1) ** self.power_t)
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
            self._set_learning_rate(optimizer.learning_rate / 5.0)  # 'adaptive': slow down
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

    def _set_learning_rate(self, new: float) -> None:
        """Change SGD's learning rate the way scikit-learn's schedules do.

        scikit-learn's momentum buffer holds steps (``v = momentum * v - lr * g``),
        plainnet's holds gradients (``v = momentum * v + g``, step ``lr * v``):
        rescaling plainnet's buffer by ``old / new`` keeps the pending momentum
        step unchanged, so the two follow the same path.
        """
        optimizer = self.model_.optimizer
        old, optimizer.learning_rate = optimizer.learning_rate, new
        if new > 0:
            for state in optimizer.state.values():
                if "velocity" in state:
                    state["velocity"] *= old / new

    def _update_no_improvement_count(self, validation: tuple | None) -> None:
        if validation is not None:
            score = self._validation_score(*validation)
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
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices ``(n_in, n_out)`` of the layers: the network's own arrays."""
        return [layer.weights for layer in self.model_.layers if isinstance(layer, Dense)]

    @coefs_.setter
    def coefs_(self, values) -> None:
        self._set_arrays("weights", values)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors of the layers: the network's own arrays."""
        return [layer.bias for layer in self.model_.layers if isinstance(layer, Dense)]

    @intercepts_.setter
    def intercepts_(self, values) -> None:
        self._set_arrays("bias", values)

    def _set_arrays(self, name: str, values) -> None:
        dense = [layer for layer in self.model_.layers if isinstance(layer, Dense)]
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


_PARAMETERS = """
    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Width of each hidden layer; ``()`` gives a linear model.
    activation : {"identity", "logistic", "tanh", "relu"}, default "relu"
        Activation of the hidden layers.
    solver : {"adam", "sgd"}, default "adam"
        Optimizer: :class:`plainnet.optimizers.Adam` or
        :class:`plainnet.optimizers.SGD`. scikit-learn's "lbfgs" is not
        supported (``fit`` raises ``ValueError``).
    alpha : float, default 0.0001
        L2 penalty: ``0.5 * alpha * ||W||**2 / n_batch`` is added to each
        batch's mean loss (biases are not penalised).
    batch_size : int or "auto", default "auto"
        Samples per gradient step; "auto" is ``min(200, n_samples)``. Larger
        than ``n_samples``: clipped, with a warning.
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        Learning-rate schedule, for ``solver="sgd"`` only: "invscaling" uses
        ``learning_rate_init / (t_ + 1)**power_t`` after each epoch; "adaptive"
        divides the rate by 5 each time the stopping rule triggers (and stops
        once the rate is below 1e-6) instead of stopping.
    learning_rate_init : float, default 0.001
        Initial learning rate.
    power_t : float, default 0.5
        Exponent of "invscaling".
    max_iter : int, default 200
        Most epochs per ``fit`` (``partial_fit`` runs exactly one).
    shuffle : bool, default True
        Reshuffle the samples each epoch.
    random_state : int, RandomState instance or None, default None
        Seeds the initial weights, the early-stopping split and the shuffling
        (the same draws as scikit-learn's).
    tol : float, default 1e-4
        Training stops when the loss (or, with ``early_stopping``, the
        validation score) has not improved by ``tol`` for more than
        ``n_iter_no_change`` consecutive epochs.
    verbose : bool or int, default False
        Print the loss (and validation score) after each epoch.
    warm_start : bool, default False
        ``fit`` continues from the current weights instead of starting again
        (the optimizer restarts, as in scikit-learn).
    momentum : float in [0, 1), default 0.9
        SGD momentum.
    nesterovs_momentum : bool, default True
        Nesterov's form of the momentum (SGD, when ``momentum > 0``).
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the training data (stratified for
        binary classification, as in scikit-learn), stop when its score
        (accuracy or R^2) stops improving and keep the weights of the best
        epoch.
    validation_fraction : float in [0, 1), default 0.1
        Size of the early-stopping validation set.
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
        Adam's decay rates.
    epsilon : float, default 1e-8
        Adam's epsilon.
    n_iter_no_change : int, default 10
        Patience of the stopping rule, in epochs.
    max_fun : int, default 15000
        Accepted for compatibility and ignored (it only concerns "lbfgs").
    dtype : float32 or float64, default numpy.float64
        Precision of the network (plainnet's own parameter). float32 halves
        the memory and trains faster; float64 matches scikit-learn on float64
        data. Predictions come in the dtype of ``X`` either way.
"""

_ATTRIBUTES = """
    loss_ : float
        Loss of the last epoch: the mean over the batches (weighted by their
        size) of the data loss plus the L2 penalty.
    best_loss_ : float or None
        Lowest ``loss_`` seen; None with ``early_stopping``.
    loss_curve_ : list of float
        ``loss_`` after each epoch.
    validation_scores_ : list of float or None
        Validation score after each epoch (with ``early_stopping``).
    best_validation_score_ : float or None
        Best validation score (with ``early_stopping``).
    t_ : int
        Training samples seen.
    coefs_ : list of ndarray
        Weight matrix ``(n_in, n_out)`` of each layer. These are the
        network's own arrays: changing one in place changes ``model_``.
    intercepts_ : list of ndarray
        Bias vector of each layer (also shared with ``model_``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``fit`` received a DataFrame with string names.
    n_iter_ : int
        Epochs run by the last ``fit``.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of outputs of the network.
    out_activation_ : str
        Output activation: "softmax", "logistic" or "identity".
    model_ : plainnet.Sequential
        The trained network.
"""


class MLPClassifier(ClassifierMixin, _BaseMLP):
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
        return "binary_crossentropy"

    def _stratify(self) -> bool:
        return self.n_outputs_ == 1  # as scikit-learn: only binary targets are stratified

    def _training_targets(self, y: np.ndarray) -> np.ndarray:
        if self.out_activation_ == "softmax":
            return np.argmax(y, axis=1)  # class indices: cheaper than one-hot rows
        return y

    def _validation_targets(self, y: np.ndarray):
        return self._label_binarizer.inverse_transform(y)

    def _validation_score(self, X: np.ndarray, y) -> float:
        probabilities = self._forward(X)
        if not np.isfinite(probabilities).all():
            return np.nan
        return accuracy_score(y, self._labels(probabilities))

    def _labels(self, probabilities: np.ndarray):
        if self.n_outputs_ == 1:
            probabilities = probabilities.ravel()
        return self._label_binarizer.inverse_transform(probabilities)

    def fit(self, X, y):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multilabel data.

        Returns
        -------
        self : MLPClassifier
        """
        return self._fit(X, y, incremental=False)

    @available_if(lambda est: est.solver != "lbfgs")
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
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
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        return self._labels(self._forward(self._check_X(X)))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``. Multilabel: the probability
            of each label, independently.
        """
        probabilities = self._forward(self._check_X(X))
        if self.n_outputs_ == 1:
            p = probabilities.ravel()
            return np.vstack([1 - p, p]).T
        return probabilities

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
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
{_PARAMETERS}
    Attributes
    ----------
    classes_ : ndarray
        Class labels (the label indices for multilabel data).
{_ATTRIBUTES}
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


class MLPRegressor(RegressorMixin, _BaseMLP):
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


_PARAMETERS_AFTER_LOSS = _PARAMETERS.replace("    Parameters\n    ----------\n", "", 1).lstrip("\n")

MLPRegressor.__doc__ = f"""Multi-layer perceptron regressor trained by plainnet.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    minimises the squared error (``loss_`` is scikit-learn's
    ``0.5 * mean((y - prediction)**2)``) with a linear output, with Adam or SGD.

    Parameters
    ----------
    loss : {{"squared_error"}}, default "squared_error"
        The loss to minimise. scikit-learn's "poisson" is not supported
        (``fit`` raises ``ValueError``).
{_PARAMETERS_AFTER_LOSS}
    Attributes
    ----------
{_ATTRIBUTES}
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
