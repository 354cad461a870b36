"""What the ``plainnet`` command does when something goes wrong: exit codes and errors.

Exit status: 0 on success; 2 for any misuse (a wrong option, a missing or
damaged file, a column that is not there, data that do not fit the model),
reported as one line ``plainnet: error: ...`` on standard error; 130 when
stopped with Ctrl-C.
"""

from __future__ import annotations

import sys

from ..errors import NotCompiledError

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "NUMPY_FLOAT_WARNINGS", "PROG", "USER_ERRORS",
           "CommandError", "UsageError", "describe", "show_warning"]

PROG = "plainnet"
#: Exit status for every misuse: wrong arguments, bad files, data that do not fit.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: Errors that are the user's to fix: reported in one line, without a traceback.
USER_ERRORS = (ValueError, OSError, ImportError, NotCompiledError)
#: NumPy's floating-point RuntimeWarnings, not shown: the commands report what follows from them.
NUMPY_FLOAT_WARNINGS = ("overflow encountered", "invalid value encountered",
                        "divide by zero encountered", "underflow encountered")


class CommandError(Exception):
    """A problem with the command's input, reported as ``plainnet: error: <message>``."""


class UsageError(Exception):
    """Options that do not go together; reported like argparse's own usage errors."""


def describe(error: BaseException) -> str:
    """A one-line message for ``error``."""
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """``warnings.showwarning`` for the commands: ``plainnet: warning: ...`` on one line."""
    stream = file if file is not None else sys.stderr
    try:
        stream.write(f"{PROG}: warning: {' '.join(str(message).split())}\n")
    except OSError:
        pass
