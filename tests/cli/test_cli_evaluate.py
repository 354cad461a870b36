"""``plainnet evaluate``: metrics, a labelled confusion matrix, and regression on raw data."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from cli_helpers import read_csv, run, write_csv


def test_evaluate_prints_accuracy_and_a_labelled_confusion_matrix(colours):
    folder, _, names, _ = colours
    out = run("evaluate", "colours.pnet", "colours.csv", "--target", "colour", cwd=folder,
              check=True).stdout
    accuracy = float(re.search(r"^accuracy:\s+([0-9.]+)$", out, re.M).group(1))
    assert accuracy > 0.9
    lines = out.splitlines()
    start = lines.index("confusion matrix (rows: true class, columns: predicted class):")
    header, *table = lines[start + 1:start + 5]
    assert header.split()[-3:] == ["blue", "green", "red"]
    counts = {row.split()[0]: [int(v) for v in row.split()[1:]] for row in table}
    assert set(counts) == {"blue", "green", "red"}
    for name in counts:
        assert sum(counts[name]) == np.sum(names == name)
    correct = sum(counts[name][i] for i, name in enumerate(["blue", "green", "red"]))
    assert correct / len(names) == pytest.approx(accuracy, abs=1e-3)
    data = json.loads(run("evaluate", "colours.pnet", "colours.csv", "--json", cwd=folder,
                          check=True).stdout)  # --target: the model's own by default
    assert data["classes"] == ["blue", "green", "red"] and data["samples"] == 150
    assert np.sum(data["confusion_matrix"]) == 150
    assert data["accuracy"] == pytest.approx(accuracy, abs=1e-6)


def test_evaluate_a_file_with_some_of_the_classes(colours):
    folder, X, names, _ = colours
    keep = names != "blue"
    write_csv(folder / "subset.csv", ["b", "colour", "a"],
              [[b, name, a] for (a, b), name in zip(X[keep], names[keep])])
    data = json.loads(run("evaluate", "colours.pnet", "subset.csv", "--target", "colour",
                          "--json", cwd=folder, check=True).stdout)
    assert data["samples"] == keep.sum() and data["accuracy"] > 0.9
    assert np.sum(data["confusion_matrix"][0]) == 0  # no true "blue" row


def test_regression_path(houses):
    folder, _, y, result = houses
    assert "task: regression [the target is numbers]" in result.stdout
    assert re.search(r"^validation: MSE [0-9.]+\s+MAE [0-9.]+\s+R² 0\.9", result.stdout, re.M)
    out = run("evaluate", "houses.pnet", "houses.csv", "--target", "price", cwd=folder,
              check=True).stdout
    scores = dict(re.findall(r"^(MSE|MAE|R²):\s+(\S+)$", out, re.M))
    assert set(scores) == {"MSE", "MAE", "R²"}
    assert float(scores["R²"]) > 0.95  # the scaling folded into the model works on raw data
    assert float(scores["MAE"]) < 10 and float(scores["MSE"]) < 100
    stdout = run("predict", "houses.pnet", "houses.csv", cwd=folder, check=True).stdout
    predictions = np.array([float(r["prediction"]) for r in read_csv(stdout, text=True)])
    assert np.mean(np.abs(predictions - y)) == pytest.approx(float(scores["MAE"]), rel=1e-3)
    summary = run("summary", "houses.pnet", cwd=folder, check=True).stdout
    assert "task:       regression" in summary and "features:   rooms, area, age (3)" in summary
