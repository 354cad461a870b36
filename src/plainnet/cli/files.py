"""The files a command writes: checked before any work, written atomically."""

from __future__ import annotations

import os

from .errors import CommandError

__all__ = ["check_writable", "write_text_atomically"]


def check_writable(option: str, path: str) -> None:
    """Fail now, not after training, if ``path`` cannot be a file: its folder is missing."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CommandError(f"{option} {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise CommandError(f"{option} {path}: it is a folder")


def write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as ``save`` writes a model: atomically."""
    from ..io import replace_atomically

    replace_atomically(path, lambda file: file.write(text.encode("utf-8")))
