"""Fast forms of plainnet's own layers for the training loop (same numbers).

:class:`plainnet.layers.Dense` is written as the textbook writes it: its
``backward`` makes new gradient arrays (``grad_weights = x.T @ g``). In
``fit``, where the same arrays are overwritten at every step, these kernels
write the same products into the packed gradient vector instead (no new
arrays, no copies), and skip ``dL/dx`` for the first layer, whose input is
the data. ``tests/training`` checks them equal to the layer's own methods.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from ..layers.base import Layer
from ..layers.dense import Dense

#: Set to False to make ``fit`` call every layer's own ``forward`` and ``backward``
#: (e.g. to watch an edit of ``Dense.backward`` change training): slower, same numbers.
USE_KERNELS = True

__all__ = ["USE_KERNELS", "backward", "backward_steps", "dense_backward", "dense_forward",
           "forward", "forward_steps", "has_kernel"]


def has_kernel(layer: Layer) -> bool:
    """Whether ``layer`` is one whose forward and backward are done here.

    Only plainnet's own ``Dense`` (not a subclass, nor one whose methods were
    replaced on the object), without an activation inside it.
    """
    return (USE_KERNELS and type(layer) is Dense and layer.activation_layer is None
            and "forward" not in layer.__dict__ and "backward" not in layer.__dict__)


def forward(layer: Layer, x: np.ndarray, training: bool) -> np.ndarray:
    """``layer.forward(x, training)``, with Dense's bias added in place."""
    if not has_kernel(layer):
        return layer.forward(x, training)
    return dense_forward(layer, x, training)


def backward(layer: Layer, grad_output: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
    """``layer.backward(grad_output)``; for Dense, into its existing gradient arrays.

    With ``input_grad=False`` the gradient with respect to the input is not
    computed (None is returned): the first layer's input is the data.
    """
    if not has_kernel(layer):
        return layer.backward(grad_output)
    return dense_backward(layer, grad_output, input_grad)


def dense_forward(layer: Dense, x: np.ndarray, training: bool = True) -> np.ndarray:
    """``Dense.forward``: ``x @ weights + bias``, the bias added in place."""
    layer.input = x
    z = x @ layer.weights  # (batch, ..., in) @ (in, out) -> (batch, ..., out)
    z += layer.bias
    return z


def dense_backward(layer: Dense, grad_output: np.ndarray,
                   input_grad: bool = True) -> np.ndarray | None:
    """``Dense.backward`` writing into ``grad_weights`` and ``grad_bias`` (same numbers)."""
    x, g = layer.input, grad_output
    if x.ndim != 2:  # (batch, ..., in): the leading axes are one batch axis here
        x, g = x.reshape(-1, layer.n_inputs), g.reshape(-1, layer.units)
    np.matmul(x.T, g, out=layer.grad_weights)  # (in, out)
    g.sum(axis=0, out=layer.grad_bias)  # (out,)
    if layer.l1:
        layer.grad_weights += layer.l1 * np.sign(layer.weights)
    if layer.l2:
        layer.grad_weights += 2.0 * layer.l2 * layer.weights
    if not input_grad:
        return None
    return grad_output @ layer.weights.T


def forward_steps(layers: list[Layer]) -> list[Callable[[np.ndarray, bool], np.ndarray]]:
    """For each layer, the function that runs its forward pass in ``fit``."""
    return [partial(dense_forward, layer) if has_kernel(layer) else layer.forward
            for layer in layers]


def backward_steps(layers: list[Layer], first_input_grad: bool = False
                   ) -> list[Callable[[np.ndarray], np.ndarray | None]]:
    """For each layer, the function that runs its backward pass in ``fit``.

    The first layer's input is the data: unless ``first_input_grad``, a
    Dense there skips ``dL/dx``.
    """
    return [partial(dense_backward, layer, input_grad=i > 0 or first_input_grad)
            if has_kernel(layer) else layer.backward for i, layer in enumerate(layers)]
