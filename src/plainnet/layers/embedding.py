"""``Embedding``: integer tokens to learned vectors, by table lookup.

A vocabulary of ``vocab_size`` tokens (characters, words) gets one row each
in a table ``embeddings`` of shape ``(vocab_size, dim)``. The layer looks up
the row of every token::

    tokens  (batch, time)          integers in [0, vocab_size)
    y       (batch, time, dim)     y[b, t] = embeddings[tokens[b, t]]

This is a ``Dense`` layer without bias applied to one-hot vectors
(``onehot(tokens) @ embeddings``), computed without building the one-hots.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .._validation import check_bool, check_int
from .base import Layer, Shape

__all__ = ["Embedding", "check_tokens"]


def check_tokens(layer: Layer, tokens: Any, vocab_size: int) -> np.ndarray:
    """``tokens`` as an integer array of shape ``(batch, time)`` with ids in ``[0, vocab_size)``.

    Floats are refused (a float token id is a mistake upstream, not a rounding question).
    """
    tokens = np.asarray(tokens)
    where = f"{layer.name} ({type(layer).__name__})"
    if tokens.dtype.kind not in "iu":
        raise TypeError(f"{where} expects integer token ids of shape (batch, time), got an "
                        f"array of dtype {tokens.dtype}")
    if tokens.ndim != 2:
        raise ValueError(f"{where} expects token ids of shape (batch, time), got an array of "
                         f"shape {tokens.shape}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
        bad = tokens.min() if tokens.min() < 0 else tokens.max()
        raise ValueError(f"{where} expects token ids in [0, {vocab_size}) (vocab_size="
                         f"{vocab_size}), got {int(bad)}")
    return tokens


class Embedding(Layer):
    """Learned vector of each token: ``y[b, t] = embeddings[tokens[b, t]]``.

    Parameters
    ----------
    vocab_size : int >= 1
        Number of different tokens; ids run from 0 to ``vocab_size - 1``.
    dim : int >= 1
        Length of each token's vector.
    mask_zero : bool, default False
        Token 0 is padding: :meth:`compute_mask` marks it, and layers that
        honour masks (recurrent layers, attention) skip those steps. The
        vocabulary must then keep id 0 for padding.
    embeddings_init : str, default "uniform"
        Initializer of the table (Keras's ``U(-0.05, 0.05)``).

    Attributes
    ----------
    embeddings : ndarray of shape (vocab_size, dim)
    grad_embeddings : ndarray of shape (vocab_size, dim)

    Notes
    -----
    Each row of the table receives the sum of the gradients of the positions
    where its token appears; rows of tokens absent from the batch get zero::

        grad_embeddings[v] = sum over (b, t) with tokens[b, t] == v of g[b, t]

    Token ids are not differentiable: ``backward`` returns zeros of the
    tokens' shape, for the contract's sake.

    Examples
    --------
    >>> import numpy as np
    >>> from plainnet.layers import Embedding, build_layer
    >>> layer = Embedding(vocab_size=5, dim=3)
    >>> build_layer(layer, (None,), np.random.default_rng(0), np.float32)
    (None, 3)
    >>> layer.forward(np.array([[1, 4, 4]])).shape
    (1, 3, 3)
    """

    param_names = ("embeddings",)
    cache_names = ("tokens",)
    #: the layer reads integer ids, not floats (a model must not convert its inputs)
    input_kind = "tokens"
    supports_masking = True

    def __init__(self, vocab_size: int, dim: int, mask_zero: bool = False,
                 embeddings_init: str = "uniform") -> None:
        super().__init__()
        self.vocab_size = check_int("vocab_size", vocab_size, 1)
        self.dim = check_int("dim", dim, 1)
        self.mask_zero = check_bool("mask_zero", mask_zero)
        if self.mask_zero and self.vocab_size < 2:
            raise ValueError(f"Embedding with mask_zero=True needs vocab_size >= 2 (id 0 is "
                             f"padding), got {self.vocab_size}")
        initializers.get(embeddings_init)  # fail early on a bad name
        self.embeddings_init = embeddings_init

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """``(time, dim)`` for token ids of shape ``(time,)``."""
        if len(input_shape) != 1:
            raise ValueError(f"{self.name} expects token ids of shape (time,) per sample, got "
                             f"{tuple(input_shape)}")
        return (input_shape[0], self.dim)

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """``{"embeddings": (vocab_size, dim)}``."""
        self.compute_output_shape(input_shape)
        return {"embeddings": (self.vocab_size, self.dim)}

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        output_shape = self.compute_output_shape(input_shape)
        self.dtype = np.dtype(dtype)
        shape = self.parameter_shapes(input_shape)["embeddings"]
        self.embeddings = initializers.get(self.embeddings_init)(shape, rng, self.dtype)
        self.grad_embeddings = np.zeros_like(self.embeddings)
        return output_shape

    def forward(self, x: np.ndarray, training: bool = False,
                mask: np.ndarray | None = None) -> np.ndarray:
        self.tokens = check_tokens(self, x, self.vocab_size)  # (batch, time)
        return self.embeddings[self.tokens]  # (batch, time, dim)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        # scatter-add: row tokens[b, t] of the table collects g[b, t]
        self.grad_embeddings = np.zeros_like(self.embeddings)  # (vocab_size, dim)
        np.add.at(self.grad_embeddings, self.tokens, grad_output)
        return np.zeros(self.tokens.shape, dtype=self.embeddings.dtype)  # ids: no gradient

    def compute_mask(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
        """``(batch, time)`` booleans, True for real tokens, with ``mask_zero``; else None."""
        if not self.mask_zero:
            return None
        return np.asarray(x) != 0

    def get_config(self) -> dict[str, Any]:
        return {"vocab_size": self.vocab_size, "dim": self.dim, "mask_zero": self.mask_zero,
                "embeddings_init": self.embeddings_init}
