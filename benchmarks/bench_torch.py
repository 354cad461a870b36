"""plainnet vs PyTorch on the CPU: time to train the same MLP for one epoch.

Both libraries train the same architecture on the same random data with the
same optimizer, batch size and dtype (float32), one epoch per repeat; each
row reports the median over repeats and the ratio ``torch / plainnet``
(above 1 means plainnet is faster). PyTorch runs its usual eager loop
(``zero_grad``, forward, loss, ``backward``, ``step``) on mini-batches that
are views of a pre-shuffled tensor, as a DataLoader-free loop would.

Run:  setarch "$(uname -m)" -R .venv/bin/python benchmarks/bench_torch.py
Needs torch (``pip install torch==2.13.0`` here); not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import plainnet as pn

CASES = [
    # (name, layer sizes, activation, loss, batch size, samples)
    ("digits-like 64-128-10, relu, CE", (64, 128, 10), "relu", "ce", 32, 4096),
    ("mnist-like 784-256-10, relu, CE", (784, 256, 10), "relu", "ce", 64, 8192),
    ("mnist-like 784-256-10, relu, CE, batch 256", (784, 256, 10), "relu", "ce", 256, 8192),
    ("regression 16-64-64-1, tanh, MSE", (16, 64, 64, 1), "tanh", "mse", 32, 4096),
    ("xor-like 2-8-1, tanh, BCE", (2, 8, 1), "tanh", "bce", 4, 1024),
]


def make_data(sizes, loss, n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0])).astype(np.float32)
    if loss == "ce":
        y = rng.integers(0, sizes[-1], n)
    elif loss == "bce":
        y = rng.integers(0, 2, (n, 1)).astype(np.float32)
    else:
        y = rng.standard_normal((n, sizes[-1])).astype(np.float32)
    return X, y


def plainnet_model(sizes, activation, loss):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        layers.append(pn.Dense(a, b, activation=None if last else activation))
    if loss == "ce":
        layers.append(pn.Softmax())
    elif loss == "bce":
        layers.append(pn.Sigmoid())
    model = pn.Sequential(layers, seed=0)
    name = {"ce": "categorical_crossentropy", "bce": "binary_crossentropy", "mse": "mse"}[loss]
    model.compile(loss=name, optimizer=pn.Adam(1e-3))
    return model


def time_plainnet(sizes, activation, loss, batch, X, y, repeats):
    model = plainnet_model(sizes, activation, loss)
    model.fit(X, y, epochs=1, batch_size=batch, verbose=0)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(X, y, epochs=1, batch_size=batch, verbose=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_torch(torch, sizes, activation, loss, batch, X, y, repeats):
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]
    modules = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            modules.append(act())
    net = torch.nn.Sequential(*modules)
    criterion = {"ce": torch.nn.CrossEntropyLoss(), "bce": torch.nn.BCEWithLogitsLoss(),
                 "mse": torch.nn.MSELoss()}[loss]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y)
    n = len(X)
    gen = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(n, generator=gen)
        Xs, ys = Xt[order], yt[order]
        for start in range(0, n, batch):
            xb, yb = Xs[start:start + batch], ys[start:start + batch]
            opt.zero_grad()
            out = net(xb)
            criterion(out, yb).backward()
            opt.step()

    epoch()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's own choice)")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"plainnet {pn.__version__}, numpy {np.__version__}, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads); median of {args.repeats} epochs, float32, Adam")
    header = f"{'case':44s} {'plainnet s':>10s} {'torch s':>9s} {'torch/plainnet':>14s}"
    print(header)
    print("-" * len(header))
    for name, sizes, activation, loss, batch, n in CASES:
        X, y = make_data(sizes, loss, n)
        t_pn = time_plainnet(sizes, activation, loss, batch, X, y, args.repeats)
        t_torch = time_torch(torch, sizes, activation, loss, batch, X, y, args.repeats)
        print(f"{name:44s} {t_pn:10.4f} {t_torch:9.4f} {t_torch / t_pn:14.2f}")


if __name__ == "__main__":
    main()
