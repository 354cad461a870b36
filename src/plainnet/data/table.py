"""CSV files as tables of text: the one CSV reader, and the columns the command line needs.

:func:`read_csv_rows` is plainnet's one CSV reader; :func:`read_table` turns
its rows into a :class:`Table`, which keeps every cell as text so that
columns become numbers only when asked for (the command line reads files
this way: a column nobody uses, an id or a comment, may hold anything).
:func:`plainnet.data.load_csv` builds on the same table to return arrays::

    table = read_table("iris.csv")
    target = column_index(table, "species")
    X = numeric_columns(table, [j for j in range(table.width) if j != target])
    y, classes = target_column(table, target)

Files are UTF-8 (a byte-order mark is allowed); blank lines are skipped and
whitespace around cells is ignored. Every problem with a file is a
``ValueError`` whose message names the file and, where it helps, the line and
the column.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["Table", "column_index", "column_label", "numeric_columns", "parse_target",
           "read_csv_rows", "read_table", "select_columns", "target_column"]


def read_csv_rows(
    path: str | os.PathLike[str], delimiter: str = ","
) -> tuple[list[list[str]], list[int]]:
    """Read the non-blank rows of a CSV file, cells stripped, with their line numbers.

    Parameters
    ----------
    path : str or os.PathLike
        The file, UTF-8 text (a byte-order mark is allowed).
    delimiter : str, default ","
        Cell separator, one character.

    Returns
    -------
    rows : list of list of str
        The cells of each row that holds at least one non-blank cell.
    line_numbers : list of int
        The line of the file each row ends on, for messages.

    Raises
    ------
    OSError
        If the file cannot be opened (e.g. FileNotFoundError).
    ValueError
        If the file is not UTF-8 or not valid CSV, naming the file (and line).
    """
    rows, line_numbers = [], []
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells):
                    rows.append(cells)
                    line_numbers.append(reader.line_num)
        except csv.Error as error:
            raise ValueError(f"{path}, line {reader.line_num}: malformed CSV: {error}") from None
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not UTF-8 text: {error}") from None
    return rows, line_numbers


class Table(NamedTuple):
    """The rows of a CSV file, every cell as stripped text."""

    path: str | os.PathLike[str]
    names: list[str] | None  # the header's cells; None for a file read without a header
    cells: np.ndarray        # (n_rows, width) array of str
    lines: list[int]         # the line number of each row, for messages

    @property
    def width(self) -> int:
        """The number of columns."""
        return self.cells.shape[1]


def read_table(path: str | os.PathLike[str], header: bool = True, delimiter: str = ",") -> Table:
    """Read a CSV file into a :class:`Table`, skipping blank lines.

    Parameters
    ----------
    path : str or os.PathLike
    header : bool, default True
        Whether the first non-blank row holds the column names.
    delimiter : str, default ","
        Cell separator.

    Returns
    -------
    Table

    Raises
    ------
    OSError
        If the file cannot be opened (e.g. FileNotFoundError).
    ValueError
        If the file is not UTF-8 CSV text, is empty, has a header and no
        rows, or has rows of different lengths.
    """
    rows, lines = read_csv_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    names = None
    if header:
        names, header_line = rows.pop(0), lines.pop(0)
        if not rows:
            raise ValueError(f"{path}: the header on line {header_line} is not followed by data")
    width = len(names) if names is not None else len(rows[0])
    for cells, line in zip(rows, lines, strict=True):
        if len(cells) != width:
            raise ValueError(f"{path}, line {line}: expected {width} columns, found {len(cells)}")
    return Table(path, names, np.array(rows, dtype=str).reshape(len(rows), width), lines)


def column_index(table: Table, column: str) -> int:
    """Find a column by its name, or by its number.

    Parameters
    ----------
    table : Table
    column : str
        A name from the header, or a column number (0 is the first, -1 the
        last). A header name wins, so a column named ``"2"`` is found by name.

    Returns
    -------
    int
        The column's index, from 0.

    Raises
    ------
    ValueError
        If there is no such column, the header names it twice, or the number
        is out of range.
    """
    if table.names is not None and column in table.names:
        if table.names.count(column) > 1:
            raise ValueError(f"{table.path}: the header names the column {column!r} twice")
        return table.names.index(column)
    if re.fullmatch(r"-?\d+", column.strip()):
        index = int(column)
        if not -table.width <= index < table.width:
            raise ValueError(f"{table.path}: column index {index} is out of range for "
                             f"{table.width} columns")
        return index % table.width
    if table.names is None:
        raise ValueError(f"{table.path}: without a header, columns are given by number "
                         f"(0 to {table.width - 1}, or -1 for the last), not {column!r}")
    raise ValueError(f"{table.path}: no column named {column!r}; the header has "
                     f"{_list(table.names)}")


def column_label(table: Table, j: int) -> str:
    """How messages name column ``j``: ``column 3 ('price')``, counting from 1."""
    name = f" ({table.names[j]!r})" if table.names is not None else ""
    return f"column {j + 1}{name}"


def select_columns(table: Table, names: Sequence[str]) -> list[int]:
    """Find the columns called ``names``, in that order, whatever the file's order.

    Parameters
    ----------
    table : Table
    names : sequence of str
        The column names, e.g. the features a model was trained on.

    Returns
    -------
    list of int
        Their indices; columns not named are left out.

    Raises
    ------
    ValueError
        Naming the first missing column (or one the header has twice).
    """
    if table.names is None:
        raise ValueError(f"{table.path}: the file has no header, so its columns have no names")
    missing = [name for name in names if name not in table.names]
    if missing:
        header_is_data = all(_is_number(cell) for cell in table.names)
        hint = " (the first row looks like data: add --no-header?)" if header_is_data else ""
        raise ValueError(f"{table.path}: no column named {missing[0]!r}, which the model "
                         f"needs; it was trained on the columns {_list(names)}{hint}")
    return [column_index(table, name) for name in names]


def numeric_columns(table: Table, columns: Sequence[int], finite: bool = True) -> np.ndarray:
    """Read ``columns`` as numbers.

    Parameters
    ----------
    table : Table
    columns : sequence of int
        Column indices.
    finite : bool, default True
        Whether NaN and infinite values (cells such as ``nan``, ``inf``) are
        refused.

    Returns
    -------
    ndarray of float64, shape (n_rows, len(columns))

    Raises
    ------
    ValueError
        Naming the line and column of the first cell that is not a number
        (or not a finite number, when ``finite``).
    """
    cells = table.cells[:, list(columns)]
    try:
        values = cells.astype(np.float64)
    except ValueError:
        values = None
    if values is not None and (not finite or np.all(np.isfinite(values))):
        return values
    for (row, j), cell in np.ndenumerate(cells):  # only runs to report the problem
        try:
            value = float(cell)
        except ValueError:
            what = "a number"
        else:
            if not finite or math.isfinite(value):
                continue
            what = "a finite number (not NaN or infinite)"
        raise ValueError(f"{table.path}, line {table.lines[row]}, "
                         f"{column_label(table, columns[j])}: expected {what}, found "
                         f"{str(cell)!r}")
    raise AssertionError("unreachable: some cell was not a finite number")  # pragma: no cover


def target_column(table: Table, j: int) -> tuple[np.ndarray, list[str] | None]:
    """Read the target in column ``j``: numbers, or text labels.

    Parameters
    ----------
    table : Table
    j : int
        The target's column index.

    Returns
    -------
    values : ndarray, shape (n_rows,)
        The numbers as float64; for text, int64 codes numbering the labels
        in sorted order.
    classes : list of str or None
        For text, ``classes[values[i]]`` is row i's label; else None.

    Raises
    ------
    ValueError
        For an empty cell, or a number that is NaN or infinite.
    """
    values, classes = parse_target(table, j, column_label(table, j))
    if classes is not None:
        return values, [str(c) for c in classes]
    if not np.all(np.isfinite(values)):
        numeric_columns(table, [j])  # raises, naming the first NaN or infinite cell
    return values, None


def parse_target(table: Table, j: int, label: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Column ``j`` as float64 numbers ``(values, None)``, or as text ``(codes, classes)``.

    The building block of :func:`target_column` and :func:`plainnet.data.load_csv`:
    numbers may be NaN or infinite; text gives int64 codes numbering the
    sorted distinct cells, ``classes[codes[i]]`` being row ``i``'s text.
    ``label`` names the column in the ``ValueError`` for an empty cell.
    """
    cells = table.cells[:, j]
    empty = np.flatnonzero(cells == "")
    if empty.size:
        raise ValueError(f"{table.path}, line {table.lines[empty[0]]}, {label}: "
                         "the target is empty")
    try:
        return cells.astype(np.float64), None
    except ValueError:  # text: class labels
        classes, codes = np.unique(cells, return_inverse=True)
        return codes.reshape(-1).astype(np.int64), classes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _list(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(str(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
