"""``--list-columns``: a CSV file's header in full, with what each column holds."""

from __future__ import annotations

import argparse

import numpy as np

from ..data.table import read_table
from .report import list_text
from .tabledata import csv_path, rows_text

__all__ = ["list_columns"]

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def list_columns(args: argparse.Namespace) -> int:
    """Print each column: number, name, numbers or text (categories), missing cells."""
    path = csv_path(args)
    table = read_table(path, header=args.header, delimiter=getattr(args, "delimiter", None))
    delimiter = _DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))
    print(f"{path}: {table.width} columns, {rows_text(len(table))}, {delimiter}-separated")
    names = table.names or [""] * table.width
    width = max(len("name"), *(len(name) for name in names))
    print(f"{'#':>4}  {'name':<{width}}  holds")
    for j, name in enumerate(names):
        if table.is_text(j):
            categories = np.unique(table.text(j)[~table.missing(j)])
            holds = (f"text, {len(categories)} value{'' if len(categories) == 1 else 's'}: "
                     f"{list_text([str(c) for c in categories], 5, quote=True)}")
        else:
            holds = "numbers"
        n_missing = int(table.missing(j).sum())
        if n_missing:
            holds += f"; {n_missing} missing"
        if table.names is not None and not name:
            holds += " (no name: left out of the features)"
        print(f"{j:>4}  {name:<{width}}  {holds}")
    return 0
