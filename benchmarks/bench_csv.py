"""Reading a large CSV file: plainnet's ``load_csv`` against ``pandas.read_csv``.

Issue 13's file: 200,000 rows x 31 columns (30 features and a 0/1 target),
numbers written with up to 9 significant digits, about 57 MB. Three files:

numbers
    Every cell a number: the target of issue 13 is a peak memory of at most
    3x the file's size and at most 2x pandas' time.
text+missing
    The same, with one text column (5 categories, one-hot) and one cell in
    500 of a number column missing (``NA``): filled with ``missing="mean"``.
semicolons
    The numbers file with ``;`` between cells and CRLF line ends, the
    delimiter found by plainnet.

Each reading runs in a fresh Python process (so that one contender's memory
is not another's), the contenders taking turns, three times; the figures
are the fastest time and, from one more reading under ``tracemalloc``, the
peak of memory that Python allocated while reading (``tracemalloc``; NumPy
reports its arrays to it) and the process's peak resident memory (``VmHWM``
of ``/proc/self/status``, Linux: it includes the interpreter and the imported
libraries, about 40 MB for plainnet and 70 MB for pandas). pandas reads the
semicolon file with ``sep=";"`` (told, not guessed) and does the same work
as ``load_csv``: ``get_dummies`` for the text column, ``fillna(mean)``.
pandas is only a yardstick here (``pip install pandas``), never a
dependency of plainnet.

Run:  .venv/bin/python benchmarks/bench_csv.py [--rows N] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROWS, FEATURES = 200_000, 30

#: Run in a child process: read the file, print seconds and peak memory as JSON.
CHILD = """
import json, sys, time, tracemalloc, warnings
which, path, trace = sys.argv[1], sys.argv[2], sys.argv[3] == "trace"
if which == "pandas":
    import pandas as pd
else:
    from plainnet.data import load_csv
if trace:
    tracemalloc.start()
start = time.perf_counter()
if which == "pandas":  # the same work: one-hot text, missing cells filled with the mean
    frame = pd.read_csv(path, sep=";" if "semicolons" in path else ",")
    frame = pd.get_dummies(frame.drop(columns="y"), dtype=float)
    X = frame.fillna(frame.mean()).to_numpy(dtype=float)
else:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = load_csv(path, target="y", missing="mean").X
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] if trace else 0
with open("/proc/self/status") as status:  # the high-water mark of this process alone
    hwm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))
print(json.dumps({"seconds": seconds, "traced": peak, "shape": list(X.shape),
                  "maxrss": hwm}))
"""


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    """The three files of the benchmark (written once; kept for the next run)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, FEATURES)) * rng.uniform(0.1, 1000, FEATURES)
    y = (X[:, 0] > 0).astype(int)
    header = ",".join([f"f{i}" for i in range(FEATURES)] + ["y"])
    paths = {name: folder / f"bench_{name}_{rows}.csv"
             for name in ("numbers", "text+missing", "semicolons")}
    if not paths["numbers"].exists():
        np.savetxt(paths["numbers"], np.column_stack([X, y]), delimiter=",", fmt="%.9g",
                   header=header, comments="")
    if not paths["semicolons"].exists():
        text = paths["numbers"].read_text().replace(",", ";").replace("\n", "\r\n")
        paths["semicolons"].write_bytes(text.encode())
    if not paths["text+missing"].exists():
        colours = np.array(["red", "green", "blue", "black", "white"])[rng.integers(0, 5, rows)]
        cells = np.char.mod("%.9g", X[:, 1:])
        cells[::500, 0] = "NA"
        with open(paths["text+missing"], "w") as file:
            file.write(header.replace("f0,", "colour,") + "\n")
            for colour, row, label in zip(colours, cells, y):
                file.write(f"{colour},{','.join(row)},{label}\n")
    return paths


def child(which: str, path: Path, trace: bool) -> dict[str, float]:
    """One reading in a fresh process: seconds, traced peak and resident peak."""
    result = subprocess.run([sys.executable, "-c", CHILD, which, str(path),
                             "trace" if trace else "time"],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def measure(contenders: list[str], path: Path, repeats: int = 3) -> dict[str, dict]:
    """Per contender: the fastest of ``repeats`` untraced readings (the contenders take
    turns, so that a busy machine slows them alike) and the peaks of one traced reading
    (tracemalloc slows Python's allocations, so it is not timed)."""
    times: dict[str, list[float]] = {who: [] for who in contenders}
    for _ in range(repeats):
        for who in contenders:
            times[who].append(child(who, path, trace=False)["seconds"])
    results = {}
    for who in contenders:
        traced = child(who, path, trace=True)
        results[who] = {"seconds": min(times[who]), "traced": traced["traced"],
                        "maxrss": traced["maxrss"]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--folder", default=tempfile.gettempdir())
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    paths = write_files(Path(args.folder), args.rows)
    try:
        import pandas  # noqa: F401
        contenders = ["plainnet", "pandas"]
    except ImportError:
        contenders = ["plainnet"]
    print(f"{'file':<14}{'MB':>6}  {'reader':<9}{'seconds':>8}{'peak MB':>9}{'x file':>8}"
          f"{'RSS MB':>8}{'x pandas':>10}")
    for name, path in paths.items():
        size = os.path.getsize(path)
        results = measure(contenders, path, args.repeats)
        for who, r in results.items():
            ratio = (f"{r['seconds'] / results['pandas']['seconds']:>10.2f}"
                     if "pandas" in results and who == "plainnet" else "")
            print(f"{name:<14}{size / 1e6:>6.1f}  {who:<9}{r['seconds']:>8.2f}"
                  f"{r['traced'] / 1e6:>9.0f}{r['traced'] / size:>8.2f}"
                  f"{r['maxrss'] / 1e6:>8.0f}{ratio}")


if __name__ == "__main__":
    main()
