"""The data a command works on: a CSV file, a built-in data set or images, as ``X`` and ``y``.

``train`` reads every column but ``--target`` as a feature; ``predict``,
``evaluate`` and ``plot`` find the model's features by name (the model file
keeps them) and match the target's labels to the model's classes.
"""

from __future__ import annotations

import argparse
from typing import Any, NamedTuple

import numpy as np

from .. import data as datasets
from .._extras import install_hint
from ..data.columns import ColumnEncoder
from ..data.selection import choose_features, rows_with_missing, unnamed_note
from ..data.table import (
    ColumnNotFoundError,
    Table,
    column_index,
    numeric_columns,
    read_table,
    select_columns,
    target_column,
)
from .errors import CommandError, UsageError
from .imagedata import is_image_file, read_images, saved_divisor
from .models import Model, is_classifier, metadata, n_outputs, saved_classes, saved_features
from .report import list_text

__all__ = ["DATASETS", "MODEL_MISSING_HINT", "Data", "builtin", "csv_path", "feature_columns",
           "find_column", "labels_for", "load_data", "rows_text", "saved_encoder",
           "with_header_hint"]

DATASETS = ("xor", "moons", "circles", "spirals", "blobs", "digits")
#: Ends the message for a missing cell that a saved model cannot fill.
MODEL_MISSING_HINT = (" (expected a value: the model fills missing values only if it was "
                      "trained with --missing mean or median)")


class Data(NamedTuple):
    """A data set as the commands use it."""

    X: np.ndarray                   # (n, d) float64 features, or (n, h, w, c) images
    y: np.ndarray | None            # (n,) codes of text labels, or numbers; None: no target
    classes: list[str] | None       # label of code i for a text target, else None
    name: str                       # for messages: "moons" or the CSV path
    generated: bool = False         # a built-in data set (always classification)
    target: str | int | None = None  # the target column: its name (or number without header)
    features: list[str] | None = None  # the names of X's columns, when the file has a header
    images: dict | None = None      # images (X: (n, h, w, c)): shape, dtype, divide_by
    encoder: ColumnEncoder | None = None  # how the table's columns became X
    notes: tuple[str, ...] = ()     # what was left out or changed, for train to print


def csv_path(args: argparse.Namespace, required: bool = True) -> str | None:
    """The CSV file given as DATA.csv or --csv (not both)."""
    paths = [path for path in (args.csv, args.csv_option) if path is not None]
    if len(paths) == 2:
        raise UsageError("give the CSV file once: as DATA.csv or with --csv")
    if not paths and required:
        raise UsageError("give a CSV file: DATA.csv")
    return paths[0] if paths else None


def load_data(args: argparse.Namespace, model: Model | None = None) -> Data:
    """The data chosen on the command line: a CSV file, ``--data NAME``, or images.

    Images (a ``.npz``, or an IDX file with ``--labels``) are read by
    :mod:`plainnet.cli.imagedata`, divided as the model's record says.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options: ``csv``/``csv_option``, ``target``, ``header``,
        ``delimiter``; ``features``, ``drop``, ``missing`` for ``train``; and
        ``data``, ``samples``, ``noise``, ``seed`` for a built-in set.
    model : Sequential or NeuralNetwork, optional
        The model the data are for: its features are then picked from the
        file by name (when both know them) and encoded as its metadata says
        (one-hot categories, missing cells filled or rows dropped), and
        ``--target`` defaults to the model's target column. Without a model
        (``train``), the features are every column but the target (or
        ``--features``) less ``--drop`` and unnamed columns, and the encoding
        is fitted here (:class:`plainnet.data.ColumnEncoder`).

    Returns
    -------
    Data

    Raises
    ------
    UsageError
        For options that do not go together, or a missing ``--target``.
    ValueError, OSError
        For a file that cannot be read, a missing column, a cell that is not
        a number (see :mod:`plainnet.data.table`).
    """
    path = csv_path(args, required=args.data is None)
    if args.data is not None:
        if path is not None:
            raise UsageError("give a CSV file or --data NAME, not both")
        if args.target is not None:
            raise UsageError("--target goes with a CSV file; a built-in data set has its labels")
        return builtin(args.data, args.samples, args.noise, args.seed)
    if is_image_file(path):
        return _image_data(args, path, model)
    if getattr(args, "labels", None) is not None:
        raise UsageError("--labels goes with an IDX file of images; a CSV file names its "
                         "target column with --target")
    return _table_data(args, path, model)


def _table_data(args: argparse.Namespace, path: str, model: Model | None) -> Data:
    """A CSV file's features and target, encoded for ``model`` (or for training one)."""
    table = read_table(path, header=args.header, delimiter=getattr(args, "delimiter", None))
    target = args.target if args.target is not None else _saved_target(model, table)
    if target is None:
        raise UsageError("--target COLUMN is needed: the name of the column to predict")
    column = find_column(table, target, "--target")
    notes: list[str] = []
    encoder = saved_encoder(model) if model is not None else None
    if model is None:  # train: the features are chosen here, and the encoder fitted
        features, unnamed = _choose(table, column, args)
        if unnamed:
            notes.append(unnamed_note(table, unnamed))
    else:
        features = feature_columns(model, table, exclude=column)
    missing = args.missing if model is None else (encoder.missing if encoder else "error")
    if missing == "drop":
        dropped = rows_with_missing(table, [*features, column])
        if dropped.all():
            raise CommandError(f"{path}: every row has a missing value, so --missing drop "
                               "leaves none")
        if dropped.any():
            table = table.take(~dropped)
            why = "--missing drop" if model is None else "trained with --missing drop"
            notes.append(f"left out {rows_text(int(dropped.sum()))} with missing values ({why})")
    if model is None:
        encoder = ColumnEncoder.fit(table, features, missing, argument="--missing ")
    if encoder is None:
        X = numeric_columns(table, features)
    elif model is None:
        X = encoder.transform(table, features, hint=" (expected a value, or --missing drop, "
                              "mean or median to handle missing values)")
    else:
        X = encoder.transform(table, features, hint=MODEL_MISSING_HINT)
    y, classes = target_column(table, column)
    names = table.names
    return Data(X, y, classes, path, target=names[column] if names is not None else column,
                features=[names[j] for j in features] if names is not None else None,
                encoder=encoder, notes=tuple(notes))


def _choose(table: Table, column: int, args: argparse.Namespace) -> tuple[list[int], list[int]]:
    """``train``'s feature columns: --features, less --drop; unnamed columns left out."""
    def names(text: str | None) -> list[str] | None:
        return None if text is None else [name for name in text.split(",") if name.strip()]

    try:
        return choose_features(table, column, names(args.features), names(args.drop), "--")
    except ColumnNotFoundError as error:
        raise CommandError(with_header_hint(error)) from None


def find_column(table: Table, name: str, option: str) -> int:
    """The column ``name`` (``--target``), with a hint to list the header if it is not there."""
    try:
        return column_index(table, name)
    except ColumnNotFoundError as error:
        raise CommandError(f"{option} {name}: {with_header_hint(error)}") from None


def with_header_hint(error: ColumnNotFoundError) -> str:
    """The error's message, pointing to ``--list-columns`` when the header was cut short."""
    text = str(error)
    if len(error.names) > 12:
        text += " (add --list-columns to see them all)"
    return text


def rows_text(n: int) -> str:
    """``1 row``, ``2 rows``."""
    return f"{n} row" if n == 1 else f"{n:,} rows"


def saved_encoder(model: Model) -> ColumnEncoder | None:
    """The column encoding a model was trained with (``metadata['encoding']``), or None."""
    record = metadata(model).get("encoding")
    return None if record is None else ColumnEncoder.from_json(record)


def builtin(name: str, samples: int, noise: float | None, seed: int) -> Data:
    """A built-in data set: ``samples`` points (generated sets) drawn with ``seed``."""
    kwargs: dict[str, Any] = {} if noise is None else {"noise": noise}
    if name == "xor":
        X, y = datasets.xor()
    elif name == "digits":
        try:
            X, y = datasets.digits()
        except ImportError:
            raise ImportError("--data digits needs scikit-learn; install it with: "
                              + install_hint("sklearn")) from None
    elif name == "blobs":
        X, y = datasets.blobs(samples, seed=seed,
                              **({} if noise is None else {"cluster_std": noise}))
    else:
        X, y = getattr(datasets, name)(samples, seed=seed, **kwargs)
    return Data(np.asarray(X, dtype=np.float64), np.asarray(y), None, name, generated=True)


def _image_data(args: argparse.Namespace, path: str, model: Model | None) -> Data:
    """Images and their labels (IDX with ``--labels``, or a .npz), scaled as the model was."""
    if args.target is not None:
        raise UsageError("--target goes with a CSV file; images come with their labels (y in "
                         "a .npz, --labels for IDX)")
    divide_by = saved_divisor(metadata(model)) if model is not None else None
    X, y, record = read_images(path, getattr(args, "labels", None), divide_by, need_labels=True)
    assert y is not None
    if y.dtype.kind in "US":  # text labels: codes in sorted order, as for a CSV target
        classes, codes = np.unique(y.astype(str), return_inverse=True)
        return Data(X, codes.reshape(-1), [str(c) for c in classes], path, images=record)
    if y.dtype.kind not in "uifb":
        raise CommandError(f"{path}: labels must be numbers or text, got dtype {y.dtype}")
    return Data(X, y.astype(np.float64), None, path, images=record)


def _saved_target(model: Model | None, table: Table) -> str | None:
    """The model's target column, if it was trained on a CSV with a header and this has one."""
    target = metadata(model).get("target") if model is not None else None
    return target if isinstance(target, str) and table.names is not None else None


def feature_columns(model: Model | None, table: Table, exclude: int | None) -> list[int]:
    """The columns the model reads: its features by name, else every column but ``exclude``."""
    names = saved_features(model) if model is not None else None
    if names is not None and table.names is not None:
        try:
            return select_columns(table, names)
        except ColumnNotFoundError as error:
            raise CommandError(with_header_hint(error)) from None
    return [j for j in range(table.width) if j != exclude]


def labels_for(model: Model, data: Data) -> np.ndarray:
    """The targets of ``data`` as the model numbers its outputs (classes) or as numbers."""
    if not is_classifier(model):
        if data.classes is not None:
            raise CommandError(f"{data.name}: the target {data.target!r} holds text, but the "
                               "model is a regression model")
        return data.y
    classes = saved_classes(model)
    if classes is not None:
        return _encode_labels(classes, data)
    k = max(n_outputs(model), 2)
    y = data.y
    if data.classes is not None and len(data.classes) != k:
        raise CommandError(
            f"{data.name}: the target has {len(data.classes)} distinct labels but the model "
            f"has {k} classes; text labels are numbered in sorted order, so every class must "
            "appear")
    if data.classes is None and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= k):
        raise CommandError(f"{data.name}: the model has {k} classes, so the labels must be "
                           f"whole numbers 0..{k - 1} (or text); found {y.min():g}..{y.max():g}")
    return y.astype(np.int64)


def _encode_labels(classes: list[str | int], data: Data) -> np.ndarray:
    """``data``'s labels (text or numbers) as indices into the saved ``classes``."""
    if data.classes is not None:  # text in the file: match the text
        index = {str(c): i for i, c in enumerate(classes)}
        found: list = list(data.classes)
    else:  # numbers in the file: match by value the classes that are numbers
        by_value: dict[float, int] = {}
        for i, c in enumerate(classes):
            try:
                value = float(c)
            except (ValueError, OverflowError):
                continue
            by_value[value] = -1 if value in by_value else i  # -1: two classes, same value
        found = [_plain_number(v) for v in np.unique(data.y)]
        index = {v: by_value[float(v)] for v in found if by_value.get(float(v), -1) >= 0}
    unknown = [label for label in found if label not in index]
    if unknown:
        raise CommandError(f"{data.name}: the target has the label(s) "
                           f"{list_text(unknown, 5, quote=True)} that the model was not "
                           f"trained on; its classes are {list_text(classes)}")
    codes = np.array([index[label] for label in found], dtype=np.int64)
    if data.classes is not None:
        return codes[data.y]
    return codes[np.searchsorted(np.unique(data.y), data.y)]


def _plain_number(value: float) -> int | float:
    """``3.0`` -> ``3`` (for messages and matching), other values as they are."""
    value = float(value)
    return int(value) if value.is_integer() else value
