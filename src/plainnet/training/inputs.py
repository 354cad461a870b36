"""The checks every batch of inputs and targets passes before a model reads it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_float_array, check_inputs

__all__ = ["check_data", "check_samples"]


def reads_tokens(model: Any) -> bool:
    """Whether the model's first layer reads integer token ids (an ``Embedding``)."""
    return bool(model.layers) and getattr(model.layers[0], "input_kind", None) == "tokens"


def check_tokens(model: Any, X: Any, name: str) -> np.ndarray:
    """Integer token ids ``(batch, time)``, for a model that starts with an ``Embedding``."""
    try:
        X = np.asarray(X)
    except (TypeError, ValueError):  # ragged lists
        raise ValueError(f"{name} must be an array of token ids, (n_samples, time), with "
                         "sequences of one length (pad shorter ones with 0)") from None
    if X.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer token ids for {model.layers[0].name} "
                        f"(Embedding), got an array of dtype {X.dtype}")
    return X


def check_samples(model: Any, X: Any, name: str = "X") -> np.ndarray:
    """``X`` as a float array of the model's dtype and input shape (building the model
    from it if it is not built yet); token ids stay integers."""
    tokens = reads_tokens(model)
    X = check_tokens(model, X, name) if tokens else as_float_array(name, X, model.dtype)
    if not model.built:
        if X.ndim < 2:
            raise ValueError(f"{name} must have a batch axis first, (n_samples, ...), got "
                             f"an array of shape {X.shape}")
        model.build((None,) if tokens else X.shape[1:])  # token sequences: any length
    return check_inputs(X, model.input_shape, name=name)


def check_data(model: Any, X: Any, y: Any, name: str = "") -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` checked: the inputs as :func:`check_samples`, the targets by the loss."""
    X = check_samples(model, X, name=f"X{name}")
    shape = model.output_shape
    several = {"output_shape": shape} if len(shape) > 1 else {}  # sequences: (time, outputs)
    y = model.loss.prepare_targets(y, model.n_outputs, model.dtype, name=f"y{name}", **several)
    if len(y) != len(X):
        raise ValueError(
            f"X{name} has {len(X)} samples but y{name} has {len(y)}; they must match")
    if several and shape[0] is None and model.input_shape[0] is None and (
            X.ndim > 1 and y.ndim > 1 and y.shape[1] != X.shape[1]):
        raise ValueError(f"y{name} has {y.shape[1]} time steps, but X{name} has "
                         f"{X.shape[1]}: a sequence's targets need one per step")
    return X, y
