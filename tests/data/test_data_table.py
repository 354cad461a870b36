"""Tests for plainnet.data.table: the one CSV reader and the table API the CLI uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plainnet.data import (
    column_index,
    column_label,
    load_csv,
    numeric_columns,
    read_csv_rows,
    read_table,
    select_columns,
    target_column,
)


def _write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_csv_rows_strips_cells_skips_blank_lines_and_counts_lines(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa; b\n\n ; \n1 ;2\n".encode())
    rows, lines = read_csv_rows(path, delimiter=";")
    assert rows == [["a", "b"], ["1", "2"]]
    assert lines == [1, 4]


def test_read_csv_rows_rejects_text_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("caf\xe9,1\n".encode("latin-1"))
    with pytest.raises(ValueError, match="latin.csv: not UTF-8"):
        read_csv_rows(path)


def test_read_table_keeps_text_numbers_names_and_line_numbers(tmp_path):
    table = read_table(str(_write(tmp_path, "id,x,label\n\nA-1,1.5,cat\nB-2,-2,dog\n")))
    assert table.names == ["id", "x", "label"] and table.width == 3 and len(table) == 2
    assert table.is_text(0) and not table.is_text(1) and table.is_text(2)
    assert table.text(0).tolist() == ["A-1", "B-2"] and table.text(2).tolist() == ["cat", "dog"]
    assert table.values[:, 1].tolist() == [1.5, -2.0]
    assert table.lines.tolist() == [3, 4]
    no_header = read_table(_write(tmp_path, "1,2\n3,4\n"), header=False)
    assert no_header.names is None and no_header.values.shape == (2, 2)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", "the file is empty"),
        ("a,b\n", "the header on line 1 is not followed by data"),
        ("a,b\n1,2\n3\n", "line 3: expected 2 columns, found 1"),
    ],
)
def test_read_table_errors_name_the_file(tmp_path, text, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        read_table(_write(tmp_path, text, "bad.csv"))
    assert "bad.csv" in str(info.value)


def test_load_csv_and_read_table_report_a_bad_file_alike(tmp_path):
    path = _write(tmp_path, "a,y\n1,0\n2\n", "ragged.csv")
    with pytest.raises(ValueError) as from_table:
        read_table(path)
    with pytest.raises(ValueError) as from_load:
        load_csv(path, target="y")
    assert str(from_table.value) == str(from_load.value)


def test_column_index_by_name_number_and_negative_number(tmp_path):
    table = read_table(_write(tmp_path, "a,2,c\n1,2,3\n"))
    assert column_index(table, "c") == 2
    assert column_index(table, "2") == 1  # a header name wins over a number
    assert column_index(table, "0") == 0
    assert column_index(table, "-1") == 2
    no_header = read_table(_write(tmp_path, "1,2,3\n", "plain.csv"), header=False)
    assert column_index(no_header, "-3") == 0


@pytest.mark.parametrize(
    ("text", "header", "column", "pattern"),
    [
        ("a,b\n1,2\n", True, "z", r"no column named 'z'; the header has 2 columns: a, b"),
        ("a,Diagnosis\n1,2\n", True, "diagnosis", r"did you mean 'Diagnosis'\?"),
        ("a,diagnosis\n1,2\n", True, "diagnosys", r"did you mean 'diagnosis'\?"),
        ("a,a\n1,2\n", True, "a", r"names the column 'a' twice"),
        ("a,b\n1,2\n", True, "2", r"column index 2 is out of range for 2 columns"),
        ("1,2\n", False, "a", r"without a header, columns are given by number \(0 to 1"),
    ],
)
def test_column_index_errors(tmp_path, text, header, column, pattern):
    table = read_table(_write(tmp_path, text), header=header)
    with pytest.raises(ValueError, match=pattern):
        column_index(table, column)


def test_column_label_counts_from_one_and_names_the_column(tmp_path):
    table = read_table(_write(tmp_path, "a,price\n1,2\n"))
    assert column_label(table, 1) == "column 2 ('price')"
    assert column_label(read_table(_write(tmp_path, "1,2\n", "p.csv"), header=False), 0) == (
        "column 1"
    )


def test_select_columns_follows_the_names_not_the_file_order(tmp_path):
    table = read_table(_write(tmp_path, "c,a,b\n3,1,2\n"))
    assert select_columns(table, ["a", "b"]) == [1, 2]
    assert select_columns(table, ["b", "c"]) == [2, 0]
    with pytest.raises(ValueError, match="no column named 'd', which the model needs"):
        select_columns(table, ["a", "d"])
    headless = read_table(_write(tmp_path, "1,2\n3,4\n", "h.csv"))  # data read as a header
    with pytest.raises(ValueError, match="looks like data"):
        select_columns(headless, ["x"])
    with pytest.raises(ValueError, match="no header"):
        select_columns(read_table(_write(tmp_path, "1,2\n", "n.csv"), header=False), ["a"])


def test_numeric_columns_and_their_errors(tmp_path):
    table = read_table(_write(tmp_path, "a,b,c,d\n1,x,nan,inf\n2.5,y,1e3,1\n"))
    values = numeric_columns(table, [0])
    assert values.dtype == np.float64 and values.tolist() == [[1.0], [2.5]]
    with pytest.raises(ValueError, match=r"line 2, column 2 \('b'\): expected a number, found 'x'"):
        numeric_columns(table, [0, 1])
    with pytest.raises(ValueError, match=r"line 2, column 3 \('c'\): missing value$"):
        numeric_columns(table, [2])
    with pytest.raises(ValueError, match=r"line 2, column 4 \('d'\): expected a finite number"):
        numeric_columns(table, [3])
    loose = numeric_columns(table, [2, 0], finite=False)
    assert np.isnan(loose[0, 0]) and loose[1].tolist() == [1000.0, 2.5]


def test_target_column_numbers_and_text_labels(tmp_path):
    table = read_table(_write(tmp_path, "x,label,y\n1,dog,0.5\n2,cat,2\n3,dog,-1\n"))
    codes, classes = target_column(table, 1)
    assert classes == ["cat", "dog"] and codes.dtype == np.int64
    assert codes.tolist() == [1, 0, 1]
    values, none = target_column(table, 2)
    assert none is None and values.dtype == np.float64 and values.tolist() == [0.5, 2.0, -1.0]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("x,y\n1,2\n2,\n", r"line 3, column 2 \('y'\): the target is empty \(missing"),
        ("x,y\n1,2\n2,inf\n", r"line 3, column 2 \('y'\): expected a finite number"),
    ],
)
def test_target_column_errors(tmp_path, text, pattern):
    with pytest.raises(ValueError, match=pattern):
        target_column(read_table(_write(tmp_path, text)), 1)
