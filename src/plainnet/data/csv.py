"""CSV files of numbers with one target column, loaded as arrays.

``X, y, classes = load_csv("iris.csv", target="species")``: every column but
the target becomes a feature; a text target becomes integer labels. The file
is read by :func:`plainnet.data.table.read_table`, the same reader the command
line uses, so both report a bad file the same way: a ``ValueError`` naming the
file, line and column.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .._validation import check_bool
from .table import Table, numeric_columns, parse_target, read_table

__all__ = ["CSVData", "load_csv"]


class CSVData(NamedTuple):
    """Result of :func:`load_csv`; unpacks as ``X, y, classes = load_csv(...)``.

    Attributes
    ----------
    X : ndarray of float64, shape (n, d)
        The feature columns, in file order.
    y : ndarray, shape (n,)
        The target column: int64 labels for a text target, otherwise the
        numbers themselves (int64 when all are integral, else float64).
    classes : ndarray of str, shape (k,), or None
        For a text target, ``classes[i]`` is the original text of label ``i``
        (sorted, as from ``np.unique``); None for a numeric target.
    """

    X: NDArray[np.float64]
    y: np.ndarray
    classes: NDArray[np.str_] | None


def load_csv(
    path: str | os.PathLike[str],
    target: str | int,
    delimiter: str = ",",
    header: bool = True,
) -> CSVData:
    """Load a CSV file of numbers with one target column.

    Blank lines are skipped and whitespace around cells is ignored.  The file
    is read as UTF-8 (a byte-order mark is allowed).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    target : str or int
        The target column: its name (needs ``header=True``) or its index
        (negative counts from the end).
    delimiter : str, default ","
        Cell separator.
    header : bool, default True
        Whether the first non-blank line holds column names.

    Returns
    -------
    CSVData
        Named tuple ``(X, y, classes)``: ``X`` float64 (n, d) holds every other
        column; ``y`` (n,) is int64 labels for a text target (``classes[i]`` is
        the text of label ``i``), or the numbers themselves for a numeric
        target (int64 when all integral, else float64, with ``classes=None``).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For an empty file, a header without data, rows of different lengths,
        a missing target column, an empty target cell or a feature cell that
        is not a number; the message names the file, line and column.
    """
    path = Path(path)
    header = check_bool("header", header)
    table = read_table(path, header=header, delimiter=delimiter)
    column = _target_index(table, target)
    X = numeric_columns(table, [c for c in range(table.width) if c != column], finite=False)
    return CSVData(X, *_encode_target(table, column))


def _target_index(table: Table, target: str | int) -> int:
    """Resolve ``target`` (column name or index) to a non-negative column index."""
    if isinstance(target, str):
        if table.names is None:
            raise ValueError(
                f"{table.path}: target {target!r} is a column name, which needs header=True"
            )
        if target not in table.names:
            raise ValueError(
                f"{table.path}: no column named {target!r}; the header has {table.names}"
            )
        return table.names.index(target)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not -table.width <= target < table.width:
            raise ValueError(f"{table.path}: target column index {target} is out of range for "
                             f"{table.width} columns")
        return int(target) % table.width
    raise TypeError(
        f"target must be a column name (str) or index (int), got {type(target).__name__}"
    )


def _encode_target(table: Table, column: int) -> tuple[np.ndarray, NDArray[np.str_] | None]:
    """Turn the target cells into ``(y, classes)``; see :class:`CSVData`."""
    values, classes = parse_target(table, column, f"column {column + 1}")
    if classes is not None:  # text: label i stands for classes[i]
        return values, classes
    exact_ints = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) <= 2**53)
    if np.all(exact_ints):
        return values.astype(np.int64), None
    return values, None
