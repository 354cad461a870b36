"""Fast forms of plainnet's own layers for the training loop (same numbers).

:class:`plainnet.layers.Dense` is written as the textbook writes it: its
``backward`` makes new gradient arrays (``grad_weights = x.T @ g``). In
``fit``, where the same arrays are overwritten at every step, these kernels
write the same products into the packed gradient vector instead (no new
arrays, no copies), and skip ``dL/dx`` for the first layer, whose input is
the data. ``tests/training`` checks them equal to the layer's own methods.
"""

from __future__ import annotations

import numpy as np

from ..layers.base import Layer
from ..layers.dense import Dense

__all__ = ["backward", "forward", "has_kernel"]


def has_kernel(layer: Layer) -> bool:
    """Whether ``layer`` is one whose forward and backward are done here.

    Only plainnet's own ``Dense`` (not a subclass, nor one whose methods were
    replaced on the object), without an activation inside it.
    """
    return (type(layer) is Dense and layer.activation_layer is None
            and "forward" not in layer.__dict__ and "backward" not in layer.__dict__)


def forward(layer: Layer, x: np.ndarray, training: bool) -> np.ndarray:
    """``layer.forward(x, training)``, with Dense's bias added in place."""
    if not has_kernel(layer):
        return layer.forward(x, training)
    layer.input = x
    z = x @ layer.weights  # (batch, ..., in) @ (in, out) -> (batch, ..., out)
    z += layer.bias
    return z


def backward(layer: Layer, grad_output: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
    """``layer.backward(grad_output)``; for Dense, into its existing gradient arrays.

    With ``input_grad=False`` the gradient with respect to the input is not
    computed (None is returned): the first layer's input is the data.
    """
    if not has_kernel(layer):
        return layer.backward(grad_output)
    x = layer.input.reshape(-1, layer.n_inputs)  # (batch, in)
    g = grad_output.reshape(-1, layer.units)  # (batch, out)
    np.matmul(x.T, g, out=layer.grad_weights)  # (in, out)
    g.sum(axis=0, out=layer.grad_bias)  # (out,)
    if layer.l1:
        layer.grad_weights += layer.l1 * np.sign(layer.weights)
    if layer.l2:
        layer.grad_weights += 2.0 * layer.l2 * layer.weights
    if not input_grad:
        return None
    return grad_output @ layer.weights.T
