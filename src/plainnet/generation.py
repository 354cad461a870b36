"""Sampling text from a language model, one token at a time.

A language model gives, at every position, scores (logits) ``z`` for the
token that comes next. Generation feeds the prompt, draws the next token
from those scores, appends it, and repeats::

    tokens = prompt
    repeat n times:
        z = model(tokens[-context:])[-1]          # (vocab,) scores of the next token
        p = softmax(z / temperature)               # temperature < 1 sharpens, > 1 flattens
        p = keep the top_k largest of p, renormalise    (optional)
        tokens.append(a draw from p)

Each step runs the model again on the last ``context`` tokens (the window a
transformer was trained on; its ``PositionalEmbedding`` accepts no more). No
keys or values are cached between steps: for the small transformer of
``examples/char_lm.py`` (4 layers, width 128, context 64) a step takes about
3 ms, so 500 characters take about 1.5 s (measured in ``benchmarks/bench_lm.py``)
and the layers stay as they are.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._validation import check_float, check_int, make_rng
from .layers import Softmax

__all__ = ["generate", "next_token_probabilities"]


def generate(model: Any, prompt_tokens: Any, n: int, temperature: float = 1.0,
             top_k: int | None = None, seed: Any = None, context: int | None = None
             ) -> np.ndarray:
    """Draw ``n`` tokens after ``prompt_tokens`` from a language model.

    Parameters
    ----------
    model : Sequential
        Maps token ids ``(batch, time)`` to next-token scores ``(batch, time, vocab)``
        (logits, or probabilities if it ends in ``Softmax``).
    prompt_tokens : 1-D sequence of int
        At least one id, each in ``[0, vocab)``.
    n : int >= 0
        Tokens to generate.
    temperature : float > 0, default 1.0
        The scores are divided by it before the softmax: ``p ∝ exp(z / T)``.
        Below 1 the likeliest tokens gain; above 1 the draw is more even.
    top_k : int >= 1 or None
        Draw among the ``top_k`` likeliest tokens only (None: all of them).
    seed : None, int or numpy.random.Generator
        The same seed gives the same tokens (the global NumPy state is not used).
    context : int >= 1 or None
        The model sees the last ``context`` tokens at each step. Default: the
        ``max_length`` of the model's ``PositionalEmbedding`` if it has one,
        else every token so far.

    Returns
    -------
    ndarray of int64, shape (n,)
        The generated ids (the prompt not included).

    Raises
    ------
    ValueError
        An empty prompt, ids outside the vocabulary, ``temperature <= 0``,
        ``top_k < 1`` or ``context < 1``, each in one line naming the argument.
    """
    vocab = _vocab_size(model)
    prompt = _check_prompt(prompt_tokens, vocab)
    n = check_int("n", n, 0)
    temperature = check_float("temperature", temperature, 0.0, min_inclusive=False)
    if top_k is not None:
        top_k = min(check_int("top_k", top_k, 1), vocab)
    context = _default_context(model) if context is None else check_int("context", context, 1)
    rng = make_rng(seed)
    tokens = list(prompt.tolist())
    for _ in range(n):
        window = np.array([tokens if context is None else tokens[-context:]], dtype=np.int64)
        p = next_token_probabilities(model, window, temperature, top_k)
        tokens.append(int(rng.choice(vocab, p=p)))
    return np.array(tokens[len(prompt):], dtype=np.int64)


def next_token_probabilities(model: Any, window: np.ndarray, temperature: float = 1.0,
                             top_k: int | None = None) -> np.ndarray:
    """``p`` of shape ``(vocab,)``: the model's distribution of the token after ``window``.

    ``window`` is ``(1, time)`` ids. With scores ``z`` of the last position::

        p_i = exp(z_i / T) / sum_j exp(z_j / T)      over the top_k largest z (others 0)
    """
    outputs = np.asarray(model.predict(window), dtype=np.float64)[0, -1]  # (vocab,)
    z = outputs  # the logits; or, for a model ending in Softmax, log-probabilities:
    if isinstance(model.layers[-1], Softmax):
        z = np.log(np.maximum(outputs, np.finfo(np.float64).tiny))
    z = z / temperature
    if top_k is not None and top_k < len(z):
        kth = np.partition(z, -top_k)[-top_k]  # the k-th largest score
        z = np.where(z >= kth, z, -np.inf)
    e = np.exp(z - z.max())  # softmax, shifted so the largest is exp(0) = 1
    return e / e.sum()


# ---------------------------------------------------------------- checks
def _vocab_size(model: Any) -> int:
    """Ids the model reads: its first layer's ``vocab_size`` (an ``Embedding``)."""
    layers = getattr(model, "layers", None) or [None]
    vocab = getattr(layers[0], "vocab_size", None)
    if vocab is None:
        raise ValueError("model must start with an Embedding layer (a language model reading "
                         f"token ids), got {type(layers[0]).__name__}")
    return int(vocab)


def _default_context(model: Any) -> int | None:
    lengths = [layer.max_length for layer in model.layers if hasattr(layer, "max_length")]
    return min(lengths) if lengths else None


def _check_prompt(prompt_tokens: Any, vocab: int) -> np.ndarray:
    if isinstance(prompt_tokens, str):
        raise TypeError("prompt_tokens must be token ids, got a str (encode it with a "
                        "Vocabulary first)")
    prompt = np.asarray(prompt_tokens)
    if prompt.ndim != 1:
        raise ValueError(f"prompt_tokens must be a 1-D sequence of token ids, got shape "
                         f"{prompt.shape}")
    if prompt.size == 0:
        raise ValueError("prompt_tokens must hold at least one token id, got an empty prompt")
    if prompt.dtype.kind not in "iu" and not all(isinstance(t, numbers.Integral)
                                                 for t in prompt.tolist()):
        raise ValueError(f"prompt_tokens must be integer token ids, got dtype {prompt.dtype}")
    if prompt.min() < 0 or prompt.max() >= vocab:
        bad = int(prompt.min() if prompt.min() < 0 else prompt.max())
        raise ValueError(f"prompt_tokens must lie in [0, {vocab}) (the model's vocab_size), "
                         f"got {bad}")
    return prompt.astype(np.int64)
