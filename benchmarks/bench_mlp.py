"""plainnet vs PyTorch (CPU) vs scikit-learn vs a plain NumPy loop, side by side.

Every contender trains the same architecture on the same data, in the same
dtype (float32) with the same optimizer and batch size, **in this one
process**. The contenders take turns within each repeat (so a noisy moment
of the shared machine hits all of them), each timed run starts after a
pause that lets the previous contender's BLAS/OpenMP threads stop spinning
(see ``SETTLE_SECONDS``), the first round is a warm-up, and each figure is
the median over the remaining rounds. What counts is the
ratio ``plainnet / other`` of samples per second: above 1 means plainnet is
faster.

Contenders
----------
plainnet
    ``Sequential.fit(X, y, epochs=1, batch_size=B, verbose=0)``: input
    validation, shuffling, the loss, backpropagation and the optimizer, all
    included.
torch
    A plain eager PyTorch loop: ``randperm`` once per epoch, each batch
    gathered with ``X[idx]``, ``zero_grad(set_to_none=True)``, forward,
    ``cross_entropy``, ``backward``, ``step`` (``torch.optim`` defaults).
sklearn
    ``MLPClassifier(warm_start=True, max_iter=1)`` refitted for one epoch per
    repeat on float32 input (``alpha=0``, no momentum for SGD).
numpy
    The minimal hand-written NumPy loop (no validation, no callbacks): the
    bound plainnet's own overhead is measured against.

Also reported: GFLOP/s (training FLOPs per sample = forward 2 * in * out per
layer plus backward 4 * in * out, minus the input gradient of the first layer,
which nobody needs), the fraction of this machine's measured float32 matmul
peak, and the extra memory ``fit`` allocates on 60,000 x 784 float32 data.

Run:  make bench          (or: setarch "$(uname -m)" -R .venv/bin/python benchmarks/bench_mlp.py)
Needs scikit-learn and, optionally, torch (``pip install torch==2.13.0`` here).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np

import plainnet as pn

# -------------------------------------------------------------------- the cases
# (name, layer sizes, optimizer, batch size, samples per epoch)
MLP_CASES = [
    ("784-256-128-10 SGD  b32", (784, 256, 128, 10), "sgd", 32, 20_000),
    ("784-256-128-10 SGD  b256", (784, 256, 128, 10), "sgd", 256, 20_000),
    ("784-1024-1024-10 SGD b1024", (784, 1024, 1024, 10), "sgd", 1024, 10_240),
    ("784-256-128-10 Adam b32", (784, 256, 128, 10), "adam", 32, 20_000),
]
SGD_LR, ADAM_LR = 0.01, 1e-3
XOR_EPOCHS, XOR_LR = 10_000, 0.5


def training_flops(sizes: tuple[int, ...]) -> int:
    """Floating-point operations to train on one sample (multiply-adds count as 2)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return sum(6 * a * b for a, b in pairs) - 2 * pairs[0][0] * pairs[0][1]


def matmul_peak_gflops(dtype=np.float32, n: int = 2048, repeats: int = 7) -> float:
    """Best sustained GFLOP/s of one large square matmul (median of repeats)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    out = np.empty((n, n), dtype)
    np.matmul(a, b, out=out)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def make_data(sizes, n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], n)
    return X, y


# ------------------------------------------------------------------ contenders
# Each factory builds a model and returns a function that trains one epoch;
# ``epoch.predict(X)`` gives the model's class predictions (never timed), so
# the tests can check that every contender really trains.

def plainnet_mlp(sizes, optimizer, batch, X, y, verbose=0):
    layers = [pn.Dense(a, b, activation="relu") for a, b in zip(sizes[:-2], sizes[1:-1])]
    layers += [pn.Dense(sizes[-2], sizes[-1]), pn.Softmax()]
    model = pn.Sequential(layers, seed=0)
    opt = pn.SGD(SGD_LR) if optimizer == "sgd" else pn.Adam(ADAM_LR)
    model.compile(loss="categorical_crossentropy", optimizer=opt)

    def epoch():
        model.fit(X, y, epochs=1, batch_size=batch, verbose=verbose)
    epoch.predict = lambda X_: model.predict(X_).argmax(axis=1)
    return epoch


def torch_epoch(net, opt, Xt, yt, batch: int):
    """One shuffled epoch of PyTorch training with cross-entropy (the loop every bench uses)."""
    import torch

    n, gen = len(Xt), torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return epoch


def torch_mlp(sizes, optimizer, batch, X, y):
    import torch

    torch.manual_seed(0)
    modules = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            modules.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*modules)
    opt = (torch.optim.SGD(net.parameters(), lr=SGD_LR) if optimizer == "sgd"
           else torch.optim.Adam(net.parameters(), lr=ADAM_LR))
    epoch = torch_epoch(net, opt, torch.from_numpy(X), torch.from_numpy(y), batch)

    def predict(X_):
        with torch.no_grad():
            return net(torch.from_numpy(X_)).argmax(dim=1).numpy()
    epoch.predict = predict
    return epoch


def sklearn_mlp(sizes, optimizer, batch, X, y):
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=sizes[1:-1], activation="relu", solver=optimizer,
                        learning_rate_init=SGD_LR if optimizer == "sgd" else ADAM_LR,
                        momentum=0.0, nesterovs_momentum=False, alpha=0.0, batch_size=batch,
                        max_iter=1, shuffle=True, random_state=0, tol=0.0,
                        n_iter_no_change=10**9, warm_start=True)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter=1 on purpose
            clf.fit(X, y)
    epoch.predict = clf.predict
    return epoch


def numpy_mlp(sizes, optimizer, batch, X, y):
    """The shortest honest NumPy loop: ReLU MLP, softmax cross-entropy, plain SGD."""
    if optimizer != "sgd":
        return None
    rng = np.random.default_rng(0)
    weights = [(rng.standard_normal((a, b)) * np.sqrt(2 / (a + b))).astype(np.float32)
               for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(b, np.float32) for b in sizes[1:]]
    n = len(X)

    def epoch():
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, yb = X[idx], y[idx]
            acts = [xb]
            for W, b in zip(weights[:-1], biases[:-1]):
                acts.append(np.maximum(acts[-1] @ W + b, 0))
            z = acts[-1] @ weights[-1] + biases[-1]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(yb)), yb] -= 1
            g = p / len(yb)
            for i in range(len(weights) - 1, -1, -1):
                gw, gb = acts[i].T @ g, g.sum(axis=0)
                if i:
                    g = (g @ weights[i].T) * (acts[i] > 0)
                weights[i] -= SGD_LR * gw
                biases[i] -= SGD_LR * gb

    def predict(X_):
        h = X_
        for W, b in zip(weights[:-1], biases[:-1]):
            h = np.maximum(h @ W + b, 0)
        return (h @ weights[-1] + biases[-1]).argmax(axis=1)
    epoch.predict = predict
    return epoch


# XOR, 2-4-1 sigmoid, full batch of 4, plain SGD on the mean squared error

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], np.float32)


def plainnet_xor(verbose=0):
    model = pn.Sequential([pn.Dense(2, 4, activation="sigmoid"), pn.Dense(4, 1), pn.Sigmoid()],
                          seed=0)
    model.compile(loss="mse", optimizer=pn.SGD(XOR_LR))
    return lambda: model.fit(XOR_X, XOR_Y, epochs=XOR_EPOCHS, batch_size=4, verbose=verbose)


def torch_xor():
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1),
                              torch.nn.Sigmoid())
    opt = torch.optim.SGD(net.parameters(), lr=XOR_LR)
    Xt, yt = torch.from_numpy(XOR_X), torch.from_numpy(XOR_Y)

    def run():
        for _ in range(XOR_EPOCHS):
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.mse_loss(net(Xt), yt).backward()
            opt.step()
    return run


def sklearn_xor():
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(4,), activation="logistic", solver="sgd",
                        learning_rate_init=XOR_LR, momentum=0.0, nesterovs_momentum=False,
                        alpha=0.0, batch_size=4, max_iter=XOR_EPOCHS, tol=0.0,
                        n_iter_no_change=10**9, random_state=0)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(XOR_X, XOR_Y.ravel())
    return run


def numpy_xor():
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((2, 4)).astype(np.float32), np.zeros(4, np.float32)
    W2, b2 = rng.standard_normal((4, 1)).astype(np.float32), np.zeros(1, np.float32)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def run():
        nonlocal W1, b1, W2, b2
        for _ in range(XOR_EPOCHS):
            h = sigmoid(XOR_X @ W1 + b1)
            out = sigmoid(h @ W2 + b2)
            g2 = (out - XOR_Y) * (2 / out.size) * out * (1 - out)
            g1 = (g2 @ W2.T) * h * (1 - h)
            W2 -= XOR_LR * (h.T @ g2)
            b2 -= XOR_LR * g2.sum(axis=0)
            W1 -= XOR_LR * (XOR_X.T @ g1)
            b1 -= XOR_LR * g1.sum(axis=0)
    return run


# --------------------------------------------------------------------- timing

# After a BLAS call, OpenBLAS's worker threads (NumPy, scikit-learn) and the
# OpenMP threads of PyTorch keep spinning on the cores for up to ~0.1 s, waiting
# for more work. A contender started right after another one would share the
# cores with those spinning threads: measured here, PyTorch at batch 32 ran
# 20-30 % slower straight after a NumPy run than after a pause. So every
# timed run starts after the previous contender's threads have gone to sleep.
SETTLE_SECONDS = 0.25


def race(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds per call of each contender; they take turns, round 0 is a warm-up."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        for round_ in range(rounds + 1):
            for name, run in contenders.items():
                time.sleep(SETTLE_SECONDS)  # let the last contender's threads idle
                start = time.perf_counter()
                run()
                if round_:
                    times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def fit_memory(n: int = 60_000, sizes=(784, 256, 128, 10), batch: int = 32) -> tuple[int, int]:
    """(bytes of X, peak bytes ``fit`` allocates beyond what exists before it), by tracemalloc."""
    X, y = make_data(sizes, n, seed=1)
    train = plainnet_mlp(sizes, "sgd", batch, X, y)
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    train()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return X.nbytes, peak - before


def print_environment(libraries: list[str]) -> None:
    """The two first lines of a benchmark's output: versions, and the machine."""
    versions = [f"numpy {np.__version__}"]
    if "torch" in libraries:
        import torch

        versions.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    if "sklearn" in libraries:
        import sklearn

        versions.append(f"scikit-learn {sklearn.__version__}")
    print(f"plainnet {pn.__version__}; {', '.join(versions)}; Python {platform.python_version()}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (after a warm-up)")
    parser.add_argument("--quick", action="store_true", help="fewer samples, for a smoke run")
    parser.add_argument("--only", default=None, help="run only cases whose name contains this")
    args = parser.parse_args()

    libraries = ["plainnet", "numpy"] + [m for m in ("torch", "sklearn") if have(m)]
    peak = matmul_peak_gflops()
    print_environment(libraries)
    print(f"float32 matmul peak (2048^3): {peak:.0f} GFLOP/s; median of {args.rounds} rounds "
          "after a warm-up; samples/s (higher is better), ratio = plainnet / other\n")

    header = (f"{'case':28s} {'library':9s} {'samples/s':>11s} {'GFLOP/s':>8s} {'% peak':>7s} "
              f"{'plainnet/x':>10s}")
    print(header)
    print("-" * len(header))
    for name, sizes, optimizer, batch, n in MLP_CASES:
        if args.only and args.only not in name:
            continue
        n = n // 8 if args.quick else n
        X, y = make_data(sizes, n)
        factories = {"plainnet": plainnet_mlp, "numpy": numpy_mlp, "torch": torch_mlp,
                     "sklearn": sklearn_mlp}
        contenders = {lib: factories[lib](sizes, optimizer, batch, X, y) for lib in libraries}
        if optimizer == "sgd" and batch == 32:
            contenders["plainnet verbose=1"] = plainnet_mlp(sizes, optimizer, batch, X, y,
                                                            verbose=1)
        contenders = {k: v for k, v in contenders.items() if v is not None}
        seconds = race(contenders, args.rounds)
        flops = training_flops(sizes)
        for lib, t in seconds.items():
            rate = n / t
            gflops = rate * flops / 1e9
            print(f"{name:28s} {lib:9s} {rate:11,.0f} {gflops:8.1f} {100 * gflops / peak:6.1f}% "
                  f"{seconds[lib] / seconds['plainnet']:10.2f}")
        print()

    if not args.only or "xor" in args.only.lower():
        contenders = {"plainnet": plainnet_xor(), "numpy": numpy_xor()}
        if "torch" in libraries:
            contenders["torch"] = torch_xor()
        if "sklearn" in libraries:
            contenders["sklearn"] = sklearn_xor()
        contenders["plainnet verbose=1"] = plainnet_xor(verbose=1)
        seconds = race(contenders, max(3, args.rounds // 2))
        for lib, t in seconds.items():
            step_us = 1e6 * t / XOR_EPOCHS
            print(f"{'XOR 2-4-1 fit(batch_size=4)':28s} {lib:9s} {step_us:8.1f} us/step"
                  f" {'':9s} {t / seconds['plainnet']:10.2f}")
        print()

    if not args.only or "memory" in args.only:
        data, extra = fit_memory(n=7_500 if args.quick else 60_000)
        print(f"memory: fit on {data / 2**20:.0f} MiB of float32 X (784-256-128-10, batch 32) "
              f"allocates at most {extra / 2**20:.1f} MiB more = {100 * extra / data:.1f}% of X")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
