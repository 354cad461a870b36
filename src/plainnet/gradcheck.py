"""Check backpropagation against finite differences.

For every parameter ``w`` the numeric derivative is the central difference

    dL/dw ~ (L(w + eps) - L(w - eps)) / (2 eps)

(error ``O(eps**2)``), computed one scalar at a time. Comparing it with the
analytic gradient from ``backward`` catches almost any mistake in a layer's
maths. Use it on small models: it runs ``2 * n_params`` forward passes.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ._validation import check_float
from .errors import NotCompiledError
from .model import Sequential

__all__ = ["gradcheck", "relative_error"]


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``||a - n|| / (||a|| + ||n||)`` with Frobenius norms; 0 when both are 0."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def gradcheck(model: Sequential, X: Any, y: Any, epsilon: float = 1e-6) -> float:
    """Largest relative error between backprop's and finite-difference gradients.

    The check runs on a float64 copy of ``model`` (the model itself is not
    changed), in training mode, with the same random draws for every
    evaluation (so dropout masks stay fixed), including L1/L2 penalties.

    Parameters
    ----------
    model : Sequential
        A compiled model (the loss must be known).
    X, y : array-like
        A small batch of inputs and targets.
    epsilon : float, default 1e-6
        Step of the central difference.

    Returns
    -------
    float
        ``max`` over parameter arrays of ``||analytic - numeric|| /
        (||analytic|| + ||numeric||)``. Below about 1e-7 in float64 means the
        gradients agree; a wrong ``backward`` typically gives 1e-2 or more.

    Notes
    -----
    A parameter whose true gradient is zero (a ``Dense`` bias right before
    ``BatchNormalization``, which subtracts any constant shift) compares
    finite-difference noise with zero and reports an error near 1 although
    backprop is right. Check such layers with the bias elsewhere, or look at
    the gradients themselves.

    Examples
    --------
    >>> import numpy as np
    >>> from plainnet import Sequential, Dense, gradcheck
    >>> model = Sequential([Dense(4, activation="tanh"), Dense(1)], seed=0, input_shape=(3,))
    >>> model.compile(loss="mse", optimizer="sgd")
    >>> X = np.random.default_rng(0).normal(size=(5, 3))
    >>> gradcheck(model, X, X[:, :1]) < 1e-7
    True
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a plainnet Sequential, got {type(model).__name__}")
    if not model.compiled:
        raise NotCompiledError("call compile(loss=..., optimizer=...) before gradcheck(); the "
                               "model does not know its loss yet")
    epsilon = check_float("epsilon", epsilon, 0.0, min_inclusive=False)
    if not model.built:
        raise ValueError("the model is not built yet, so it has no weights to check: pass "
                         "input_shape=... to Sequential, or call fit, predict or build first")
    clone = model.copy(dtype=np.float64)
    rng_state = copy.deepcopy(clone.rng.bit_generator.state)

    def loss_at(backward: bool = False) -> float:
        clone.rng.bit_generator.state = rng_state  # same dropout masks every time
        return clone.compute_gradients(X, y, training=True, backward=backward)

    loss_at(backward=True)
    analytic = [grad.copy() for _, _, grad in clone.parameters()]
    worst = 0.0
    for (_, param, _), grad in zip(clone.parameters(), analytic):
        numeric = np.zeros_like(param)
        flat, flat_numeric = param.reshape(-1), numeric.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + epsilon
            loss_plus = loss_at()
            flat[i] = original - epsilon
            loss_minus = loss_at()
            flat[i] = original
            flat_numeric[i] = (loss_plus - loss_minus) / (2 * epsilon)
        worst = max(worst, relative_error(grad, numeric))
    return worst
