"""Fast forms of plainnet's own layers for the training loop (same numbers).

:class:`plainnet.layers.Dense` is written as the textbook writes it: its
``backward`` makes new gradient arrays (``grad_weights = x.T @ g``). In
``fit``, where the same arrays are overwritten at every step, these kernels
write the same products into the packed gradient vector instead (no new
arrays, no copies), and skip ``dL/dx`` for the first layer, whose input is
the data. ``tests/training`` checks them equal to the layer's own methods.

A ``Conv2D``, with the ``ReLU`` and the ``MaxPool2D(2)`` that often follow it,
runs as one :class:`plainnet.layers._conv_kernels.ConvBlock` (the fast
kernels live beside the layer family; ``tests/layers`` checks them equal to
the layers).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial

import numpy as np

from ..layers._conv_kernels import ConvBlock, conv_block_applies
from ..layers.base import Layer
from ..layers.dense import Dense

#: Set to False to make ``fit`` call every layer's own ``forward`` and ``backward``
#: (e.g. to watch an edit of ``Dense.backward`` change training): slower, same numbers.
USE_KERNELS = True

__all__ = ["USE_KERNELS", "backward", "backward_steps", "conv_blocks", "dense_backward",
           "dense_forward", "forward", "forward_steps", "has_kernel"]

#: the ConvBlock of each Conv2D, by ``id``, shared by its forward and backward steps; held
#: weakly: a block (and its buffers) goes when ``fit`` lets go of its steps
_BLOCKS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


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


def conv_blocks(layers: list[Layer]) -> list[Layer | ConvBlock]:
    """``layers`` with each ``Conv2D`` (+ ``ReLU``) (+ ``MaxPool2D(2)``) as one ConvBlock.

    Without kernels (``USE_KERNELS = False``) the layers themselves. While a
    block is in use (``fit`` holds its steps), asking again gives the same block.
    """
    if not USE_KERNELS:
        return list(layers)
    steps: list[Layer | ConvBlock] = []
    i = 0
    while i < len(layers):
        conv, relu, pool = layers[i], None, None
        if not conv_block_applies(conv):
            steps.append(conv)
            i += 1
            continue
        rest = [*layers[i + 1:i + 3], None, None]
        if conv_block_applies(conv, relu=rest[0]):
            relu, rest = rest[0], rest[1:]
        if conv_block_applies(conv, relu=relu, pool=rest[0]):
            pool = rest[0]
        block = _BLOCKS.get(id(conv))
        if block is None or block.layers != [x for x in (conv, relu, pool) if x is not None]:
            block = _BLOCKS[id(conv)] = ConvBlock(conv, relu, pool)
        steps.append(block)
        i += len(block.layers)
    return steps


def forward_steps(layers: list[Layer]) -> list[Callable[[np.ndarray, bool], np.ndarray]]:
    """The functions that run the forward pass in ``fit``, one per layer or ConvBlock."""
    return [partial(dense_forward, step) if has_kernel(step) else step.forward
            for step in conv_blocks(layers)]


def backward_steps(layers: list[Layer], first_input_grad: bool = False
                   ) -> list[Callable[[np.ndarray], np.ndarray | None]]:
    """The functions that run the backward pass in ``fit`` (in forward order).

    The first layer's input is the data: unless ``first_input_grad``, a
    Dense or a ConvBlock there skips ``dL/dx``.
    """
    steps = []
    for i, step in enumerate(conv_blocks(layers)):
        if isinstance(step, ConvBlock) or has_kernel(step):
            function = step.backward if isinstance(step, ConvBlock) else partial(
                dense_backward, step)
            steps.append(partial(function, input_grad=i > 0 or first_input_grad))
        else:
            steps.append(step.backward)
    return steps
