"""CSV files with one target column, loaded as arrays.

``X, y, classes = load_csv("iris.csv", target="species")``: every column but
the target becomes a feature; a text target becomes integer labels. Text
feature columns are one-hot encoded, missing cells are refused, dropped or
filled (``missing=``), and an unnamed column such as a pandas row index is
left out with a warning. The file is read by
:func:`plainnet.data.table.read_table`, the same reader the command line
uses, so both report a bad file the same way: a ``ValueError`` naming the
file, line and column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .._validation import check_bool
from .columns import ColumnEncoder
from .selection import choose_features, rows_with_missing, warn_unnamed
from .table import ColumnNotFoundError, Table, did_you_mean, parse_target, read_table

__all__ = ["CSVData", "load_csv"]


class _Arrays(NamedTuple):
    X: NDArray[np.float64]
    y: np.ndarray
    classes: NDArray[np.str_] | None


class CSVData(_Arrays):
    """Result of :func:`load_csv`; unpacks as ``X, y, classes = load_csv(...)``.

    Attributes
    ----------
    X : ndarray of float64, shape (n, d)
        The feature columns, in file order; a text column becomes one 0/1
        column per category (one-hot).
    y : ndarray, shape (n,)
        The target column: int64 labels for a text target, otherwise the
        numbers themselves (int64 when all are integral, else float64).
    classes : ndarray of str, shape (k,), or None
        For a text target, ``classes[i]`` is the original text of label ``i``
        (sorted, as from ``np.unique``); None for a numeric target.
    feature_names : list of str
        The name of each column of ``X`` (``"colour=red"`` for a category).
    encoder : ColumnEncoder or None
        How the feature columns became ``X``: ``encoder.transform`` encodes
        another file's table the same way.
    """

    feature_names: list[str]
    encoder: ColumnEncoder | None

    def __new__(cls, X, y, classes, feature_names=None, encoder=None):
        self = super().__new__(cls, X, y, classes)
        self.feature_names = list(feature_names or [])
        self.encoder = encoder
        return self


def load_csv(
    path: str | os.PathLike[str],
    target: str | int,
    delimiter: str | None = None,
    header: bool = True,
    *,
    features: Sequence[str] | None = None,
    drop: Sequence[str] | None = None,
    missing: str = "error",
) -> CSVData:
    """Load a CSV file with one target column.

    Blank lines are skipped and whitespace around cells is ignored. The file
    is read as UTF-8 (a byte-order mark is allowed), with LF or CRLF line ends.
    A text feature column (categories) becomes one column per category,
    sorted, holding 1 where the row has it and 0 elsewhere (one-hot).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    target : str or int
        The target column: its name (needs ``header=True``) or its index
        (negative counts from the end).
    delimiter : str or None, default None
        Cell separator; None finds it from the first lines (comma, semicolon or tab).
    header : bool, default True
        Whether the first non-blank line holds column names.
    features : sequence of str, optional
        The feature columns, by name (or number); default: every column but
        the target, except unnamed columns (such as a pandas index), which
        are left out with a ``UserWarning``.
    drop : sequence of str, optional
        Columns to leave out of the features.
    missing : {"error", "drop", "mean", "median"}, default "error"
        Missing cells (empty, ``NA``, ``NaN``): an error naming the line and
        column, the row left out, or the number column's mean or median.

    Returns
    -------
    CSVData
        Named tuple ``(X, y, classes)``: ``X`` float64 (n, d) holds the
        features; ``y`` (n,) is int64 labels for a text target (``classes[i]``
        is the text of label ``i``), or the numbers themselves for a numeric
        target (int64 when all integral, else float64, with ``classes=None``).
        Also ``feature_names`` and the fitted ``encoder``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For an empty file, a header without data, rows of different lengths,
        an unknown column (with the nearest name: "did you mean ...?"), a
        missing value (with ``missing="error"``; for the target, unless
        ``missing="drop"``) or a text cell in a column of numbers; the message
        names the file, line and column.

    Examples
    --------
    >>> X, y, classes = load_csv("iris.csv", target="species")      # doctest: +SKIP
    >>> data = load_csv("cars.csv", target="price", drop=["id"], missing="median")  # doctest: +SKIP
    >>> data.feature_names                                           # doctest: +SKIP
    ['year', 'colour=blue', 'colour=red', 'km']
    """
    path = Path(path)
    header = check_bool("header", header)
    table = read_table(path, header=header, delimiter=delimiter)
    column = _target_index(table, target)
    columns, unnamed = choose_features(table, column, features, drop)
    warn_unnamed(table, unnamed)
    if missing == "drop":
        table = table.take(~rows_with_missing(table, [*columns, column]))
        if not len(table):
            raise ValueError(f"{path}: every row has a missing value (missing='drop')")
    encoder = ColumnEncoder.fit(table, columns, missing)
    X = encoder.transform(table, columns)
    return CSVData(X, *_encode_target(table, column), encoder.input_names, encoder)

def _target_index(table: Table, target: str | int) -> int:
    """Resolve ``target`` (column name or index) to a non-negative column index."""
    if isinstance(target, str):
        if table.names is None:
            raise ValueError(
                f"{table.path}: target {target!r} is a column name, which needs header=True"
            )
        if target not in table.names:
            raise ColumnNotFoundError(
                f"{table.path}: no column named {target!r}"
                f"{did_you_mean(target, table.names)}; the header has {table.names}",
                table.names)
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
