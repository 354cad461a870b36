"""This tree's plainnet against an earlier commit's, side by side in one process.

A refactoring must not cost speed. Timing two versions in two runs an hour
apart on a shared machine says little (the same code moves by 5-30 % between
runs), so this script loads the earlier version as a second package,
``plainnet_before`` (extracted with ``git archive`` into a temporary folder),
and times both on the same cases in turns, with a pause between turns (see
``bench_mlp.SETTLE_SECONDS``), taking medians over rounds.

It also times the current version against itself (two separately built
models of the same code, ``now`` and ``now again``): their difference is the
spread of the measurement, the yardstick a difference must exceed to mean
anything. Times are seconds per epoch (XOR: per run of its epochs).

Run:  setarch "$(uname -m)" -R .venv/bin/python benchmarks/bench_versions.py [REV]
(REV defaults to the commit before the N-D layer contract, 84bf988).
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from bench_mlp import MLP_CASES, SETTLE_SECONDS, make_data  # noqa: E402

import plainnet  # noqa: E402

XOR_EPOCHS = 2_000


def load_before(rev: str, folder: pathlib.Path):
    """Import the package of commit ``rev`` as ``plainnet_before``."""
    repo = pathlib.Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(repo), "archive", rev, "src/plainnet"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    package = folder / "plainnet_before"
    (folder / "src" / "plainnet").rename(package)
    for path in package.rglob("*.py"):  # its few absolute self-imports
        text = path.read_text()
        path.write_text(text.replace("from plainnet", "from plainnet_before")
                        .replace("import plainnet", "import plainnet_before"))
    sys.path.insert(0, str(folder))
    return importlib.import_module("plainnet_before")


def mlp_epoch(pn, sizes, optimizer, batch, X, y):
    layers = [pn.Dense(a, b, activation="relu") for a, b in zip(sizes[:-2], sizes[1:-1])]
    layers += [pn.Dense(sizes[-2], sizes[-1]), pn.Softmax()]
    model = pn.Sequential(layers, seed=0)
    opt = pn.SGD(0.01) if optimizer == "sgd" else pn.Adam(1e-3)
    model.compile(loss="categorical_crossentropy", optimizer=opt)
    return lambda: model.fit(X, y, epochs=1, batch_size=batch, verbose=0)


def xor_run(pn):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    model = pn.Sequential([pn.Dense(2, 4, activation="tanh"), pn.Dense(4, 1), pn.Sigmoid()],
                          seed=0)
    model.compile(loss="binary_crossentropy", optimizer=pn.SGD(0.5))
    return lambda: model.fit(X, y, epochs=XOR_EPOCHS, batch_size=4, verbose=0)


def race(contenders: dict, rounds: int) -> dict[str, float]:
    """Median seconds of each contender, taking turns, after one warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(rounds + 1):
        for name, run in contenders.items():
            time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            run()
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", default="84bf988")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        before = load_before(args.rev, pathlib.Path(folder))
        print(f"plainnet now ({plainnet.__file__}) vs {args.rev}; numpy {np.__version__}; "
              f"median of {args.rounds} rounds; ratio = before time / now time "
              "(above 1: now is faster)\n")
        print(f"{'case':30s} {'before':>8s} {'now':>8s} {'now again':>9s} "
              f"{'now/before':>10s} {'again/before':>12s} {'spread':>7s}")
        cases = [(name, lambda pn, c=case: mlp_epoch(pn, *c[1:4], *make_data(c[1], c[4])))
                 for name, *_ in MLP_CASES for case in [next(c for c in MLP_CASES
                                                             if c[0] == name)]]
        cases.append((f"XOR 2-4-1 b4 ({XOR_EPOCHS} epochs)", xor_run))
        for name, make in cases:
            medians = race({"before": make(before), "now": make(plainnet),
                            "now again": make(plainnet)}, args.rounds)
            speedup = medians["before"] / medians["now"]
            again = medians["before"] / medians["now again"]
            spread = abs(medians["now again"] / medians["now"] - 1)
            print(f"{name:30s} {medians['before']:8.4f} {medians['now']:8.4f} "
                  f"{medians['now again']:9.4f} {speedup:10.3f} {again:12.3f} {spread:7.1%}",
                  flush=True)


if __name__ == "__main__":
    main()
