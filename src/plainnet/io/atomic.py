"""Replacing a file atomically: the new bytes under a temporary name, synced, then renamed.

A process killed at any moment leaves either the old file or the new one,
never a mixture: the whole file is written under a temporary name in the same
folder (``.model.pnet.tmp-1a2b3c4d``), flushed to the disk (``fsync``), then
renamed over the old file in one step (``os.replace``), and the folder is
synced so that the rename survives a power cut. A process killed mid-write
may leave its temporary file behind; such files can be deleted.

:func:`replace_atomically` serves :func:`plainnet.io.save` and anything else
that must never leave a half-written file (the command line's CSV output).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from typing import BinaryIO

__all__ = ["replace_atomically"]


def replace_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, sync it, rename it over ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace. A symbolic link is followed (what it
        points to is replaced), and the new file keeps the permissions of the
        file it replaces (a new one gets the usual ``0o666`` less the umask).
    write : callable
        Writes the whole content to the binary file object it is given.

    Raises
    ------
    OSError
        If the file cannot be written (missing folder, no permission, disk
        full); it names ``path``, not the temporary file. Whatever fails,
        ``write`` included, the temporary file is removed and ``path`` is
        left as it was.
    """
    path = os.path.realpath(os.fspath(path))  # follow a symbolic link: replace what it points to
    folder, filename = os.path.split(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)  # keep a private file private
    except OSError:
        mode = None  # a new file: the usual permissions
    temporary, descriptor = _create_temporary(folder, filename)
    try:
        with open(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on the disk before the name points to them
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)  # one step: readers see the old file or the new one
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)  # make the rename itself survive a power cut


def _create_temporary(folder: str, filename: str) -> tuple[str, int]:
    """Create ``folder/.<filename>.tmp-<random>`` exclusively; return its path and descriptor.

    The file is created with mode ``0o666`` less the umask, as ``open(path, "w")``
    would create ``path`` itself. Only the first 60 characters of ``filename`` are
    used, so that the name stays within the usual 255-byte limit. An error names
    ``folder/filename``, the file the caller asked for, not the temporary one.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{filename[:60]}.tmp-{secrets.token_hex(4)}")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:  # no such folder, no permission, ...
            raise type(error)(error.errno, error.strerror,
                              os.path.join(folder, filename)) from None
    raise FileExistsError(f"could not create a temporary file in {folder!r}")


def _fsync_folder(folder: str) -> None:
    if os.name != "posix":  # Windows cannot open a folder; its rename is durable enough
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder we may write but not read: the file itself is synced
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems do not sync folders; the file itself is synced
        pass
    finally:
        os.close(descriptor)
