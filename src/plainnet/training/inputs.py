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
    X = np.asarray(X)
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
    if len(model.output_shape) != 1:
        raise ValueError(
            f"the losses take outputs of shape (n_samples, n_outputs), but this model's "
            f"outputs have shape {model.output_shape} each; end the model with "
            "Flatten() and a Dense layer, or with layers that give one axis per sample"
        )
    y = model.loss.prepare_targets(y, model.n_outputs, model.dtype, name=f"y{name}")
    if len(y) != len(X):
        raise ValueError(
            f"X{name} has {len(X)} samples but y{name} has {len(y)}; they must match")
    return X, y
