"""Which columns of a table are features, and which rows have missing cells.

:func:`choose_features` picks the feature columns as ``load_csv`` and
``plainnet train`` do: every column but the target (or those named), less
those dropped, and never an unnamed column such as the row index pandas'
``to_csv`` writes first (on a file sorted by class, that index would give the
answer away). :func:`rows_with_missing` finds the rows that
``missing="drop"`` leaves out.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from .table import ColumnNotFoundError, Table, column_index, column_label, unnamed_columns

__all__ = ["choose_features", "rows_with_missing", "unnamed_note", "warn_unnamed"]


def choose_features(table: Table, target: int | None, features: Sequence[str] | None = None,
                    drop: Sequence[str] | None = None, argument: str = ""
                    ) -> tuple[list[int], list[int]]:
    """The feature columns: ``features`` (all but the target if None) less ``drop``.

    Unnamed columns (an empty header cell, such as the row index pandas'
    ``to_csv`` writes first) are left out unless ``features`` names them by number.

    Parameters
    ----------
    table : Table
    target : int or None
        The target's column, never a feature.
    features, drop : sequence of str, optional
        Column names (or numbers).
    argument : str, default ""
        Prefix of the option names in messages: ``"--"`` for the command line.

    Returns
    -------
    columns : list of int
        The feature columns, in the order of ``features`` (else of the file).
    unnamed : list of int
        The unnamed columns left out.

    Raises
    ------
    ValueError
        For a name that is not a column (with the nearest name), the target
        among the features, or no feature left.
    """
    def find(option: str, names: Sequence[str]) -> list[int]:
        found = []
        for name in names:
            try:
                found.append(column_index(table, str(name).strip()))
            except ColumnNotFoundError as error:
                raise ColumnNotFoundError(f"{argument}{option} {name}: {error}",
                                          error.names) from None
            except ValueError as error:
                raise ValueError(f"{argument}{option} {name}: {error}") from None
        return found

    unnamed: list[int] = []
    if features is not None:
        columns = find("features", features)
        if target is not None and target in columns:
            raise ValueError(f"{argument}features: the target {column_label(table, target)} "
                             "cannot also be a feature")
    else:
        unnamed = [j for j in unnamed_columns(table) if j != target]
        columns = [j for j in range(table.width) if j != target and j not in unnamed]
    dropped = set(find("drop", drop or ()))
    columns = [j for j in columns if j not in dropped]
    if not columns:
        raise ValueError(f"{table.path}: no feature column is left (expected at least one "
                         "besides the target)")
    return columns, unnamed


def rows_with_missing(table: Table, columns: Sequence[int]) -> np.ndarray:
    """A boolean mask of the rows with a missing cell in any of ``columns``."""
    mask = np.zeros(len(table), dtype=bool)
    for j in columns:
        mask |= table.missing(j)
    return mask


def warn_unnamed(table: Table, unnamed: Sequence[int]) -> str | None:
    """A note on the unnamed columns left out (None if there are none); also warned."""
    if not unnamed:
        return None
    note = unnamed_note(table, unnamed)
    warnings.warn(note, UserWarning, stacklevel=3)
    return note


def unnamed_note(table: Table, unnamed: Sequence[int]) -> str:
    """``column 1 has no name and counts 0, 1, 2, ...: a row index ...; left out``."""
    j = unnamed[0]
    counts = (not table.is_text(j)
              and np.array_equal(table.values[:, j], np.arange(len(table))))
    what = ("has no name and counts 0, 1, 2, ... (a row index, as pandas' to_csv writes)"
            if counts else "has no name")
    more = f" (and {len(unnamed) - 1} more unnamed)" if len(unnamed) > 1 else ""
    return f"column {j + 1} {what}{more}: left out of the features"
