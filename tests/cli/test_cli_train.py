"""``plainnet train``: what it reports, and what it saves with the model."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest
from cli_helpers import assert_real_image, read_csv, run, write_csv

import plainnet
from plainnet import datasets


def test_train_reports_and_saves_the_preprocessing(colours):
    folder, _, _, result = colours
    out = result.stdout
    assert "150 rows, 2 features (a, b)" in out
    assert "classification, 3 classes (blue, green, red) [the target is text]" in out
    assert "120 rows to train, 30 to validate" in out
    assert "trained 40 epochs" in out
    train = float(re.search(r"^train: .*accuracy ([0-9.]+)", out, re.M).group(1))
    validation = float(re.search(r"^validation: .*accuracy ([0-9.]+)", out, re.M).group(1))
    assert train > 0.9 and validation > 0.9
    assert "saved the model to colours.pnet" in out
    assert "epoch 40/40" in result.stderr  # the progress line
    metadata = plainnet.load(folder / "colours.pnet").metadata
    assert metadata["task"] == "classification" and metadata["target"] == "colour"
    assert metadata["features"] == ["a", "b"]
    assert metadata["classes"] == ["blue", "green", "red"]
    scaling = metadata["scaling"]
    assert scaling["folded"] is True and len(scaling["feature_mean"]) == 2
    assert metadata["training"]["epochs"] == 40 and metadata["training"]["hidden"] == [8]
    assert metadata["result"]["validation"]["accuracy"] == pytest.approx(validation, abs=1e-4)


def test_train_plot_writes_the_learning_curves(colours):
    folder, _, _, result = colours
    assert "saved the learning curves to history.png" in result.stdout
    assert_real_image(folder / "history.png")


def test_task_is_guessed_from_few_whole_numbers(tmp_path):
    X, y = datasets.moons(80, noise=0.1, seed=0)
    write_csv(tmp_path / "numbers.csv", ["x0", "x1", "k"], np.column_stack([X, y * 5 + 3]))
    result = run("train", "numbers.csv", "--target", "k", "--epochs", "30", "--hidden", "8",
                 "--learning-rate", "0.02", "--verbose", "0", "--out", "k.pnet", cwd=tmp_path,
                 check=True)
    assert "classification, 2 classes (3, 8) [the target has 2 distinct whole numbers]" \
        in result.stdout
    stdout = run("predict", "k.pnet", "numbers.csv", cwd=tmp_path, check=True).stdout
    assert {row["prediction"] for row in read_csv(stdout, text=True)} == {"3", "8"}
    assert plainnet.load(tmp_path / "k.pnet").metadata["classes"] == [3, 8]


def test_built_in_data_sets_and_a_header_less_file(tmp_path):
    result = run("train", "--data", "moons", "--samples", "200", "--epochs", "30",
                 "--learning-rate", "0.01", "--verbose", "0", "--out", "moons.pnet",
                 cwd=tmp_path, check=True)
    assert "160 rows to train, 40 to validate" in result.stdout
    data = json.loads(run("evaluate", "moons.pnet", "--data", "moons", "--seed", "1", "--json",
                          cwd=tmp_path, check=True).stdout)
    assert data["samples"] == 500 and data["accuracy"] > 0.8 and data["classes"] == ["0", "1"]
    X, _ = datasets.moons(20, seed=4)
    with open(tmp_path / "bare.csv", "w", newline="") as file:  # no header: file order
        csv.writer(file).writerows(X.tolist())
    stdout = run("predict", "moons.pnet", "bare.csv", "--no-header", cwd=tmp_path,
                 check=True).stdout
    assert len(read_csv(stdout, text=True)) == 20
