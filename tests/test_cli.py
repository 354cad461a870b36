"""Tests for the ``plainnet`` command line, run as a subprocess like a user would."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from plainnet import datasets
from plainnet.cli import main

COMMANDS = ["xor", "train", "evaluate", "predict", "plot", "plot-history", "info"]


def run(*args: str, cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    """``python -m plainnet ARGS`` in ``cwd``; the result with text stdout/stderr."""
    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    result = subprocess.run([sys.executable, "-m", "plainnet", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit status 1 and exactly one ``plainnet: error:`` line, no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("plainnet: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def write_csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path_or_text, text: bool = False) -> list[dict[str, str]]:
    if text:
        return list(csv.DictReader(path_or_text.splitlines()))
    with open(path_or_text, newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    """A model trained by ``plainnet train --data moons`` (once for the module)."""
    folder = tmp_path_factory.mktemp("moons")
    result = run("train", "--data", "moons", "--epochs", "60", "--hidden", "16,16",
                 "--learning-rate", "0.01", "--out", "model.pnet", "--log", "log.csv",
                 cwd=folder, check=True)
    return folder, result


# ------------------------------------------------------------------------ help
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help(command, tmp_path):
    result = run(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: plainnet {command or ''}".rstrip())
    assert "examples:" in result.stdout
    if command is None:
        for name in COMMANDS:
            assert name in result.stdout


# ------------------------------------------------------------------------ xor
def test_xor_prints_four_predictions(tmp_path):
    result = run("xor", "--seed", "0", "--out", "xor.pnet", cwd=tmp_path, check=True)
    rows = re.findall(r"^([01]) ([01])\s+([01])\s+([0-9.]+)$", result.stdout, re.MULTILINE)
    assert len(rows) == 4
    for a, b, target, output in rows:
        assert int(target) == int(a) ^ int(b)
        assert abs(float(output) - int(target)) < 0.1
    assert "XOR learned" in result.stdout
    # the saved tutorial network works with the other commands
    info = run("info", "xor.pnet", cwd=tmp_path, check=True)
    assert "NeuralNetwork(input_layer=2, hidden_layer=4, output_layer=1)" in info.stdout
    scores = json.loads(run("evaluate", "xor.pnet", "--data", "xor", "--json",
                            cwd=tmp_path, check=True).stdout)
    assert scores["accuracy"] == 1.0 and scores["samples"] == 4


# ---------------------------------------------------------- train and friends
def test_train_on_moons(moons_run):
    folder, result = moons_run
    assert (folder / "model.pnet").is_file()
    assert "400 to train, 100 to validate" in result.stdout
    assert "trained 60 epochs" in result.stdout
    accuracy = float(re.search(r"validation: .*accuracy ([0-9.]+)", result.stdout).group(1))
    assert accuracy > 0.9
    assert "saved the model to model.pnet" in result.stdout
    log = read_csv(folder / "log.csv")
    assert len(log) == 60 and {"loss", "val_loss", "accuracy"} <= set(log[0])


def test_evaluate_info_predict_use_the_trained_model(moons_run):
    folder, _ = moons_run
    # fresh samples (another seed), as JSON
    scores = json.loads(run("evaluate", "model.pnet", "--data", "moons", "--seed", "1",
                            "--json", cwd=folder, check=True).stdout)
    assert set(scores) == {"loss", "accuracy", "samples"}
    assert scores["samples"] == 500 and scores["accuracy"] > 0.9
    text = run("evaluate", "model.pnet", "--data", "moons", cwd=folder, check=True).stdout
    assert float(re.search(r"^accuracy: ([0-9.]+)$", text, re.MULTILINE).group(1)) > 0.9

    info = run("info", "model.pnet", cwd=folder, check=True).stdout
    assert "Total params: 337" in info and "dense_2 (Dense)" in info
    assert "Trained 60 epochs" in info

    # predict: a CSV with the answer in a column that is left out
    X, y = datasets.moons(100, noise=0.1, seed=5)
    write_csv(folder / "points.csv", ["x0", "label", "x1"],
              [[a, label, b] for (a, b), label in zip(X, y)])
    result = run("predict", "model.pnet", "--csv", "points.csv", "--target", "label",
                 "--output", "out.csv", cwd=folder, check=True)
    assert "wrote 100 predictions to out.csv" in result.stdout
    # the column order matters: x0 and x1 are the features, in file order
    write_csv(folder / "features.csv", ["x0", "x1"], X.tolist())
    rows = read_csv(folder / "out.csv")
    assert list(rows[0]) == ["prediction", "probability_0", "probability_1"]
    predicted = np.array([int(r["prediction"]) for r in rows])
    probabilities = np.array([[float(r["probability_0"]), float(r["probability_1"])]
                              for r in rows])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(predicted, probabilities.argmax(axis=1))
    assert np.mean(predicted == y) > 0.9
    # to standard output, from a file of features only
    stdout = run("predict", "model.pnet", "--csv", "features.csv", cwd=folder,
                 check=True).stdout
    assert [int(r["prediction"]) for r in read_csv(stdout, text=True)] == predicted.tolist()


def test_plots(moons_run):
    pytest.importorskip("matplotlib")
    folder, _ = moons_run
    run("plot", "model.pnet", "--data", "moons", "--resolution", "60", "--out", "b.png",
        cwd=folder, check=True)
    run("plot-history", "log.csv", "--out", "h.png", cwd=folder, check=True)
    for name in ("b.png", "h.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    write_csv(folder / "three.csv", ["a", "b", "c", "y"], [[1, 2, 3, 0], [4, 5, 6, 1]])
    result = run("plot", "model.pnet", "--csv", "three.csv", "--target", "y", "--out", "c.png",
                 cwd=folder)
    assert_user_error(result, "3 features", "only for 2")
    assert not (folder / "c.png").exists()


def test_train_from_csv_with_text_target(tmp_path):
    X, y = datasets.blobs(150, centers=[[0, 0], [4, 4], [-4, 4]], cluster_std=0.8, seed=3)
    names = np.array(["red", "green", "blue"])
    order = np.argsort(y, kind="stable")  # a file sorted by class: train must shuffle
    write_csv(tmp_path / "colors.csv", ["a", "b", "color"],
              [[X[i, 0], X[i, 1], names[y[i]]] for i in order])
    result = run("train", "--csv", "colors.csv", "--target", "color", "--epochs", "40",
                 "--hidden", "8", "--learning-rate", "0.01", "--out", "colors.pnet",
                 cwd=tmp_path, check=True)
    assert "3 classes" in result.stdout
    assert "classes: 0=blue, 1=green, 2=red" in result.stdout
    scores = json.loads(run("evaluate", "colors.pnet", "--csv", "colors.csv", "--target",
                            "color", "--json", cwd=tmp_path, check=True).stdout)
    assert scores["accuracy"] > 0.9
    stdout = run("predict", "colors.pnet", "--csv", "colors.csv", "--target", "-1",
                 cwd=tmp_path, check=True).stdout
    rows = read_csv(stdout, text=True)
    assert len(rows) == 150 and list(rows[0])[-1] == "probability_red"
    # the model keeps its class names, so a file missing a class is evaluated too
    write_csv(tmp_path / "two.csv", ["a", "b", "color"], [[0, 0, "red"], [4, 4, "green"]])
    run("evaluate", "colors.pnet", "--csv", "two.csv", "--target", "color", cwd=tmp_path,
        check=True)


def test_train_regression_from_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)) * [1.0, 50.0]  # very different scales
    y = 500.0 + 30.0 * X[:, 0] - 0.4 * X[:, 1] + rng.normal(size=200)
    write_csv(tmp_path / "reg.csv", ["u", "v", "price"], np.column_stack([X, y]).tolist())
    result = run("train", "--csv", "reg.csv", "--target", "price", "--epochs", "100",
                 "--hidden", "8", "--learning-rate", "0.01", "--out", "reg.pnet",
                 cwd=tmp_path, check=True)
    assert "regression" in result.stdout
    scores = json.loads(run("evaluate", "reg.pnet", "--csv", "reg.csv", "--target", "price",
                            "--json", cwd=tmp_path, check=True).stdout)
    assert set(scores) == {"loss", "mae", "r2", "samples"}
    assert scores["r2"] > 0.95  # the standardisation folded into the model works on raw data
    stdout = run("predict", "reg.pnet", "--csv", "reg.csv", "--target", "price",
                 cwd=tmp_path, check=True).stdout
    predictions = np.array([float(r["prediction"]) for r in read_csv(stdout, text=True)])
    assert np.mean(np.abs(predictions - y)) < 10.0


# ---------------------------------------------------------------------- errors
def test_damaged_model_file(moons_run, tmp_path):
    folder, _ = moons_run
    damaged = tmp_path / "damaged.pnet"
    damaged.write_bytes((folder / "model.pnet").read_bytes()[:400])
    for args in (["info", damaged], ["evaluate", damaged, "--data", "moons"],
                 ["predict", damaged, "--csv", folder / "features.csv"]):
        assert_user_error(run(*args, cwd=tmp_path), "damaged.pnet")
    (tmp_path / "text.pnet").write_text("hello")
    assert_user_error(run("info", "text.pnet", cwd=tmp_path), "not a plainnet model file")


def test_missing_files(moons_run, tmp_path):
    folder, _ = moons_run
    assert_user_error(run("info", "nowhere.pnet", cwd=tmp_path), "nowhere.pnet", "no such file")
    assert_user_error(run("train", "--csv", "nowhere.csv", "--target", "y", cwd=tmp_path),
                      "nowhere.csv")
    assert_user_error(run("predict", folder / "model.pnet", "--csv", "nowhere.csv",
                          cwd=tmp_path), "nowhere.csv")
    assert_user_error(run("plot-history", "nowhere.csv", "--out", "x.png", cwd=tmp_path),
                      "nowhere.csv")


def test_bad_data_is_a_user_error(moons_run, tmp_path):
    folder, _ = moons_run
    write_csv(tmp_path / "wide.csv", ["a", "b", "c"], [[1, 2, 3], [4, 5, 6]])
    assert_user_error(run("predict", folder / "model.pnet", "--csv", "wide.csv", cwd=tmp_path),
                      "3 feature columns", "expects 2")
    write_csv(tmp_path / "words.csv", ["a", "b"], [[1, "x"]])
    assert_user_error(run("predict", folder / "model.pnet", "--csv", "words.csv",
                          cwd=tmp_path), "line 2", "expected a number")
    assert_user_error(run("train", "--csv", "wide.csv", "--target", "nope", cwd=tmp_path),
                      "nope")


def test_unreadable_csv_files_are_user_errors(moons_run, tmp_path, monkeypatch, capsys):
    folder, _ = moons_run
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLAINNET_DEBUG", raising=False)
    Path("huge.csv").write_text("x0,x1\n1," + "2" * 200_000 + "\n")  # over csv's cell limit
    Path("header.csv").write_text("x0," + "y" * 200_000 + "\n1,2\n")
    Path("latin1.csv").write_bytes("x0,lösung\n1,2\n".encode("latin-1"))
    model = str(folder / "model.pnet")
    for name in ("huge.csv", "header.csv", "latin1.csv"):
        for args in (["predict", model, "--csv", name],
                     ["evaluate", model, "--csv", name, "--target", "-1"],
                     ["plot-history", name, "--out", "x.png"]):
            if args[0] == "plot-history":
                pytest.importorskip("matplotlib")
            assert main(args) == 1, args
            error = capsys.readouterr().err
            assert error.startswith(f"plainnet: error: {name}") and error.count("\n") == 1, error


def test_predict_output_into_a_missing_folder_names_that_file(moons_run, tmp_path, capsys):
    folder, _ = moons_run
    write_csv(tmp_path / "points.csv", ["x0", "x1"], [[0.5, 0.5]])
    out = tmp_path / "missing" / "p.csv"
    assert main(["predict", str(folder / "model.pnet"), "--csv", str(tmp_path / "points.csv"),
                 "--output", str(out)]) == 1
    assert capsys.readouterr().err == f"plainnet: error: {out}: No such file or directory\n"


def test_nan_in_a_csv_is_a_user_error_naming_the_file(tmp_path):
    write_csv(tmp_path / "nan.csv", ["a", "y"], [[1, 1.5], [2, "nan"], [3, 2.5], [4, 3.5]])
    write_csv(tmp_path / "inf.csv", ["a", "y"], [[1, 1], ["inf", 0], [3, 1], [4, 0]])
    for name in ("nan.csv", "inf.csv"):
        assert_user_error(run("train", "--csv", name, "--target", "y", cwd=tmp_path),
                          name, "NaN or infinite")


def test_predict_with_no_header_needs_a_column_index(moons_run, tmp_path):
    folder, _ = moons_run
    result = run("predict", folder / "model.pnet", "--csv", folder / "features.csv",
                 "--no-header", "--target", "x1", cwd=tmp_path)
    assert result.returncode == 2 and "--target must be a column index" in result.stderr


def test_train_checks_the_output_folder_before_training(tmp_path):
    for out, fragment in ((tmp_path / "missing" / "m.pnet", "does not exist"),
                          (tmp_path, "it is a folder")):
        result = run("train", "--data", "moons", "--out", out, cwd=tmp_path)
        assert_user_error(result, "cannot save the model", fragment)
        assert "trained" not in result.stdout  # no training wasted


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    [],
    ["train", "--data", "moons", "--epochs", "abc"],
    ["train", "--data", "nope"],
    ["train", "--data", "moons", "--csv", "a.csv"],
    ["train", "--csv", "a.csv"],
    ["train", "--data", "moons", "--target", "y"],
    ["train", "--data", "moons", "--validation-split", "1.5"],
    ["train", "--data", "moons", "--hidden", "16,x"],
    ["evaluate", "--data", "moons"],
    ["xor", "--epochs", "0"],
])
def test_bad_arguments_exit_2(args, tmp_path):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "usage: plainnet" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_exits_130_without_saving(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "plainnet", "train", "--data", "moons", "--epochs", "100000",
         "--verbose", "2", "--out", "never.pnet"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in process.stdout:  # training has started once the first epoch is done
            if line.startswith("Epoch"):
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "never.pnet").exists()


def test_main_in_process_returns_the_status(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing.pnet")]) == 1
    assert capsys.readouterr().err.startswith("plainnet: error: cannot load")
    with pytest.raises(SystemExit) as exit_info:
        main(["train"])
    assert exit_info.value.code == 2


def test_console_script_if_installed(tmp_path):
    script = Path(sys.executable).parent / ("plainnet.exe" if os.name == "nt" else "plainnet")
    if not script.exists():
        pytest.skip("the plainnet console script is not installed (pip install -e .)")
    result = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("plainnet ")


# ------------------------------------------------------------- model metadata
COLOURS = np.array(["red", "green", "blue"])


@pytest.fixture(scope="module")
def colours_run(tmp_path_factory):
    """A classifier trained on a CSV whose text target sits between the two features."""
    folder = tmp_path_factory.mktemp("colours")
    X, y = datasets.blobs(150, centers=[[0, 0], [4, 4], [-4, 4]], cluster_std=0.8, seed=3)
    write_csv(folder / "colours.csv", ["a", "colour", "b"],
              [[X[i, 0], COLOURS[y[i]], X[i, 1]] for i in range(len(y))])
    run("train", "--csv", "colours.csv", "--target", "colour", "--epochs", "40", "--hidden",
        "8", "--learning-rate", "0.01", "--out", "colours.pnet", cwd=folder, check=True)
    return folder, X, COLOURS[y]


def test_train_saves_task_target_features_and_classes(colours_run):
    import plainnet

    folder, _, _ = colours_run
    model = plainnet.load(folder / "colours.pnet")
    assert model.metadata == {"task": "classification", "target": "colour",
                              "features": ["a", "b"], "classes": ["blue", "green", "red"]}
    info = run("info", "colours.pnet", cwd=folder, check=True).stdout
    assert 'classes: ["blue", "green", "red"]' in info and 'target: "colour"' in info


def test_predict_writes_the_text_labels(colours_run):
    folder, X, names = colours_run
    # the features are found by name: the text column needs no --target
    result = run("predict", "colours.pnet", "--csv", "colours.csv", "--output", "out.csv",
                 cwd=folder, check=True)
    assert "wrote 150 predictions" in result.stdout
    rows = read_csv(folder / "out.csv")
    assert list(rows[0]) == ["prediction", "probability_blue", "probability_green",
                             "probability_red"]
    predicted = np.array([row["prediction"] for row in rows])
    assert set(predicted) <= {"blue", "green", "red"}
    assert np.mean(predicted == names) > 0.9
    for row in rows:  # the label is the most probable class
        probabilities = {c: float(row[f"probability_{c}"]) for c in ("blue", "green", "red")}
        assert row["prediction"] == max(probabilities, key=probabilities.get)
    # columns in another order (and an extra one) are matched by name
    write_csv(folder / "shuffled.csv", ["id", "b", "a"],
              [[i, b, a] for i, (a, b) in enumerate(X)])
    stdout = run("predict", "colours.pnet", "--csv", "shuffled.csv", cwd=folder,
                 check=True).stdout
    assert [row["prediction"] for row in read_csv(stdout, text=True)] == predicted.tolist()
    # without a header, the columns are taken in file order, as before
    with open(folder / "bare.csv", "w", newline="") as file:
        csv.writer(file).writerows(X.tolist())
    stdout = run("predict", "colours.pnet", "--csv", "bare.csv", "--no-header", cwd=folder,
                 check=True).stdout
    assert [row["prediction"] for row in read_csv(stdout, text=True)] == predicted.tolist()


def test_evaluate_and_plot_a_subset_of_the_classes(colours_run):
    folder, X, names = colours_run
    keep = names != "blue"
    write_csv(folder / "subset.csv", ["b", "colour", "a"],  # another column order, too
              [[b, name, a] for (a, b), name in zip(X[keep], names[keep])])
    scores = json.loads(run("evaluate", "colours.pnet", "--csv", "subset.csv", "--target",
                            "colour", "--json", cwd=folder, check=True).stdout)
    assert scores["samples"] == keep.sum() and scores["accuracy"] > 0.9
    only_red = names == "red"
    write_csv(folder / "red.csv", ["a", "b", "colour"],
              [[a, b, "red"] for a, b in X[only_red]])
    scores = json.loads(run("evaluate", "colours.pnet", "--csv", "red.csv", "--target",
                            "colour", "--json", cwd=folder, check=True).stdout)
    assert scores["samples"] == only_red.sum() and scores["accuracy"] > 0.9


def test_plot_a_subset_of_the_classes_names_them(colours_run, monkeypatch, capsys):
    figure_module = pytest.importorskip("matplotlib.figure")

    folder, X, names = colours_run
    keep = names != "blue"
    write_csv(folder / "subset2.csv", ["colour", "a", "b"],
              [[name, a, b] for (a, b), name in zip(X[keep], names[keep])])
    run("plot", "colours.pnet", "--csv", "subset2.csv", "--target", "colour",
        "--resolution", "30", "--out", "subset.png", cwd=folder, check=True)
    assert (folder / "subset.png").read_bytes()[:4] == b"\x89PNG"
    legends = []  # in this process, to read the legend
    monkeypatch.setattr(figure_module.Figure, "savefig", lambda figure, *a, **k: legends.append(
        [text.get_text() for text in figure.axes[0].get_legend().get_texts()]))
    monkeypatch.chdir(folder)
    assert main(["plot", "colours.pnet", "--csv", "subset2.csv", "--target", "colour",
                 "--resolution", "30", "--out", "unused.png"]) == 0
    assert legends == [["green", "red"]]


def test_a_label_unseen_in_training_is_a_user_error(colours_run):
    folder, _, _ = colours_run
    write_csv(folder / "purple.csv", ["a", "b", "colour"],
              [[0, 0, "red"], [1, 1, "purple"], [2, 2, "Red"]])
    for command in (["evaluate"], ["plot", "--out", "purple.png"]):
        result = run(*command, "colours.pnet", "--csv", "purple.csv", "--target", "colour",
                     cwd=folder)
        assert_user_error(result, "purple.csv", "'Red', 'purple'", "not trained on",
                          "blue, green, red")
    assert not (folder / "purple.png").exists()


def test_numeric_and_number_like_labels_are_matched_by_value(tmp_path):
    X, y = datasets.blobs(120, centers=[[0, 0], [4, 4], [-4, 4]], cluster_std=0.8, seed=1)
    labels = np.array(["10", "20", "big"])[y]  # text: one label is not a number
    write_csv(tmp_path / "train.csv", ["a", "b", "size"], np.column_stack([X, labels]))
    run("train", "--csv", "train.csv", "--target", "size", "--epochs", "40", "--hidden", "8",
        "--learning-rate", "0.01", "--out", "m.pnet", cwd=tmp_path, check=True)
    numeric = labels != "big"  # this file's target is all numbers: 10 and 20
    write_csv(tmp_path / "numbers.csv", ["a", "b", "size"],
              np.column_stack([X[numeric], labels[numeric]]))
    scores = json.loads(run("evaluate", "m.pnet", "--csv", "numbers.csv", "--target", "size",
                            "--json", cwd=tmp_path, check=True).stdout)
    assert scores["accuracy"] > 0.9
    write_csv(tmp_path / "thirty.csv", ["a", "b", "size"], [[0, 0, 10], [1, 1, 30]])
    assert_user_error(run("evaluate", "m.pnet", "--csv", "thirty.csv", "--target", "size",
                          cwd=tmp_path), "the label(s) 30 ", "10, 20, big")
    # integer labels 0..k-1 are saved as numbers; a file with only label 2 is fine
    write_csv(tmp_path / "ints.csv", ["a", "b", "k"], np.column_stack([X, y]))
    run("train", "--csv", "ints.csv", "--target", "k", "--epochs", "40", "--hidden", "8",
        "--learning-rate", "0.01", "--out", "k.pnet", cwd=tmp_path, check=True)
    import plainnet

    assert plainnet.load(tmp_path / "k.pnet").metadata["classes"] == [0, 1, 2]
    write_csv(tmp_path / "two.csv", ["a", "b", "k"],
              [[*X[i], 2] for i in np.flatnonzero(y == 2)])
    scores = json.loads(run("evaluate", "k.pnet", "--csv", "two.csv", "--target", "k",
                            "--json", cwd=tmp_path, check=True).stdout)
    assert scores["accuracy"] > 0.9
    stdout = run("predict", "k.pnet", "--csv", "two.csv", "--target", "k", cwd=tmp_path,
                 check=True).stdout
    rows = read_csv(stdout, text=True)
    assert list(rows[0]) == ["prediction", "probability_0", "probability_1", "probability_2"]
    assert np.mean([row["prediction"] == "2" for row in rows]) > 0.9
    write_csv(tmp_path / "seven.csv", ["a", "b", "k"], [[0, 0, 7]])
    assert_user_error(run("evaluate", "k.pnet", "--csv", "seven.csv", "--target", "k",
                          cwd=tmp_path), "the label(s) 7 ", "0, 1, 2")


def test_models_without_metadata_work_as_before(tmp_path):
    from plainnet import Dense, Sequential, Softmax

    model = Sequential([Dense(2, 3), Softmax()], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.save(tmp_path / "python.pnet")
    write_csv(tmp_path / "all.csv", ["a", "b", "colour"],
              [[0, 0, "red"], [1, 1, "green"], [2, 2, "blue"]])
    scores = json.loads(run("evaluate", "python.pnet", "--csv", "all.csv", "--target",
                            "colour", "--json", cwd=tmp_path, check=True).stdout)
    assert scores["samples"] == 3
    # without saved class names, text labels are numbered in sorted order: all must appear
    write_csv(tmp_path / "two.csv", ["a", "b", "colour"], [[0, 0, "red"], [1, 1, "green"]])
    assert_user_error(run("evaluate", "python.pnet", "--csv", "two.csv", "--target", "colour",
                          cwd=tmp_path), "2 distinct labels", "3 classes")
    stdout = run("predict", "python.pnet", "--csv", "all.csv", "--target", "colour",
                 cwd=tmp_path, check=True).stdout
    rows = read_csv(stdout, text=True)
    assert list(rows[0]) == ["prediction", "probability_0", "probability_1", "probability_2"]
    assert {row["prediction"] for row in rows} <= {"0", "1", "2"}
    assert "Metadata" not in run("info", "python.pnet", cwd=tmp_path, check=True).stdout
    # class names set in Python are used by the command line
    model.metadata["classes"] = ["cat", "dog", "fish"]
    model.save(tmp_path / "named.pnet")
    stdout = run("predict", "named.pnet", "--csv", "all.csv", "--target", "colour",
                 cwd=tmp_path, check=True).stdout
    assert list(read_csv(stdout, text=True)[0])[1:] == ["probability_cat", "probability_dog",
                                                       "probability_fish"]
    # ... and checked
    model.metadata["classes"] = ["cat", "dog"]
    model.save(tmp_path / "wrong.pnet")
    assert_user_error(run("predict", "wrong.pnet", "--csv", "all.csv", "--target", "colour",
                          cwd=tmp_path), "metadata['classes']", "3 distinct class labels")


def test_metadata_of_built_in_and_regression_models(moons_run, tmp_path):
    import plainnet

    folder, _ = moons_run
    assert plainnet.load(folder / "model.pnet").metadata == {
        "task": "classification", "dataset": "moons", "classes": [0, 1]}
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    with open(tmp_path / "reg.csv", "w", newline="") as file:  # no header: columns by index
        csv.writer(file).writerows(np.column_stack([X, X @ [1.0, 2.0]]).tolist())
    run("train", "--csv", "reg.csv", "--no-header", "--target", "-1", "--task", "regression",
        "--epochs", "2", "--out", "reg.pnet", cwd=tmp_path, check=True)
    assert plainnet.load(tmp_path / "reg.pnet").metadata == {"task": "regression",
                                                             "target": -1}
