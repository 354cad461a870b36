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

This package needs scikit-learn >= 1.6 (``pip install "plainnet[sklearn]"``);
the rest of plainnet never imports it. Its modules, one idea each:

==================  =====================================================
``params``          the constructor parameters and their checks
``network``         the ``Sequential`` built and initialised as scikit-learn's
``schedule``        scikit-learn's shuffling, L2 and learning-rate rules
                    inside ``Sequential.fit``
``base``            the training driver and the fitted arrays shared by both
``classifier``      :class:`MLPClassifier`
``regressor``       :class:`MLPRegressor`
``docs``            the parameter text both docstrings share
==================  =====================================================
"""

from __future__ import annotations

try:  # validate_data is new in scikit-learn 1.6, the oldest version supported
    from sklearn.utils.validation import validate_data  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    from .._extras import install_hint

    raise ImportError(
        "plainnet.sklearn needs scikit-learn >= 1.6, which is not installed (or too old): "
        + install_hint("sklearn")
    ) from exc
del validate_data  # only the check above needs it here

from .classifier import MLPClassifier  # noqa: E402
from .regressor import MLPRegressor  # noqa: E402

__all__ = ["MLPClassifier", "MLPRegressor"]
