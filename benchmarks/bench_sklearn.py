"""plainnet.sklearn.MLPClassifier against scikit-learn's MLPClassifier.

For each of scikit-learn's bundled digits, iris, wine and breast-cancer data
sets: 5-fold stratified cross-validation of ``StandardScaler`` followed by the
classifier, with the same hyper-parameters for both libraries. Prints the mean
accuracy of each and the total fitting time of the five folds (the median of
``--repeats`` runs, alternating the libraries in one process), and the speed
ratio (scikit-learn's time / plainnet's: above 1 means plainnet is faster).

Run it as::

    setarch "$(uname -m)" -R .venv/bin/python benchmarks/bench_sklearn.py

(``setarch -R`` turns off address-space randomisation, which steadies the
timings); the latest output lives in ``benchmarks/results/sklearn.txt``. Both
libraries run NumPy's BLAS with one thread by default (``--threads``): these
matrices are small, and single-threaded timings do not swing with the load of
the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import warnings

import numpy as np
import sklearn
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from plainnet.sklearn import MLPClassifier as PlainnetMLP

#: Hyper-parameters given to both classifiers (scikit-learn's defaults otherwise).
PARAMS = {"hidden_layer_sizes": (100,), "solver": "adam", "max_iter": 200, "random_state": 0}

DATASETS = {
    "digits": datasets.load_digits,
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
}


def run_cv(estimator_class, X, y, params=PARAMS):
    """Mean accuracy and total fit seconds of one 5-fold cross-validation."""
    pipeline = make_pipeline(StandardScaler(), estimator_class(**params))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = cross_validate(pipeline, X, y, cv=folds, n_jobs=None)
    return float(np.mean(result["test_score"])), float(np.sum(result["fit_time"]))


def compare(name, repeats):
    """One row of the table for the data set ``name``."""
    X, y = DATASETS[name](return_X_y=True)
    times = {"sklearn": [], "plainnet": []}
    accuracy = {}
    for _ in range(repeats):
        for library, cls in (("sklearn", SklearnMLP), ("plainnet", PlainnetMLP)):
            accuracy[library], seconds = run_cv(cls, X, y)
            times[library].append(seconds)
    sk_time = statistics.median(times["sklearn"])
    pn_time = statistics.median(times["plainnet"])
    return (name, accuracy["sklearn"], accuracy["plainnet"], sk_time, pn_time)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per library")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for both libraries (0: the library default)")
    args = parser.parse_args(argv)
    with threadpool_limits(limits=args.threads or None):
        report(args)


def report(args):
    """Print the table."""
    print(f"plainnet.sklearn.MLPClassifier vs sklearn.neural_network.MLPClassifier "
          f"(scikit-learn {sklearn.__version__}, NumPy {np.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs)")
    print(f"StandardScaler + MLPClassifier({', '.join(f'{k}={v!r}' for k, v in PARAMS.items())}),"
          f" 5-fold stratified CV; fit time = sum over the folds, median of {args.repeats} runs;"
          f" BLAS threads: {args.threads or 'default'}")
    print()
    header = (f"{'data set':<14}{'sklearn acc':>12}{'plainnet acc':>14}{'diff':>8}"
              f"{'sklearn fit s':>15}{'plainnet fit s':>16}{'speed ratio':>13}")
    print(header)
    print("-" * len(header))
    for name in args.datasets:
        name, sk_acc, pn_acc, sk_time, pn_time = compare(name, args.repeats)
        print(f"{name:<14}{100 * sk_acc:>11.2f}%{100 * pn_acc:>13.2f}%"
              f"{100 * (pn_acc - sk_acc):>+8.2f}{sk_time:>15.3f}{pn_time:>16.3f}"
              f"{sk_time / pn_time:>12.2f}x", flush=True)
    print()
    print("diff: plainnet minus scikit-learn, in accuracy points. speed ratio: scikit-learn's "
          "fit time / plainnet's (> 1: plainnet is faster).")


if __name__ == "__main__":
    main()
