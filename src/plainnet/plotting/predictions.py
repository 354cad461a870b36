"""A classifier's answers on any points: class labels and class probabilities.

plainnet's models, the tutorial's network and scikit-learn style estimators
answer in different forms (a sigmoid column, logits, one-hot rows, labels,
``predict_proba``); these two functions turn each into labels ``(n,)`` and,
where the model gives them, probabilities ``(n, k)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["input_width", "predict_classes", "predict_probabilities"]


def input_width(model: Any) -> int | None:
    """Input width of a plainnet model (Sequential, NeuralNetwork) or a fitted estimator."""
    for attribute in ("n_inputs", "input_layer", "n_features_in_"):
        value = getattr(model, attribute, None)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return int(value)
    return None


def predict_classes(model: Any, X: np.ndarray) -> np.ndarray:
    """Class labels ``(n,)`` a model assigns to the rows of ``X``.

    One output column is a binary classifier: class 1 when the output passes
    the threshold, 0.5 for probabilities or 0 for logits
    (``model.outputs_are_logits``). Several columns: the arg-max. A ``predict``
    that already returns labels ``(n,)`` (a scikit-learn style estimator) is
    used as it is.
    """
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method, got {type(model).__name__}")
    outputs = np.asarray(model.predict(X))
    if outputs.ndim == 1:
        return outputs
    if outputs.shape[1] == 1:
        threshold = 0.0 if getattr(model, "outputs_are_logits", False) else 0.5
        return (outputs[:, 0] > threshold).astype(np.int64)
    return outputs.argmax(axis=1)


def predict_probabilities(model: Any, X: np.ndarray) -> np.ndarray | None:
    """Class probabilities ``(n, k)`` of a classifier, or None if it gives none.

    ``predict_proba`` is used when the model has one (a scikit-learn style
    estimator; column j is ``model.classes_[j]``). Otherwise the outputs of
    ``predict`` are read as probabilities: logits (``model.outputs_are_logits``)
    go through a sigmoid or softmax first, and one column ``p`` (a binary
    classifier) becomes the two columns ``1 - p`` and ``p``. Outputs that
    cannot be probabilities (labels, values outside [0, 1]) give None.
    """
    if hasattr(model, "predict_proba"):
        probabilities = np.asarray(model.predict_proba(X), dtype=np.float64)
        return probabilities if probabilities.ndim == 2 else None
    outputs = np.asarray(model.predict(X))
    if outputs.ndim != 2 or outputs.dtype.kind not in "fiu":  # labels, not scores
        return None
    outputs = outputs.astype(np.float64)
    if getattr(model, "outputs_are_logits", False):
        if outputs.shape[1] == 1:
            outputs = 1.0 / (1.0 + np.exp(-outputs))
        else:
            shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
            outputs = shifted / shifted.sum(axis=1, keepdims=True)
    if outputs.min() < 0.0 or outputs.max() > 1.0:
        return None
    if outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs

