"""``MultiHeadAttention``: every position takes a weighted average of the others.

Self-attention on a sequence ``x`` of shape ``(batch, time, width)``. Each
head ``h`` projects every position to a query, a key and a value, scores
each query against every key, and averages the values with the softmax of
the scores as weights::

    q = x @ Wq[:, h] + bq[h]          # (batch, time, key_dim)   what I look for
    k = x @ Wk[:, h] + bk[h]          # (batch, time, key_dim)   what I offer
    v = x @ Wv[:, h] + bv[h]          # (batch, time, key_dim)   what I give
    scores  = q @ k.T / sqrt(key_dim)  # (batch, time, time): query i against key j
    weights = softmax(scores)          # each row sums to 1
    context = weights @ v              # (batch, time, key_dim)

and the heads' contexts, side by side, are projected back to the input's width::

    y = concat(context_1 .. context_H) @ Wo + bo     # (batch, time, width)

A causal layer (a language model) lets position ``i`` see keys ``j <= i`` only;
a padding mask hides the keys of padded positions. Both set the hidden scores
to a large negative number before the softmax, so their weights are 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import initializers
from .._validation import check_bool, check_int
from ..activations import softmax
from .base import Layer, Shape

__all__ = ["MultiHeadAttention"]

#: the score given to a hidden key: exp(HIDDEN - max) is exactly 0 in float32 and float64
HIDDEN = -1e9


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product self-attention, with Keras's arguments.

    Parameters
    ----------
    num_heads : int >= 1
    key_dim : int >= 1
        Size of each head's queries, keys and values (not the total: the
        heads together use ``num_heads * key_dim``, which need not equal the width).
    causal : bool, default False
        Position ``i`` attends to positions ``j <= i`` only.
    kernel_init, bias_init : str
        Initializers of the four projections (Glorot uniform, zeros).

    Attributes
    ----------
    query_kernel, key_kernel, value_kernel : ndarray of shape (width, num_heads, key_dim)
    query_bias, key_bias, value_bias : ndarray of shape (num_heads, key_dim)
    output_kernel : ndarray of shape (num_heads, key_dim, width)
    output_bias : ndarray of shape (width,)

    Notes
    -----
    Backward, per head, with ``g = dL/dcontext`` (from ``dL/dy @ Wo.T``)::

        d_weights = g @ v.T                     # (batch, time, time)
        d_v       = weights.T @ g
        d_scores  = weights * (d_weights - sum(d_weights * weights, axis=-1))   # softmax
        d_q       = d_scores @ k / sqrt(key_dim)
        d_k       = d_scores.T @ q / sqrt(key_dim)

    then each projection is a ``Dense`` layer's backward (``grad_W = x.T @ d_q``, ...),
    and ``dL/dx`` is the sum of the three projections' input gradients.

    With ``num_heads * key_dim == width``, ``torch.nn.MultiheadAttention(width,
    num_heads, batch_first=True)`` computes the same with ``in_proj_weight =
    concat([query_kernel, key_kernel, value_kernel] each reshaped to (width,
    width), axis=1).T``, ``in_proj_bias`` the three biases flattened and
    concatenated, ``out_proj.weight = output_kernel.reshape(width, width).T`` and
    ``out_proj.bias = output_bias``; ``causal`` is torch's
    ``attn_mask=triu(ones(time, time), 1).bool()``.
    """

    param_names = ("query_kernel", "query_bias", "key_kernel", "key_bias",
                   "value_kernel", "value_bias", "output_kernel", "output_bias")
    cache_names = ("input", "q", "k", "v", "attention_weights", "context")
    supports_masking = True

    def __init__(self, num_heads: int, key_dim: int, causal: bool = False,
                 kernel_init: str = "glorot_uniform", bias_init: str = "zeros") -> None:
        super().__init__()
        self.num_heads = check_int("num_heads", num_heads, 1)
        self.key_dim = check_int("key_dim", key_dim, 1)
        self.causal = check_bool("causal", causal)
        initializers.get(kernel_init), initializers.get(bias_init)  # fail early on bad names
        self.kernel_init, self.bias_init = kernel_init, bias_init

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input's shape ``(time, width)``."""
        shape = tuple(input_shape)
        if len(shape) != 2 or shape[1] is None:
            raise ValueError(f"{self.name} (MultiHeadAttention) expects inputs of shape "
                             f"(time, features) with a known number of features, got {shape}")
        return shape

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """Shapes of the four projections' kernels and biases."""
        width = self.compute_output_shape(input_shape)[1]
        heads = (self.num_heads, self.key_dim)
        shapes = {}
        for part in ("query", "key", "value"):
            shapes[f"{part}_kernel"], shapes[f"{part}_bias"] = (width, *heads), heads
        shapes["output_kernel"], shapes["output_bias"] = (*heads, width), (width,)
        return shapes

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.dtype = np.dtype(dtype)
        for name, shape in self.parameter_shapes(input_shape).items():
            init = initializers.get(self.kernel_init if "kernel" in name else self.bias_init)
            flat = (shape[0], shape[1] * shape[2]) if name.endswith("_kernel") else shape
            if name == "output_kernel":  # fans of the map (heads * key_dim) -> width
                flat = (shape[0] * shape[1], shape[2])
            value = init(flat, rng, self.dtype).reshape(shape)
            setattr(self, name, value)
            setattr(self, "grad_" + name, np.zeros_like(value))
        return tuple(input_shape)

    # ------------------------------------------------------------------- maths
    def _project(self, x: np.ndarray, part: str) -> np.ndarray:
        """``x @ W + b`` for ``part`` in query/key/value, split into heads."""
        batch, time, width = x.shape
        kernel = getattr(self, f"{part}_kernel").reshape(width, -1)  # (width, heads * key_dim)
        bias = getattr(self, f"{part}_bias").reshape(-1)
        y = (x @ kernel + bias).reshape(batch, time, self.num_heads, self.key_dim)
        return y.transpose(0, 2, 1, 3)  # (batch, heads, time, key_dim)

    def _visible(self, time: int, mask: np.ndarray | None) -> np.ndarray | None:
        """Booleans ``(batch or 1, 1, time, time)``: may query i see key j? None: all."""
        visible = None
        if self.causal:
            visible = np.tri(time, dtype=bool)[None, None]  # j <= i
        if mask is not None:
            keys = np.asarray(mask, dtype=bool)[:, None, None, :]  # (batch, 1, 1, time)
            visible = keys if visible is None else visible & keys
        return visible

    def forward(self, x: np.ndarray, training: bool = False,
                mask: np.ndarray | None = None) -> np.ndarray:
        if x.ndim != 3 or x.shape[2] != self.output_kernel.shape[2]:
            raise ValueError(f"{self.name} (MultiHeadAttention) expects inputs of shape "
                             f"(batch, time, {self.output_kernel.shape[2]}), got {x.shape}")
        if mask is not None and np.shape(mask) != x.shape[:2]:
            raise ValueError(f"{self.name} (MultiHeadAttention) expects a mask of shape "
                             f"(batch, time) = {x.shape[:2]}, got {np.shape(mask)}")
        batch, time, width = x.shape
        self.input = x
        self.q, self.k, self.v = (self._project(x, part) for part in ("query", "key", "value"))
        scale = 1.0 / math.sqrt(self.key_dim)
        scores = (self.q @ self.k.swapaxes(-1, -2)) * scale  # (batch, heads, time, time)
        visible = self._visible(time, mask)
        if visible is not None:
            scores = np.where(visible, scores, scores.dtype.type(HIDDEN))
        self.attention_weights = softmax(scores)  # (batch, heads, time, time), rows sum to 1
        context = self.attention_weights @ self.v  # (batch, heads, time, key_dim)
        # heads side by side: (batch, time, heads * key_dim)
        self.context = context.transpose(0, 2, 1, 3).reshape(batch, time, -1)
        output_kernel = self.output_kernel.reshape(-1, width)  # (heads * key_dim, width)
        return self.context @ output_kernel + self.output_bias  # (batch, time, width)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x = self.input
        batch, time, width = x.shape
        heads, key_dim = self.num_heads, self.key_dim
        g = grad_output.reshape(-1, width)  # (batch * time, width)
        output_kernel = self.output_kernel.reshape(-1, width)  # (heads * key_dim, width)
        self.grad_output_kernel = (self.context.reshape(-1, heads * key_dim).T @ g).reshape(
            self.output_kernel.shape)
        self.grad_output_bias = g.sum(axis=0)  # (width,)
        grad_context = (grad_output @ output_kernel.T).reshape(batch, time, heads, key_dim)
        grad_context = grad_context.transpose(0, 2, 1, 3)  # (batch, heads, time, key_dim)

        # context = weights @ v
        grad_weights = grad_context @ self.v.swapaxes(-1, -2)  # (batch, heads, time, time)
        grad_v = self.attention_weights.swapaxes(-1, -2) @ grad_context  # (b, h, time, key_dim)
        # softmax, row by row: d_scores = w * (d_w - sum(d_w * w)); hidden keys have w = 0
        dot = (grad_weights * self.attention_weights).sum(axis=-1, keepdims=True)
        grad_scores = self.attention_weights * (grad_weights - dot) / math.sqrt(key_dim)
        # scores = q @ k.T (the scale is in grad_scores)
        grad_q = grad_scores @ self.k  # (batch, heads, time, key_dim)
        grad_k = grad_scores.swapaxes(-1, -2) @ self.q

        grad_x = np.zeros_like(x)
        flat_x = x.reshape(-1, width)  # (batch * time, width)
        for part, grad in (("query", grad_q), ("key", grad_k), ("value", grad_v)):
            grad = grad.transpose(0, 2, 1, 3).reshape(-1, heads * key_dim)  # (b*t, h*k)
            kernel = getattr(self, f"{part}_kernel")
            setattr(self, f"grad_{part}_kernel", (flat_x.T @ grad).reshape(kernel.shape))
            setattr(self, f"grad_{part}_bias", grad.sum(axis=0).reshape(heads, key_dim))
            grad_x += (grad @ kernel.reshape(width, -1).T).reshape(x.shape)
        return grad_x

    def compute_mask(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
        """Positions stay where they are: the mask goes on unchanged."""
        return mask

    def get_config(self) -> dict[str, Any]:
        return {"num_heads": self.num_heads, "key_dim": self.key_dim, "causal": self.causal,
                "kernel_init": self.kernel_init, "bias_init": self.bias_init}
