"""Loss functions: how wrong a batch of predictions is, and the gradient of that.

A loss is written once, per *position*: one sample of a table, or one time
step of a sequence (every axis of the output but the last). ``per_position``
gives those losses ``l``, ``position_gradient`` their derivatives ``dl/dy_pred``;
the loss of the batch is their mean, or with weights ``w`` (a sample's weight,
or 0 for a padded step)

    L = sum_i w_i l_i / n          dL/dy_pred_i = w_i dl_i/dy_pred_i / n

with ``n`` the number of positions (Keras's rule: weights are not
renormalised). Every loss has ``__call__(y_true, y_pred) -> float``,
``gradient(y_true, y_pred) -> dL/dy_pred`` (shape of ``y_pred``),
``value_and_gradient`` (both in one pass, what ``fit`` calls) and
``prepare_targets`` (checks and converts the labels once per ``fit``).

========================  ====================================================
loss                      l for one position (``k`` outputs, ``d = p - y``)
========================  ====================================================
MSE                       mean_k d**2
MAE                       mean_k |d|
Huber(delta)              mean_k (d**2 / 2 if |d| <= delta else delta (|d| - delta/2))
BinaryCrossEntropy        -mean_k [y log p + (1 - y) log(1 - p)]
CategoricalCrossEntropy   -sum_k y_k log p_k  (= -log p[label] for integer labels)
========================  ====================================================

These are Keras's and PyTorch's definitions (binary cross-entropy averages
over the outputs, as ``BCELoss`` and Keras' ``BinaryCrossentropy`` do).

The cross-entropies also accept *logits* (raw scores ``z``) instead of
probabilities. Then they use the stable forms

* binary: ``max(z, 0) - z y + log(1 + exp(-|z|))``, gradient ``sigmoid(z) - y``;
* categorical: ``logsumexp(z) - z_y``, gradient ``softmax(z) - onehot(y)``,

which never take the log of a rounded-to-zero probability. ``Sequential``
uses them automatically when the model ends in ``Sigmoid``/``Softmax``
(the fused gradient skips that last layer) or in raw scores, as PyTorch's
``BCEWithLogitsLoss`` and ``CrossEntropyLoss`` do.
"""

from __future__ import annotations

from typing import Any

from .._validation import resolve
from ..layers.activation import Sigmoid, Softmax
from .base import Loss, weighted_gradient, weighted_mean
from .crossentropy import BinaryCrossEntropy, CategoricalCrossEntropy
from .regression import MAE, MSE, Huber

__all__ = ["MAE", "MSE", "BinaryCrossEntropy", "CategoricalCrossEntropy", "Huber", "Loss",
           "get", "output_mode", "weighted_gradient", "weighted_mean"]


LOSS_TYPES: dict[str, type[Loss]] = {
    "mse": MSE,
    "mean_squared_error": MSE,
    "mae": MAE,
    "mean_absolute_error": MAE,
    "huber": Huber,
    "binary_crossentropy": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
    "sparse_categorical_crossentropy": CategoricalCrossEntropy,
}


def get(loss: str | Loss) -> Loss:
    """Return a loss object from a name (``"mse"``) or the object itself."""
    return resolve("loss", loss, LOSS_TYPES, Loss)


def output_mode(loss: Loss, last_layer: Any) -> tuple[bool, bool]:
    """``(fused, from_logits)``: how a model ending in ``last_layer`` feeds ``loss``.

    ``fused``: the last layer is the ``Sigmoid``/``Softmax`` matching a
    cross-entropy, so training skips it and the loss reads its inputs, the
    logits (the stable, exact gradient ``p - y``). ``from_logits``: whether
    the loss reads logits at all (fused, or a model without a final
    activation whose loss did not say otherwise).
    """
    if not isinstance(loss, (CategoricalCrossEntropy, BinaryCrossEntropy)):
        return False, False
    matching = Softmax if isinstance(loss, CategoricalCrossEntropy) else Sigmoid
    if isinstance(last_layer, matching):
        if loss.from_logits is True:
            raise ValueError(
                "the loss has from_logits=True, but the model ends in "
                f"{type(last_layer).__name__}, so its outputs are probabilities; drop "
                "from_logits (the gradient is fused automatically) or remove the last layer"
            )
        return True, True
    if isinstance(last_layer, (Sigmoid, Softmax)):
        return False, bool(loss.from_logits)
    return False, loss.from_logits is not False

