"""plainnet vs PyTorch (CPU) on character-level language models, side by side in one process.

Two models, each built once in plainnet and once in PyTorch with **the same
initial weights** (copied from plainnet's), trained with Adam(1e-3) at batch
32 on the same windows of 64 characters of the Python standard library
(``plainnet.data.python_corpus``, 2,000,000 characters, one file in ten held
out), float32:

lstm
    ``Embedding(vocab, 64) -> LSTM(256, return_sequences=True) -> Dense(vocab)``;
    PyTorch: ``nn.Embedding``, ``nn.LSTM(batch_first=True)``, ``nn.Linear``.
transformer
    nanoGPT's CPU example size: ``Embedding(vocab, 128) + PositionalEmbedding(64)``,
    4 pre-norm blocks (``LayerNormalization``, ``MultiHeadAttention(4, 32,
    causal=True)``; ``LayerNormalization``, ``Dense(512, gelu)``, ``Dense(128)``),
    ``LayerNormalization``, ``Dense(vocab)``; PyTorch: the same blocks with
    ``nn.Linear`` projections, ``F.scaled_dot_product_attention(is_causal=True)``,
    ``nn.LayerNorm(eps=1e-3)`` and ``nn.GELU(approximate="tanh")``.

The contenders take turns, ``--chunk`` steps each, after a pause of
``bench_mlp.SETTLE_SECONDS`` (the BLAS/OpenMP threads of the other one stop
spinning); between chunks each model's validation loss (nats per character,
the first 256 validation windows, never timed) is measured. The time per
step is the median over the chunks after the first (a warm-up); the ratio is
``PyTorch's time / plainnet's time`` (1.0: as fast; the issue's target is 0.5).
At the end each plainnet model writes 300 characters (temperature 0.8, top-k
10), and 500 characters from the transformer are timed.

Run:  setarch "$(uname -m)" -R .venv/bin/python benchmarks/bench_lm.py [--steps 400]
Needs, optionally, torch (``make torch-if-local``); without it only plainnet is timed.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

import numpy as np
from bench_mlp import SETTLE_SECONDS, have, print_environment

from plainnet.data import Vocabulary, python_corpus, random_windows, text_windows
from plainnet.generation import generate
from plainnet.language_model import lstm_language_model, transformer_language_model
from plainnet.optimizers import Adam

CONTEXT, BATCH, LEARNING_RATE = 64, 32, 1e-3
VALIDATION_WINDOWS = 256


def make_data(max_chars: int = 2_000_000, seed: int = 0):
    """``(vocabulary, train ids, validation windows (X, y))`` of the stdlib corpus."""
    corpus = python_corpus(max_chars)
    vocabulary = Vocabulary.from_text(corpus.train)
    X_val, y_val = text_windows(vocabulary.encode(corpus.validation), CONTEXT)
    return vocabulary, vocabulary.encode(corpus.train), (X_val[:VALIDATION_WINDOWS],
                                                         y_val[:VALIDATION_WINDOWS])


def plainnet_model(kind: str, vocab_size: int):
    if kind == "lstm":
        model = lstm_language_model(vocab_size, units=256, embedding_dim=64, seed=0)
    else:
        model = transformer_language_model(vocab_size, CONTEXT, 128, 4, 4, seed=0)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(LEARNING_RATE))
    return model


# ------------------------------------------------------------------ contenders
# Each factory returns ``train(X, y)`` (one step per batch of X, y: (steps, batch, time))
# and ``loss(X, y)`` (mean cross-entropy, untimed).

def plainnet_contender(model):
    def train(X, y):
        model.fit(X.reshape(-1, X.shape[-1]), y.reshape(-1, y.shape[-1]), epochs=1,
                  batch_size=X.shape[1], shuffle=False, verbose=0)

    def loss(X, y):
        return model.evaluate(X, y, batch_size=64)["loss"]
    return train, loss


def torch_contender(kind: str, model):
    """The same network in PyTorch, its weights copied from the plainnet ``model``."""
    import torch
    from torch import nn

    def tensor(array):  # a copy: the two models must not share memory
        return torch.from_numpy(np.array(array, dtype=np.float32, order="C", copy=True))

    def linear(dense):
        layer = nn.Linear(*dense.weights.shape)
        layer.weight.data, layer.bias.data = tensor(dense.weights.T), tensor(dense.bias)
        return layer

    def layer_norm(plain):
        norm = nn.LayerNorm(plain.gamma.shape[0], eps=plain.epsilon)
        norm.weight.data, norm.bias.data = tensor(plain.gamma), tensor(plain.beta)
        return norm

    class Attention(nn.Module):
        def __init__(self, mha):
            super().__init__()
            self.heads, width = mha.num_heads, mha.output_kernel.shape[-1]
            self.qkv = nn.Linear(width, 3 * width)
            kernels = [getattr(mha, f"{p}_kernel").reshape(width, -1)
                       for p in ("query", "key", "value")]
            biases = [getattr(mha, f"{p}_bias").reshape(-1) for p in ("query", "key", "value")]
            self.qkv.weight.data = tensor(np.concatenate(kernels, axis=1).T)
            self.qkv.bias.data = tensor(np.concatenate(biases))
            self.out = nn.Linear(width, width)
            self.out.weight.data = tensor(mha.output_kernel.reshape(-1, width).T)
            self.out.bias.data = tensor(mha.output_bias)

        def forward(self, x):
            b, t, w = x.shape
            q, k, v = (part.view(b, t, self.heads, -1).transpose(1, 2)
                       for part in self.qkv(x).split(w, dim=2))
            context = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.out(context.transpose(1, 2).reshape(b, t, w))

    class Transformer(nn.Module):
        def __init__(self):
            super().__init__()
            layers = model.layers
            self.embed = nn.Embedding(*layers[0].embeddings.shape)
            self.embed.weight.data = tensor(layers[0].embeddings)
            self.positions = nn.Parameter(tensor(layers[1].positions))
            self.blocks = nn.ModuleList()
            for attention, mlp in zip(layers[2:-2:2], layers[3:-2:2], strict=True):
                norm_1, mha = attention.layers
                norm_2, up, _, down = mlp.layers  # Dense(gelu) unpacks to Dense, GELU
                self.blocks.append(nn.ModuleList([
                    layer_norm(norm_1), Attention(mha), layer_norm(norm_2),
                    nn.Sequential(linear(up), nn.GELU(approximate="tanh"), linear(down))]))
            self.norm, self.head = layer_norm(layers[-2]), linear(layers[-1])

        def forward(self, tokens):
            x = self.embed(tokens) + self.positions[:tokens.shape[1]]
            for norm_1, attention, norm_2, mlp in self.blocks:
                x = x + attention(norm_1(x))
                x = x + mlp(norm_2(x))
            return self.head(self.norm(x))

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            embedding, lstm, dense = model.layers
            self.embed = nn.Embedding(*embedding.embeddings.shape)
            self.embed.weight.data = tensor(embedding.embeddings)
            self.lstm = nn.LSTM(*lstm.kernel.shape[:1], lstm.units, batch_first=True)
            self.lstm.weight_ih_l0.data = tensor(lstm.kernel.T)  # gates i, f, g, o in both
            self.lstm.weight_hh_l0.data = tensor(lstm.recurrent_kernel.T)
            self.lstm.bias_ih_l0.data = tensor(lstm.bias)
            # one bias, as plainnet's: PyTorch's second bias stays 0 (Adam would move
            # both by the same step, twice plainnet's in all)
            self.lstm.bias_hh_l0.data = torch.zeros(4 * lstm.units)
            self.lstm.bias_hh_l0.requires_grad_(False)
            self.head = linear(dense)

        def forward(self, tokens):
            return self.head(self.lstm(self.embed(tokens))[0])

    torch.manual_seed(0)
    net = Recurrent() if kind == "lstm" else Transformer()
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=LEARNING_RATE, eps=1e-8)

    def cross_entropy(X, y):
        logits = net(torch.from_numpy(X))
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           torch.from_numpy(y).reshape(-1))

    def train(X, y):
        for Xb, yb in zip(X, y, strict=True):
            optimizer.zero_grad(set_to_none=True)
            cross_entropy(Xb, yb).backward()
            optimizer.step()

    def loss(X, y):
        with torch.no_grad():
            return float(cross_entropy(X, y))
    train.net = net  # for the tests: the weights after training
    return train, loss


# ------------------------------------------------------------------------ run
def race_curves(contenders, train_ids, validation, steps: int, chunk: int):
    """Train in turns, ``chunk`` steps each: the loss curves, and the seconds per step of
    every chunk after the first."""
    rng = np.random.default_rng(1)
    curves = {name: [(0, 0.0, loss(*validation))] for name, (_, loss) in contenders.items()}
    per_step = {name: [] for name in contenders}
    for done in range(0, steps, chunk):
        X, y = random_windows(train_ids, CONTEXT, chunk * BATCH, rng)  # the same for all
        X, y = X.reshape(chunk, BATCH, CONTEXT), y.reshape(chunk, BATCH, CONTEXT)
        for name, (train, loss) in contenders.items():
            time.sleep(SETTLE_SECONDS)  # let the other contender's threads idle
            start = time.perf_counter()
            train(X, y)
            seconds = time.perf_counter() - start
            if done:  # the first chunk is a warm-up
                per_step[name].append(seconds / chunk)
            wall = curves[name][-1][1] + seconds
            curves[name].append((done + chunk, wall, loss(*validation)))
    return curves, per_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["lstm", "transformer"],
                        choices=["lstm", "transformer"])
    parser.add_argument("--steps", type=int, default=300, help="training steps per model")
    parser.add_argument("--chunk", type=int, default=25, help="steps per turn")
    parser.add_argument("--max-chars", type=int, default=2_000_000)
    args = parser.parse_args()

    libraries = ["plainnet"] + (["torch"] if have("torch") else [])
    print_environment(libraries)
    vocabulary, train_ids, validation = make_data(args.max_chars)
    print(f"stdlib corpus: {len(train_ids):,} training characters, {vocabulary.size} ids; "
          f"batch {BATCH} x context {CONTEXT}, Adam({LEARNING_RATE}), float32; validation: "
          f"{len(validation[0])} windows; uniform guess {math.log(vocabulary.size):.3f} nats")
    for kind in args.models:
        model = plainnet_model(kind, vocabulary.size)
        contenders = {"plainnet": plainnet_contender(model)}
        if "torch" in libraries:
            contenders["torch"] = torch_contender(kind, model)
        curves, per_step = race_curves(contenders, train_ids, validation, args.steps,
                                       args.chunk)
        print(f"\n{kind} ({model.count_params():,} parameters): validation loss "
              "(nats/char) after each chunk, wall seconds of training")
        print(f"{'steps':>6s}" + "".join(f" {name + ' loss':>14s} {'s':>7s}"
                                         for name in contenders))
        for i, (steps, *_) in enumerate(curves["plainnet"]):
            print(f"{steps:6d}" + "".join(f" {curves[name][i][2]:14.3f} {curves[name][i][1]:7.1f}"
                                          for name in contenders))
        median = {name: statistics.median(times) for name, times in per_step.items()}
        for name, times in per_step.items():
            print(f"{kind} {name:9s} {median[name] * 1e3:8.1f} ms per step (batch {BATCH}; "
                  f"fastest chunk {min(times) * 1e3:.1f} ms)")
        if "torch" in median:
            print(f"{kind} speed plainnet/torch = {median['torch'] / median['plainnet']:.2f}x "
                  f"(medians; fastest chunks: "
                  f"{min(per_step['torch']) / min(per_step['plainnet']):.2f}x)")
        start = time.perf_counter()
        ids = generate(model, vocabulary.encode("def "), 500 if kind == "transformer" else 300,
                       temperature=0.8, top_k=10, seed=0, context=CONTEXT)
        seconds = time.perf_counter() - start
        print(f"{kind} sample: {len(ids)} characters in {seconds:.2f} s (window recomputed "
              f"each step, context {CONTEXT}):\n" + "def " + vocabulary.decode(ids))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
