"""Table columns as model inputs: numbers as they are, text one-hot, missing values handled.

A :class:`ColumnEncoder` is fitted on the feature columns of a
:class:`~plainnet.data.table.Table` and then turns any table with those
columns into the float matrix a model reads:

* a column of numbers gives one input, the number itself;
* a column of text (categories, such as ``"red"``, ``"green"``) gives one
  input per category, sorted, with 1 for the row's category and 0 elsewhere
  (one-hot encoding)::

      colour         colour=blue  colour=green  colour=red
      red      ->    0            0             1
      blue           1            0             0

  A category that the encoder was not fitted on (unseen in training) is an
  error naming it, the line and the column, as in scikit-learn's
  ``OneHotEncoder`` by default: an all-zero row would silently predict from
  nothing but the other columns.
* a missing cell (empty, ``NA``, ``NaN``) is handled as ``missing`` says:
  ``"error"`` refuses it (naming the line and column), ``"drop"`` leaves the
  row out (:func:`plainnet.data.selection.rows_with_missing`: done before
  fitting, by the caller),
  ``"mean"`` or ``"median"`` fill it with the column's mean or median, as
  fitted (number columns only: text has no mean).

The encoder is saved with a model as JSON (:meth:`ColumnEncoder.to_json`), so
that ``predict`` encodes new files the way training did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice
from .csvreader import MISSING_CELLS, is_number
from .table import Table, column_label, raise_not_number

__all__ = ["MAX_CATEGORIES", "MISSING_POLICIES", "ColumnEncoder", "ColumnSpec"]

#: What ``missing`` may be: refuse, leave the row out, or fill with the column's mean or median.
MISSING_POLICIES = ("error", "drop", "mean", "median")
#: The most categories :meth:`ColumnEncoder.fit` one-hot encodes in one text column.
MAX_CATEGORIES = 100


class ColumnSpec(NamedTuple):
    """How one column becomes inputs: ``categories`` for text (one-hot), else one number;
    ``fill`` is what a missing number becomes (None: an error)."""

    name: str
    categories: list[str] | None = None
    fill: float | None = None


class ColumnEncoder:
    """Feature columns as model inputs: numbers, one-hot categories, filled missing values.

    Parameters
    ----------
    columns : sequence of ColumnSpec
        One per feature column, in the order the model reads them.
    missing : {"error", "drop", "mean", "median"}, default "error"
        How missing cells were handled when fitting (see the module's docstring).

    Examples
    --------
    >>> encoder = ColumnEncoder.fit(table, [0, 2], missing="median")   # doctest: +SKIP
    >>> X = encoder.transform(table, [0, 2])                           # doctest: +SKIP
    >>> encoder.input_names                                            # doctest: +SKIP
    ['size', 'colour=blue', 'colour=red']
    """

    def __init__(self, columns: Sequence[ColumnSpec], missing: str = "error") -> None:
        self.columns = [ColumnSpec(*spec) for spec in columns]
        self.missing = check_choice("missing", missing, MISSING_POLICIES)

    @classmethod
    def fit(cls, table: Table, columns: Sequence[int], missing: str = "error",
            argument: str = "missing=", max_categories: int = MAX_CATEGORIES) -> ColumnEncoder:
        """Learn each column's kind, categories and fill value from ``table``.

        A column holding text is categorical, unless most of its cells are
        numbers: then its text cells are taken for typos, and the first one is
        an error ("expected a number, found 'x'"). A text column with more
        than ``max_categories`` distinct values is refused: it is more likely
        an id, free text or numbers written with a thousands separator
        (``"1,234"``) than categories, and would make as many inputs.

        Parameters
        ----------
        table : Table
        columns : sequence of int
        missing : {"error", "drop", "mean", "median"}
        argument : str, default "missing="
            How messages name ``missing``: ``"--missing "`` for the command line.
        max_categories : int, default 100
            The most categories a text column may have.

        Raises
        ------
        ValueError
            For a typo in a number column, ``mean``/``median`` with missing
            text cells, a text column of too many values, or a column with no
            value at all to average.
        """
        missing = check_choice("missing", missing, MISSING_POLICIES)
        specs = []
        for j in columns:
            name = table.names[j] if table.names is not None else str(j)
            is_missing = table.missing(j)
            if table.is_text(j):
                categories, counts = np.unique(table.text(j)[~is_missing], return_counts=True)
                numbers = np.array([is_number(cell) for cell in categories], dtype=bool)
                if numbers.any() and counts[numbers].sum() >= counts.sum() / 2:
                    raise_not_number(table, j)  # mostly numbers: the text is a typo
                if len(categories) > max_categories:
                    raise ValueError(
                        f"{column_label(table, j)} holds text with {len(categories):,} "
                        f"distinct values (such as {_short(categories.tolist(), 3)}), too "
                        f"many to one-hot encode (at most {max_categories}): an id or free "
                        "text is better left out of the features")
                if missing in ("mean", "median") and is_missing.any():
                    raise ValueError(f"{argument}{missing}: {column_label(table, j)} holds text "
                                     "(categories), which has no " + missing + "; expected "
                                     "error or drop for its missing values")
                specs.append(ColumnSpec(name, [str(c) for c in categories]))
                continue
            fill = None
            if missing in ("mean", "median"):
                values = table.values[:, j][~is_missing]
                if not len(values):
                    raise ValueError(f"{argument}{missing}: {column_label(table, j)} has no "
                                     f"value to take the {missing} of")
                fill = float(np.mean(values) if missing == "mean" else np.median(values))
            specs.append(ColumnSpec(name, None, fill))
        return cls(specs, missing)

    @property
    def input_names(self) -> list[str]:
        """The name of each input: the column, or ``column=category``."""
        names = []
        for spec in self.columns:
            if spec.categories is None:
                names.append(spec.name)
            else:
                names += [f"{spec.name}={category}" for category in spec.categories]
        return names

    @property
    def n_inputs(self) -> int:
        """How many inputs the columns make."""
        return sum(1 if spec.categories is None else len(spec.categories)
                   for spec in self.columns)

    @property
    def is_plain(self) -> bool:
        """Whether every column is a number used as it is (nothing to record)."""
        return all(spec.categories is None and spec.fill is None for spec in self.columns)

    def transform(self, table: Table, columns: Sequence[int], hint: str = "") -> np.ndarray:
        """The inputs of ``table``'s ``columns`` (in the fitted order).

        ``hint`` ends the message for a missing value that cannot be filled
        (default: how to set ``missing``).

        Returns
        -------
        ndarray of float64, shape (len(table), n_inputs)

        Raises
        ------
        ValueError
            For a missing value without a fill, an infinite number, a text
            cell in a number column, or a category not seen when fitting,
            naming the line and the column.
        """
        if len(columns) != len(self.columns):
            raise ValueError(f"expected {len(self.columns)} columns to encode, got "
                             f"{len(columns)}")
        X = np.empty((len(table), self.n_inputs))
        k = 0  # the first input of the column
        for spec, j in zip(self.columns, columns):
            if spec.categories is None:
                X[:, k] = self._numbers(table, j, spec, hint)
                k += 1
            else:
                X[:, k:k + len(spec.categories)] = self._one_hot(table, j, spec, hint)
                k += len(spec.categories)
        return X

    def _numbers(self, table: Table, j: int, spec: ColumnSpec, hint: str) -> np.ndarray:
        if table.is_text(j):
            raise_not_number(table, j)
        values = table.values[:, j]
        if np.isfinite(values).all():  # the common case: one pass, no copy
            return values
        if spec.fill is not None:
            values = np.where(np.isnan(values), spec.fill, values)
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            where = f"{table.path}, line {table.line(row)}, {column_label(table, j)}"
            if np.isnan(values[row]):
                raise ValueError(f"{where}: missing value" + (hint or _advice(self.missing)))
            raise ValueError(f"{where}: expected a finite number, found {values[row]}")
        return values

    def _one_hot(self, table: Table, j: int, spec: ColumnSpec, hint: str) -> np.ndarray:
        categories = spec.categories or []
        if table.is_text(j):
            vocabulary, codes = table.vocabularies[j], table.values[:, j].astype(np.intp)
        else:  # numbers read back as text, e.g. a category column of codes 1, 2, 3
            vocabulary, codes = np.unique(table.values[:, j], return_inverse=True)
            vocabulary = np.array([_number_text(v) for v in vocabulary], dtype=str)
            codes = codes.reshape(-1)
        index = {category: i for i, category in enumerate(categories)}
        # each vocabulary entry's category: -1 missing, -2 unseen
        where = np.array([-1 if cell in MISSING_CELLS else index.get(str(cell), -2)
                          for cell in vocabulary], dtype=np.intp)
        rows = where[codes]
        if np.any(rows < 0):
            row = int(np.flatnonzero(rows < 0)[0])
            place = f"{table.path}, line {table.line(row)}, {column_label(table, j)}"
            if rows[row] == -1:
                raise ValueError(f"{place}: missing value"
                                 + (hint or _advice(self.missing, text=True)))
            raise ValueError(f"{place}: the category {str(vocabulary[codes[row]])!r} was not "
                             f"seen in training; expected one of {_short(categories)}")
        one_hot = np.zeros((len(rows), len(categories)))
        one_hot[np.arange(len(rows)), rows] = 1.0
        return one_hot

    def to_json(self) -> dict[str, Any]:
        """The encoder as JSON values, for a model's metadata."""
        columns = []
        for spec in self.columns:
            record: dict[str, Any] = {"name": spec.name}
            if spec.categories is not None:
                record["categories"] = list(spec.categories)
            if spec.fill is not None:
                record["fill"] = spec.fill
            columns.append(record)
        return {"missing": self.missing, "columns": columns}

    @classmethod
    def from_json(cls, record: Any) -> ColumnEncoder:
        """The encoder :meth:`to_json` described; ``ValueError`` if the record is not one."""
        try:
            specs = []
            for column in record["columns"]:
                categories, fill = column.get("categories"), column.get("fill")
                if not isinstance(column["name"], str) or not (
                        categories is None or (isinstance(categories, list) and all(
                            isinstance(c, str) for c in categories))) or not (
                        fill is None or isinstance(fill, (int, float))):
                    raise TypeError
                specs.append(ColumnSpec(column["name"], categories,
                                        None if fill is None else float(fill)))
            return cls(specs, record["missing"])
        except (KeyError, TypeError, AttributeError):
            raise ValueError("the model's metadata['encoding'] must be {'missing': ..., "
                             "'columns': [{'name': ..., 'categories' or 'fill': ...}, ...]}"
                             ) from None

    def __repr__(self) -> str:
        return f"ColumnEncoder({len(self.columns)} columns -> {self.n_inputs} inputs, " \
               f"missing={self.missing!r})"


def _advice(missing: str, text: bool = False) -> str:
    if missing == "error":
        return (" (expected a value, or missing='drop'"
                + ("" if text else ", 'mean' or 'median'") + ")")
    return ""


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _short(names: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
