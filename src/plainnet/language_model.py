"""Character-level language models: an LSTM and a small GPT-style transformer, and their training.

Both read a window of ``context`` character ids ``(batch, context)`` and give,
at every position, scores for the character that follows ``(batch, context,
vocab)``; the loss is the cross-entropy averaged over every position, in nats
per character (``log(vocab)`` for a model that knows nothing)::

    loss = -mean over (b, t) of log p(targets[b, t] | inputs[b, :t + 1])

The LSTM (Karpathy's char-rnn)::

    Embedding(vocab, dim) -> LSTM(units, return_sequences=True) -> Dense(vocab)

The transformer (GPT-2's pre-norm block, nanoGPT's CPU example size: 4 layers,
4 heads, width 128, context 64)::

    Embedding(vocab, width) + PositionalEmbedding(context)
    num_layers x [ x + MultiHeadAttention(LayerNorm(x)),  causal
                   x + Dense(width) (GELU(Dense(4 width) (LayerNorm(x)))) ]
    LayerNormalization -> Dense(vocab)

:func:`train_language_model` trains either one epoch by epoch on windows drawn
at random positions of the training tokens (a new draw each epoch, from the
seed and the epoch number, so a resumed run sees what an uninterrupted one
would), with the validation loss after each epoch and a checkpoint file.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from ._validation import check_choice, check_int
from .data.text import Vocabulary, random_windows, text_windows
from .layers import (
    LSTM,
    Dense,
    Embedding,
    LayerNormalization,
    MultiHeadAttention,
    PositionalEmbedding,
    Residual,
)
from .model import Sequential
from .optimizers import Adam
from .schedules import WarmupCosineDecay

__all__ = ["MODEL_KINDS", "build_language_model", "lstm_language_model",
           "train_language_model", "transformer_language_model"]

MODEL_KINDS = ("lstm", "transformer")


def lstm_language_model(vocab_size: int, units: int = 256, embedding_dim: int = 64,
                        seed: Any = 0, dtype: Any = np.float32) -> Sequential:
    """``Embedding(vocab, embedding_dim) -> LSTM(units, return_sequences=True) -> Dense(vocab)``."""
    return Sequential([
        Embedding(vocab_size, embedding_dim),
        LSTM(units, return_sequences=True),  # (batch, time, units)
        Dense(vocab_size),  # per-step logits (batch, time, vocab)
    ], seed=seed, dtype=dtype, input_shape=(None,))


def transformer_language_model(vocab_size: int, context: int = 64, width: int = 128,
                               num_layers: int = 4, num_heads: int = 4, seed: Any = 0,
                               dtype: Any = np.float32) -> Sequential:
    """A causal pre-norm transformer: ``num_layers`` blocks of attention and a GELU MLP.

    Each head has ``key_dim = width // num_heads``; the MLP is ``4 * width`` wide.
    """
    width = check_int("width", width, 1)
    num_heads = check_int("num_heads", num_heads, 1)
    key_dim = max(1, width // num_heads)
    blocks = []
    for _ in range(check_int("num_layers", num_layers, 1)):
        blocks += [
            Residual([LayerNormalization(), MultiHeadAttention(num_heads, key_dim, causal=True)]),
            Residual([LayerNormalization(), Dense(4 * width, activation="gelu"), Dense(width)]),
        ]
    return Sequential([
        Embedding(vocab_size, width),
        PositionalEmbedding(context),
        *blocks,
        LayerNormalization(),
        Dense(vocab_size),  # per-position logits (batch, time, vocab)
    ], seed=seed, dtype=dtype, input_shape=(None,))


def build_language_model(kind: str, vocabulary: Vocabulary, context: int, width: int,
                         num_layers: int = 4, num_heads: int = 4, learning_rate: float = 1e-3,
                         total_steps: int | None = None, seed: Any = 0) -> Sequential:
    """A compiled LSTM (``width`` units) or transformer with the vocabulary in its metadata.

    Adam at ``learning_rate``; the transformer's rate warms up linearly over
    the first tenth of ``total_steps`` (at most 100 steps) and then follows a
    cosine down to a tenth (``WarmupCosineDecay``, as nanoGPT), when
    ``total_steps`` is given.
    """
    kind = check_choice("kind", kind, MODEL_KINDS)
    if kind == "lstm":
        model = lstm_language_model(vocabulary.size, units=width,
                                    embedding_dim=min(64, width), seed=seed)
        rate: Any = learning_rate
    else:
        model = transformer_language_model(vocabulary.size, context, width, num_layers,
                                           num_heads, seed=seed)
        rate = learning_rate
        if total_steps:
            warmup = min(100, max(1, total_steps // 10))
            rate = WarmupCosineDecay(learning_rate, warmup, max(1, total_steps - warmup),
                                     alpha=0.1)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(rate, clipnorm=1.0))
    model.metadata = {"vocabulary": vocabulary.to_dict(), "language_model": {
        "kind": kind, "context": context}}
    return model


def train_language_model(model: Sequential, train_tokens: np.ndarray,
                         validation_tokens: np.ndarray | None, epochs: int,
                         steps_per_epoch: int, batch_size: int = 32, seed: int = 0,
                         checkpoint: str | os.PathLike | None = None, resume: bool = False,
                         validation_windows: int = 256, verbose: int = 1) -> bool:
    """Train ``model`` (built by :func:`build_language_model`) up to ``epochs`` epochs.

    Each epoch draws ``steps_per_epoch * batch_size`` windows at random
    positions of ``train_tokens`` (the draw of epoch ``e`` depends on
    ``seed`` and ``e`` only) and makes one pass over them, ``batch_size``
    windows per step; the validation loss is measured on the first
    ``validation_windows`` windows of ``validation_tokens``, side by side.
    With ``checkpoint``, the model is saved after every epoch; with
    ``resume``, the epochs the model has done already are skipped.

    Returns
    -------
    bool
        False if training was stopped with Ctrl-C (the completed epochs are kept).
    """
    context = model.metadata["language_model"]["context"]
    epochs = check_int("epochs", epochs, 1)
    steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, 1)
    validation = None
    if validation_tokens is not None and len(validation_tokens) > context:
        X_val, y_val = text_windows(validation_tokens, context)
        validation = (X_val[:validation_windows], y_val[:validation_windows])
    batches = _EpochBatches(model, train_tokens, context, batch_size, steps_per_epoch, seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="fit interrupted by Ctrl-C")
        model.fit(batches, epochs=epochs, steps_per_epoch=steps_per_epoch,
                  validation_data=validation, verbose=verbose, checkpoint=checkpoint,
                  resume=resume)
    return model.epochs_done >= epochs  # False: stopped by Ctrl-C


class _EpochBatches:
    """The batches of one epoch each time it is iterated: windows at random positions.

    The windows of epoch ``e`` come from ``default_rng([seed, e])``, ``e`` read
    from ``model.epochs_done`` when ``fit`` starts the epoch, so a resumed run
    draws what an uninterrupted one would have.
    """

    def __init__(self, model: Sequential, tokens: np.ndarray, context: int, batch_size: int,
                 steps: int, seed: int) -> None:
        self.model, self.tokens, self.context = model, tokens, context
        self.batch_size, self.steps, self.seed = batch_size, steps, seed

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.model.epochs_done])
        for _ in range(self.steps):
            yield random_windows(self.tokens, self.context, self.batch_size, rng)
