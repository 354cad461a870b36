"""The estimators' constructor parameters, scikit-learn's names and defaults, and their checks.

scikit-learn's rule: ``__init__`` only stores the parameters (so ``clone``,
``get_params`` and ``set_params`` work); ``fit`` checks them, through
:meth:`MLPParameters._check_params`.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import check_bool, check_choice, check_dtype, check_float, check_int

__all__ = ["ACTIVATIONS", "MLPParameters", "with_shared_parameters"]

#: The hidden-layer activations scikit-learn offers.
ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


class MLPParameters(BaseEstimator):
    """The parameters both estimators share (scikit-learn's MLP parameters plus ``dtype``)."""

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
        check_choice("activation", self.activation, ACTIVATIONS)
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


def with_shared_parameters(init: Callable) -> Callable:
    """Give a subclass's ``__init__(self, <own>, **params)`` the full explicit signature.

    scikit-learn lists an estimator's parameters from
    ``inspect.signature(type(est).__init__)`` and forbids ``*args`` there; an
    ``__init__`` that takes a few parameters of its own and passes ``**params``
    on to :meth:`MLPParameters.__init__` gets, as ``__signature__``, its own
    parameters followed by every shared one not among them, each with its
    default, so ``get_params``, ``clone``, ``repr`` and ``help`` see one list.
    """
    own = [p for p in inspect.signature(init).parameters.values() if p.kind != p.VAR_KEYWORD]
    names = {p.name for p in own}
    shared = [p for p in inspect.signature(MLPParameters.__init__).parameters.values()
              if p.name not in names]
    init.__signature__ = inspect.Signature(own + shared)
    return init

