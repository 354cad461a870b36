"""The command that installs one of plainnet's optional extras, as it works where the user is.

``pip install "plainnet[plot]"`` fails from a source checkout (plainnet is
not installed from PyPI there) and may reach another Python than the one
running plainnet. So the hint names this interpreter (``sys.executable``,
relative to the working folder when inside it) and, for an editable install
of a checkout (a ``pyproject.toml`` two folders above the package), the
checkout itself::

    .venv/bin/python -m pip install -e ".[plot]"      (in the checkout)
    /usr/bin/python3 -m pip install "plainnet[plot]"  (an installed plainnet)
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """The shell command that installs the optional extra ``extra`` for this Python."""
    python = _shown(Path(sys.executable or "python"))
    root = Path(__file__).resolve().parents[2]  # src/plainnet/_extras.py -> the checkout
    if (root / "pyproject.toml").is_file() and (root / "src" / "plainnet").is_dir():
        where = _shown(root)
        target = f'"{"." if where == "." else where}[{extra}]"'
        return f"{shlex.quote(python)} -m pip install -e {target}"
    return f'{shlex.quote(python)} -m pip install "plainnet[{extra}]"'


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it, else absolute."""
    try:
        relative = os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative
