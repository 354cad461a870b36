"""The arguments of the ``plainnet`` command: one sub-parser per command.

Every option is checked as argparse reads it (``--epochs abc`` is a usage
error, exit status 2, before any work); each command's handler is stored in
``args.handler`` and its parser in ``args.parser`` (for usage errors found later).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .. import __version__
from ..optimizers import OPTIMIZER_TYPES
from ..tutorial import DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE
from . import argtypes
from .epilogs import (
    EPILOG_EVALUATE,
    EPILOG_MAIN,
    EPILOG_PLOT,
    EPILOG_PLOT_HISTORY,
    EPILOG_PREDICT,
    EPILOG_SUMMARY,
    EPILOG_TRAIN,
    EPILOG_XOR,
)
from .errors import EXIT_USAGE, PROG
from .evaluate import cmd_evaluate
from .lm import add_lm_command
from .playground import EPILOG_PLAYGROUND, cmd_playground
from .plot import cmd_plot, cmd_plot_history
from .predict import cmd_predict
from .summary import cmd_summary
from .tabledata import DATASETS
from .train import cmd_train
from .xor import cmd_xor

__all__ = ["build_parser"]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")


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


_positive_int, _non_negative_int = argtypes.positive_int, argtypes.non_negative_int
_positive_float, _fraction = argtypes.positive_float, argtypes.fraction
_non_negative_float = argtypes.non_negative_float
_DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}


def _delimiter(text: str) -> str:
    """``--delimiter``: one of , ; tab |."""
    if text.lower() not in _DELIMITERS:
        raise argparse.ArgumentTypeError(f"expected one of , ; tab |, got {text!r}")
    return _DELIMITERS[text.lower()]
_port = argtypes.port


def _positive_integers(text: str, what: str, example: str) -> tuple[int, ...]:
    """``"64,32"`` -> ``(64, 32)``, or an argparse error naming ``what`` was expected."""
    try:
        numbers = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated {what} such as {example}, got {text!r}") from None
    if any(number < 1 for number in numbers):
        raise argparse.ArgumentTypeError(f"{what} must be positive, got {text!r}")
    return numbers


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """``"64,32"`` -> ``(64, 32)``; ``""`` or ``"0"`` -> no hidden layer."""
    if text.strip() in ("", "0"):
        return ()
    return _positive_integers(text, "layer sizes", "64,32")


def _conv_filters(text: str) -> tuple[int, ...]:
    """``"16,32"`` -> ``(16, 32)``: the filters of each convolution block."""
    return _positive_integers(text, "filter counts", "16,32")


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
    _add_playground(commands)
    add_lm_command(commands, _command)
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
                        generated: bool = True, labels: bool = True) -> None:
    """DATA.csv (or --csv), --target, --no-header; and --data NAME for a built-in set."""
    p.add_argument("csv", metavar="DATA.csv", nargs="?",
                   help="a CSV file with a header row; or images: an IDX file (MNIST's "
                   "format, with --labels) or a .npz with X (n, height, width[, channels]) "
                   "and y")
    p.add_argument("--target", metavar="COLUMN", help=target_help)
    group = p.add_argument_group("other data sources")
    group.add_argument("--csv", dest="csv_option", metavar="PATH", help="same as DATA.csv")
    group.add_argument("--no-header", dest="header", action="store_false",
                       help="the CSV file has no header row (columns are given by number, "
                       "-1 for the last)")
    group.add_argument("--delimiter", type=_delimiter, metavar="D",
                       help="the CSV file's cell separator: , ; tab or | (default: found "
                       "from the first lines)")
    group.add_argument("--list-columns", action="store_true",
                       help="print the CSV file's columns (name, numbers or text, missing "
                       "cells) and exit")
    if labels:
        group.add_argument("--labels", metavar="LABELS", help="the IDX file of labels of "
                           "IDX images (one per image)")
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
    columns = p.add_argument_group("columns")
    columns.add_argument("--features", metavar="COLS", help="the feature columns, "
                         "comma-separated (default: every column but --target)")
    columns.add_argument("--drop", metavar="COLS", help="columns to leave out of the features, "
                         "comma-separated (an id, a leak of the answer)")
    columns.add_argument("--missing", choices=("error", "drop", "mean", "median"),
                         default="error", help="missing cells (empty, NA, NaN): an error, "
                         "leave the row out, or fill a number column with its mean or median "
                         "(kept in the model for predict)")
    p.add_argument("--hidden", type=_hidden_sizes, default="64,32", metavar="SIZES",
                   help="hidden layer sizes, comma-separated (0 for none)")
    p.add_argument("--conv", type=_conv_filters, metavar="FILTERS",
                   help="images: one block per entry, e.g. 16,32: Conv2D(FILTERS, 3, "
                   "padding='same') with --activation and MaxPool2D(2), before Flatten and "
                   "the --hidden layers (without it an image is flattened into Dense layers)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                   help="activation of the hidden layers")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZER_TYPES), default="adam",
                   help="update rule")
    p.add_argument("--learning-rate", "--lr", type=_positive_float, default=0.001,
                   metavar="LR", help="step size of the optimizer")
    p.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                   help="passes over the training rows")
    p.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                   help="rows per gradient step")
    p.add_argument("--validation-split", type=_fraction, default=0.2, metavar="F",
                   help="fraction of the rows held out to validate")
    p.add_argument("--test-size", type=_fraction, default=0.0, metavar="F",
                   help="fraction of the rows held out to test once, at the end")
    regular = p.add_argument_group("regularisation")
    regular.add_argument("--l2", type=_non_negative_float, default=0.0, metavar="X",
                         help="L2 penalty on the Dense weights (loss + X * sum(w**2))")
    regular.add_argument("--dropout", type=_fraction, default=0.0, metavar="RATE",
                         help="Dropout after each hidden layer")
    regular.add_argument("--batch-norm", action="store_true",
                         help="BatchNormalization after each hidden Dense layer, before "
                         "its activation")
    regular.add_argument("--clipnorm", type=_positive_float, metavar="X",
                         help="scale each gradient down to L2 norm X if it is longer")
    regular.add_argument("--class-weight", choices=("balanced",), metavar="balanced",
                         help="balanced: weight each class by n / (k * its count), so rare "
                         "classes count as much as common ones")
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
    p.add_argument("--distributed", action="store_true",
                   help="train one model on every process started by mpiexec -n N "
                   "(--batch-size is the global batch; needs the extra mpi)")
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
                        generated=False, labels=False)
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
    _add_data_arguments(p, "the column with the classes (default: the model's target)",
                        labels=False)
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


def _add_playground(commands) -> None:
    p = _command(commands, "playground", "serve a web page, on this computer only, where "
                 "networks train as you watch", EPILOG_PLAYGROUND, cmd_playground)
    p.add_argument("--port", type=_port, default=0, metavar="N",
                   help="port on 127.0.0.1 (default: 0, a free one)")
    p.add_argument("--no-browser", dest="browser", action="store_false",
                   help="print the address without opening a browser")
