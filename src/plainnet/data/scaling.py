"""Standardisation for training, folded into the weights afterwards.

A network trains best on standardised data: every feature (and a regression
target) with mean 0 and standard deviation 1, using the training rows'
statistics::

    x_std = (x - mean) / scale                  # (n, d) - (d,) -> (n, d)
    y_std = (y - target_mean) / target_scale    # regression targets only

After training, the scaling can be folded into the first (and last) Dense
layer, so that the model takes raw inputs and gives raw outputs; nobody has
to remember to scale the data again::

    scaling = Scaling.fit(X_train, y_train)
    model.fit(scaling.inputs(X_train), scaling.targets(y_train), epochs=100)
    scaling.fold_into(model)     # now model.predict(X_raw) is in the target's own units

The first Dense layer computes ``x_std @ W + b``; substituting ``x_std``::

    x_std @ W + b = x @ (W / scale[:, None]) + (b - (mean / scale) @ W)

so the weights ``W' = W / scale[:, None]`` and bias ``b' = b - (mean / scale) @ W``
give the same outputs from the raw ``x``. A model trained on ``y_std`` predicts
``y = y_std * target_scale + target_mean``: a last Dense layer without an
activation gets ``W' = W * target_scale`` and ``b' = b * target_scale + target_mean``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array
from ..layers import Dense
from .preprocessing import Standardizer

__all__ = ["Scaling", "fold_standardization"]

#: Dense activations that leave the affine output as it is (a target can be folded).
LINEAR_ACTIVATIONS = (None, "linear", "identity")


class Scaling:
    """The standardisation of features (and of a regression target).

    Parameters
    ----------
    mean, scale : array_like of float, shape (d,)
        Per feature: ``x_std = (x - mean) / scale``. ``scale`` must be
        positive.
    target_mean, target_scale : float or array_like of shape (k,), optional
        For a regression target: ``y_std = (y - target_mean) / target_scale``.
        Both or neither; None leaves targets as they are.

    Attributes
    ----------
    mean, scale : ndarray of float64, shape (d,)
    target_mean, target_scale : float, ndarray of float64 of shape (k,), or None
        Floats for a 1-D target ``(n,)``, arrays for ``(n, k)`` targets.

    See Also
    --------
    plainnet.data.Standardizer : the same statistics, for features only.
    fold_standardization : what :meth:`fold_into` does.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> scaling = Scaling.fit(X)
    >>> scaling.inputs(X)
    array([[-1., -1.],
           [ 1.,  1.]])
    """

    def __init__(self, mean: ArrayLike, scale: ArrayLike, target_mean: Any = None,
                 target_scale: Any = None) -> None:
        self.mean = _vector("mean", mean)
        self.scale = _vector("scale", scale, positive=True)
        if self.mean.shape != self.scale.shape:
            raise ValueError(f"mean and scale must have the same shape, got {self.mean.shape} "
                             f"and {self.scale.shape}")
        if (target_mean is None) != (target_scale is None):
            raise ValueError("give both target_mean and target_scale, or neither")
        self.target_mean = None if target_mean is None else _statistic("target_mean",
                                                                       target_mean)
        self.target_scale = None if target_scale is None else _statistic(
            "target_scale", target_scale, positive=True)

    @classmethod
    def fit(cls, X: ArrayLike, y: ArrayLike | None = None) -> Scaling:
        """Learn the scaling from training data.

        Parameters
        ----------
        X : array_like of shape (n, d)
            Training features: ``mean`` is their column mean, ``scale`` their
            standard deviation (population, ``ddof=0``), 1 for a constant column.
        y : array_like of shape (n,) or (n, k), optional
            A regression target, scaled by the same rule; None (classification)
            leaves targets as they are.

        Returns
        -------
        Scaling
        """
        features = Standardizer().fit(X)
        if y is None:
            return cls(features.mean_, features.scale_)
        y = as_float_array("y", y, np.dtype(np.float64))
        if y.ndim not in (1, 2):
            raise ValueError(f"y must have shape (n,) or (n, k), got shape {y.shape}")
        n = np.asarray(X).shape[0]
        if len(y) != n:
            raise ValueError(f"X has {n} rows but y has {len(y)}")
        constant = y.max(axis=0) == y.min(axis=0)
        target_mean, target_scale = y.mean(axis=0), np.where(constant, 1.0, y.std(axis=0))
        return cls(features.mean_, features.scale_, target_mean, target_scale)

    @classmethod
    def identity(cls, n_features: int) -> Scaling:
        """The scaling that changes nothing: mean 0, scale 1, targets as they are."""
        return cls(np.zeros(n_features), np.ones(n_features))

    def inputs(self, X: ArrayLike) -> np.ndarray:
        """``(X - mean) / scale``: the features as the model trains on them, shape (n, d)."""
        X = as_float_array("X", X, np.dtype(np.float64))
        if X.ndim != 2 or X.shape[1] != len(self.mean):
            raise ValueError(f"X must have shape (n, {len(self.mean)}) for this Scaling, got "
                             f"shape {X.shape}")
        return (X - self.mean) / self.scale

    def targets(self, y: ArrayLike) -> np.ndarray:
        """``(y - target_mean) / target_scale``; ``y`` unchanged without a target scaling."""
        if self.target_mean is None:
            return np.asarray(y)
        return (np.asarray(y, dtype=np.float64) - self.target_mean) / self.target_scale

    def to_json(self) -> dict[str, Any]:
        """The scaling as JSON-able values (e.g. for a model's metadata).

        Returns
        -------
        dict
            ``feature_mean`` and ``feature_scale`` (lists), and ``target_mean``
            and ``target_scale`` when the target is scaled.
        """
        record: dict[str, Any] = {"feature_mean": self.mean.tolist(),
                                  "feature_scale": self.scale.tolist()}
        if self.target_mean is not None:
            record.update(target_mean=_json(self.target_mean),
                          target_scale=_json(self.target_scale))
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Scaling:
        """The scaling :meth:`to_json` described (other keys are ignored)."""
        if not isinstance(record, dict) or not {"feature_mean", "feature_scale"} <= set(record):
            raise ValueError("a scaling record must be a dict with feature_mean and "
                             f"feature_scale, got {str(record)[:80]}")
        return cls(record["feature_mean"], record["feature_scale"],
                   record.get("target_mean"), record.get("target_scale"))

    def fold_into(self, model: Any) -> None:
        """Fold the scaling into ``model``'s weights, in place; see :func:`fold_standardization`.

        Call it once, after training on ``inputs(X)`` and ``targets(y)``: the
        model then takes the raw ``X`` (and predicts the raw ``y``).
        """
        fold_standardization(model, self.mean, self.scale, self.target_mean, self.target_scale)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scaling):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __repr__(self) -> str:
        target = "" if self.target_mean is None else ", target scaled"
        return f"Scaling(features={len(self.mean)}{target})"


def fold_standardization(model: Any, mean: ArrayLike, scale: ArrayLike,
                         target_mean: Any = None, target_scale: Any = None) -> None:
    """Fold a standardisation into a trained model's first (and last) Dense layer.

    A model trained on ``x_std = (x - mean) / scale`` then gives the same
    outputs from the raw ``x``. Its first layer, a Dense layer, becomes::

        W' = W / scale[:, None]              # (d, out) / (d, 1) -> (d, out)
        b' = b - (mean / scale) @ W          # (out,) - (d,) @ (d, out) -> (out,)

    With ``target_mean`` and ``target_scale`` (a regression model trained on
    ``y_std = (y - target_mean) / target_scale``), its last layer, a Dense
    layer without activation, then predicts the raw ``y``::

        W' = W * target_scale                # (h, k) * (k,) -> (h, k)
        b' = b * target_scale + target_mean  # (k,)

    Parameters
    ----------
    model : Sequential
        A built model whose first layer is ``Dense``; changed in place (the
        arrays keep their dtype; the arithmetic is done in float64).
    mean, scale : array_like of shape (d,)
        The feature scaling; ``d`` is the first layer's input width.
    target_mean, target_scale : float or array_like of shape (k,), optional
        The target scaling, or None.

    Raises
    ------
    ValueError
        If the model's first layer is not a built Dense layer of input width
        ``d``, or a target scaling is given and the last layer is not a Dense
        layer without activation.
    """
    scaling = Scaling(mean, scale, target_mean, target_scale)  # validates
    layers = list(getattr(model, "layers", ()))
    first = layers[0] if layers else None
    _check_dense(first, "its first layer is Dense (the feature scaling is folded into its "
                 "weights)")
    if first.weights.shape[0] != len(scaling.mean):
        raise ValueError(f"the scaling has {len(scaling.mean)} features, but the first layer "
                         f"({first.name}) takes {first.weights.shape[0]} inputs")
    last = layers[-1]
    if scaling.target_mean is not None:
        _check_dense(last, "its last layer is Dense without activation (the target scaling "
                     "is folded into its weights)", linear=True)
        k = last.weights.shape[1]
        if np.ndim(scaling.target_mean) == 1 and len(scaling.target_mean) != k:
            raise ValueError(f"the target scaling has {len(scaling.target_mean)} outputs, but "
                             f"the last layer ({last.name}) has {k}")
    W, b = first.weights.astype(np.float64), first.bias.astype(np.float64)
    np.copyto(first.weights, W / scaling.scale[:, None])            # (d, out)
    np.copyto(first.bias, b - (scaling.mean / scaling.scale) @ W)   # (d,) @ (d, out) -> (out,)
    if scaling.target_mean is not None:
        W, b = last.weights.astype(np.float64), last.bias.astype(np.float64)
        np.copyto(last.weights, W * scaling.target_scale)
        np.copyto(last.bias, b * scaling.target_scale + scaling.target_mean)


def _check_dense(layer: Any, needed: str, linear: bool = False) -> None:
    """``layer`` is a built Dense layer (without activation if ``linear``), or a clear error."""
    activation = getattr(layer, "activation", None)
    if not isinstance(layer, Dense) or (linear and activation not in LINEAR_ACTIVATIONS):
        if layer is None:
            got = "a model without layers"
        elif isinstance(layer, Dense):
            got = f"{layer.name} with activation {activation!r}"
        else:
            got = type(layer).__name__
        raise ValueError(f"folding a standardisation into a model needs {needed}; got {got}")
    if getattr(layer, "weights", None) is None:
        raise ValueError(f"the model is not built yet ({layer.name} has no weights): train it "
                         "or call build first")


def _vector(name: str, value: ArrayLike, positive: bool = False) -> np.ndarray:
    array = as_float_array(name, value, np.dtype(np.float64))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    _check_positive(name, array, positive)
    return array


def _statistic(name: str, value: Any, positive: bool = False) -> float | np.ndarray:
    array = as_float_array(name, value, np.dtype(np.float64))
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-D array, got shape {array.shape}")
    _check_positive(name, array, positive)
    return float(array) if array.ndim == 0 else array


def _check_positive(name: str, array: np.ndarray, positive: bool) -> None:
    if positive and np.any(array <= 0):
        raise ValueError(f"{name} must be positive, got {array}")


def _json(value: float | np.ndarray) -> float | list[float]:
    return value.tolist() if isinstance(value, np.ndarray) else value
