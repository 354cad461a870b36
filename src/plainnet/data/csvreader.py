"""The one CSV reader: numbers parsed by NumPy's C reader, text cells numbered on the way.

A CSV file of ``n`` rows and ``width`` columns is read into one float64 array
``values`` of shape ``(n, width)``:

* a column of numbers holds the numbers, with NaN where a cell is missing
  (empty, ``NA``, ``NaN``, ... : :data:`MISSING_CELLS`);
* a column of text holds codes: ``vocabulary[j][int(values[i, j])]`` is the
  (stripped) text of the cell in row ``i``, column ``j``.

The file is read once by :func:`numpy.loadtxt` (its C parser), which turns
the number columns into floats without a Python object per cell; only text
columns (and, when a cell is missing, the number columns) go through a small
Python converter. A file the fast reader cannot take (rows of different
lengths, lines of blanks) is read again by the csv module, which names the
line of the problem. Peak memory stays near the size of ``values``.

The delimiter (comma, semicolon or tab) is found from the first lines unless
given; in a file not separated by commas, numbers may have a decimal comma
(``1,5``); files are UTF-8 with or without a byte-order mark, with LF or CRLF line
ends. Blank lines, and rows whose every cell is missing, are skipped.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = ["DELIMITERS", "MISSING_CELLS", "RawTable", "detect_delimiter", "is_number",
           "read_csv_rows", "read_raw_table", "row_lines"]

#: Cells that mean "no value" (as pandas reads them by default, the common ones).
MISSING_CELLS = frozenset({"", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "-nan", "-NaN",
                           "null", "NULL", "Null", "None", "#N/A", "<NA>"})
#: The delimiters :func:`detect_delimiter` chooses from, in order of preference.
DELIMITERS = (",", ";", "\t")
_SAMPLE_ROWS = 1000      # rows looked at to guess which columns hold text
_SAMPLE_CHARS = 1 << 16  # text looked at to find the delimiter


class RawTable(NamedTuple):
    """What :func:`read_raw_table` returns (see the module's docstring)."""

    names: list[str] | None              # the header's cells; None without a header
    values: np.ndarray                   # (n, width) float64: numbers, or text codes
    vocabularies: dict[int, np.ndarray]  # column -> array of str: the text of each code
    delimiter: str
    lines: np.ndarray | None             # each row's line number, if the reader knew them


def detect_delimiter(text: str) -> str:
    """The delimiter of the CSV ``text``: the first of :data:`DELIMITERS` that splits
    every one of its first lines into the same number (>= 2) of cells, the most cells
    winning; "," when none does.

    Parameters
    ----------
    text : str
        The start of the file (whole lines).
    """
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_width = ",", 1
    for delimiter in DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = delimiter, width
    return best


def read_csv_rows(
    path: str | os.PathLike[str], delimiter: str = ","
) -> tuple[list[list[str]], list[int]]:
    """Read the non-blank rows of a CSV file, cells stripped, with their line numbers.

    The plain reader, one Python list per row: simple and exact, used by
    :func:`read_raw_table` when NumPy's fast reader refuses a file.

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
    for cells, line in _rows(path, delimiter):
        rows.append(cells)
        line_numbers.append(line)
    return rows, line_numbers


def _rows(path: str | os.PathLike[str], delimiter: str, skip_missing: bool = False):
    """Yield ``(cells, line)`` for each non-blank row (with ``skip_missing``: each row
    with at least one cell that is not missing)."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells) and not (skip_missing and _all_missing(cells)):
                    yield cells, reader.line_num
        except csv.Error as error:
            raise ValueError(f"{path}, line {reader.line_num}: malformed CSV: {error}") from None
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not UTF-8 text: {error}") from None


def _all_missing(cells: list[str]) -> bool:
    return all(cell in MISSING_CELLS for cell in cells)


def row_lines(path: str | os.PathLike[str], delimiter: str, header: bool) -> np.ndarray:
    """The line number of each data row of the file, as :func:`read_raw_table` counts rows."""
    lines = [line for _, line in _rows(path, delimiter, skip_missing=True)]
    if header:  # the header is the first non-blank row, even if its cells look "missing"
        first = next(iter(_rows(path, delimiter)), None)
        if first is not None and lines and lines[0] == first[1]:
            lines = lines[1:]
    return np.array(lines, dtype=np.int64)


class _Start(NamedTuple):
    names: list[str] | None
    header_line: int          # the line the header ends on (0: no header)
    sample: list[list[str]]   # the first data rows
    delimiter: str


def _read_start(path: str | os.PathLike[str], header: bool, delimiter: str | None) -> _Start:
    """The delimiter, the header and the first rows of the file."""
    if delimiter is None:
        with open(path, newline="", encoding="utf-8-sig") as file:
            try:
                text = file.read(_SAMPLE_CHARS)
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}: not UTF-8 text: {error}") from None
        if len(text) == _SAMPLE_CHARS:
            text = text[:text.rfind("\n") + 1] or text  # whole lines only
        delimiter = detect_delimiter(text)
    names, header_line, sample = None, 0, []
    for cells, line in _rows(path, delimiter):
        if header and names is None:
            names, header_line = cells, line
            continue
        sample.append(cells)
        if len(sample) >= _SAMPLE_ROWS:
            break
    if names is None and not sample:
        raise ValueError(f"{path}: the file is empty")
    if not sample:
        raise ValueError(f"{path}: the header on line {header_line} is not followed by data")
    return _Start(names, header_line, sample, delimiter)


def read_raw_table(path: str | os.PathLike[str], header: bool = True,
                   delimiter: str | None = None) -> RawTable:
    """Read a CSV file into numbers and text codes (see the module's docstring).

    Parameters
    ----------
    path : str or os.PathLike
    header : bool, default True
        Whether the first non-blank row holds the column names.
    delimiter : str or None, default None
        Cell separator; None finds it (:func:`detect_delimiter`).

    Returns
    -------
    RawTable

    Raises
    ------
    OSError
        If the file cannot be opened.
    ValueError
        If the file is not UTF-8 CSV text, is empty, has a header and no rows,
        or has rows of different lengths (naming the line).
    """
    start = _read_start(path, header, delimiter)
    width = len(start.names) if start.names is not None else len(start.sample[0])
    text, missing = set(), set()
    for j in range(width):
        cells = [row[j] for row in start.sample if j < len(row)]
        if any(cell not in MISSING_CELLS and not is_number(cell) for cell in cells):
            text.add(j)
        elif any(cell in MISSING_CELLS for cell in cells):
            missing.add(j)
    slow_numbers = False  # True: every number column through the Python converter
    retries = 0
    while True:
        converters: dict[int, Callable[[str], float]] = {}
        for j in range(width):
            if j in text:
                converters[j] = _TextCodes()
            elif slow_numbers or j in missing:
                converters[j] = _number_converter(j)
        try:
            values = _loadtxt(path, start, converters)
        except ValueError as error:
            _raise_if_interrupted(error)
            cause = error.__cause__
            if isinstance(cause, _NotNumber) and cause.column not in text:
                text.add(cause.column)  # a text cell after the sample: read that column as text
                continue
            column = _failed_column(error)
            if column is not None and column not in missing and retries < 3:
                missing.add(column)  # a missing cell after the sample: that column in Python
                retries += 1
                continue
            if not slow_numbers and not _refused(error):
                slow_numbers = True  # several such columns: every number column in Python
                continue
            return _read_slowly(path, start, width)
        break
    if values.shape[1] != width:
        return _read_slowly(path, start, width)  # e.g. a header wider than the rows
    vocabularies = {j: converter.vocabulary() for j, converter in converters.items()
                    if isinstance(converter, _TextCodes)}
    raw = RawTable(start.names, values, vocabularies, start.delimiter, None)
    return _drop_empty_rows(_decimal_commas(raw))


def _loadtxt(path, start: _Start, converters: dict) -> np.ndarray:
    return np.loadtxt(path, dtype=np.float64, delimiter=start.delimiter, comments=None,
                      skiprows=start.header_line, quotechar='"', encoding="utf-8-sig",
                      ndmin=2, converters=converters or None)


def _failed_column(error: ValueError) -> int | None:
    """The column (from 0) of the cell NumPy's C parser could not convert, if it says so."""
    found = re.search(r"could not convert string .* at row \d+, column (\d+)", str(error))
    return int(found.group(1)) - 1 if found else None


def _refused(error: ValueError) -> bool:
    """Whether NumPy's reader refused the file's shape (not a cell): read it slowly."""
    return isinstance(error, UnicodeDecodeError) or "number of columns" in str(error)


def _raise_if_interrupted(error: BaseException) -> None:
    """NumPy turns an exception raised in a converter into a ValueError: Ctrl-C in a
    converter must stay a KeyboardInterrupt."""
    cause = error.__cause__ or error.__context__
    while cause is not None:
        if isinstance(cause, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        cause = cause.__cause__ or cause.__context__


class _NotNumber(ValueError):
    """Raised by a number column's converter on a text cell."""

    def __init__(self, column: int) -> None:
        super().__init__(f"column {column} holds text")
        self.column = column


def _number_converter(column: int) -> Callable[[str], float]:
    """A cell of a number column as a float: NaN when missing, :class:`_NotNumber` if text."""

    def convert(cell: str) -> float:
        try:
            return float(cell)
        except ValueError:
            if cell.strip() in MISSING_CELLS:
                return math.nan
            raise _NotNumber(column) from None

    return convert


class _TextCodes:
    """A text column's converter: each distinct stripped cell gets the next code 0, 1, ..."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def __call__(self, cell: str) -> float:
        cell = cell.strip()
        code = self.codes.get(cell)
        if code is None:
            code = self.codes[cell] = len(self.codes)
        return code

    def vocabulary(self) -> np.ndarray:
        return np.array(list(self.codes), dtype=str)


def is_number(cell: str) -> bool:
    """Whether the text of a cell reads as a number (``float`` accepts it)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _drop_empty_rows(raw: RawTable) -> RawTable:
    """Leave out the rows whose every cell is missing (as :func:`_rows` does)."""
    values = raw.values
    if not np.isnan(values).any() and not raw.vocabularies:
        return raw
    empty = np.ones(len(values), dtype=bool)
    for j in range(values.shape[1]):
        if j in raw.vocabularies:
            is_missing = np.isin(raw.vocabularies[j], list(MISSING_CELLS))
            empty &= is_missing[values[:, j].astype(np.intp)]
        else:
            empty &= np.isnan(values[:, j])
        if not empty.any():
            return raw
    return raw._replace(values=values[~empty])


def _read_slowly(path, start: _Start, width: int) -> RawTable:
    """The csv module's reading, row by row: exact about lines, and about any problem."""
    rows, lines = [], []
    for cells, line in _rows(path, start.delimiter, skip_missing=True):
        if line <= start.header_line:
            continue
        if len(cells) != width:
            raise ValueError(f"{path}, line {line}: expected {width} columns, found "
                             f"{len(cells)}")
        rows.append(cells)
        lines.append(line)
    if not rows:
        raise ValueError(f"{path}: the header on line {start.header_line} is not followed by "
                         "data")
    values = np.empty((len(rows), width), dtype=np.float64)
    vocabularies = {}
    for j in range(width):
        cells = [row[j] for row in rows]
        try:
            values[:, j] = [math.nan if cell in MISSING_CELLS else float(cell) for cell in cells]
        except ValueError:
            codes = _TextCodes()
            values[:, j] = [codes(cell) for cell in cells]
            vocabularies[j] = codes.vocabulary()
    return _decimal_commas(RawTable(start.names, values, vocabularies, start.delimiter,
                                    np.array(lines, dtype=np.int64)))


_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


def _decimal_commas(raw: RawTable) -> RawTable:
    """Read ``1,5`` as 1.5 in a file whose cells are not separated by commas (a semicolon
    file from a spreadsheet in French or German): a text column whose every value is a
    number with a decimal comma (or missing) becomes a column of numbers."""
    if raw.delimiter == ",":
        return raw
    for j, vocabulary in list(raw.vocabularies.items()):
        numbers = [math.nan if cell in MISSING_CELLS else
                   float(cell.replace(",", ".")) if _DECIMAL_COMMA.fullmatch(cell) else
                   float(cell) if is_number(cell) else None for cell in vocabulary]
        if any(number is None for number in numbers) or not any(
                _DECIMAL_COMMA.fullmatch(cell) for cell in vocabulary):
            continue
        raw.values[:, j] = np.array(numbers)[raw.values[:, j].astype(np.intp)]
        del raw.vocabularies[j]
    return raw
