"""plainnet vs PyTorch (CPU) on a LeNet-5 shaped CNN, side by side in one process.

The network (channels-last in plainnet, channels-first in PyTorch, the same
sizes)::

    Conv2D(6, 5, padding="same") + ReLU   (28, 28, 6)
    MaxPool2D(2)                          (14, 14, 6)
    Conv2D(16, 5) + ReLU                  (10, 10, 16)
    MaxPool2D(2)                          (5, 5, 16)
    Flatten                               (400,)
    Dense 120 + ReLU, Dense 84 + ReLU, Dense 10 (+ softmax cross-entropy)

float32, plain SGD(0.01), 28 x 28 x 1 inputs: the first ``--samples`` images
of Fashion-MNIST when ``/usr/share/datasets/fashion-mnist/`` has them
(``apt-get install dataset-fashion-mnist``), random images and labels
otherwise (the time per step does not depend on the pixels). Batch 32, 64 and
256; the target of issue 14 is plainnet >= 1.0x PyTorch at batch 64.

The timing is ``bench_mlp.py``'s (imported from it): the contenders take turns
within each round, each timed run starts after a pause of
``bench_mlp.SETTLE_SECONDS`` that lets the previous contender's BLAS/OpenMP
threads stop spinning, the first round is a warm-up, and each figure is the
median over the remaining rounds. What counts is the ratio ``plainnet / other``
of samples per second: above 1 means plainnet is faster.

Contenders
----------
plainnet
    ``Sequential.fit(X, y, epochs=1, batch_size=B, verbose=0)``: input
    validation, shuffling, the loss, backpropagation and the optimizer, all
    included. ``fit`` runs each ``Conv2D`` + ``ReLU`` + ``MaxPool2D(2)`` as one
    fast kernel (``plainnet.layers._conv_kernels``, same numbers as the layers).
plain (with ``--plain``)
    The same ``fit`` with ``plainnet.training.kernels.USE_KERNELS = False``:
    every layer's own, textbook ``forward`` and ``backward`` (what the kernels
    bought).
torch
    A plain eager PyTorch loop with ``torch.nn.Conv2d``/``MaxPool2d``/``Linear``
    on ``(batch, 1, 28, 28)`` input: ``randperm`` once per epoch, each batch
    gathered with ``X[idx]``, ``zero_grad(set_to_none=True)``, forward,
    ``cross_entropy``, ``backward``, ``step``.

Run:  make bench   (or: setarch "$(uname -m)" -R .venv/bin/python benchmarks/bench_cnn.py)
Needs, optionally, torch (``make torch-if-local``); without it only plainnet is timed.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from bench_mlp import SGD_LR, have, print_environment, race, torch_epoch

import plainnet as pn
import plainnet.data
from plainnet.training import kernels

BATCHES = (32, 64, 256)
SAMPLES = 4_096  # per timed epoch: a whole number of batches of 32, 64 and 256
IMAGE_SHAPE = (28, 28, 1)
CLASSES = 10


def training_flops() -> int:
    """Floating-point operations to train LeNet-5 on one sample (multiply-adds count as 2).

    Each convolution or dense layer costs ``2 * out_positions * fan_in * out_channels``
    forward and twice that backward (kernel and input gradients), minus the first
    layer's input gradient, which nobody needs; pooling, ReLU and the loss are
    not counted.
    """
    products = [(28 * 28, 5 * 5 * 1, 6), (10 * 10, 5 * 5 * 6, 16),
                (1, 400, 120), (1, 120, 84), (1, 84, 10)]
    flops = [2 * positions * fan_in * out for positions, fan_in, out in products]
    return 3 * sum(flops) - flops[0]


def make_data(n: int = SAMPLES, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """``(X, y, source)``: channels-last float32 images in ``[0, 1]`` and int labels."""
    try:
        X, y = plainnet.data.fashion_mnist(kind="train")
        if len(X) >= n:
            return X[:n], y[:n], "Fashion-MNIST"
    except FileNotFoundError:  # not installed here: random images take the same time
        pass
    rng = np.random.default_rng(seed)
    X = rng.random((n, *IMAGE_SHAPE), dtype=np.float32)
    return X, rng.integers(0, CLASSES, n), "random images"


# ------------------------------------------------------------------ contenders
# Each factory builds a model and returns a function that trains one epoch;
# ``epoch.loss(X, y)`` gives the mean cross-entropy on ``(X, y)`` (never timed),
# so the tests can check that every contender really trains.

def plainnet_lenet(batch: int, X: np.ndarray, y: np.ndarray, verbose: int = 0,
                   use_kernels: bool = True):
    model = pn.Sequential([
        pn.Conv2D(6, 5, padding="same", activation="relu"),
        pn.MaxPool2D(2),
        pn.Conv2D(16, 5, activation="relu"),
        pn.MaxPool2D(2),
        pn.Flatten(),
        pn.Dense(120, activation="relu"),
        pn.Dense(84, activation="relu"),
        pn.Dense(CLASSES),
        pn.Softmax(),
    ], seed=0, input_shape=IMAGE_SHAPE)
    model.compile(loss="categorical_crossentropy", optimizer=pn.SGD(SGD_LR))

    def epoch():
        kernels.USE_KERNELS = use_kernels
        try:
            model.fit(X, y, epochs=1, batch_size=batch, verbose=verbose)
        finally:
            kernels.USE_KERNELS = True
    epoch.loss = lambda X_, y_: model.evaluate(X_, y_)["loss"]
    return epoch


def torch_lenet(batch: int, X: np.ndarray, y: np.ndarray):
    import torch

    torch.manual_seed(0)
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, CLASSES),
    )
    opt = torch.optim.SGD(net.parameters(), lr=SGD_LR)

    def channels_first(X_):
        return torch.from_numpy(np.ascontiguousarray(X_.transpose(0, 3, 1, 2)))

    epoch = torch_epoch(net, opt, channels_first(X), torch.from_numpy(np.asarray(y, np.int64)),
                        batch)

    def loss(X_, y_):
        with torch.no_grad():
            return float(nn.functional.cross_entropy(
                net(channels_first(X_)), torch.from_numpy(np.asarray(y_, np.int64))))
    epoch.loss = loss
    return epoch


# ------------------------------------------------------------------------ main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (after a warm-up)")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="samples per timed epoch")
    parser.add_argument("--batches", type=int, nargs="+", default=list(BATCHES))
    parser.add_argument("--plain", action="store_true",
                        help="also time plainnet without its fast kernels (the plain layers)")
    args = parser.parse_args()

    X, y, source = make_data(args.samples)
    libraries = (["plainnet"] + (["plain"] if args.plain else [])
                 + (["torch"] if have("torch") else []))
    flops = training_flops()
    print_environment(libraries)
    print(f"LeNet-5 on {len(X):,} {source} (28x28x1) per epoch, float32, SGD({SGD_LR}); "
          f"{flops / 1e6:.2f} MFLOP per training sample")
    print(f"median of {args.rounds} rounds after a warm-up; samples/s (higher is better), "
          "ratio = plainnet / other\n")

    header = f"{'case':16s} {'library':9s} {'samples/s':>11s} {'GFLOP/s':>8s} {'plainnet/x':>10s}"
    print(header)
    print("-" * len(header))
    factories = {"plainnet": plainnet_lenet, "torch": torch_lenet,
                 "plain": lambda *a: plainnet_lenet(*a, use_kernels=False)}
    for batch in args.batches:
        contenders = {lib: factories[lib](batch, X, y) for lib in libraries}
        seconds = race(contenders, args.rounds)
        for lib, t in seconds.items():
            rate = len(X) / t
            print(f"{f'LeNet-5 b{batch}':16s} {lib:9s} {rate:11,.0f} {rate * flops / 1e9:8.2f} "
                  f"{t / seconds['plainnet']:10.2f}")
        print()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
