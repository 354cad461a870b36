"""``plainnet predict``: label names, probabilities, columns found by name."""

from __future__ import annotations

import json

import numpy as np
from cli_helpers import assert_error, read_csv, run, write_csv

from plainnet.cli import main


def test_predict_writes_the_label_names(colours):
    folder, _, names, _ = colours
    stdout = run("predict", "colours.pnet", "colours.csv", cwd=folder, check=True).stdout
    rows = read_csv(stdout, text=True)
    assert list(rows[0]) == ["prediction"]  # no probabilities without --proba
    predicted = np.array([row["prediction"] for row in rows])
    assert set(predicted) <= {"blue", "green", "red"}
    assert np.mean(predicted == names) > 0.9


def test_predict_proba_to_a_file(colours):
    folder, _, names, _ = colours
    result = run("predict", "colours.pnet", "colours.csv", "--out", "out.csv", "--proba",
                 cwd=folder, check=True)
    assert "wrote 150 predictions to out.csv" in result.stdout
    rows = read_csv(folder / "out.csv")
    assert list(rows[0]) == ["prediction", "probability_blue", "probability_green",
                             "probability_red"]
    probabilities = np.array([[float(row[f"probability_{c}"]) for c in ("blue", "green",
                                                                        "red")]
                              for row in rows])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    best = np.array(["blue", "green", "red"])[probabilities.argmax(axis=1)]
    assert [row["prediction"] for row in rows] == best.tolist()
    assert np.mean(best == names) > 0.9


def test_predict_finds_the_columns_by_name(colours):
    folder, X, _, _ = colours
    reference = read_csv(run("predict", "colours.pnet", "colours.csv", cwd=folder,
                             check=True).stdout, text=True)
    # another order, an extra text column: same predictions
    write_csv(folder / "shuffled.csv", ["b", "id", "a"],
              [[b, f"row{i}", a] for i, (a, b) in enumerate(X)])
    stdout = run("predict", "colours.pnet", "shuffled.csv", cwd=folder, check=True).stdout
    assert read_csv(stdout, text=True) == reference
    # a missing column is named
    write_csv(folder / "only_a.csv", ["a", "colour"], [[1.0, "red"]])
    assert_error(run("predict", "colours.pnet", "only_a.csv", cwd=folder),
                 "only_a.csv", "no column named 'b'")


def test_predict_into_a_missing_folder_names_that_file(colours, capsys):
    folder, _, _, _ = colours
    out = folder / "missing" / "p.csv"
    assert main(["predict", str(folder / "colours.pnet"), str(folder / "colours.csv"),
                 "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"plainnet: error: {out}: No such file or directory\n"


def test_models_made_in_python_work_too(tmp_path):
    from plainnet import Dense, Sequential, Softmax

    model = Sequential([Dense(2, 3), Softmax()], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.save(tmp_path / "python.pnet")
    write_csv(tmp_path / "all.csv", ["a", "b", "colour"],
              [[0, 0, "red"], [1, 1, "green"], [2, 2, "blue"]])
    data = json.loads(run("evaluate", "python.pnet", "all.csv", "--target", "colour", "--json",
                          cwd=tmp_path, check=True).stdout)
    assert data["samples"] == 3 and data["classes"] == ["0", "1", "2"]
    stdout = run("predict", "python.pnet", "all.csv", "--target", "colour", "--proba",
                 cwd=tmp_path, check=True).stdout
    rows = read_csv(stdout, text=True)
    assert list(rows[0]) == ["prediction", "probability_0", "probability_1", "probability_2"]
    summary = run("summary", "python.pnet", cwd=tmp_path, check=True).stdout
    assert "epochs:     0 (not trained)" in summary
