"""``plainnet.datasets`` is another name for the package ``plainnet.data``."""

from __future__ import annotations

import importlib
import subprocess
import sys

import plainnet
import plainnet.data
import plainnet.datasets

# The public names of the old module plainnet/datasets.py (its __all__ and constants).
OLD_NAMES = [
    "CSVData", "Dataset", "IDX_DTYPES", "SKLEARN_HINT", "Standardizer", "batches", "blobs",
    "circles", "digits", "iris", "load_csv", "load_mnist", "moons", "one_hot", "read_idx",
    "spirals", "standardize", "train_test_split", "xor",
]
TABLE_NAMES = ["Table", "column_index", "column_label", "numeric_columns", "read_table",
               "select_columns", "target_column"]


def test_datasets_is_the_data_package():
    assert plainnet.datasets is plainnet.data
    assert plainnet.datasets.__name__ == "plainnet.data"
    assert importlib.import_module("plainnet.datasets") is plainnet.data
    from plainnet import datasets
    from plainnet.datasets import load_mnist, moons

    assert datasets is plainnet.data
    assert moons is plainnet.data.generated.moons
    assert load_mnist is plainnet.data.idx.load_mnist


def test_every_old_name_and_the_table_api_are_exported():
    for name in OLD_NAMES + TABLE_NAMES:
        assert hasattr(plainnet.datasets, name), name
    assert set(OLD_NAMES + TABLE_NAMES) <= set(plainnet.data.__all__)
    assert all(hasattr(plainnet.data, name) for name in plainnet.data.__all__)


def test_alias_first_in_a_fresh_interpreter_and_no_optional_imports():
    code = (
        "import sys\n"
        "from plainnet.datasets import moons\n"
        "import plainnet.datasets, plainnet.data\n"
        "assert plainnet.datasets is plainnet.data is sys.modules['plainnet.datasets']\n"
        "assert moons(10, seed=0)[0].shape == (10, 2)\n"
        "assert 'sklearn' not in sys.modules, 'scikit-learn must be imported lazily'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
