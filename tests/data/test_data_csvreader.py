"""Tests for plainnet.data.csvreader: CSV files as people have them, read fast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plainnet.data.csvreader import (
    _raise_if_interrupted,
    detect_delimiter,
    read_raw_table,
)
from plainnet.data.table import read_table


def _write_bytes(tmp_path: Path, data: bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("text", "delimiter"), [
    ("a,b,c\n1,2,3\n", ","),
    ("a;b;c\n1,5;2;3\n", ";"),          # decimal commas inside a semicolon file
    ("a\tb\n1\t2\n", "\t"),
    ('name,note\n"Smith; J","x;y"\n', ","),  # semicolons inside quoted cells
    ("single\n1\n2\n", ","),
])
def test_detect_delimiter(text, delimiter):
    assert detect_delimiter(text) == delimiter


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_utf8_with_or_without_bom_lf_or_crlf_and_any_delimiter(tmp_path, newline, bom, delimiter):
    rows = ["größe" + delimiter + "farbe", "1.5" + delimiter + "rot", "", "-2" + delimiter + "blau"]
    path = _write_bytes(tmp_path, bom + newline.join(rows).encode() + newline.encode())
    table = read_table(path)
    assert table.names == ["größe", "farbe"] and table.delimiter == delimiter
    assert table.values[:, 0].tolist() == [1.5, -2.0]
    assert table.text(1).tolist() == ["rot", "blau"]
    assert table.lines.tolist() == [2, 4]


def test_quoted_cells_missing_cells_and_empty_rows(tmp_path):
    text = 'x,label,y\n1,"red, dark",2\n,NA,3\n,,\n4,blue,NaN\n'
    table = read_table(_write_bytes(tmp_path, text.encode()))
    assert len(table) == 3  # the row ",," has no value at all: skipped
    np.testing.assert_array_equal(table.missing(0), [False, True, False])
    np.testing.assert_array_equal(table.missing(1), [False, True, False])
    np.testing.assert_array_equal(table.missing(2), [False, False, True])
    assert table.text(1).tolist() == ["red, dark", "NA", "blue"]
    assert table.lines.tolist() == [2, 3, 5]


def test_text_or_missing_cells_after_the_first_rows_are_found(tmp_path):
    numbers = "".join(f"{i},{i / 2}\n" for i in range(1500))
    table = read_table(_write_bytes(tmp_path, ("a,b\n" + numbers + "7,oops\n8,\n").encode()))
    assert len(table) == 1502 and table.is_text(1) and not table.is_text(0)
    assert table.text(1)[-2:].tolist() == ["oops", ""]
    assert table.line(1500) == 1502


def test_a_missing_number_after_the_first_rows_keeps_its_column_numeric(tmp_path):
    numbers = "".join(f"{i},{i / 2}\n" for i in range(1500))
    table = read_table(_write_bytes(tmp_path, ("a,b\n" + numbers + "NA,1\n").encode()))
    assert not table.is_text(0) and np.flatnonzero(table.missing(0)).tolist() == [1500]
    assert table.values[:1500, 0].tolist() == list(range(1500))


def test_rows_of_other_lengths_and_whitespace_lines(tmp_path):
    path = _write_bytes(tmp_path, b"a,b\n1,2\n3,4,5\n", "ragged.csv")
    with pytest.raises(ValueError, match=r"ragged.csv, line 3: expected 2 columns, found 3"):
        read_table(path)
    table = read_table(_write_bytes(tmp_path, b"a,b\n1,2\n   \n3,4\n"))
    assert table.values.tolist() == [[1, 2], [3, 4]] and table.lines.tolist() == [2, 4]


def test_a_forced_delimiter_and_a_bad_one(tmp_path):
    path = _write_bytes(tmp_path, b"a;b\n1;2\n")
    assert read_table(path, delimiter=",").names == ["a;b"]
    with pytest.raises(ValueError, match="delimiter must be one character"):
        read_table(path, delimiter=";;")


def test_a_numbers_file_reads_as_one_float_array(tmp_path):
    X = np.random.default_rng(0).normal(size=(300, 4))
    path = tmp_path / "numbers.csv"
    np.savetxt(path, X, delimiter=",", header="a,b,c,d", comments="", fmt="%.17g")
    raw = read_raw_table(path)
    assert raw.vocabularies == {} and raw.values.dtype == np.float64
    np.testing.assert_array_equal(raw.values, X)


def test_ctrl_c_inside_numpys_reader_stays_an_interrupt():
    try:  # NumPy wraps an exception raised in a converter into a ValueError
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise ValueError("could not convert") from interrupt
    except ValueError as error:
        with pytest.raises(KeyboardInterrupt):
            _raise_if_interrupted(error)
    _raise_if_interrupted(ValueError("a plain error"))  # nothing to re-raise


def test_decimal_commas_in_a_semicolon_file(tmp_path):
    table = read_table(_write_bytes(tmp_path, b"a;b;c\n1,5;x;2\n-0,25;y;3\n;x;4\n"))
    assert not table.is_text(0) and table.is_text(1)
    np.testing.assert_array_equal(table.values[:, 0], [1.5, -0.25, np.nan])
    commas = read_table(_write_bytes(tmp_path, b'a,b\n"1,5",2\n', "commas.csv"))
    assert commas.is_text(0)  # in a comma-separated file "1,5" is not a number
