"""The parameter and attribute text that both estimators' docstrings share.

``MLPClassifier.__doc__`` and ``MLPRegressor.__doc__`` are assembled from
these pieces (scikit-learn documents its two MLPs the same way), so each
parameter is described once.
"""

from __future__ import annotations

PARAMETERS = """
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

ATTRIBUTES = """
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

#: ``PARAMETERS`` without its heading: MLPRegressor lists ``loss`` before them.
PARAMETERS_AFTER_LOSS = PARAMETERS.replace("    Parameters\n    ----------\n", "", 1).lstrip("\n")

#: How ``fit(X, y, sample_weight)`` weighs the samples (the Notes of both estimators).
SAMPLE_WEIGHT_NOTES = """
    Sample weights (``fit(X, y, sample_weight=w)``) follow scikit-learn's MLP:
    each batch minimises ``sum_i w_i l_i / sum_i w_i + 0.5 * alpha * ||W||**2 /
    sum_i w_i``, so a weight of 2 counts as the sample seen twice (and a
    weight of 0 as the sample left out); the early-stopping split takes the
    weights along and weighs the validation score. Where scikit-learn divides
    each batch by its own total weight, plainnet divides by the batch size
    times the mean weight of the training data (its ``fit`` divides by the
    batch size: Keras's rule, fed weights scaled to mean 1): the same for one
    batch per epoch (``batch_size >= n_samples``) or equal weights, the same
    on average otherwise. Weights must be non-negative and not all zero.
"""
