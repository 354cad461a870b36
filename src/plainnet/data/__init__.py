"""Data for experiments: generated, loaded from disk, and the helpers to prepare it.

``plainnet.datasets`` is another name for this package (the old module's
path): ``from plainnet.datasets import moons`` keeps working.

Every generator and shuffle is seeded: pass ``seed`` as an ``int``, ``None``
(fresh entropy) or an existing :class:`numpy.random.Generator`.  Randomness
comes only from :func:`numpy.random.default_rng`; the global ``np.random``
state is never read or changed.  Nothing here touches the network.

Unless noted otherwise a function returns ``(X, y)`` where ``X`` is a float64
array of shape ``(n_samples, n_features)`` and ``y`` is an int64 array of
class labels of shape ``(n_samples,)``.

Contents
--------
Generated toy problems (:mod:`plainnet.data.generated`)
    :func:`xor`, :func:`moons`, :func:`circles`, :func:`spirals`, :func:`blobs`
Splitting (:mod:`plainnet.data.split`)
    :func:`train_test_split`, :func:`batches`
Preparing data (:mod:`plainnet.data.preprocessing`)
    :class:`Standardizer`, :func:`standardize`, :func:`one_hot`
Standardising for a model (:mod:`plainnet.data.scaling`)
    :class:`Scaling`, and :func:`fold_standardization` to fold it into the
    model's first (and last) ``Dense`` layer so the model takes raw data
CSV files (:mod:`plainnet.data.csv`, :mod:`~plainnet.data.table`, :mod:`~plainnet.data.columns`)
    :func:`load_csv` for arrays; :func:`read_table` and the column helpers
    :func:`column_index`, :func:`column_label`, :func:`select_columns`,
    :func:`numeric_columns`, :func:`target_column` for a :class:`Table` of
    numbers and text, as the command line reads files; :class:`ColumnEncoder`
    turns its columns into inputs (one-hot categories, missing values), and
    :mod:`plainnet.data.selection` chooses them; all use the one reader of
    :mod:`plainnet.data.csvreader` (:func:`read_csv_rows` is its plain
    row-by-row form).
IDX files and MNIST (:mod:`plainnet.data.idx`)
    :func:`read_idx`, :func:`load_mnist` (flattened rows), and
    :func:`read_idx_split`, the images and labels of one split unflattened
Images: Fashion-MNIST (:mod:`plainnet.data.fashion`)
    :func:`fashion_mnist` gives float images ``(n, 28, 28, 1)`` in ``[0, 1]``,
    channels last, from ``/usr/share/datasets/fashion-mnist/``
    (:data:`FASHION_MNIST_DIR`, where ``apt-get install dataset-fashion-mnist``
    puts them) or any folder; :data:`FASHION_MNIST_CLASSES` names the labels.
Bundled with scikit-learn (:mod:`plainnet.data.bundled`)
    :func:`digits` (as images ``(1797, 8, 8, 1)`` with ``as_images=True``)
    and :func:`iris` (these need the optional extra
    ``pip install "plainnet[sklearn]"``).
Text, character by character (:mod:`plainnet.data.text`)
    :func:`python_corpus` (the standard library's ``.py`` files, split by
    file), :func:`split_text`, :class:`Vocabulary` (``encode``/``decode``,
    ``save``/``load``), :func:`text_windows` and :func:`random_windows`
    (``(inputs, targets)`` shifted by one), :func:`model_vocabulary` and
    :func:`check_vocabulary` (a vocabulary that does not fit a model is refused).
"""

from __future__ import annotations

from .bundled import SKLEARN_HINT, Dataset, digits, iris
from .columns import MISSING_POLICIES, ColumnEncoder, ColumnSpec
from .csv import CSVData, load_csv
from .fashion import FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, fashion_mnist
from .generated import Seed, blobs, circles, moons, spirals, xor
from .idx import IDX_DTYPES, load_mnist, read_idx, read_idx_split
from .preprocessing import Standardizer, one_hot, standardize
from .scaling import Scaling, fold_standardization
from .split import batches, train_test_split
from .table import (
    ColumnNotFoundError,
    Table,
    column_index,
    column_label,
    numeric_columns,
    read_csv_rows,
    read_table,
    select_columns,
    target_column,
)
from .text import (
    TextCorpus,
    Vocabulary,
    check_vocabulary,
    model_vocabulary,
    python_corpus,
    random_windows,
    split_text,
    text_windows,
)

__all__ = [
    "Scaling",
    "fold_standardization",
    "CSVData",
    "ColumnEncoder",
    "ColumnNotFoundError",
    "ColumnSpec",
    "MISSING_POLICIES",
    "Dataset",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DIR",
    "IDX_DTYPES",
    "SKLEARN_HINT",
    "Seed",
    "Standardizer",
    "Table",
    "batches",
    "blobs",
    "circles",
    "column_index",
    "column_label",
    "digits",
    "fashion_mnist",
    "iris",
    "load_csv",
    "load_mnist",
    "moons",
    "numeric_columns",
    "one_hot",
    "read_csv_rows",
    "read_idx",
    "read_idx_split",
    "read_table",
    "select_columns",
    "spirals",
    "standardize",
    "target_column",
    "train_test_split",
    "xor",
    "TextCorpus",
    "Vocabulary",
    "check_vocabulary",
    "model_vocabulary",
    "python_corpus",
    "random_windows",
    "split_text",
    "text_windows",
]
