"""Check backpropagation against finite differences.

For every parameter ``w`` the numeric derivative is the central difference

    dL/dw ~ (L(w + eps) - L(w - eps)) / (2 eps)

(error ``O(eps**2)``), computed one scalar at a time. Comparing it with the
analytic gradient from ``backward`` catches almost any mistake in a layer's
maths. Use it on small models: it runs ``2 * n_params`` forward passes.

:func:`gradcheck` gives one number (the worst parameter array);
:func:`gradient_errors` gives each array's relative and absolute errors.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ._validation import check_float
from .errors import NotCompiledError
from .model import Sequential

__all__ = ["gradcheck", "gradient_errors", "relative_error"]

#: The default floor of the denominator, as a fraction of ``max(1, |loss|)`` (see gradcheck).
FLOOR_FRACTION = 1e-2


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 0.0) -> float:
    """``||a - n|| / max(||a|| + ||n||, floor)`` with Frobenius norms; 0 when both are 0.

    With ``floor = 0`` this is the plain relative error. A floor keeps a
    gradient that should be zero (where ``n`` is only rounding noise) from
    scoring near 1: below the floor the error is measured in absolute terms.
    """
    denominator = max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), floor)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def gradient_errors(model: Sequential, X: Any, y: Any, epsilon: float = 1e-6,
                    floor: float | None = None) -> dict[str, dict[str, float]]:
    """Backprop's gradient against the finite-difference one, for each parameter array.

    Parameters
    ----------
    model, X, y, epsilon, floor
        As for :func:`gradcheck`.

    Returns
    -------
    dict
        ``{"dense/weights": {"error": ..., "relative": ..., "absolute": ...,
        "norm": ...}, ...}``: for analytic gradient ``a`` and numeric ``n``,
        ``error = ||a - n|| / max(||a|| + ||n||, floor)`` (what
        :func:`gradcheck` reports), ``relative = ||a - n|| / (||a|| + ||n||)``,
        ``absolute = max |a - n|`` and ``norm = ||a||``.

    Notes
    -----
    A ``Dense`` bias right before ``BatchNormalization`` has a true gradient
    of zero: its ``relative`` error is about 1 (noise against noise), its
    ``absolute`` error tiny (about 1e-10), and its ``error`` small.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a plainnet Sequential, got {type(model).__name__}")
    if not model.compiled:
        raise NotCompiledError("call compile(loss=..., optimizer=...) before gradcheck(); the "
                               "model does not know its loss yet")
    epsilon = check_float("epsilon", epsilon, 0.0, min_inclusive=False)
    if floor is not None:
        floor = check_float("floor", floor, 0.0)
    if not model.built:
        raise ValueError("the model is not built yet, so it has no weights to check: pass "
                         "input_shape=... to Sequential, or call fit, predict or build first")
    clone = model.copy(dtype=np.float64)
    rng_state = copy.deepcopy(clone.rng.bit_generator.state)

    def loss_at(backward: bool = False) -> float:
        clone.rng.bit_generator.state = rng_state  # same dropout masks every time
        return clone.compute_gradients(X, y, training=True, backward=backward)

    loss = loss_at(backward=True)
    if floor is None:  # rounding noise of a central difference is ~ 2e-16 |loss| / epsilon
        floor = FLOOR_FRACTION * max(1.0, abs(loss))
    analytic = [grad.copy() for _, _, grad in clone.parameters()]
    errors = {}
    for (name, param, _), grad in zip(clone.parameters(), analytic):
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
        errors[name] = {
            "error": relative_error(grad, numeric, floor),
            "relative": relative_error(grad, numeric),
            "absolute": float(np.abs(grad - numeric).max(initial=0.0)),
            "norm": float(np.linalg.norm(grad)),
        }
    return errors


def gradcheck(model: Sequential, X: Any, y: Any, epsilon: float = 1e-6,
              floor: float | None = None) -> float:
    """Largest error between backprop's and finite-difference gradients.

    The check runs on a float64 copy of ``model`` (the model itself is not
    changed), in training mode, with the same random draws for every
    evaluation (so dropout masks stay fixed), including L1/L2 penalties.
    For each parameter array, with analytic gradient ``a`` and numeric ``n``::

        error = ||a - n|| / max(||a|| + ||n||, floor)

    the relative error, except that the denominator never drops below
    ``floor``.

    Parameters
    ----------
    model : Sequential
        A compiled model (the loss must be known).
    X, y : array-like
        A small batch of inputs and targets.
    epsilon : float, default 1e-6
        Step of the central difference.
    floor : float, optional
        The smallest denominator; default ``0.01 * max(1, |loss|)``. 0 gives
        the plain relative error.

    Returns
    -------
    float
        The largest ``error`` over the parameter arrays. Below about 1e-7 in
        float64 means the gradients agree; a wrong ``backward`` typically
        gives 1e-2 or more. :func:`gradient_errors` gives each array's
        errors, relative and absolute.

    Notes
    -----
    Why a floor: a parameter whose true gradient is zero (a ``Dense`` bias
    right before ``BatchNormalization``, which subtracts any constant shift)
    gets a numeric gradient of pure rounding noise, about ``2e-16 * |loss| /
    epsilon`` per element, and ``||a - n|| / (||a|| + ||n||)`` compares that
    noise with itself: about 1, though backprop is right. Dividing by at
    least ``0.01 * max(1, |loss|)`` scores that noise near 1e-8, while a
    mistake in any gradient larger than about ``1e-9 * max(1, |loss|)`` still
    scores above 1e-7.

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
    errors = gradient_errors(model, X, y, epsilon, floor)
    return max((e["error"] for e in errors.values()), default=0.0)
