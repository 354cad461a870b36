"""Tests for plainnet.data.csv: load_csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plainnet.data import CSVData, load_csv


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_integer_target_by_name(tmp_path):
    path = _write(tmp_path, "a,label,b\n1.5,0,2\n-3,1,4e2\n0,1,5\n")
    X, y, classes = load_csv(path, target="label")
    np.testing.assert_array_equal(X, [[1.5, 2.0], [-3.0, 400.0], [0.0, 5.0]])
    assert X.dtype == np.float64
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 1]
    assert classes is None


def test_load_csv_float_target_by_negative_index(tmp_path):
    path = _write(tmp_path, "x1,x2,price\n1,2,3.5\n4,5,6\n")
    result = load_csv(str(path), target=-1)
    assert isinstance(result, CSVData)
    assert result.y.dtype == np.float64 and result.y.tolist() == [3.5, 6.0]
    np.testing.assert_array_equal(result.X, [[1, 2], [4, 5]])


def test_load_csv_text_target_becomes_labels(tmp_path):
    text = "species,len\nsetosa,1.0\nvirginica,2.0\nsetosa,1.5\nversicolor,3.0\n"
    X, y, classes = load_csv(_write(tmp_path, text), target="species")
    assert classes.tolist() == ["setosa", "versicolor", "virginica"]  # sorted
    assert y.dtype == np.int64 and y.tolist() == [0, 2, 0, 1]
    assert [classes[i] for i in y] == ["setosa", "virginica", "setosa", "versicolor"]
    np.testing.assert_array_equal(X, [[1.0], [2.0], [1.5], [3.0]])


def test_load_csv_without_header_other_delimiter_blank_lines_and_spaces(tmp_path):
    path = _write(tmp_path, "1; 2; yes\n\n3 ;4;no\n5;6; yes \n\n")
    X, y, classes = load_csv(path, target=2, delimiter=";", header=False)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6]])
    assert classes.tolist() == ["no", "yes"] and y.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("text", "kwargs", "pattern"),
    [
        (
            "a,b,y\n1,2,0\n3,oops,1\n",
            {"target": "y"},
            r"line 3, column 2 \('b'\): expected a number, found 'oops'$",
        ),
        ("a,b,y\n1,2,0\n3,,1\n", {"target": "y"}, r"line 3, column 2 \('b'\): missing value"),
        ("a,b,y\n1,2,0\n3,NA,1\n", {"target": "y"}, r"line 3, column 2 \('b'\): missing value"),
        ("a,b,y\n1,2,0\n3,4\n", {"target": "y"}, r"line 3: expected 3 columns, found 2"),
        ("a,b,y\n1,2,0\n3,4,5,6\n", {"target": "y"}, r"line 3: expected 3 columns, found 4"),
        ("a,b,y\n1,2,0\n", {"target": "label"}, r"no column named 'label'.*'a', 'b', 'y'"),
        ("a,b,y\n1,2,0\n", {"target": 3}, r"index 3 is out of range for 3 columns"),
        ("a,b,y\n1,2,0\n", {"target": -4}, r"out of range"),
        ("1,2,0\n", {"target": "y", "header": False}, r"needs header=True"),
        ("", {"target": 0}, r"empty"),
        ("\n\n", {"target": 0}, r"empty"),
        ("a,b,y\n", {"target": "y"}, r"line 1 is not followed by data"),
        ("a,b,y\n1,2,0\n\n3,4,\n", {"target": "y"}, r"line 4, column 3: the target is empty"),
    ],
)
def test_load_csv_errors_name_file_line_and_column(tmp_path, text, kwargs, pattern):
    path = _write(tmp_path, text, name="broken.csv")
    with pytest.raises(ValueError, match=pattern) as info:
        load_csv(path, **kwargs)
    assert "broken.csv" in str(info.value)


def test_load_csv_type_errors_and_missing_file(tmp_path):
    path = _write(tmp_path, "a,y\n1,2\n")
    with pytest.raises(TypeError):
        load_csv(path, target=1.0)
    with pytest.raises(TypeError):
        load_csv(path, target=True)
    with pytest.raises(FileNotFoundError):
        load_csv(tmp_path / "missing.csv", target=0)
