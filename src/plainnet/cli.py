"""The ``plainnet`` command: train, use, inspect and plot models from a shell.

Run ``plainnet --help`` (or ``python -m plainnet --help``) for the commands,
and ``plainnet COMMAND --help`` for each one's options and an example::

    plainnet xor --plot xor.png                  # the tutorial's network learns XOR
    plainnet train iris.csv --target species --out iris.pnet
    plainnet predict iris.pnet new.csv --proba   # CSV with the label names
    plainnet evaluate iris.pnet test.csv --target species
    plainnet summary iris.pnet
    plainnet plot iris.pnet test.csv --target species --out iris.png

Exit status: 0 on success; 2 for any misuse (a wrong option, a missing or
damaged file, a column that is not there, data that do not fit the model),
reported as one line ``plainnet: error: ...`` on standard error; 130 when
stopped with Ctrl-C. Set ``PLAINNET_DEBUG=1`` to see the traceback instead.

This module sits on the top floor of the package: it reads and writes files
and talks to people, and calls the library for everything else (datasets,
``Sequential.fit`` with its checkpoints, ``save``/``load``,
:mod:`plainnet.plotting`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from . import __version__, datasets
from ._csvtable import (
    Table,
    column_index,
    numeric_columns,
    read_table,
    select_columns,
    target_column,
)
from .activations import Sigmoid, Softmax, sigmoid, softmax
from .callbacks import Callback, CSVLogger, EarlyStopping
from .errors import NotCompiledError
from .layers import Dense
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy
from .model import Sequential
from .optimizers import OPTIMIZER_TYPES
from .tutorial import DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE, NeuralNetwork

__all__ = ["build_parser", "main"]

PROG = "plainnet"
DATASETS = ("xor", "moons", "circles", "spirals", "blobs", "digits")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
#: Exit status for every misuse: wrong arguments, bad files, data that do not fit.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: Errors that are the user's to fix: reported in one line, without a traceback.
USER_ERRORS = (ValueError, OSError, ImportError, NotCompiledError)
PLOT_EXTRA = 'plotting needs matplotlib; install it with: pip install "plainnet[plot]"'

Model = Sequential | NeuralNetwork


class CommandError(Exception):
    """A problem with the command's input, reported as ``plainnet: error: <message>``."""


class UsageError(Exception):
    """Options that do not go together; reported like argparse's own usage errors."""


# =====================================================================================
# Entry point
# =====================================================================================


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``plainnet`` command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 for a misuse (one line ``plainnet: error: ...`` on
        stderr), 130 after Ctrl-C. Wrong arguments make argparse exit with
        status 2 (``SystemExit``) after the same kind of one-line message.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = os.environ.get("PLAINNET_DEBUG", "") not in ("", "0")
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `plainnet predict ... | head`: the reader left early
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more will be written
        except OSError:
            pass
        return 0
    except UsageError as error:
        args.parser.error(str(error))  # one line and exit status 2, as for argparse's errors
    except (CommandError, *USER_ERRORS) as error:
        if debug:
            raise
        print(f"{PROG}: error: {_describe(error)}", file=sys.stderr)
        return EXIT_USAGE


def _describe(error: BaseException) -> str:
    """A one-line message for ``error``."""
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


# =====================================================================================
# Arguments
# =====================================================================================


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``plainnet: error: ...``, status 2."""

    def error(self, message: str):  # type: ignore[override]
        hint = f"see '{self.prog} --help'"
        self.exit(EXIT_USAGE, f"{PROG}: error: {' '.join(message.split())} ({hint})\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks; show the defaults that say something."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("default" not in text and action.option_strings and action.nargs != 0
                and action.default not in (None, argparse.SUPPRESS)):
            text += " (default: %(default)s)"
        return text


def _number(convert, accepts, expected: str):
    """An argparse ``type=`` that converts with ``convert`` and checks with ``accepts``."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not accepts(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return parse


_positive_int = _number(int, lambda v: v >= 1, "a positive integer")
_non_negative_int = _number(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _number(float, lambda v: np.isfinite(v) and v > 0, "a positive number")
_fraction = _number(float, lambda v: 0.0 <= v < 1.0, "a number in [0, 1)")


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """``"64,32"`` -> ``(64, 32)``; ``""`` or ``"0"`` -> no hidden layer."""
    if text.strip() in ("", "0"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer sizes such as 64,32, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


EPILOG_MAIN = """\
example:
  plainnet train iris.csv --target species --out iris.pnet
more examples:
  plainnet xor --plot xor.png                        the tutorial's network learns XOR
  plainnet predict iris.pnet new.csv --proba         predictions with the label names
  plainnet evaluate iris.pnet test.csv --target species
  plainnet summary iris.pnet                         layers and training record
  plainnet plot iris.pnet test.csv --target species --out iris.png

Run `plainnet COMMAND --help` for the options of a command.
Exit status: 0 ok; 2 misuse (wrong option, missing or damaged file, data that
do not fit), with one line `plainnet: error: ...`; 130 Ctrl-C.
Set PLAINNET_DEBUG=1 to see full tracebacks.
"""

EPILOG_XOR = """\
example:
  plainnet xor --seed 0 --plot xor.png   train, print the table, draw loss and surface
more examples:
  plainnet xor --seed 3 --epochs 5000    other initial weights, longer training
  plainnet xor --out xor.pnet            also save the network (see `plainnet summary`)
"""

EPILOG_TRAIN = """\
DATA.csv has a header row; every column but --target is a feature and must
hold numbers. The task is guessed from the target (text, or at most 20
distinct whole numbers: classification; other numbers: regression) unless
--task says. The model is a stack of Dense layers (--hidden sizes,
--activation between them) with the output the task needs:
  2 classes            1 output + Sigmoid, binary cross-entropy
  3 or more classes    k outputs + Softmax, categorical cross-entropy
  regression           1 linear output, mean squared error
Rows are shuffled with --seed, then the last --validation-split of them is
held out. Features (and a regression target) are standardised with the
training rows' mean and standard deviation; the scaling is then folded into
the first (and last) Dense layer, so the saved model takes raw inputs. The
model file keeps, in its metadata, the feature names, the scaling, the class
labels (e.g. "setosa"), the target, the settings and the final metrics.

--checkpoint FILE saves the whole training state after every epoch; after an
interruption, the same command with --resume goes on from there and ends
with exactly the model an uninterrupted run gives (with --early-stopping,
the best weights so far are kept in FILE.best).

example:
  plainnet train iris.csv --target species --hidden 16 --out iris.pnet
more examples:
  plainnet train houses.csv --target price --task regression --epochs 300 --plot curves.png
  plainnet train big.csv --target y --early-stopping 10 --checkpoint run.ckpt --out big.pnet
  plainnet train big.csv --target y --early-stopping 10 --checkpoint run.ckpt --out big.pnet \\
      --resume                                                  (after an interruption)
  plainnet train --data moons --epochs 200 --out moons.pnet     (a built-in data set)
"""

EPILOG_PREDICT = """\
The model's feature columns are found in DATA.csv by name (the model file
keeps them), in any order; other columns, such as the target, are ignored.
A missing column is an error naming it. Models without feature names (made
in Python, or trained on --data) read every column but --target, in file
order. Classifiers write the label names they were trained on ("setosa"),
and with --proba also a column probability_<label> per class.

example:
  plainnet predict iris.pnet new.csv --out predictions.csv --proba
more examples:
  plainnet predict iris.pnet new.csv                   CSV on standard output
  plainnet predict houses.pnet new.csv | head
"""

EPILOG_EVALUATE = """\
Classifiers: the accuracy, the cross-entropy loss and a confusion matrix
labelled with the class names (rows: the true class, columns: the predicted
one). Regression: the mean squared error, mean absolute error and R².
Labels are matched to the classes saved with the model, so the file may hold
only some of them; a label the model was not trained on is an error.
--target defaults to the column the model was trained on.

example:
  plainnet evaluate iris.pnet test.csv --target species
more examples:
  plainnet evaluate houses.pnet test.csv --target price --json
  plainnet evaluate moons.pnet --data moons --seed 1            (fresh samples)
"""

EPILOG_SUMMARY = """\
The layers with their output shapes and parameter counts, then what the
model file records about its training: task, target, features, classes,
settings, epochs and the final metrics.

example:
  plainnet summary iris.pnet
"""

EPILOG_PLOT = """\
Needs matplotlib: pip install "plainnet[plot]". A classifier with two input
features gets its decision regions, with the data on top; any other model
gets its training history (loss and metrics, training and validation).

example:
  plainnet plot moons.pnet points.csv --target label --out boundary.png
more examples:
  plainnet plot iris.pnet test.csv --target species --out history.png
  plainnet plot moons.pnet --data moons --out boundary.png
"""

EPILOG_PLOT_HISTORY = """\
Needs matplotlib: pip install "plainnet[plot]".

example:
  plainnet train data.csv --target y --log log.csv && plainnet plot-history log.csv --out c.png
more examples:
  plainnet plot-history log.csv --metrics loss --out loss.png
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``plainnet`` command, with one sub-parser per command."""
    parser = _Parser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog=EPILOG_MAIN, description="plainnet: a small neural-network "
                     "library on NumPy, from the shell.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND",
                                     required=True)
    _add_xor(commands)
    _add_train(commands)
    _add_predict(commands)
    _add_evaluate(commands)
    _add_summary(commands)
    _add_plot(commands)
    _add_plot_history(commands)
    return parser


def _command(commands, name: str, help_text: str, epilog: str, handler,
             aliases: Sequence[str] = ()) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=help_text, description=help_text + ".",
                              epilog=epilog, formatter_class=_Formatter, aliases=list(aliases))
    sub.set_defaults(parser=sub, handler=handler)  # the parser: for usage errors found later
    return sub


def _add_model_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="a model file saved by plainnet (.pnet)")


def _add_data_arguments(p: argparse.ArgumentParser, target_help: str,
                        generated: bool = True) -> None:
    """DATA.csv (or --csv), --target, --no-header; and --data NAME for a built-in set."""
    p.add_argument("csv", metavar="DATA.csv", nargs="?",
                   help="a CSV file with a header row")
    p.add_argument("--target", metavar="COLUMN", help=target_help)
    group = p.add_argument_group("other data sources")
    group.add_argument("--csv", dest="csv_option", metavar="PATH", help="same as DATA.csv")
    group.add_argument("--no-header", dest="header", action="store_false",
                       help="the CSV file has no header row (columns are given by number, "
                       "-1 for the last)")
    if not generated:
        return
    group.add_argument("--data", choices=DATASETS, metavar="NAME",
                       help="a built-in data set instead of a file: " + ", ".join(DATASETS)
                       + " (digits needs scikit-learn)")
    group.add_argument("--samples", type=_positive_int, default=500, metavar="N",
                       help="points of a generated data set (moons, circles, spirals, blobs)")
    group.add_argument("--noise", type=float, default=None, metavar="X",
                       help="noise of a generated data set (default: the data set's own)")


def _add_xor(commands) -> None:
    p = _command(commands, "xor", "train the tutorial's 2-4-1 NeuralNetwork on XOR and print "
                 "its outputs", EPILOG_XOR, cmd_xor)
    p.add_argument("--epochs", type=_positive_int, default=DEFAULT_EPOCHS, metavar="N",
                   help="gradient-descent steps")
    p.add_argument("--learning-rate", type=_positive_float, default=DEFAULT_LEARNING_RATE,
                   metavar="LR", help="step size")
    p.add_argument("--seed", type=_non_negative_int, default=None, metavar="S",
                   help="seed of the initial weights (default: fresh random weights each run)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw the loss curve and the learned decision surface to this file")
    p.add_argument("--hidden", type=_positive_int, default=4, metavar="N",
                   help="hidden neurons")
    p.add_argument("--out", metavar="FILE", help="also save the trained network to this file")


def _add_train(commands) -> None:
    p = _command(commands, "train", "train a Sequential model on a CSV file and save it",
                 EPILOG_TRAIN, cmd_train)
    _add_data_arguments(p, "the column to predict, by name (or number with --no-header)")
    p.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                   help="auto: classification for text or a few whole-number targets, else "
                   "regression")
    p.add_argument("--hidden", type=_hidden_sizes, default="64,32", metavar="SIZES",
                   help="hidden layer sizes, comma-separated (0 for none)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                   help="activation of the hidden layers")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZER_TYPES), default="adam",
                   help="update rule")
    p.add_argument("--learning-rate", type=_positive_float, default=0.001, metavar="LR",
                   help="step size of the optimizer")
    p.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                   help="passes over the training rows")
    p.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                   help="rows per gradient step")
    p.add_argument("--validation-split", type=_fraction, default=0.2, metavar="F",
                   help="fraction of the rows held out to validate")
    p.add_argument("--early-stopping", "--patience", dest="patience", type=_positive_int,
                   metavar="PATIENCE", help="stop after PATIENCE epochs without a better "
                   "val_loss (loss without validation) and keep the best weights")
    p.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                   help="seed of the shuffling, the split and the initial weights (and of a "
                   "generated data set)")
    p.add_argument("--out", metavar="FILE", default="model.pnet",
                   help="where to save the trained model (written atomically)")
    p.add_argument("--checkpoint", metavar="FILE",
                   help="save the training state to FILE after every epoch")
    p.add_argument("--resume", action="store_true",
                   help="go on from the --checkpoint FILE of an interrupted run")
    p.add_argument("--plot", metavar="FILE.png", help="draw the learning curves to this file")
    p.add_argument("--log", metavar="FILE", help="write each epoch's losses and metrics to "
                   "this CSV file (see plot-history)")
    p.add_argument("--no-standardize", dest="standardize", action="store_false",
                   help="train on the features as they are")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="0 quiet, 1 a progress line on stderr, 2 a line per epoch on stdout")


def _add_predict(commands) -> None:
    p = _command(commands, "predict", "predict every row of a CSV file with a saved model",
                 EPILOG_PREDICT, cmd_predict)
    _add_model_argument(p)
    _add_data_arguments(p, "a column to leave out, for models that read every column",
                        generated=False)
    p.add_argument("--out", "--output", dest="out", metavar="FILE.csv",
                   help="write the predictions here instead of to standard output")
    p.add_argument("--proba", action="store_true",
                   help="add the probability of each class (classifiers)")


def _add_evaluate(commands) -> None:
    p = _command(commands, "evaluate", "print a saved model's metrics on a labelled CSV file",
                 EPILOG_EVALUATE, cmd_evaluate)
    _add_model_argument(p)
    _add_data_arguments(p, "the column with the true values (default: the model's target)")
    p.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                   help="seed of a generated data set")
    p.add_argument("--json", action="store_true", help="print the results as a JSON object")


def _add_summary(commands) -> None:
    p = _command(commands, "summary", "print a saved model's layers and training record",
                 EPILOG_SUMMARY, cmd_summary, aliases=["info"])
    _add_model_argument(p)


def _add_plot(commands) -> None:
    p = _command(commands, "plot", "draw a saved model's decision regions (2 features) or "
                 "its training history", EPILOG_PLOT, cmd_plot)
    _add_model_argument(p)
    _add_data_arguments(p, "the column with the classes (default: the model's target)")
    p.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                   help="seed of a generated data set")
    p.add_argument("--out", metavar="FILE.png", required=True,
                   help="image file to write (.png, .pdf, .svg)")
    p.add_argument("--resolution", type=_positive_int, default=200, metavar="N",
                   help="grid points per axis of the decision regions")


def _add_plot_history(commands) -> None:
    p = _command(commands, "plot-history", "draw the learning curves logged by `train --log`",
                 EPILOG_PLOT_HISTORY, cmd_plot_history)
    p.add_argument("log", metavar="LOG", help="a CSV file written by --log (CSVLogger)")
    p.add_argument("--out", metavar="FILE.png", required=True, help="image file to write")
    p.add_argument("--metrics", metavar="NAMES",
                   help="comma-separated names to plot (default: all)")


# =====================================================================================
# Data
# =====================================================================================


class Data(NamedTuple):
    """A data set as the commands use it."""

    X: np.ndarray                   # (n, d) float64 features
    y: np.ndarray | None            # (n,) codes of text labels, or numbers; None: no target
    classes: list[str] | None       # label of code i for a text target, else None
    name: str                       # for messages: "moons" or the CSV path
    generated: bool = False         # a built-in data set (always classification)
    target: str | int | None = None  # the target column: its name (or number without header)
    features: list[str] | None = None  # the names of X's columns, when the file has a header


def _csv_path(args: argparse.Namespace, required: bool = True) -> str | None:
    """The CSV file given as DATA.csv or --csv (not both)."""
    paths = [path for path in (args.csv, args.csv_option) if path is not None]
    if len(paths) == 2:
        raise UsageError("give the CSV file once: as DATA.csv or with --csv")
    if not paths and required:
        raise UsageError("give a CSV file: DATA.csv")
    return paths[0] if paths else None


def load_data(args: argparse.Namespace, model: Model | None = None) -> Data:
    """The data chosen on the command line: a CSV file, or ``--data NAME``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options: ``csv``/``csv_option``, ``target``, ``header``,
        and ``data``, ``samples``, ``noise``, ``seed`` for a built-in set.
    model : Sequential or NeuralNetwork, optional
        The model the data are for: its features are then picked from the
        file by name (when both know them), and ``--target`` defaults to the
        model's target column. Without a model, every column but the target
        is a feature (``train``).

    Returns
    -------
    Data

    Raises
    ------
    UsageError
        For options that do not go together, or a missing ``--target``.
    ValueError, OSError
        For a file that cannot be read, a missing column, a cell that is not
        a number (see :mod:`plainnet._csvtable`).
    """
    path = _csv_path(args, required=args.data is None)
    if args.data is not None:
        if path is not None:
            raise UsageError("give a CSV file or --data NAME, not both")
        if args.target is not None:
            raise UsageError("--target goes with a CSV file; a built-in data set has its labels")
        return _builtin(args.data, args.samples, args.noise, args.seed)
    table = read_table(path, header=args.header)
    target = args.target if args.target is not None else _saved_target(model, table)
    if target is None:
        raise UsageError("--target COLUMN is needed: the name of the column to predict")
    column = column_index(table, target)
    features = _feature_columns(model, table, exclude=column)
    y, classes = target_column(table, column)
    names = table.names
    return Data(numeric_columns(table, features), y, classes, path,
                target=names[column] if names is not None else column,
                features=[names[j] for j in features] if names is not None else None)


def _builtin(name: str, samples: int, noise: float | None, seed: int) -> Data:
    kwargs: dict[str, Any] = {} if noise is None else {"noise": noise}
    if name == "xor":
        X, y = datasets.xor()
    elif name == "digits":
        X, y = datasets.digits()
    elif name == "blobs":
        X, y = datasets.blobs(samples, seed=seed,
                              **({} if noise is None else {"cluster_std": noise}))
    else:
        X, y = getattr(datasets, name)(samples, seed=seed, **kwargs)
    return Data(np.asarray(X, dtype=np.float64), np.asarray(y), None, name, generated=True)


def _saved_target(model: Model | None, table: Table) -> str | None:
    """The model's target column, if it was trained on a CSV with a header and this has one."""
    target = _metadata(model).get("target") if model is not None else None
    return target if isinstance(target, str) and table.names is not None else None


def _feature_columns(model: Model | None, table: Table, exclude: int | None) -> list[int]:
    """The columns the model reads: its features by name, else every column but ``exclude``."""
    names = _saved_features(model) if model is not None else None
    if names is not None and table.names is not None:
        return select_columns(table, names)
    return [j for j in range(table.width) if j != exclude]


# =====================================================================================
# Models and their metadata
# =====================================================================================
# `train` records in ``model.metadata`` (saved in the file):
#   "task"      "classification" or "regression"
#   "target"    the target column's name (its number for a file without a header)
#   "features"  the feature columns' names, in the order the model reads them
#   "classes"   the class labels: output i is classes[i] (text, or whole numbers)
#   "dataset"   the name of a built-in data set, instead of target and features
#   "scaling"   the standardisation: feature_mean, feature_scale (and target_mean,
#               target_scale); "folded": true once it is folded into the weights, so the
#               model takes raw inputs (a --checkpoint file has false: it is a training state)
#   "training"  the settings: hidden, activation, optimizer, learning_rate, batch_size,
#               epochs, validation_split, early_stopping, seed, standardize
#   "result"    epochs trained, whether it stopped early, final train/validation metrics
# Models without metadata (made in Python) work too: their classes are numbered.


def _load_model(path: str) -> Model:
    from . import load

    model = load(path)
    scaling = _metadata(model).get("scaling")
    if isinstance(scaling, dict) and scaling.get("folded") is False:
        raise CommandError(f"{path} is a training checkpoint (it works on standardised "
                           "inputs); use the model that train saved with --out, or finish "
                           "training with --resume")
    return model


def _metadata(model: Model | None) -> dict[str, Any]:
    metadata = getattr(model, "metadata", None)
    return metadata if isinstance(metadata, dict) else {}


def _is_classifier(model: Model) -> bool:
    if isinstance(model, NeuralNetwork):
        return True  # sigmoid outputs between 0 and 1, read as probabilities
    task = _metadata(model).get("task")
    if task in ("classification", "regression"):
        return task == "classification"
    if model.compiled and isinstance(model.loss, (BinaryCrossEntropy, CategoricalCrossEntropy)):
        return True
    return isinstance(model.layers[-1], (Sigmoid, Softmax))


def _n_outputs(model: Model) -> int:
    return model.output_layer if isinstance(model, NeuralNetwork) else model.n_outputs


def _n_inputs(model: Model) -> int:
    return model.input_layer if isinstance(model, NeuralNetwork) else model.n_inputs


def _saved_classes(model: Model) -> list[str | int] | None:
    """The class labels saved in a classifier's metadata (label i for output i), or None."""
    if "classes" not in _metadata(model):
        return None
    classes = _metadata(model)["classes"]
    k = max(_n_outputs(model), 2)
    if not (type(classes) is list and len(classes) == k
            and all(type(c) in (str, int) for c in classes)
            and len({str(c) for c in classes}) == k):
        raise CommandError(f"the model's metadata['classes'] must be a list of {k} distinct "
                           f"class labels (text or integers), one per class; got "
                           f"{_shorten(json.dumps(classes))}")
    return classes


def _class_names(model: Model) -> list[str]:
    """The label of each output class as text: the saved labels, or 0, 1, ..."""
    classes = _saved_classes(model)
    if classes is None:
        classes = list(range(max(_n_outputs(model), 2)))
    return [str(c) for c in classes]


def _saved_features(model: Model) -> list[str] | None:
    """The input columns' names saved in the model's metadata, or None."""
    features = _metadata(model).get("features")
    if (type(features) is list and len(features) == _n_inputs(model)
            and all(type(name) is str for name in features)):
        return features
    return None


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _list(labels: Sequence[Any], limit: int = 10, quote: bool = False) -> str:
    shown = ", ".join(repr(label) if quote and isinstance(label, str) else str(label)
                      for label in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _check_width(model: Model, X: np.ndarray, source: str) -> None:
    if X.shape[1] != _n_inputs(model):
        raise CommandError(f"{source} has {X.shape[1]} feature columns, but the model expects "
                           f"{_n_inputs(model)}")


def _probabilities(model: Model, X: np.ndarray) -> np.ndarray:
    """Class probabilities ``(n, k)`` of a classifier (k >= 2)."""
    outputs = np.asarray(model.predict(X), dtype=np.float64)
    if getattr(model, "outputs_are_logits", False):
        outputs = sigmoid(outputs) if outputs.shape[1] == 1 else softmax(outputs)
    if outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs


def _labels_for(model: Model, data: Data) -> np.ndarray:
    """The targets of ``data`` as the model numbers its outputs (classes) or as numbers."""
    if not _is_classifier(model):
        if data.classes is not None:
            raise CommandError(f"{data.name}: the target {data.target!r} holds text, but the "
                               "model is a regression model")
        return data.y
    classes = _saved_classes(model)
    if classes is not None:
        return _encode_labels(classes, data)
    k = max(_n_outputs(model), 2)
    y = data.y
    if data.classes is not None and len(data.classes) != k:
        raise CommandError(
            f"{data.name}: the target has {len(data.classes)} distinct labels but the model "
            f"has {k} classes; text labels are numbered in sorted order, so every class must "
            "appear")
    if data.classes is None and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= k):
        raise CommandError(f"{data.name}: the model has {k} classes, so the labels must be "
                           f"whole numbers 0..{k - 1} (or text); found {y.min():g}..{y.max():g}")
    return y.astype(np.int64)


def _encode_labels(classes: list[str | int], data: Data) -> np.ndarray:
    """``data``'s labels (text or numbers) as indices into the saved ``classes``."""
    if data.classes is not None:  # text in the file: match the text
        index = {str(c): i for i, c in enumerate(classes)}
        found: list = list(data.classes)
    else:  # numbers in the file: match by value the classes that are numbers
        by_value: dict[float, int] = {}
        for i, c in enumerate(classes):
            try:
                value = float(c)
            except (ValueError, OverflowError):
                continue
            by_value[value] = -1 if value in by_value else i  # -1: two classes, same value
        found = [_plain_number(v) for v in np.unique(data.y)]
        index = {v: by_value[float(v)] for v in found if by_value.get(float(v), -1) >= 0}
    unknown = [label for label in found if label not in index]
    if unknown:
        raise CommandError(f"{data.name}: the target has the label(s) "
                           f"{_list(unknown, 5, quote=True)} that the model was not trained "
                           f"on; its classes are {_list(classes)}")
    codes = np.array([index[label] for label in found], dtype=np.int64)
    if data.classes is not None:
        return codes[data.y]
    return codes[np.searchsorted(np.unique(data.y), data.y)]


def _plain_number(value: float) -> int | float:
    """``3.0`` -> ``3`` (for messages and matching), other values as they are."""
    value = float(value)
    return int(value) if value.is_integer() else value


# =====================================================================================
# Metrics
# =====================================================================================

#: How the metrics are named on the screen.
METRIC_NAMES = {"loss": "loss", "accuracy": "accuracy", "mse": "MSE", "mae": "MAE", "r2": "R²"}


def _metric_name(key: str) -> str:
    """The display name of a metric; R2 where the terminal cannot show "R²"."""
    name = METRIC_NAMES.get(key, key)
    try:
        name.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        name = name.replace("²", "2")
    return name


def _format_scores(scores: dict[str, Any]) -> str:
    """``loss 0.1234  accuracy 0.9667``: fractions with four decimals, others four digits."""
    return "  ".join(f"{_metric_name(k)} {v:.4f}" if k in ("accuracy", "r2")
                     else f"{_metric_name(k)} {v:.4g}"
                     for k, v in scores.items() if isinstance(v, float))


def _scores(model: Model, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Classifiers: loss and accuracy; regression: MSE, MAE and R², on raw data."""
    from .metrics import mae, mse, r2

    if not _is_classifier(model):
        outputs = np.asarray(model.predict(X), dtype=np.float64).reshape(len(X), -1)
        targets = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        return {"mse": float(mse(targets, outputs)), "mae": float(mae(targets, outputs)),
                "r2": float(r2(targets, outputs))}
    predicted = _probabilities(model, X).argmax(axis=1)
    scores = {"accuracy": float(np.mean(predicted == y))}
    if isinstance(model, NeuralNetwork):
        scores["loss"] = float(model.loss(X, y))  # the tutorial's mean squared error
    elif model.compiled:
        scores["loss"] = float(model.evaluate(X, y)["loss"])
    return dict(sorted(scores.items(), key=lambda item: item[0] != "loss"))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Count how often each class was predicted as each other class.

    Parameters
    ----------
    y_true, y_pred : ndarray of int, shape (n,)
        True and predicted classes, numbered 0..k-1.
    k : int
        The number of classes.

    Returns
    -------
    ndarray of int, shape (k, k)
        Entry ``[i, j]`` is how many samples of class i were predicted as j;
        the diagonal holds the correct answers.
    """
    return np.bincount(np.asarray(y_true) * k + np.asarray(y_pred),
                       minlength=k * k).reshape(k, k)


def _format_confusion(matrix: np.ndarray, names: Sequence[str]) -> str:
    """A table with the true classes as rows and the predicted ones as columns."""
    names = [str(n) for n in names]
    first = max(len("true \\ predicted"), *(len(n) for n in names))
    widths = [max(len(n), len(str(matrix.max()))) for n in names]
    lines = ["true \\ predicted".ljust(first) + "".join(f"  {n:>{w}}"
                                                        for n, w in zip(names, widths))]
    for name, row in zip(names, matrix):
        lines.append(name.ljust(first) + "".join(f"  {v:>{w}}" for v, w in zip(row, widths)))
    return "\n".join(lines)


# =====================================================================================
# xor
# =====================================================================================


def cmd_xor(args: argparse.Namespace) -> int:
    """``plainnet xor``: the tutorial's program, with a table and an optional figure."""
    if args.plot:
        _prepare_figure_file(args.plot)
    X, y = datasets.xor()
    network = NeuralNetwork(hidden_layer=args.hidden, seed=args.seed)
    network.train(X, y, epochs=args.epochs, learning_rate=args.learning_rate)
    outputs = network.predict(X)[:, 0]
    seed = "random" if args.seed is None else args.seed
    print(f"The tutorial's 2-{args.hidden}-1 network, {args.epochs} epochs, learning rate "
          f"{args.learning_rate:g}, seed {seed}")
    print(f"loss (mean squared error): {network.loss_history[0]:.4f} -> "
          f"{network.loss(X, y):.6f}")
    print("input  target  output")
    for inputs, target, output in zip(X.astype(int), y, outputs):
        print(f"{inputs[0]} {inputs[1]}    {target}       {output:.4f}")
    if np.all(np.abs(outputs - y) < 0.5):
        print("Every output is on the right side of 0.5: XOR learned.")
    else:
        print("Not learned: this start is stuck (it happens); try another --seed or more "
              "--epochs.")
    if args.out:
        network.save(args.out)
        print(f"saved the network to {args.out}")
    if args.plot:
        _save_figure(_xor_figure(network, X, y), args.plot,
                     "the loss curve and the decision surface")
    return 0


def _xor_figure(network: NeuralNetwork, X: np.ndarray, y: np.ndarray):
    """The loss curve (left) and the learned decision surface (right)."""
    import matplotlib.pyplot as plt

    from .plotting import plot_decision_boundary, plot_history

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    plot_history(network, ax=left)
    left.set_title("Loss (mean squared error)")
    plot_decision_boundary(network, X, y, ax=right, resolution=150,
                           class_names=["XOR = 0", "XOR = 1"])
    right.set_title("Learned decision surface")
    fig.suptitle(f"The tutorial's 2-{network.hidden_layer}-1 network learning XOR")
    return fig


# =====================================================================================
# train
# =====================================================================================


@dataclass
class Scaling:
    """Standardisation learnt from the training rows: ``x_std = (x - mean) / scale``."""

    mean: np.ndarray
    scale: np.ndarray
    y_mean: float | None = None
    y_scale: float | None = None

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray | None, standardize: bool) -> Scaling:
        """The scaling of ``X`` (and of a regression target ``y``), or none at all."""
        if not standardize:
            return cls(np.zeros(X.shape[1]), np.ones(X.shape[1]))
        scaler = datasets.Standardizer().fit(X)
        if y is None:
            return cls(scaler.mean_, scaler.scale_)
        return cls(scaler.mean_, scaler.scale_, float(y.mean()), float(y.std()) or 1.0)

    def inputs(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def targets(self, y: np.ndarray) -> np.ndarray:
        return y if self.y_mean is None else (y - self.y_mean) / self.y_scale

    def to_json(self, folded: bool) -> dict[str, Any]:
        """For the metadata; ``folded`` says whether the weights already include it."""
        record: dict[str, Any] = {"feature_mean": self.mean.tolist(),
                                  "feature_scale": self.scale.tolist()}
        if self.y_mean is not None:
            record.update(target_mean=self.y_mean, target_scale=self.y_scale)
        return {**record, "folded": folded}

    def fold_into(self, model: Sequential) -> None:
        """Fold the scaling into the first (and last) Dense layer: the model takes raw data.

        The model was trained on ``x_std = (x - mean) / scale``. Its first layer
        computes ``x_std @ W + b = x @ (W / scale[:, None]) + (b - (mean / scale) @ W)``,
        so with those weights it gives the same outputs from the raw ``x``. A
        regression model trained on ``y_std = (y - y_mean) / y_scale`` predicts
        ``y = y_std * y_scale + y_mean``: its last Dense layer is scaled the same way.
        """
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        first, last = dense[0], dense[-1]
        W, b = first.weights.astype(np.float64), first.bias.astype(np.float64)
        np.copyto(first.weights, W / self.scale[:, None])        # (in, out)
        np.copyto(first.bias, b - (self.mean / self.scale) @ W)  # (in,) @ (in, out) -> (out,)
        if self.y_mean is not None:
            np.copyto(last.weights, last.weights.astype(np.float64) * self.y_scale)
            np.copyto(last.bias, last.bias.astype(np.float64) * self.y_scale + self.y_mean)


class Split(NamedTuple):
    """The rows to train on and the rows to validate on (possibly none)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def cmd_train(args: argparse.Namespace) -> int:
    """``plainnet train``: read, build (or resume), fit, report, save."""
    _check_train_files(args)
    data = load_data(args)
    _check_features(data)
    task, reason = _choose_task(data, args.task)
    y, classes = _training_targets(data, task)
    split = _shuffle_and_split(data.X, y, args.validation_split, args.seed)
    scaling = Scaling.fit(split.X_train, split.y_train if task == "regression" else None,
                          args.standardize)
    metadata = _training_metadata(data, task, classes, scaling, args)
    model = (_resume_model(args, metadata) if args.resume
             else _new_model(args, data.X.shape[1], classes))
    model.metadata = metadata
    _print_plan(data, task, reason, classes, split, model, args)

    finished = _fit(model, split, scaling, args)
    if not finished:  # Ctrl-C: fit kept the completed epochs (and the checkpoint has them)
        hint = "; run again with --resume to go on" if args.checkpoint else ""
        print(f"{PROG}: interrupted after {model.epochs_done} epochs; the model was not "
              f"saved{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED

    scaling.fold_into(model)
    result = _report(model, split, args)
    model.metadata = {**metadata, "scaling": scaling.to_json(folded=True), "result": result}
    model.save(args.out)
    print(f"saved the model to {args.out}")
    if args.plot:
        _save_figure(_history_figure(model, args.out), args.plot, "the learning curves")
    return 0


def _check_train_files(args: argparse.Namespace) -> None:
    """Fail before any training: options that clash, folders that do not exist."""
    if args.resume and not args.checkpoint:
        raise UsageError("--resume needs --checkpoint FILE: the checkpoint to go on from")
    if args.checkpoint and os.path.abspath(args.checkpoint) == os.path.abspath(args.out):
        raise UsageError("--checkpoint and --out must be different files")
    if args.resume and not os.path.isfile(args.checkpoint):
        raise CommandError(f"cannot resume: there is no checkpoint {args.checkpoint} (run "
                           "without --resume to start)")
    for option, path in (("--out", args.out), ("--checkpoint", args.checkpoint),
                         ("--log", args.log)):
        if path is not None:
            _check_writable(option, path)
    if args.plot:
        _prepare_figure_file(args.plot)


def _check_writable(option: str, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CommandError(f"{option} {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise CommandError(f"{option} {path}: it is a folder")


def _check_features(data: Data) -> None:
    """At least one feature column, and names that tell the columns apart."""
    if data.X.shape[1] == 0:
        raise CommandError(f"{data.name}: there is no feature column besides the target "
                           f"{data.target!r}")
    names = data.features or []
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CommandError(f"{data.name}: the header names the column {repeated[0]!r} more "
                           "than once; predict finds the features by name, so give each "
                           "column its own name")


def _choose_task(data: Data, task: str) -> tuple[str, str]:
    """``(task, why)``: the task asked for, or the one the target suggests."""
    if task == "regression" and (data.classes is not None or data.generated):
        raise CommandError(f"{data.name}: the target holds class labels (text), so the task "
                           "cannot be regression")
    if task != "auto":
        return task, "--task"
    if data.generated:
        return "classification", "a built-in data set"
    if data.classes is not None:
        return "classification", "the target is text"
    values = np.unique(data.y)
    few = min(20, max(2, len(data.y) // 2))
    if np.all(values == np.round(values)) and len(values) <= few:
        return "classification", f"the target has {len(values)} distinct whole numbers"
    return "regression", "the target is numbers"


def _training_targets(data: Data, task: str) -> tuple[np.ndarray, list | None]:
    """``(y, classes)``: class codes 0..k-1 and their labels, or the values for regression."""
    if task == "regression":
        return data.y.astype(np.float64), None
    if data.classes is not None:
        return data.y, list(data.classes)
    values = np.unique(data.y)
    if np.any(values != np.round(values)):
        raise CommandError(f"{data.name}: the target has fractional values, so they are not "
                           "class labels; use --task regression")
    if len(values) < 2:
        raise CommandError(f"{data.name}: the target has a single class ({values[0]:g}); "
                           "a classifier needs at least 2")
    if data.generated:  # labels 0..k-1, every class named even if absent
        values = np.arange(int(values.max()) + 1)
    return np.searchsorted(values, data.y).astype(np.int64), [int(v) for v in values]


def _shuffle_and_split(X: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> Split:
    """Shuffle the rows (a file may be sorted by class), then hold out the last ``fraction``."""
    n = len(X)
    order = np.random.default_rng(seed).permutation(n)
    X, y = X[order], y[order]
    n_val = int(round(n * fraction))
    if n_val >= n:
        raise CommandError(f"--validation-split {fraction} leaves no rows to train on out of "
                           f"{n}")
    n_train = n - n_val
    return Split(X[:n_train], y[:n_train], X[n_train:], y[n_train:])


def _training_metadata(data: Data, task: str, classes: list | None, scaling: Scaling,
                       args: argparse.Namespace) -> dict[str, Any]:
    """What the model file records about its data, preprocessing and settings."""
    metadata: dict[str, Any] = {"task": task}
    if data.generated:
        metadata["dataset"] = data.name
    else:
        metadata["target"] = data.target
        if data.features is not None:
            metadata["features"] = list(data.features)
    if classes is not None:
        metadata["classes"] = classes
    metadata["scaling"] = scaling.to_json(folded=False)
    metadata["training"] = {
        "hidden": list(args.hidden), "activation": args.activation,
        "optimizer": args.optimizer, "learning_rate": args.learning_rate,
        "batch_size": args.batch_size, "epochs": args.epochs,
        "validation_split": args.validation_split, "early_stopping": args.patience,
        "seed": args.seed, "standardize": args.standardize,
    }
    return metadata


def build_model(n_inputs: int, hidden: Sequence[int], activation: str, n_classes: int | None,
                seed: int) -> Sequential:
    """A Dense stack for ``n_classes`` classes (None: regression with one output).

    Parameters
    ----------
    n_inputs : int
    hidden : sequence of int
        Sizes of the hidden layers.
    activation : str
        Activation after each hidden layer.
    n_classes : int or None
        2: one output and a sigmoid; more: ``n_classes`` outputs and a softmax;
        None: one linear output.
    seed : int

    Returns
    -------
    Sequential
        Not compiled.
    """
    layers: list = []
    width = n_inputs
    for size in hidden:
        layers.append(Dense(width, size, activation=activation))
        width = size
    if n_classes is None:
        layers.append(Dense(width, 1))
    elif n_classes == 2:
        layers += [Dense(width, 1), Sigmoid()]
    else:
        layers += [Dense(width, n_classes), Softmax()]
    return Sequential(layers, seed=seed)


def _new_model(args: argparse.Namespace, n_inputs: int, classes: list | None) -> Sequential:
    """The model to train, compiled with the loss and metrics of the task."""
    n_classes = None if classes is None else len(classes)
    model = build_model(n_inputs, args.hidden, args.activation, n_classes, args.seed)
    optimizer = OPTIMIZER_TYPES[args.optimizer](learning_rate=args.learning_rate)
    if n_classes is None:
        model.compile(loss="mse", optimizer=optimizer, metrics=["mae", "r2"])
    else:
        loss = "binary_crossentropy" if n_classes == 2 else "categorical_crossentropy"
        model.compile(loss=loss, optimizer=optimizer, metrics=["accuracy"])
    return model


#: The metadata a checkpoint must share with the current command to be resumed.
RESUME_KEYS = ("task", "target", "features", "classes", "dataset", "training", "scaling")


def _resume_model(args: argparse.Namespace, metadata: dict[str, Any]) -> Sequential:
    """The model of ``--checkpoint``, checked to be this command's interrupted run."""
    from . import load

    path = args.checkpoint
    model = load(path)
    saved = _metadata(model)
    if not isinstance(model, Sequential) or saved.get("scaling", {}).get("folded") is not False:
        raise CommandError(f"{path} is not a checkpoint written by plainnet train "
                           "--checkpoint")
    for key in RESUME_KEYS:
        before, now = saved.get(key), metadata.get(key)
        if key == "training":  # more epochs may be asked for; nothing else may change
            before = {k: v for k, v in (before or {}).items() if k != "epochs"}
            now = {k: v for k, v in now.items() if k != "epochs"}
        if before != now:
            raise CommandError(f"cannot resume from {path}: it was made with another "
                               f"{_difference(key, before, now)}; give the same data and "
                               "options, or start again without --resume")
    if model.epochs_done > args.epochs:
        raise CommandError(f"cannot resume from {path}: it has already trained "
                           f"{model.epochs_done} epochs, more than --epochs {args.epochs}")
    return model


def _difference(key: str, before: Any, now: Any) -> str:
    """``--batch-size (32 in the checkpoint, 16 now)``: what differs, for a message."""
    if key == "training":  # name the option
        key = next(f"--{k.replace('_', '-')}" for k in sorted(set(before) | set(now))
                   if before.get(k) != now.get(k))
        before, now = before.get(key[2:].replace("-", "_")), now.get(key[2:].replace("-", "_"))
    return (f"{key} ({_shorten(json.dumps(before), 40)} in the checkpoint, "
            f"{_shorten(json.dumps(now), 40)} now)")


def _print_plan(data: Data, task: str, reason: str, classes: list | None, split: Split,
                model: Sequential, args: argparse.Namespace) -> None:
    n_train, n_val = len(split.X_train), len(split.X_val)
    features = f" ({_list(data.features, 6)})" if data.features else ""
    print(f"data: {data.name}, {n_train + n_val} rows, {data.X.shape[1]} features{features}")
    kind = f"{len(classes)} classes ({_list(classes, 8)})" if classes else "regression"
    task_text = kind if task == "regression" else f"classification, {kind}"
    print(f"task: {task_text} [{reason}]")
    print(f"split: {n_train} rows to train, {n_val} to validate (seed {args.seed})")
    sizes = " -> ".join(str(s) for s in (model.n_inputs, *args.hidden, model.n_outputs))
    print(f"model: {sizes}, {model.count_params():,} parameters, {args.optimizer} "
          f"(learning rate {args.learning_rate:g})")
    if args.resume:
        print(f"resuming from {args.checkpoint} after epoch {model.epochs_done}")


def _fit(model: Sequential, split: Split, scaling: Scaling, args: argparse.Namespace) -> bool:
    """Train (or go on training); False if Ctrl-C stopped it before the end."""
    has_validation = len(split.X_val) > 0
    callbacks: list[Callback] = []
    epochs = args.epochs
    if args.patience is not None:
        stopping = _early_stopping(model, args, has_validation)
        callbacks.append(stopping)
        if args.resume and stopping.replay():  # the interrupted run had already stopped
            epochs = model.epochs_done
    if args.log:
        callbacks.append(CSVLogger(args.log, append=args.resume))
    if args.verbose == 1:
        callbacks.append(ProgressLine(epochs))
    validation = ((scaling.inputs(split.X_val), scaling.targets(split.y_val))
                  if has_validation else None)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="fit interrupted by Ctrl-C")
        model.fit(scaling.inputs(split.X_train), scaling.targets(split.y_train), epochs=epochs,
                  batch_size=args.batch_size, validation_data=validation, callbacks=callbacks,
                  verbose=2 if args.verbose == 2 else 0, checkpoint=args.checkpoint,
                  resume=args.resume)
    if model.epochs_done < epochs and not model.stop_training:
        return False
    seconds = time.perf_counter() - start
    stopped = ""
    if args.patience is not None and callbacks[0].best_epoch is not None and (
            model.stop_training or model.epochs_done < args.epochs):
        stopped = (f" (stopped early; the weights of epoch {callbacks[0].best_epoch + 1} "
                   "are kept)")
    print(f"trained {model.epochs_done} epochs in {seconds:.2f} s{stopped}")
    return True


def _early_stopping(model: Sequential, args: argparse.Namespace,
                    has_validation: bool) -> ResumableEarlyStopping:
    monitor = "val_loss" if has_validation else "loss"
    previous = (model.history.history.get(monitor, [])
                if args.resume and model.history is not None else [])
    best_path = args.checkpoint + ".best" if args.checkpoint else None
    return ResumableEarlyStopping(monitor, args.patience, best_path, previous)


def _report(model: Sequential, split: Split, args: argparse.Namespace) -> dict[str, Any]:
    """Print the final metrics on raw data; return the record kept in the metadata."""
    result: dict[str, Any] = {"epochs": model.epochs_done,
                              "stopped_early": bool(model.stop_training
                                                    or model.epochs_done < args.epochs)}
    parts = [("train", split.X_train, split.y_train)]
    if len(split.X_val):
        parts.append(("validation", split.X_val, split.y_val))
    for name, X, y in parts:
        scores = _scores(model, X, y)
        print(f"{name + ':':<12}{_format_scores(scores)}")
        result[name] = {k: v if np.isfinite(v) else None for k, v in scores.items()}
    return result


class ResumableEarlyStopping(EarlyStopping):
    """EarlyStopping that a resumed run continues as if it had never been interrupted.

    Its count of epochs without improvement is rebuilt from ``previous``, the
    monitored values of the epochs a checkpoint recorded; the best weights so
    far are saved to ``best_path`` whenever they improve (if given), so the
    resumed run can end with them.
    """

    def __init__(self, monitor: str, patience: int, best_path: str | None,
                 previous: Sequence[float] = ()) -> None:
        super().__init__(monitor=monitor, patience=patience)
        self.best_path, self.previous = best_path, list(previous)

    def replay(self) -> bool:
        """Set ``best``, ``best_epoch`` and ``wait`` as after ``previous``; True if stopped."""
        self.wait, self.best_epoch = 0, None
        self.best = np.inf if self.mode == "min" else -np.inf
        for epoch, value in enumerate(self.previous):
            if self._improved(value):
                self.best, self.best_epoch, self.wait = value, epoch, 0
            else:
                self.wait += 1
        return self.wait >= self.patience

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.replay()
        if self.best_epoch is None:
            return
        if self.best_epoch == len(self.previous) - 1:  # the checkpoint's own weights
            self.best_weights = self.model.get_weights()
        else:
            self.best_weights = self._load_best_weights()

    def _load_best_weights(self) -> list[np.ndarray]:
        from . import load

        if self.best_path is None or not os.path.isfile(self.best_path):
            raise CommandError(f"cannot resume early stopping: the best weights so far "
                               f"({self.best_path}) are missing")
        return load(self.best_path).get_weights()

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.best_path is not None and self.best_epoch == epoch:
            self.model.save(self.best_path)


class ProgressLine(Callback):
    """Training progress on standard error: the epoch and its losses and metrics.

    On a terminal one line is rewritten after every epoch; in a file or a
    pipe a line is written every tenth of the run, and after the last epoch.
    """

    def __init__(self, epochs: int, stream: Any = None) -> None:
        super().__init__()
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = max(1, epochs // 10)
        self.pending = ""  # the latest epoch's line, until it is written for good
        self.width = 0     # of the longest live line so far: a shorter one covers it

    def on_epoch_end(self, epoch, logs=None):
        self.pending = f"epoch {epoch + 1}/{self.epochs}  " + "  ".join(
            f"{k} {v:.4g}" for k, v in (logs or {}).items())
        if self.live:
            self.width = max(self.width, len(self.pending))
            self.stream.write("\r" + self.pending.ljust(self.width))
        elif (epoch + 1) % self.every == 0:
            self.stream.write(self.pending + "\n")
            self.pending = ""
        self.stream.flush()

    def on_train_end(self, logs=None):
        """End the live line, or write the last epoch if it was not written yet."""
        if self.pending:
            self.stream.write("\n" if self.live else self.pending + "\n")
            self.stream.flush()
            self.pending = ""


# =====================================================================================
# predict
# =====================================================================================


def cmd_predict(args: argparse.Namespace) -> int:
    """``plainnet predict``: one output row per input row, in the original label names."""
    model = _load_model(args.model)
    path = _csv_path(args)
    table = read_table(path, header=args.header)
    exclude = column_index(table, args.target) if args.target is not None else None
    X = numeric_columns(table, _feature_columns(model, table, exclude))
    _check_width(model, X, path)
    if _is_classifier(model):
        header, rows = _class_predictions(model, X, args.proba)
    elif args.proba:
        raise CommandError(f"--proba needs a classifier, but {args.model} is a regression "
                           "model")
    else:
        outputs = np.asarray(model.predict(X), dtype=np.float64)
        header = (["prediction"] if outputs.shape[1] == 1
                  else [f"prediction_{i}" for i in range(outputs.shape[1])])
        rows = [[f"{v:.6g}" for v in row] for row in outputs]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if args.out:
        _write_text_atomically(args.out, buffer.getvalue())
        print(f"wrote {len(rows)} predictions to {args.out}")
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    return 0


def _class_predictions(model: Model, X: np.ndarray, proba: bool
                       ) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a classifier's predictions (and probabilities)."""
    probabilities = _probabilities(model, X)
    names = _class_names(model)
    predicted = [names[i] for i in probabilities.argmax(axis=1)]
    if not proba:
        return ["prediction"], [[label] for label in predicted]
    header = ["prediction", *(f"probability_{name}" for name in names)]
    return header, [[label, *(f"{v:.6g}" for v in p)]
                    for label, p in zip(predicted, probabilities)]


def _write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as ``save`` writes a model: atomically."""
    from .io import _replace_atomically

    _replace_atomically(path, lambda file: file.write(text.encode("utf-8")))


# =====================================================================================
# evaluate
# =====================================================================================


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``plainnet evaluate``: metrics on labelled data, with a confusion matrix for classes."""
    model = _load_model(args.model)
    data = load_data(args, model)
    _check_width(model, data.X, data.name)
    y = _labels_for(model, data)
    scores: dict[str, Any] = _scores(model, data.X, y)
    matrix = None
    if _is_classifier(model):
        names = _class_names(model)
        predicted = _probabilities(model, data.X).argmax(axis=1)
        matrix = confusion_matrix(y, predicted, len(names))
    if args.json:
        extra = {} if matrix is None else {"classes": names, "confusion_matrix": matrix.tolist()}
        print(json.dumps({**scores, **extra, "samples": len(data.X)}, ensure_ascii=False))
        return 0
    print(f"{args.model} on {data.name} ({len(data.X)} rows)")
    for key, value in scores.items():
        print(f"{_metric_name(key) + ':':<10}{value:.6g}")
    if matrix is not None:
        print("confusion matrix (rows: true class, columns: predicted class):")
        print(_format_confusion(matrix, names))
    return 0


# =====================================================================================
# summary
# =====================================================================================

#: Metadata that ``summary`` shows in its own words; anything else is listed as it is.
DESCRIBED_KEYS = ("task", "target", "features", "classes", "dataset", "scaling", "training",
                  "result")


def cmd_summary(args: argparse.Namespace) -> int:
    """``plainnet summary`` (or ``info``): the layers and the training record."""
    model = _load_model(args.model)
    print(f"{args.model}:")
    if isinstance(model, NeuralNetwork):
        _print_network(model)
    else:
        model.summary()
    print()
    print("Training record:")
    for label, value in _training_record(model):
        print(textwrap.fill(value, width=100, initial_indent=f"  {label + ':':<12}",
                            subsequent_indent=" " * 14,
                            break_on_hyphens=False).replace(NO_BREAK, " "))
    other = {k: v for k, v in _metadata(model).items() if k not in DESCRIBED_KEYS}
    if other:
        print("Other metadata:")
        for key, value in other.items():
            print(f"  {key}: {_shorten(json.dumps(value, ensure_ascii=False), 100)}")
    return 0


def _print_network(network: NeuralNetwork) -> None:
    print(f"{network!r}: the tutorial's network")
    for name, array in network.get_weights().items():
        print(f"  {name:<9} shape {array.shape}")
    print(f"Total params: {sum(a.size for a in network.get_weights().values()):,}")


def _training_record(model: Model) -> list[tuple[str, str]]:
    """``(label, text)`` lines: what the model file says about its training."""
    metadata = _metadata(model)
    lines = []
    for key in ("task", "dataset", "target"):
        if key in metadata:
            lines.append((key, str(metadata[key])))
    for key in ("features", "classes"):
        if isinstance(metadata.get(key), list):
            lines.append((key, f"{_list(metadata[key], 12)} ({len(metadata[key])})"))
    settings = metadata.get("training")
    if isinstance(settings, dict):
        lines.append(("settings", _format_settings(settings)))
    lines += _epoch_lines(model, metadata.get("result"))
    if not lines:
        lines.append(("epochs", "0 (not trained)"))
    return lines


#: Joins an option to its value so that wrapping the line never parts them.
NO_BREAK = "\u00a0"


def _format_settings(settings: dict[str, Any]) -> str:
    """The options ``train`` was given, as they would be typed."""
    options = []
    for key, value in settings.items():
        if isinstance(value, list):
            value = ",".join(str(v) for v in value) or "0"
        if key == "standardize":
            options += [] if value else ["--no-standardize"]
        elif value is not None:  # kept on one line: "--batch-size 32"
            options.append(f"--{key.replace('_', '-')}{NO_BREAK}{value}")
    return " ".join(options)


def _epoch_lines(model: Model, result: Any) -> list[tuple[str, str]]:
    """Epochs and final metrics: from ``train``'s record, else from the saved history."""
    if isinstance(model, NeuralNetwork):
        losses = model.loss_history
        if not losses:
            return []
        return [("epochs", str(len(losses))), ("final", f"loss {losses[-1]:.6g}")]
    if isinstance(result, dict):
        lines = [("epochs", f"{result.get('epochs')}"
                  + (" (stopped early)" if result.get("stopped_early") else ""))]
        for part in ("train", "validation"):
            if isinstance(result.get(part), dict):
                scores = {k: float(v) for k, v in result[part].items() if v is not None}
                lines.append((part, _format_scores(scores)))
        return lines
    if not model.epochs_done:
        return []
    last = {k: float(v[-1]) for k, v in model.history.history.items() if v} \
        if model.history else {}
    return [("epochs", str(model.epochs_done)), ("last epoch", _format_scores(last))]


# =====================================================================================
# plot and plot-history
# =====================================================================================


def cmd_plot(args: argparse.Namespace) -> int:
    """``plainnet plot``: decision regions (a 2-feature classifier) or the training history."""
    _prepare_figure_file(args.out)
    model = _load_model(args.model)
    data = load_data(args, model)
    _check_width(model, data.X, data.name)
    y = _labels_for(model, data)
    if _is_classifier(model) and data.X.shape[1] == 2:
        from .plotting import plot_decision_boundary

        fig = plot_decision_boundary(model, data.X, y, resolution=args.resolution,
                                     class_names=_class_names(model),
                                     feature_names=data.features)
        fig.axes[0].set_title(f"{os.path.basename(args.model)} on "
                              f"{os.path.basename(data.name)}")
        what = "the decision regions"
    else:
        fig, what = _history_figure(model, args.model), "the learning curves"
    _save_figure(fig, args.out, what)
    return 0


def _history_figure(model: Model, name: str):
    """The learning curves saved with ``model``, titled with its file name."""
    from .plotting import plot_history

    if isinstance(model, Sequential) and not model.history:
        raise CommandError(f"{name} has no training history to draw")
    fig = plot_history(model)
    title = f"{os.path.basename(name)}: learning curves"
    if _metadata(model).get("task") == "regression" and "scaling" in _metadata(model):
        title += " (on the standardised target)"
    fig.suptitle(title)
    return fig


def cmd_plot_history(args: argparse.Namespace) -> int:
    """``plainnet plot-history``: learning curves from a CSVLogger file."""
    _prepare_figure_file(args.out)
    from .plotting import plot_history

    metrics = None if not args.metrics else [m.strip() for m in args.metrics.split(",")]
    _save_figure(plot_history(args.log, metrics=metrics), args.out, "the learning curves")
    return 0


def _prepare_figure_file(path: str) -> None:
    """Check, before any work, that matplotlib is there and the folder exists; use Agg."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(PLOT_EXTRA) from None
    matplotlib.use("Agg")  # files only: never open a window
    _check_writable("the image", path)


def _save_figure(fig, path: str, what: str) -> None:
    """Write ``fig`` to ``path`` and say so: ``saved the learning curves to curves.png``."""
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    print(f"saved {what} to {path}")
