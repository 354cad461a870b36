"""Tests for plainnet.data.columns and load_csv's options: categories, missing values, columns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from plainnet.data import ColumnEncoder, ColumnNotFoundError, load_csv, read_table
from plainnet.data.selection import choose_features, rows_with_missing

CARS = """\
,year,colour,km,price
0,2010,red,100,5.0
1,2015,blue,,9.5
2,2012,red,80,7.0
3,2018,green,20,NA
"""


def _write(tmp_path: Path, text: str, name: str = "cars.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_columns_are_one_hot_with_sorted_categories(tmp_path):
    table = read_table(_write(tmp_path, CARS))
    encoder = ColumnEncoder.fit(table, [1, 2])
    assert encoder.input_names == ["year", "colour=blue", "colour=green", "colour=red"]
    np.testing.assert_array_equal(encoder.transform(table, [1, 2]), [
        [2010, 0, 0, 1], [2015, 1, 0, 0], [2012, 0, 0, 1], [2018, 0, 1, 0]])
    assert encoder.is_plain is False and ColumnEncoder.fit(table, [1]).is_plain


def test_an_unseen_category_is_an_error_naming_it(tmp_path):
    encoder = ColumnEncoder.fit(read_table(_write(tmp_path, CARS)), [2])
    new = read_table(_write(tmp_path, "colour\nred\npurple\n", "new.csv"))
    with pytest.raises(ValueError, match=r"new.csv, line 3, column 1 \('colour'\): the "
                       r"category 'purple' was not seen in training; expected one of "
                       r"'blue', 'green', 'red'"):
        encoder.transform(new, [0])


@pytest.mark.parametrize(("missing", "km"), [("mean", 200 / 3), ("median", 80.0)])
def test_missing_numbers_filled_with_the_mean_or_median(tmp_path, missing, km):
    table = read_table(_write(tmp_path, CARS))
    encoder = ColumnEncoder.fit(table, [3], missing=missing)
    assert encoder.transform(table, [3])[:, 0].tolist() == pytest.approx([100, km, 80, 20])
    again = ColumnEncoder.from_json(json.loads(json.dumps(encoder.to_json())))
    assert again.to_json() == encoder.to_json()
    np.testing.assert_array_equal(again.transform(table, [3]), encoder.transform(table, [3]))


def test_missing_values_refused_or_dropped(tmp_path):
    table = read_table(_write(tmp_path, CARS))
    with pytest.raises(ValueError, match=r"line 3, column 4 \('km'\): missing value"):
        ColumnEncoder.fit(table, [3]).transform(table, [3])
    np.testing.assert_array_equal(rows_with_missing(table, [3, 4]), [False, True, False, True])
    text = read_table(_write(tmp_path, "c,y\nred,1\n,2\n", "t.csv"))
    with pytest.raises(ValueError, match=r"missing=mean: column 1 \('c'\) holds text"):
        ColumnEncoder.fit(text, [0], missing="mean")
    with pytest.raises(ValueError, match="missing must be one of"):
        ColumnEncoder.fit(text, [0], missing="zero")


def test_a_typo_in_a_column_of_numbers_is_not_a_category(tmp_path):
    table = read_table(_write(tmp_path, "a,y\n1,0\n2,1\n3O,0\n", "typo.csv"))
    with pytest.raises(ValueError, match=r"line 4, column 1 \('a'\): expected a number, "
                       r"found '3O'"):
        ColumnEncoder.fit(table, [0])


def test_choose_features_with_features_drop_and_typos(tmp_path):
    table = read_table(_write(tmp_path, CARS))
    assert choose_features(table, 4) == ([1, 2, 3], [0])  # the unnamed index is left out
    assert choose_features(table, 4, features=["km", "year"]) == ([3, 1], [])
    assert choose_features(table, 4, drop=["colour"]) == ([1, 3], [0])
    with pytest.raises(ColumnNotFoundError, match=r"--drop Colur: .*no column named 'Colur' "
                       r"\(did you mean 'colour'\?\)") as info:
        choose_features(table, 4, drop=["Colur"], argument="--")
    assert info.value.names == ["", "year", "colour", "km", "price"]
    with pytest.raises(ValueError, match="the target column 5 .* cannot also be a feature"):
        choose_features(table, 4, features=["price"])
    with pytest.raises(ValueError, match="no feature column is left"):
        choose_features(table, 4, drop=["year", "colour", "km"])


def test_load_csv_with_categories_missing_values_and_a_pandas_index(tmp_path):
    path = _write(tmp_path, CARS)
    with pytest.warns(UserWarning, match="column 1 has no name and counts 0, 1, 2"):
        data = load_csv(path, target="price", missing="drop")
    X, y, classes = data  # still unpacks as three
    assert data.feature_names == ["year", "colour=red", "km"]  # rows 2 and 4 dropped
    np.testing.assert_array_equal(X, [[2010, 1, 100], [2012, 1, 80]])
    assert y.tolist() == [5.0, 7.0] and classes is None
    with pytest.warns(UserWarning):
        filled = load_csv(path, target="year", drop=["price"], missing="median")
    assert filled.X[1, -1] == 80.0 and filled.encoder.missing == "median"
    with pytest.raises(ValueError, match=r"line 5, column 5: the target is empty"):
        load_csv(path, target="price", features=["year"])
    with pytest.raises(ValueError, match=r"no column named 'Price' \(did you mean 'price'\?\)"):
        load_csv(path, target="Price")


def test_a_text_column_of_too_many_values_is_not_one_hot_encoded(tmp_path):
    rows = "".join(f"name{i},{i % 2}\n" for i in range(30))
    table = read_table(_write(tmp_path, "name,y\n" + rows, "names.csv"))
    with pytest.raises(ValueError, match=r"column 1 \('name'\) holds text with 30 distinct "
                       r"values \(such as 'name0', 'name1', 'name10' and 27 more\), too many"):
        ColumnEncoder.fit(table, [0], max_categories=20)
    assert ColumnEncoder.fit(table, [0]).n_inputs == 30
