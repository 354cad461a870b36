"""CSV files as tables: columns of numbers or of text, and the columns the command line needs.

:func:`read_table` reads a file with the one CSV reader
(:mod:`plainnet.data.csvreader`) into a :class:`Table`: each column holds
numbers (NaN where a cell is missing) or text; columns become model inputs
only when asked for (the command line reads files this way: a column nobody
uses, an id or a comment, may hold anything). :func:`plainnet.data.load_csv`
builds on the same table to return arrays::

    table = read_table("iris.csv")
    target = column_index(table, "species")
    X = numeric_columns(table, [j for j in range(table.width) if j != target])
    y, classes = target_column(table, target)

Files are UTF-8 (a byte-order mark is allowed), LF or CRLF, with a comma,
semicolon or tab between cells (found from the first lines unless given);
blank lines are skipped and whitespace around cells is ignored. Every problem
with a file is a ``ValueError`` whose message names the file and, where it
helps, the line and the column. A column name that is not in the header is a
:class:`ColumnNotFoundError` that suggests the nearest name ("did you mean
'diagnosis'?").
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence

import numpy as np

from .csvreader import MISSING_CELLS, is_number, read_csv_rows, read_raw_table, row_lines

__all__ = ["ColumnNotFoundError", "Table", "column_index", "column_label", "did_you_mean",
           "numeric_columns", "parse_target", "raise_not_number", "read_csv_rows", "read_table",
           "select_columns", "target_column", "unnamed_columns"]


class Table:
    """The rows of a CSV file, column by column.

    Attributes
    ----------
    path : str or os.PathLike
    names : list of str or None
        The header's cells; None for a file read without a header.
    values : ndarray of float64, shape (n_rows, width)
        Column ``j`` of numbers: the numbers, NaN where a cell is missing;
        column ``j`` of text: codes into ``vocabularies[j]``.
    vocabularies : dict of int to ndarray of str
        For each text column, the text of each code.
    delimiter : str
    """

    def __init__(self, path: str | os.PathLike[str], names: list[str] | None,
                 values: np.ndarray, vocabularies: dict[int, np.ndarray], delimiter: str = ",",
                 lines: np.ndarray | None = None, header: bool = True) -> None:
        self.path, self.names, self.values = path, names, values
        self.vocabularies, self.delimiter = vocabularies, delimiter
        self._lines, self._header = lines, header
        self._parent: tuple[Table, np.ndarray] | None = None  # a table this one was taken from

    @property
    def width(self) -> int:
        """The number of columns."""
        return self.values.shape[1]

    def __len__(self) -> int:
        """The number of rows."""
        return self.values.shape[0]

    @property
    def lines(self) -> np.ndarray:
        """The line number of each row, for messages (found by reading the file again)."""
        if self._lines is None and self._parent is not None:
            table, rows = self._parent
            self._lines = table.lines[rows]
        elif self._lines is None:
            self._lines = row_lines(self.path, self.delimiter, self._header)
        return self._lines

    def is_text(self, j: int) -> bool:
        """Whether column ``j`` holds text (some cell is neither a number nor missing)."""
        return j in self.vocabularies

    def text(self, j: int) -> np.ndarray:
        """The cells of text column ``j``, as an array of str."""
        return self.vocabularies[j][self.values[:, j].astype(np.intp)]

    def missing(self, j: int) -> np.ndarray:
        """Which cells of column ``j`` are missing (empty, ``NA``, ``NaN``, ...)."""
        if j in self.vocabularies:
            return np.isin(self.vocabularies[j], list(MISSING_CELLS))[
                self.values[:, j].astype(np.intp)]
        return np.isnan(self.values[:, j])

    def take(self, rows: np.ndarray) -> Table:
        """The table of the rows ``rows`` (indices or a boolean mask)."""
        lines = None if self._lines is None else self._lines[rows]
        table = Table(self.path, self.names, self.values[rows], self.vocabularies,
                      self.delimiter, lines, self._header)
        if lines is None:
            table._parent = (self, rows)
        return table

    def line(self, i: int) -> int:
        """The line number of row ``i``."""
        return int(self.lines[i])


def read_table(path: str | os.PathLike[str], header: bool = True,
               delimiter: str | None = None) -> Table:
    """Read a CSV file into a :class:`Table`, skipping blank lines.

    Parameters
    ----------
    path : str or os.PathLike
    header : bool, default True
        Whether the first non-blank row holds the column names.
    delimiter : str or None, default None
        Cell separator; None: found from the first lines (comma, semicolon or tab).

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
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ValueError(f"delimiter must be one character, got {delimiter!r}")
    raw = read_raw_table(path, header=header, delimiter=delimiter)
    return Table(path, raw.names, raw.values, raw.vocabularies, raw.delimiter, raw.lines,
                 header)


class ColumnNotFoundError(ValueError):
    """A column name that the header does not have; ``names`` is the whole header."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


def unnamed_columns(table: Table) -> list[int]:
    """The columns whose header cell is empty, such as the index pandas writes first."""
    return [] if table.names is None else [j for j, name in enumerate(table.names) if not name]


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
    ColumnNotFoundError
        If the header has no such name (suggesting the nearest one).
    ValueError
        If the header names it twice, or the number is out of range.
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
    raise ColumnNotFoundError(f"{table.path}: no column named {column!r}"
                              f"{did_you_mean(column, table.names)}; the header has "
                              f"{len(table.names)} columns: {_list(table.names)}", table.names)


def did_you_mean(name: str, names: Sequence[str]) -> str:
    """``" (did you mean 'diagnosis'?)"`` for the nearest of ``names`` (case ignored), or ""."""
    lowered = {candidate.lower(): candidate for candidate in reversed(names)}
    key = name.strip().lower()
    if key in lowered:
        return f" (did you mean {lowered[key]!r}?)"
    close = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


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
        header_is_data = all(is_number(cell) for cell in table.names)
        hint = " (the first row looks like data: add --no-header?)" if header_is_data else ""
        raise ColumnNotFoundError(
            f"{table.path}: no column named {missing[0]!r}{did_you_mean(missing[0], table.names)}"
            f", which the model needs; it was trained on the columns {_list(names)}{hint}",
            table.names)
    return [column_index(table, name) for name in names]


def numeric_columns(table: Table, columns: Sequence[int], finite: bool = True) -> np.ndarray:
    """Read ``columns`` as numbers.

    Parameters
    ----------
    table : Table
    columns : sequence of int
        Column indices.
    finite : bool, default True
        Whether missing cells (empty, ``NA``, ``NaN``) and infinite values
        are refused; with False they are NaN and ``inf``.

    Returns
    -------
    ndarray of float64, shape (n_rows, len(columns))

    Raises
    ------
    ValueError
        Naming the line and column of the first cell that is not a number
        (or, when ``finite``, a missing value or an infinite number).
    """
    columns = list(columns)
    for j in columns:
        if table.is_text(j):
            raise_not_number(table, j)
    values = table.values[:, columns]
    if finite and not np.all(np.isfinite(values)):
        row, k = np.argwhere(~np.isfinite(values))[0]
        j = columns[k]
        where = f"{table.path}, line {table.line(row)}, {column_label(table, j)}"
        if np.isnan(values[row, k]):
            raise ValueError(f"{where}: missing value")
        raise ValueError(f"{where}: expected a finite number, found {values[row, k]}")
    return values


def raise_not_number(table: Table, j: int) -> None:
    """Raise the ``ValueError`` "expected a number, found 'x'" for text column ``j``."""
    vocabulary = table.vocabularies[j]
    is_text = np.array([cell not in MISSING_CELLS and not is_number(cell)
                        for cell in vocabulary], dtype=bool)
    row = int(np.flatnonzero(is_text[table.values[:, j].astype(np.intp)])[0])
    cell = str(table.text(j)[row])
    raise ValueError(f"{table.path}, line {table.line(row)}, {column_label(table, j)}: "
                     f"expected a number, found {cell!r}")


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
        For a missing cell, or a number that is infinite.
    """
    values, classes = parse_target(table, j, column_label(table, j))
    if classes is not None:
        return values, [str(c) for c in classes]
    if not np.all(np.isfinite(values)):
        numeric_columns(table, [j])  # raises, naming the first infinite cell
    return values, None


def parse_target(table: Table, j: int, label: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Column ``j`` as float64 numbers ``(values, None)``, or as text ``(codes, classes)``.

    The building block of :func:`target_column` and :func:`plainnet.data.load_csv`:
    numbers may be infinite; text gives int64 codes numbering the sorted
    distinct cells, ``classes[codes[i]]`` being row ``i``'s text. ``label``
    names the column in the ``ValueError`` for a missing cell.
    """
    empty = np.flatnonzero(table.missing(j))
    if empty.size:
        raise ValueError(f"{table.path}, line {table.line(empty[0])}, {label}: "
                         "the target is empty (missing value)")
    if not table.is_text(j):
        return table.values[:, j].copy(), None
    classes, codes = np.unique(table.text(j), return_inverse=True)  # text: class labels
    return codes.reshape(-1).astype(np.int64), classes


def _list(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(str(name) or "(no name)" for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
