"""The ``plainnet`` command: train, evaluate, inspect and plot models from a shell.

Run ``plainnet --help`` (or ``python -m plainnet --help``) for the list of
commands, and ``plainnet COMMAND --help`` for each one's options and examples::

    plainnet xor                                          # the tutorial's network learns XOR
    plainnet train --data moons --epochs 200 --out moons.pnet
    plainnet evaluate moons.pnet --data moons --seed 1    # fresh samples
    plainnet predict moons.pnet --csv points.csv --output predictions.csv
    plainnet info moons.pnet
    plainnet plot moons.pnet --data moons --out boundary.png

Exit status: 0 on success, 1 for a problem with the files or data (a
one-line ``plainnet: error: ...`` on stderr), 2 for wrong arguments, 130 when
stopped with Ctrl-C. Set ``PLAINNET_DEBUG=1`` to see the full traceback
instead of the one-line message.

This module sits on the top floor of the package: it only calls the public
API (datasets, ``Sequential``, ``save``/``load``, :mod:`plainnet.plotting`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import __version__, datasets
from .activations import Sigmoid, Softmax, sigmoid, softmax
from .callbacks import CSVLogger, EarlyStopping
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
#: Errors that are the user's to fix: reported in one line, without a traceback.
USER_ERRORS = (ValueError, OSError, ImportError, NotCompiledError)


class CommandError(Exception):
    """A problem with the command's input, reported as ``plainnet: error: <message>``."""


class UsageError(Exception):
    """Options that do not go together: reported with the usage line, exit status 2."""


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
        0 on success, 1 for a user error (bad file or data), 130 after Ctrl-C.
        Wrong arguments make argparse exit with status 2 (``SystemExit``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = os.environ.get("PLAINNET_DEBUG", "") not in ("", "0")
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `plainnet predict ... | head`: the reader left early
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more will be written
        except OSError:
            pass
        return 0
    except UsageError as error:
        args.parser.error(str(error))  # prints the command's usage and exits with status 2
    except (CommandError, *USER_ERRORS) as error:
        if debug:
            raise
        print(f"{PROG}: error: {_describe(error)}", file=sys.stderr)
        return 1


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
    """``"16,16"`` -> ``(16, 16)``; ``""`` or ``"0"`` -> no hidden layer."""
    if text.strip() in ("", "0"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer sizes such as 16,16, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose a data set: ``--data NAME`` or ``--csv PATH --target COL``."""
    group = parser.add_argument_group("data (give --data or --csv)")
    source = group.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", choices=DATASETS, metavar="NAME",
                        help="a built-in data set: " + ", ".join(DATASETS)
                        + " (digits needs scikit-learn)")
    source.add_argument("--csv", metavar="PATH", help="a CSV file of numbers with a header row")
    group.add_argument("--target", metavar="COL",
                       help="with --csv: the target column, by name or index (-1 = last)")
    group.add_argument("--no-header", dest="header", action="store_false",
                       help="with --csv: the file has no header row (give --target as an index)")
    group.add_argument("--samples", type=_positive_int, default=500, metavar="N",
                       help="number of points of a generated data set (moons, circles, "
                       "spirals, blobs)")
    group.add_argument("--noise", type=float, default=None, metavar="X",
                       help="noise of a generated data set (default: the data set's own)")
    group.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                       help="random seed (data generation; and for train the weights and the "
                       "shuffling). Use another seed to get fresh samples of a generated set")


EPILOG_MAIN = """\
examples:
  plainnet xor                                       the tutorial's network learns XOR
  plainnet train --data moons --out moons.pnet       train a classifier on a toy data set
  plainnet train --csv iris.csv --target species --hidden 16 --out iris.pnet
  plainnet evaluate moons.pnet --data moons --seed 1 --json
  plainnet predict iris.pnet --csv new.csv --output predictions.csv
  plainnet info moons.pnet                           layers and parameter counts
  plainnet plot moons.pnet --data moons --out boundary.png

Run `plainnet COMMAND --help` for the options of a command.
Exit status: 0 ok, 1 error in the files or data, 2 wrong arguments, 130 Ctrl-C.
Set PLAINNET_DEBUG=1 to see full tracebacks.
"""

EPILOG_XOR = """\
examples:
  plainnet xor                           train and print the four predictions
  plainnet xor --seed 3 --epochs 5000    other initial weights, longer training
  plainnet xor --out xor.pnet            also save the network (see `plainnet info xor.pnet`)
"""

EPILOG_TRAIN = """\
The model is a stack of Dense layers (--hidden sizes, --activation between
them) and an output layer chosen for the task:
  2 classes            1 output + Sigmoid, binary cross-entropy
  3 or more classes    k outputs + Softmax, categorical cross-entropy
  regression           1 linear output, mean squared error
Inputs (and regression targets) are standardised with the training rows'
mean and standard deviation; that scaling is then folded into the first
(and last) Dense layer, so the saved model takes the raw inputs.
Rows are shuffled (with --seed) before the last --validation-split of them
is held out. Class labels in a CSV may be text (classes are numbered in
sorted order) or integers 0..k-1.
The model file keeps, in its metadata, the task, the target column, the
feature names (from the header) and the class labels, so that predict,
evaluate and plot can speak in the original labels ("red", not 2).

examples:
  plainnet train --data moons --out moons.pnet
  plainnet train --data spirals --hidden 64,64 --epochs 300 --out spirals.pnet --verbose 2
  plainnet train --data digits --hidden 128 --epochs 30 --out digits.pnet --patience 5
  plainnet train --csv iris.csv --target species --out iris.pnet --log log.csv
  plainnet train --csv houses.csv --target price --task regression --out houses.pnet
"""

EPILOG_EVALUATE = """\
For a CSV, the labels of the target column are matched to the class labels
that `plainnet train` saved in the model, so the file may hold any subset of
the classes; a label the model was not trained on is an error. (A model
without saved labels, e.g. made in Python, numbers text labels in sorted
order, so the file must then contain every class.) When the model knows its
feature names and the header has them all, the feature columns are picked
by name; otherwise every other column is a feature, in file order.

examples:
  plainnet evaluate moons.pnet --data moons --seed 1
  plainnet evaluate iris.pnet --csv iris_test.csv --target species --json
"""

EPILOG_PREDICT = """\
Writes one row per input row: for a classifier the predicted class label
and the probability of each class (columns prediction, probability_<label>
for each class label saved by `plainnet train`, e.g. probability_red; or
probability_0, ... for a model without saved labels); for a regression
model the predicted value. When the model knows its feature names and the
header has them all, those columns are read by name and any others (the
target, an id) are ignored; otherwise every column but --target is a
feature, in file order. Without --output the CSV goes to standard output.

examples:
  plainnet predict moons.pnet --csv points.csv
  plainnet predict iris.pnet --csv iris_test.csv --target species --output predictions.csv
"""

EPILOG_PLOT = """\
Needs matplotlib: pip install "plainnet[plot]". The model must take 2 inputs.

examples:
  plainnet plot moons.pnet --data moons --out boundary.png
  plainnet plot spirals.pnet --data spirals --samples 900 --out spirals.png
  plainnet plot xor.pnet --data xor --out xor.png
"""

EPILOG_PLOT_HISTORY = """\
Needs matplotlib: pip install "plainnet[plot]".

examples:
  plainnet train --data moons --log log.csv --out moons.pnet
  plainnet plot-history log.csv --out curves.png
  plainnet plot-history log.csv --metrics loss --out loss.png
"""

EPILOG_INFO = """\
examples:
  plainnet info moons.pnet
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``plainnet`` command, with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG_MAIN,
        description="plainnet: a small neural-network library on NumPy, from the shell.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND",
                                     required=True)

    def command(name: str, help_text: str, epilog: str, data: bool = False
                ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text + ".",
                                  epilog=epilog, formatter_class=_Formatter)
        sub.set_defaults(parser=sub)  # for usage errors found after parsing
        if data:
            _add_data_options(sub)
        return sub

    # ---- xor
    p = command("xor", "train the tutorial's 2-4-1 NeuralNetwork on XOR and print its outputs",
                EPILOG_XOR)
    p.add_argument("--epochs", type=_positive_int, default=DEFAULT_EPOCHS, metavar="N",
                   help="gradient-descent steps")
    p.add_argument("--learning-rate", type=_positive_float, default=DEFAULT_LEARNING_RATE,
                   metavar="LR", help="step size")
    p.add_argument("--hidden", type=_positive_int, default=4, metavar="N",
                   help="hidden neurons")
    p.add_argument("--seed", type=_non_negative_int, default=None, metavar="S",
                   help="seed of the initial weights (default: fresh random weights each run)")
    p.add_argument("--out", metavar="PATH", help="also save the trained network to this file")
    p.set_defaults(handler=cmd_xor)

    # ---- train
    p = command("train", "build a Sequential model, train it on a data set and save it",
                EPILOG_TRAIN, data=True)
    model_options = p.add_argument_group("model and training")
    model_options.add_argument("--task", choices=("auto", "classification", "regression"),
                               default="auto",
                               help="auto: classification for the built-in sets and CSV "
                               "targets that are text or a few integers, else regression")
    model_options.add_argument("--hidden", type=_hidden_sizes, default="16,16", metavar="SIZES",
                               help="hidden layer sizes, comma-separated (e.g. 64,32; "
                               "0 for none)")
    model_options.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                               help="activation of the hidden layers")
    model_options.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                               help="passes over the training rows")
    model_options.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                               help="rows per gradient step")
    model_options.add_argument("--optimizer", choices=sorted(OPTIMIZER_TYPES), default="adam",
                               help="update rule")
    model_options.add_argument("--learning-rate", type=_positive_float, default=0.001,
                               metavar="LR", help="step size of the optimizer")
    model_options.add_argument("--validation-split", type=_fraction, default=None,
                               metavar="F", help="fraction of the rows held out to validate "
                               "(default: 0.2, or 0 for fewer than 50 rows)")
    model_options.add_argument("--patience", type=_positive_int, default=None, metavar="N",
                               help="stop early after N epochs without a better val_loss "
                               "(loss without validation) and keep the best weights")
    model_options.add_argument("--no-standardize", dest="standardize", action="store_false",
                               help="train on the inputs as they are")
    output = p.add_argument_group("output")
    output.add_argument("--out", metavar="PATH", default="model.pnet",
                        help="file to save the trained model to (written atomically)")
    output.add_argument("--log", metavar="PATH",
                        help="write each epoch's losses and metrics to this CSV file "
                        "(see plot-history)")
    output.add_argument("--verbose", type=int, choices=(0, 1, 2), default=0,
                        help="0 only the result, 1 a progress bar per epoch, 2 a line per epoch")
    p.set_defaults(handler=cmd_train)

    # ---- evaluate
    p = command("evaluate", "print the loss and metrics of a saved model on a data set",
                EPILOG_EVALUATE, data=True)
    p.add_argument("model", metavar="MODEL", help="a model file saved by plainnet")
    p.add_argument("--json", action="store_true", help="print the results as a JSON object")
    p.set_defaults(handler=cmd_evaluate)

    # ---- predict
    p = command("predict", "predict every row of a CSV file with a saved model",
                EPILOG_PREDICT)
    p.add_argument("model", metavar="MODEL", help="a model file saved by plainnet")
    p.add_argument("--csv", metavar="PATH", required=True,
                   help="CSV file of inputs, one row per sample")
    p.add_argument("--target", metavar="COL",
                   help="a column to leave out (e.g. the known answer), by name or index")
    p.add_argument("--no-header", dest="header", action="store_false",
                   help="the file has no header row")
    p.add_argument("--output", metavar="PATH",
                   help="write the predictions to this CSV file instead of standard output")
    p.set_defaults(handler=cmd_predict)

    # ---- plot
    p = command("plot", "draw a saved model's decision boundary over a 2-D data set",
                EPILOG_PLOT, data=True)
    p.add_argument("model", metavar="MODEL", help="a model file saved by plainnet")
    p.add_argument("--out", metavar="PATH", required=True,
                   help="image file to write (.png, .pdf, .svg)")
    p.add_argument("--resolution", type=_positive_int, default=200, metavar="N",
                   help="grid points per axis")
    p.set_defaults(handler=cmd_plot)

    # ---- plot-history
    p = command("plot-history", "draw the learning curves logged by `train --log`",
                EPILOG_PLOT_HISTORY)
    p.add_argument("log", metavar="LOG", help="a CSV file written by --log (CSVLogger)")
    p.add_argument("--out", metavar="PATH", required=True, help="image file to write")
    p.add_argument("--metrics", metavar="NAMES",
                   help="comma-separated names to plot (default: all)")
    p.set_defaults(handler=cmd_plot_history)

    # ---- info
    p = command("info", "print a saved model's layers, shapes and parameter counts", EPILOG_INFO)
    p.add_argument("model", metavar="MODEL", help="a model file saved by plainnet")
    p.set_defaults(handler=cmd_info)
    return parser


# =====================================================================================
# Data
# =====================================================================================


class Data(NamedTuple):
    """A data set as the commands use it."""

    X: np.ndarray            # (n, d) float64
    y: np.ndarray            # (n,) int64 class labels, or float/int values
    classes: list[str] | None  # text of label i for a CSV text target, else None
    name: str                # for messages: "moons" or the CSV path
    generated: bool          # a built-in data set (always classification)
    target: str | int | None = None       # a CSV's target column: its name, or index
    features: list[str] | None = None     # a CSV's feature names (columns of X), if a header


def _parse_column(text: str) -> str | int:
    return int(text) if re.fullmatch(r"-?\d+", text.strip()) else text


def load_data(args: argparse.Namespace) -> Data:
    """The data set chosen by ``--data`` or ``--csv``/``--target``."""
    if args.data is not None:
        if args.target is not None:
            raise UsageError("--target goes with --csv; a built-in data set has its labels")
        return _builtin(args.data, args.samples, args.noise, args.seed)
    if args.target is None:
        raise UsageError("--csv needs --target COL: the name or index of the target column")
    target: str | int = _parse_column(args.target)
    if not args.header and isinstance(target, str):
        raise UsageError("with --no-header, --target must be a column index such as -1")
    if args.header and isinstance(target, int) and args.target in _header_names(args.csv):
        target = args.target  # a column whose name is a number
    X, y, classes = datasets.load_csv(args.csv, target, header=args.header)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):  # "nan" and "inf" are numbers
        raise CommandError(f"{args.csv}: the data contain NaN or infinite values")
    features = None
    if args.header:  # the names of X's columns: the header without the target
        names = _header_names(args.csv)
        column = names.index(target) if isinstance(target, str) else target % len(names)
        target, features = names[column], names[:column] + names[column + 1:]
    return Data(X, y, None if classes is None else [str(c) for c in classes], args.csv, False,
                target, features)


def _header_names(path: str) -> list[str]:
    """The cells of the first non-blank row of a CSV file."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        try:
            for row in csv.reader(file):
                if any(cell.strip() for cell in row):
                    return [cell.strip() for cell in row]
        except csv.Error as error:
            raise CommandError(f"{path}: malformed CSV: {error}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 text: {error}") from None
    return []


def _builtin(name: str, samples: int, noise: float | None, seed: int) -> Data:
    kwargs: dict[str, Any] = {} if noise is None else {"noise": noise}
    if name == "xor":
        X, y = datasets.xor()
    elif name == "digits":
        X, y = datasets.digits()
    elif name == "blobs":
        if noise is not None:
            kwargs = {"cluster_std": noise}
        X, y = datasets.blobs(samples, seed=seed, **kwargs)
    else:
        X, y = getattr(datasets, name)(samples, seed=seed, **kwargs)
    return Data(np.asarray(X, dtype=np.float64), np.asarray(y), None, name, True)


def _is_classification(data: Data, task: str) -> bool:
    if task != "auto":
        if task == "regression" and data.classes is not None:
            raise CommandError(f"{data.name}: the target is text, so the task cannot be "
                               "regression")
        return task == "classification"
    if data.generated or data.classes is not None:
        return True
    y = data.y
    return np.issubdtype(y.dtype, np.integer) and len(np.unique(y)) <= 20


def _class_labels(data: Data) -> tuple[np.ndarray, int]:
    """Integer labels 0..k-1 and k for a classification target."""
    y = data.y
    if data.classes is not None:
        return y.astype(np.int64), len(data.classes)
    if not np.issubdtype(y.dtype, np.integer):
        if np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise CommandError(f"{data.name}: the target has fractional values, so it is not "
                               "class labels; use --task regression")
    if y.min() < 0:
        raise CommandError(f"{data.name}: class labels must be integers 0..k-1 or text, "
                           f"found {y.min()}")
    k = int(y.max()) + 1
    if k > 1000:
        raise CommandError(f"{data.name}: class labels go up to {k - 1}; expected 0..k-1 "
                           "(or use --task regression)")
    return y.astype(np.int64), max(k, 2)


# =====================================================================================
# Models
# =====================================================================================


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


def _fold_scaling(model: Sequential, mean: np.ndarray, scale: np.ndarray,
                  y_mean: float | None = None, y_scale: float | None = None) -> None:
    """Fold input (and target) standardisation into the first (and last) Dense layer.

    The model was trained on ``x_std = (x - mean) / scale``. Its first layer
    computes ``x_std @ W + b = x @ (W / scale[:, None]) + (b - (mean / scale) @ W)``,
    so with those weights it gives the same outputs from the raw ``x``. A
    regression model trained on ``y_std = (y - y_mean) / y_scale`` predicts
    ``y = y_std * y_scale + y_mean``: its last Dense layer is scaled the same way.
    """
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    first, last = dense[0], dense[-1]
    W, b = first.weights.astype(np.float64), first.bias.astype(np.float64)
    np.copyto(first.weights, W / scale[:, None])          # (in, out)
    np.copyto(first.bias, b - (mean / scale) @ W)          # (in,) @ (in, out) -> (out,)
    if y_mean is not None:
        np.copyto(last.weights, last.weights.astype(np.float64) * y_scale)
        np.copyto(last.bias, last.bias.astype(np.float64) * y_scale + y_mean)


def _load_model(path: str) -> Sequential | NeuralNetwork:
    from . import load

    return load(path)


def _is_classifier(model: Sequential | NeuralNetwork) -> bool:
    if isinstance(model, NeuralNetwork):
        return True  # sigmoid outputs between 0 and 1, read as probabilities
    if model.compiled and isinstance(model.loss, (BinaryCrossEntropy, CategoricalCrossEntropy)):
        return True
    return isinstance(model.layers[-1], (Sigmoid, Softmax))


def _n_outputs(model: Sequential | NeuralNetwork) -> int:
    return model.output_layer if isinstance(model, NeuralNetwork) else model.n_outputs


def _n_inputs(model: Sequential | NeuralNetwork) -> int:
    return model.input_layer if isinstance(model, NeuralNetwork) else model.n_inputs


def _probabilities(model: Sequential | NeuralNetwork, X: np.ndarray) -> np.ndarray:
    """Class probabilities ``(n, k)`` of a classifier (k >= 2)."""
    outputs = np.asarray(model.predict(X), dtype=np.float64)
    if getattr(model, "outputs_are_logits", False):
        outputs = sigmoid(outputs) if outputs.shape[1] == 1 else softmax(outputs)
    if outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs


def _check_width(model: Sequential | NeuralNetwork, X: np.ndarray, source: str) -> None:
    if X.shape[1] != _n_inputs(model):
        raise CommandError(f"{source} has {X.shape[1]} feature columns, but the model expects "
                           f"{_n_inputs(model)}")


def _labels_for(model: Sequential | NeuralNetwork, data: Data) -> np.ndarray:
    """The targets of ``data`` as the model's outputs number them."""
    if not _is_classifier(model):
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
    if data.classes is None and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0
                                 or y.max() >= k):
        raise CommandError(f"{data.name}: the model has {k} classes, so the labels must be "
                           f"integers 0..{k - 1} (or text); found {y.min()}..{y.max()}")
    return y.astype(np.int64)


# -------------------------------------------------------------- model metadata
# `train` records what it knows in ``model.metadata`` (saved in the file):
#   "task": "classification" or "regression"
#   "classes": the class labels, output i being classes[i] (text or integers)
#   "target": the target column's name (or index, without a header), for a CSV
#   "features": the names of the input columns, in order, for a CSV with a header
#   "dataset": the name of a built-in data set
# Models without metadata (made in Python) work as before: classes are numbers.


def _training_metadata(data: Data, classification: bool, n_classes: int | None
                       ) -> dict[str, Any]:
    """What ``train`` saves in the model's metadata."""
    metadata: dict[str, Any] = {"task": "classification" if classification else "regression"}
    if data.generated:
        metadata["dataset"] = data.name
    else:
        metadata["target"] = data.target
        if data.features is not None:
            metadata["features"] = list(data.features)
    if classification:
        metadata["classes"] = (list(data.classes) if data.classes is not None
                               else list(range(n_classes)))
    return metadata


def _metadata(model: Sequential | NeuralNetwork) -> dict[str, Any]:
    metadata = getattr(model, "metadata", None)
    return metadata if isinstance(metadata, dict) else {}


def _saved_classes(model: Sequential | NeuralNetwork) -> list[str | int] | None:
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


def _saved_features(model: Sequential | NeuralNetwork) -> list[str] | None:
    """The input columns' names saved in the model's metadata, or None."""
    features = _metadata(model).get("features")
    if (type(features) is list and len(features) == _n_inputs(model)
            and all(type(name) is str for name in features)):
        return features
    return None


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _list_labels(labels: Sequence[Any], limit: int = 10, quote: bool = False) -> str:
    shown = ", ".join(repr(label) if quote and isinstance(label, str) else str(label)
                      for label in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _encode_labels(classes: list[str | int], data: Data) -> np.ndarray:
    """``data``'s labels (text or numbers) as indices into the saved ``classes``."""
    if data.classes is not None:  # text in the file: match the text
        index = {str(c): i for i, c in enumerate(classes)}
        found = list(data.classes)
    else:  # numbers in the file: match by value the classes that are numbers
        by_value: dict[float, int] = {}
        for i, c in enumerate(classes):
            try:
                value = float(c)
            except (ValueError, OverflowError):
                continue
            by_value[value] = -1 if value in by_value else i  # -1: two classes, same value
        found = [v.item() for v in np.unique(data.y)]
        index = {v: by_value[float(v)] for v in found if by_value.get(float(v), -1) >= 0}
    unknown = [label for label in found if label not in index]
    if unknown:
        shown = _list_labels(unknown, 5, quote=True)
        raise CommandError(f"{data.name}: the target has the label(s) {shown} that the model "
                           f"was not trained on; its classes are {_list_labels(classes)}")
    codes = np.array([index[label] for label in found], dtype=np.int64)
    if data.classes is not None:
        return codes[data.y]
    return codes[np.searchsorted(np.unique(data.y), data.y)]


def _select_features(model: Sequential | NeuralNetwork, X: np.ndarray,
                     names: list[str] | None) -> np.ndarray:
    """The model's inputs from ``X``: by name if the model and the file both name them."""
    features = _saved_features(model)
    if features is None or names is None or X.shape[1] != len(names):
        return X
    if not all(names.count(name) == 1 for name in features):
        return X  # the file does not name every input once: in file order, as always
    return X[:, [names.index(name) for name in features]]


# =====================================================================================
# Commands
# =====================================================================================


def cmd_xor(args: argparse.Namespace) -> int:
    """``plainnet xor``: the tutorial's program."""
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
        from .io import save  # (plainnet.io is imported only when a file is written)

        save(network, args.out)
        print(f"saved the network to {args.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """``plainnet train``: build, train, report, save."""
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):  # fail now, not after training
        raise CommandError(f"cannot save the model to {args.out}: the folder {folder} does "
                           "not exist")
    if os.path.isdir(args.out):
        raise CommandError(f"cannot save the model to {args.out}: it is a folder")
    data = load_data(args)
    classification = _is_classification(data, args.task)
    X = data.X
    if classification:
        y, n_classes = _class_labels(data)
    else:
        y, n_classes = data.y.astype(np.float64), None
    n = len(X)

    # Shuffle (a CSV may be sorted by class), then hold out the last rows to validate.
    order = np.random.default_rng(args.seed).permutation(n)
    X, y = X[order], y[order]
    split = args.validation_split if args.validation_split is not None else \
        (0.2 if n >= 50 else 0.0)
    n_train = n - int(round(n * split))
    if split and not 1 <= n_train < n:
        raise CommandError(f"--validation-split {split} leaves no rows for training or none "
                           f"for validation out of {n}")
    X_train, y_train, X_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

    # Standardise with the training rows' statistics only.
    if args.standardize:
        scaler = datasets.Standardizer().fit(X_train)
        mean, scale = scaler.mean_, scaler.scale_
    else:
        mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
    y_mean = y_scale = None
    if not classification and args.standardize:
        y_mean, y_scale = float(y_train.mean()), float(y_train.std()) or 1.0

    def scaled(X_part, y_part):
        if y_mean is not None:
            y_part = (y_part - y_mean) / y_scale
        return (X_part - mean) / scale, y_part

    model = build_model(X.shape[1], args.hidden, args.activation, n_classes, args.seed)
    optimizer = OPTIMIZER_TYPES[args.optimizer](learning_rate=args.learning_rate)
    if classification:
        loss = "binary_crossentropy" if n_classes == 2 else "categorical_crossentropy"
        metrics = ["accuracy"]
    else:
        loss, metrics = "mse", ["mae", "r2"]
    model.compile(loss=loss, optimizer=optimizer, metrics=metrics)

    kind = f"{n_classes} classes" if classification else "regression"
    print(f"data: {data.name}, {n} rows ({n_train} to train, {n - n_train} to validate), "
          f"{X.shape[1]} features, {kind}")
    sizes = " -> ".join(str(s) for s in (X.shape[1], *args.hidden, _n_outputs_of(n_classes)))
    print(f"model: {sizes}, {model.count_params():,} parameters, {loss}, {args.optimizer} "
          f"(learning rate {args.learning_rate:g})")

    callbacks: list = []
    if args.patience is not None:
        monitor = "val_loss" if n_train < n else "loss"
        callbacks.append(EarlyStopping(monitor=monitor, patience=args.patience))
    if args.log:
        callbacks.append(CSVLogger(args.log))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="fit interrupted by Ctrl-C")
        model.fit(*scaled(X_train, y_train), epochs=args.epochs, batch_size=args.batch_size,
                  validation_data=scaled(X_val, y_val) if n_train < n else None,
                  callbacks=callbacks, verbose=args.verbose)
    seconds = time.perf_counter() - start
    if model.epochs_done < args.epochs and not model.stop_training:
        # fit stops after the current batch on Ctrl-C and returns: leave without saving
        print(f"{PROG}: interrupted after {model.epochs_done} epochs; the model was not saved",
              file=sys.stderr)
        return 130
    stopped = " (stopped early, best weights kept)" if model.stop_training else ""
    print(f"trained {model.epochs_done} epochs in {seconds:.1f} s{stopped}")

    if args.standardize:
        _fold_scaling(model, mean, scale, y_mean, y_scale)
    print("train:      " + _format_scores(model.evaluate(X_train, y_train)))
    if n_train < n:
        print("validation: " + _format_scores(model.evaluate(X_val, y_val)))
    if data.classes is not None:
        print("classes: " + ", ".join(f"{i}={name}" for i, name in enumerate(data.classes)))
    model.metadata = _training_metadata(data, classification, n_classes)
    model.save(args.out)
    print(f"saved the model to {args.out}")
    return 0


def _n_outputs_of(n_classes: int | None) -> int:
    return 1 if n_classes in (None, 2) else n_classes


def _format_scores(scores: dict[str, float]) -> str:
    return "  ".join(f"{name} {value:.4g}" for name, value in scores.items())


def _scores(model: Sequential | NeuralNetwork, X: np.ndarray, y: np.ndarray) -> dict:
    if isinstance(model, NeuralNetwork):
        outputs = model.predict(X)
        targets = y.reshape(len(y), -1)
        scores = {"loss": float(np.mean((targets - outputs) ** 2))}
        if outputs.shape[1] == 1:
            scores["accuracy"] = float(np.mean((outputs[:, 0] > 0.5) == (y > 0.5)))
        return scores
    if not model.compiled:
        raise CommandError("the model was saved before compile(), so it has no loss to "
                           "evaluate")
    return {name: float(value) for name, value in model.evaluate(X, y).items()}


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``plainnet evaluate``: loss and metrics on a data set."""
    model = _load_model(args.model)
    data = load_data(args)
    X = _select_features(model, data.X, data.features)
    _check_width(model, X, data.name)
    scores = _scores(model, X, _labels_for(model, data))
    if args.json:
        print(json.dumps({**scores, "samples": len(X)}))
    else:
        print(f"{args.model} on {data.name} ({len(data.X)} rows)")
        for name, value in scores.items():
            print(f"{name}: {value:.6g}")
    return 0


def read_features(path: str, drop: str | None = None, header: bool = True,
                  columns: Sequence[str] | None = None) -> tuple[np.ndarray, list[str] | None]:
    """Read a CSV file of numbers, leaving out the column ``drop``.

    Parameters
    ----------
    path : str
    drop : str or None
        Column to leave out, by name or index (negative counts from the end).
    header : bool
        Whether the first non-blank row holds column names.
    columns : sequence of str, optional
        Read only these columns, in this order, if the header names each of
        them exactly once (then ``drop`` and the other columns are ignored).

    Returns
    -------
    X : ndarray of float64, shape (n, d)
    names : list of str or None
        The names of the kept columns (None without a header).
    """
    table, lines = datasets._read_csv_rows(Path(path), ",")  # non-blank rows, cells stripped
    rows = list(zip(lines, table))
    if not rows:
        raise CommandError(f"{path}: the file is empty")
    names = rows.pop(0)[1] if header else None
    if not rows:
        raise CommandError(f"{path}: the header is not followed by any rows")
    width = len(names) if names is not None else len(rows[0][1])
    keep = list(range(width))
    if (columns is not None and names is not None
            and all(names.count(name) == 1 for name in columns)):
        keep, drop = [names.index(name) for name in columns], None
    if drop is not None:
        column = _parse_column(drop)
        if names is not None and drop in names:
            column = names.index(drop)
        elif isinstance(column, str):
            raise CommandError(f"{path}: no column named {drop!r}; the header has {names}")
        if not -width <= column < width:
            raise CommandError(f"{path}: column index {column} is out of range for {width} "
                               "columns")
        keep.remove(column % width)
    X = np.empty((len(rows), len(keep)))
    for i, (line, cells) in enumerate(rows):
        if len(cells) != width:
            raise CommandError(f"{path}, line {line}: expected {width} columns, found "
                               f"{len(cells)}")
        for j, column in enumerate(keep):
            try:
                X[i, j] = float(cells[column])
            except ValueError:
                name = f" ({names[column]!r})" if names else ""
                raise CommandError(f"{path}, line {line}, column {column + 1}{name}: expected a "
                                   f"number, found {cells[column]!r}") from None
    if not np.all(np.isfinite(X)):
        raise CommandError(f"{path}: the inputs contain NaN or infinite values")
    return X, None if names is None else [names[c] for c in keep]


def cmd_predict(args: argparse.Namespace) -> int:
    """``plainnet predict``: one output row per input row."""
    if not args.header and args.target is not None and isinstance(_parse_column(args.target),
                                                                  str):
        raise UsageError("with --no-header, --target must be a column index such as -1")
    model = _load_model(args.model)
    X, _ = read_features(args.csv, args.target, args.header, columns=_saved_features(model))
    _check_width(model, X, args.csv)
    if _is_classifier(model):
        probabilities = _probabilities(model, X)
        classes = _saved_classes(model)
        labels = ([str(c) for c in classes] if classes is not None
                  else [str(i) for i in range(probabilities.shape[1])])
        header = ["prediction", *(f"probability_{label}" for label in labels)]
        rows = [[labels[int(np.argmax(p))], *(f"{v:.6g}" for v in p)] for p in probabilities]
    else:
        outputs = np.asarray(model.predict(X), dtype=np.float64)
        header = (["prediction"] if outputs.shape[1] == 1
                  else [f"prediction_{i}" for i in range(outputs.shape[1])])
        rows = [[f"{v:.6g}" for v in row] for row in outputs]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if args.output:
        _write_text_atomically(args.output, buffer.getvalue())
        print(f"wrote {len(rows)} predictions to {args.output}")
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    return 0


def _write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as ``save`` writes a model: atomically."""
    from .io import _replace_atomically

    _replace_atomically(path, lambda file: file.write(text.encode("utf-8")))


def _pyplot():
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError('plotting needs matplotlib; install the optional extra with: '
                          'pip install "plainnet[plot]"') from error
    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt

    return plt


def cmd_plot(args: argparse.Namespace) -> int:
    """``plainnet plot``: the decision boundary of a 2-input classifier."""
    model = _load_model(args.model)
    data = load_data(args)
    X = _select_features(model, data.X, data.features)
    if X.shape[1] != 2:
        raise CommandError(f"{data.name} has {X.shape[1]} features; a decision boundary "
                           "can be drawn only for 2")
    _check_width(model, X, data.name)
    if not _is_classifier(model):
        raise CommandError("the model is a regression model; plot draws the decision "
                           "boundary of a classifier")
    plt = _pyplot()  # after the checks: importing matplotlib takes a moment
    from .plotting import plot_decision_boundary

    y = _labels_for(model, data)
    classes = _saved_classes(model)
    ax = plot_decision_boundary(model, X, y, resolution=args.resolution)
    if classes is None and data.classes is not None:
        classes = data.classes
    if classes is not None:  # show the label of each class in the legend
        for text in ax.get_legend().get_texts():
            label = classes[int(text.get_text().split()[-1])]
            text.set_text(label if isinstance(label, str) else f"class {label}")
    ax.set_title(f"{os.path.basename(args.model)} on {os.path.basename(data.name)}")
    try:
        ax.figure.savefig(args.out, dpi=120)
    finally:
        plt.close(ax.figure)
    print(f"saved the plot to {args.out}")
    return 0


def cmd_plot_history(args: argparse.Namespace) -> int:
    """``plainnet plot-history``: learning curves from a CSVLogger file."""
    plt = _pyplot()
    from .plotting import plot_history

    metrics = None if not args.metrics else [m.strip() for m in args.metrics.split(",")]
    fig = plot_history(args.log, metrics=metrics)
    try:
        fig.savefig(args.out, dpi=120)
    finally:
        plt.close(fig)
    print(f"saved the plot to {args.out}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """``plainnet info``: the model's summary."""
    model = _load_model(args.model)
    print(f"{args.model}:")
    if isinstance(model, NeuralNetwork):
        print(f"{model!r}: the tutorial's network")
        for name, array in model.get_weights().items():
            print(f"  {name:<9} shape {array.shape}")
        count = sum(a.size for a in model.get_weights().values())
        print(f"Total params: {count:,}")
        if model.loss_history:
            print(f"Trained {len(model.loss_history)} epochs; last loss "
                  f"{model.loss_history[-1]:.6g}")
    else:
        model.summary()
        if model.epochs_done:
            last = {k: v[-1] for k, v in model.history.history.items()} if model.history else {}
            print(f"Trained {model.epochs_done} epochs"
                  + (f"; last epoch: {_format_scores(last)}" if last else ""))
    if _metadata(model):
        print("Metadata:")
        for key, value in _metadata(model).items():
            print(f"  {key}: {_shorten(json.dumps(value, ensure_ascii=False), 100)}")
    return 0
