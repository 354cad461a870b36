"""The ``plainnet`` command: train, use, inspect and plot models from a shell.

Run ``plainnet --help`` (or ``python -m plainnet --help``) for the commands,
and ``plainnet COMMAND --help`` for each one's options and an example::

    plainnet xor --plot xor.png                  # the tutorial's network learns XOR
    plainnet train iris.csv --target species --out iris.pnet
    plainnet predict iris.pnet new.csv --proba   # CSV with the label names
    plainnet evaluate iris.pnet test.csv --target species
    plainnet summary iris.pnet
    plainnet plot iris.pnet test.csv --target species --out iris.png
    plainnet playground                          # watch networks learn in a browser

Exit status: 0 on success; 2 for any misuse (a wrong option, a missing or
damaged file, a column that is not there, data that do not fit the model),
reported as one line ``plainnet: error: ...`` on standard error; 130 when
stopped with Ctrl-C. Set ``PLAINNET_DEBUG=1`` to see the traceback instead.

This package sits on the top floor: it reads and writes files and talks to
people, and calls the library for everything else (data sets and CSV tables,
standardisation, ``Sequential.fit`` with its checkpoints and early stopping,
``save``/``load``, metrics, :mod:`plainnet.plotting`). One module per concern:

* ``errors``: exit codes and the errors reported in one line;
* ``parser`` (help texts in ``epilogs``): the arguments of every command;
* ``tabledata``: a CSV file or a built-in data set as ``X`` and ``y``;
* ``imagedata`` (and ``imagetrain``): images from an IDX file or a ``.npz``;
* ``models``: a saved model's metadata, classes, probabilities and scores;
* ``report``: numbers, lists and tables as the commands print them;
* one module per command: ``xor``, ``train`` (with ``trainsetup`` and
  ``progress``), ``predict``, ``evaluate``, ``summary``, ``plot``, and
  ``playground`` (which serves :mod:`plainnet.playground`'s web page).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from ..data.scaling import Scaling as Scaling
from ..metrics import confusion_matrix as confusion_matrix
from .columns import list_columns
from .errors import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    NUMPY_FLOAT_WARNINGS,
    PROG,
    USER_ERRORS,
    CommandError,
    UsageError,
    show_warning,
)
from .errors import describe as _describe_error
from .parser import build_parser
from .progress import ProgressLine as ProgressLine
from .tabledata import load_data as load_data
from .trainsetup import build_model as build_model

# The names imported "as" themselves were importable from plainnet.cli when it was one
# module; their homes are now the library (Scaling, confusion_matrix) and the modules above.

__all__ = ["build_parser", "main"]


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
    handler = list_columns if getattr(args, "list_columns", False) else args.handler
    try:
        with warnings.catch_warnings():
            if not debug:  # each warning one line, without a source path
                warnings.showwarning = show_warning
                for text in NUMPY_FLOAT_WARNINGS:  # plainnet reports their consequences
                    warnings.filterwarnings("ignore", message=text, category=RuntimeWarning)
            return int(handler(args) or 0)
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
        if getattr(error, "all_ranks", False) and os.environ.get("PMI_RANK", "0") != "0":
            return EXIT_USAGE  # every rank found it: rank 0 says it once
        print(f"{PROG}: error: {_describe_error(error)}", file=sys.stderr)
        return EXIT_USAGE
