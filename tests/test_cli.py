"""Tests for the ``plainnet`` command line, run as a subprocess as a user would run it.

Trained models are shared through module-scoped fixtures (a classifier with
text labels, a regression model) so that the file stays fast.
"""

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

import plainnet
from plainnet import datasets
from plainnet.cli import confusion_matrix, main

COMMANDS = ["xor", "train", "predict", "evaluate", "summary", "info", "plot", "plot-history"]
COLOURS = np.array(["red", "green", "blue"])


# ====================================================================== helpers
def run(*args, cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    """``python -m plainnet ARGS`` in ``cwd``; the result with text stdout/stderr."""
    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    result = subprocess.run([sys.executable, "-m", "plainnet", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def assert_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit status 2 and exactly one stderr line ``plainnet: error: ...``, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("plainnet: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


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


def assert_real_image(path: Path) -> np.ndarray:
    """A PNG with a drawing in it: many non-white pixels and many colours. Returns RGB."""
    image = pytest.importorskip("matplotlib.image").imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 200
    rgb = image[..., :3]
    drawn = ~(rgb > 0.97).all(axis=2)
    assert drawn.mean() > 0.05, f"{path.name}: only {drawn.mean():.1%} of the pixels drawn"
    assert rgb.std() > 0.05
    assert len(np.unique((rgb * 255).astype(int).reshape(-1, 3), axis=0)) > 30
    return rgb


def saved_weights(path: Path) -> list[np.ndarray]:
    return plainnet.load(path).get_weights()


# ===================================================================== fixtures
@pytest.fixture(scope="module")
def colours(tmp_path_factory):
    """A classifier trained on a CSV whose text target sits between the two features."""
    folder = tmp_path_factory.mktemp("colours")
    X, y = datasets.blobs(150, centers=[[0, 0], [4, 4], [-4, 4]], cluster_std=0.8, seed=3)
    write_csv(folder / "colours.csv", ["a", "colour", "b"],
              [[X[i, 0], COLOURS[y[i]], X[i, 1]] for i in range(len(y))])
    result = run("train", "colours.csv", "--target", "colour", "--epochs", "40", "--hidden",
                 "8", "--learning-rate", "0.01", "--out", "colours.pnet",
                 "--plot", "history.png", cwd=folder, check=True)
    return folder, X, COLOURS[y], result


@pytest.fixture(scope="module")
def houses(tmp_path_factory):
    """A regression model trained on features of very different scales."""
    folder = tmp_path_factory.mktemp("houses")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01]
    y = 500.0 + 30.0 * X[:, 0] - 0.4 * X[:, 1] + 900.0 * X[:, 2] + rng.normal(size=200)
    write_csv(folder / "houses.csv", ["rooms", "area", "age", "price"],
              np.column_stack([X, y]).tolist())
    result = run("train", "houses.csv", "--target", "price", "--epochs", "100", "--hidden",
                 "16", "--learning-rate", "0.01", "--out", "houses.pnet", cwd=folder,
                 check=True)
    return folder, X, y, result


# ========================================================================= help
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_an_example(command, tmp_path):
    result = run(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: plainnet")
    assert re.search(r"^example:\n  plainnet ", result.stdout, re.MULTILINE), result.stdout
    if command is None:
        for name in COMMANDS:
            assert name in result.stdout


def test_help_shows_the_options_of_the_specification(tmp_path):
    options = {
        "xor": ["--epochs", "--learning-rate", "--seed", "--plot"],
        "train": ["DATA.csv", "--target", "--task", "--hidden", "--activation", "--optimizer",
                  "--learning-rate", "--epochs", "--batch-size", "--validation-split",
                  "--early-stopping", "--seed", "--out", "--checkpoint", "--resume", "--plot"],
        "predict": ["MODEL", "DATA.csv", "--out", "--proba"],
        "evaluate": ["MODEL", "DATA.csv", "--target"],
        "summary": ["MODEL"],
        "plot": ["MODEL", "DATA.csv", "--target", "--out"],
    }
    for command, names in options.items():
        text = run(command, "--help", cwd=tmp_path, check=True).stdout
        for name in names:
            assert name in text, (command, name)


# ========================================================================== xor
def test_xor_prints_the_table_and_draws_loss_and_surface(tmp_path):
    result = run("xor", "--seed", "0", "--epochs", "3000", "--learning-rate", "4",
                 "--plot", "xor.png", cwd=tmp_path, check=True)
    rows = re.findall(r"^([01]) ([01])\s+([01])\s+([0-9.]+)$", result.stdout, re.MULTILINE)
    assert len(rows) == 4
    for a, b, target, output in rows:
        assert int(target) == int(a) ^ int(b)
        assert abs(float(output) - int(target)) < 0.1
    assert "input  target  output" in result.stdout
    assert "3000 epochs, learning rate 4, seed 0" in result.stdout
    assert "saved the loss curve and the decision surface to xor.png" in result.stdout
    rgb = assert_real_image(tmp_path / "xor.png")
    assert rgb.shape[1] > 1.8 * rgb.shape[0]  # two panels side by side


# ====================================================== train, predict, evaluate
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


def test_summary_shows_layers_and_training_record(colours):
    folder, _, _, _ = colours
    out = run("summary", "colours.pnet", cwd=folder, check=True).stdout
    assert "dense (Dense)" in out and "Total params: 51" in out  # (2*8 + 8) + (8*3 + 3)
    for line in ("task:       classification", "target:     colour",
                 "features:   a, b (2)", "classes:    blue, green, red (3)",
                 "epochs:     40"):
        assert line in out, line
    assert re.search(r"^  train:\s+loss [0-9.]+\s+accuracy (0\.9|1\.0)", out, re.M)
    assert re.search(r"^  validation:\s+loss", out, re.M)
    assert "--hidden 8" in out and "--learning-rate 0.01" in out
    assert run("info", "colours.pnet", cwd=folder, check=True).stdout == out  # the alias


def test_plot_draws_decision_regions_for_two_features(colours):
    folder, _, _, _ = colours
    result = run("plot", "colours.pnet", "colours.csv", "--target", "colour", "--out",
                 "regions.png", "--resolution", "60", cwd=folder, check=True)
    assert "saved the decision regions to regions.png" in result.stdout
    rgb = assert_real_image(folder / "regions.png")
    assert (~(rgb > 0.97).all(axis=2)).mean() > 0.3  # the regions fill the axes


def test_plot_names_the_classes_in_the_legend(colours, monkeypatch):
    figure_module = pytest.importorskip("matplotlib.figure")
    folder, X, names, _ = colours
    keep = names != "blue"
    write_csv(folder / "subset.csv", ["b", "colour", "a"],
              [[b, name, a] for (a, b), name in zip(X[keep], names[keep])])
    legends = []  # read in this process, where the figure can be inspected
    monkeypatch.setattr(figure_module.Figure, "savefig", lambda figure, *a, **k: legends.append(
        [text.get_text() for text in figure.axes[0].get_legend().get_texts()]))
    monkeypatch.chdir(folder)
    assert main(["plot", "colours.pnet", "subset.csv", "--target", "colour",
                 "--resolution", "20", "--out", "unused.png"]) == 0
    assert legends[0][-2:] == ["green", "red"]  # only the classes in the file


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


def test_plot_draws_the_history_for_other_models(houses):
    folder, _, _, _ = houses
    result = run("plot", "houses.pnet", "houses.csv", "--target", "price", "--out",
                 "curves.png", cwd=folder, check=True)
    assert "saved the learning curves to curves.png" in result.stdout
    assert_real_image(folder / "curves.png")


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


# ================================================== checkpoint and --resume
TRAIN_LONG = ["train", "moons.csv", "--target", "label", "--epochs", "500", "--batch-size",
              "4", "--hidden", "16,16", "--learning-rate", "0.005", "--seed", "3"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_resume_after_ctrl_c_gives_the_uninterrupted_model(tmp_path):
    X, y = datasets.moons(200, noise=0.2, seed=0)
    write_csv(tmp_path / "moons.csv", ["x0", "x1", "label"],
              [[a, b, ["left", "right"][k]] for (a, b), k in zip(X, y)])
    run(*TRAIN_LONG, "--verbose", "0", "--out", "straight.pnet", cwd=tmp_path, check=True)

    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "plainnet", *TRAIN_LONG, "--verbose", "2", "--checkpoint",
         "run.ckpt", "--out", "resumed.pnet"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in process.stdout:  # a line per epoch: stop it during epoch 4 or so
            if line.startswith("Epoch 3/"):
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted after" in stderr and "--resume" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "resumed.pnet").exists()
    done = plainnet.load(tmp_path / "run.ckpt").epochs_done
    assert 3 <= done < 500  # interrupted well before the end

    result = run(*TRAIN_LONG, "--verbose", "0", "--checkpoint", "run.ckpt", "--resume",
                 "--out", "resumed.pnet", cwd=tmp_path, check=True)
    assert f"resuming from run.ckpt after epoch {done}" in result.stdout
    for a, b in zip(saved_weights(tmp_path / "straight.pnet"),
                    saved_weights(tmp_path / "resumed.pnet"), strict=True):
        np.testing.assert_array_equal(a, b)
    straight, resumed = (plainnet.load(tmp_path / name) for name in ("straight.pnet",
                                                                     "resumed.pnet"))
    assert straight.history.history == resumed.history.history
    assert straight.metadata == resumed.metadata


def test_resume_with_early_stopping_keeps_the_best_weights(colours, tmp_path):
    folder, _, _, _ = colours
    options = ["train", folder / "colours.csv", "--target", "colour", "--epochs", "30",
               "--hidden", "8", "--learning-rate", "0.2", "--early-stopping", "2",
               "--verbose", "0", "--seed", "1"]
    straight = run(*options, "--out", "straight.pnet", cwd=tmp_path, check=True).stdout
    stopped_at = int(re.search(r"trained (\d+) epochs", straight).group(1))
    best = int(re.search(r"the weights of epoch (\d+) are kept", straight).group(1))
    assert best < stopped_at < 30  # it did stop early, with older weights
    # "interrupted" after the best epoch but before the stop, then resumed to the end
    first = options.copy()
    first[first.index("--epochs") + 1] = str(best + 1)
    run(*first, "--checkpoint", "run.ckpt", "--out", "part.pnet", cwd=tmp_path, check=True)
    assert (tmp_path / "run.ckpt.best").is_file()
    run(*options, "--checkpoint", "run.ckpt", "--resume", "--out", "resumed.pnet",
        cwd=tmp_path, check=True)
    for a, b in zip(saved_weights(tmp_path / "straight.pnet"),
                    saved_weights(tmp_path / "resumed.pnet"), strict=True):
        np.testing.assert_array_equal(a, b)
    # a checkpoint is not a model to predict with, and it only resumes the same run
    assert_error(run("predict", "run.ckpt", folder / "colours.csv", cwd=tmp_path),
                 "run.ckpt is a training checkpoint")
    changed = [*options[:-1], "2"]  # --seed 2
    assert_error(run(*changed, "--checkpoint", "run.ckpt", "--resume", cwd=tmp_path),
                 "cannot resume from run.ckpt", "--seed (1 in the checkpoint, 2 now)")


# =================================================================== bad use
BAD_USE = [
    # missing files
    (["train", "missing.csv", "--target", "y"], ["missing.csv", "No such file"]),
    (["predict", "colours.pnet", "missing.csv"], ["missing.csv"]),
    (["summary", "missing.pnet"], ["missing.pnet", "no such file"]),
    (["evaluate", "missing.pnet", "colours.csv", "--target", "colour"], ["missing.pnet"]),
    # unknown columns
    (["train", "colours.csv", "--target", "nope"], ["no column named 'nope'"]),
    (["evaluate", "colours.pnet", "colours.csv", "--target", "nope"], ["'nope'"]),
    # non-numeric features
    (["train", "words.csv", "--target", "y"], ["words.csv, line 3", "'x'", "expected a number"]),
    (["predict", "colours.pnet", "words.csv"], ["words.csv, line 3", "expected a number"]),
    # bad numbers
    (["train", "colours.csv", "--target", "colour", "--epochs", "abc"],
     ["--epochs", "expected a positive integer, got 'abc'"]),
    (["train", "colours.csv", "--target", "colour", "--learning-rate", "-1"], ["--learning-rate"]),
    (["train", "colours.csv", "--target", "colour", "--validation-split", "1.5"],
     ["--validation-split"]),
    (["train", "colours.csv", "--target", "colour", "--hidden", "16,x"], ["--hidden"]),
    (["xor", "--epochs", "0"], ["--epochs"]),
    (["train", "nan.csv", "--target", "y"], ["nan.csv, line 3", "finite number"]),
    (["train", "twice.csv", "--target", "y"], ["names the column 'a' more than once"]),
    (["train", "nan.csv", "--target", "a", "--task", "regression", "--no-header"],
     ["nan.csv: without a header, columns are given by number"]),
    # damaged model files
    (["summary", "damaged.pnet"], ["damaged.pnet", "damaged"]),
    (["predict", "text.pnet", "colours.csv"], ["not a plainnet model file"]),
    # the model and the CSV do not fit
    (["evaluate", "colours.pnet", "purple.csv", "--target", "colour"],
     ["'purple'", "not trained on", "blue, green, red"]),
    (["predict", "colours.pnet", "wide.csv", "--no-header"], ["3 feature columns", "expects 2"]),
    (["evaluate", "houses.pnet", "colours.csv", "--target", "colour"], ["no column named"]),
    (["predict", "houses.pnet", "houses.csv", "--proba"], ["--proba needs a classifier"]),
    # usage
    ([], ["required: COMMAND"]),
    (["frobnicate"], ["invalid choice"]),
    (["train", "colours.csv"], ["--target"]),
    (["train", "--data", "moons", "--csv", "a.csv"], ["not both"]),
    (["train", "colours.csv", "--target", "colour", "--resume"], ["--checkpoint"]),
    (["plot", "colours.pnet", "colours.csv", "--target", "colour"], ["--out"]),
    (["train", "colours.csv", "--target", "colour", "--out", "missing/m.pnet"],
     ["does not exist"]),
]


@pytest.fixture(scope="module")
def bad_files(colours, houses):
    """A folder with the two trained models and broken or unsuitable files."""
    folder = colours[0]
    (folder / "houses.pnet").write_bytes((houses[0] / "houses.pnet").read_bytes())
    (folder / "houses.csv").write_bytes((houses[0] / "houses.csv").read_bytes())
    write_csv(folder / "words.csv", ["a", "b", "y"], [[1, 2, 0], [3, "x", 1]])
    write_csv(folder / "nan.csv", ["a", "y"], [[1, 1.5], ["nan", 2.5], [3, 2.5]])
    write_csv(folder / "twice.csv", ["a", "a", "y"], [[1, 2, 0], [3, 4, 1]])
    write_csv(folder / "purple.csv", ["a", "b", "colour"], [[0, 0, "red"], [1, 1, "purple"]])
    write_csv(folder / "wide.csv", ["1", "2", "3"], [[4, 5, 6]])
    (folder / "damaged.pnet").write_bytes((folder / "colours.pnet").read_bytes()[:400])
    (folder / "text.pnet").write_text("hello")
    return folder


@pytest.mark.parametrize("args, fragments", BAD_USE,
                         ids=[" ".join(args) or "(nothing)" for args, _ in BAD_USE])
def test_bad_use_is_one_line_and_status_2(args, fragments, bad_files):
    before = set(bad_files.iterdir())
    assert_error(run(*args, cwd=bad_files), *fragments)
    assert set(bad_files.iterdir()) == before  # nothing written


def test_unreadable_csv_files_are_one_line_errors(colours, tmp_path, monkeypatch, capsys):
    folder, _, _, _ = colours
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLAINNET_DEBUG", raising=False)
    Path("huge.csv").write_text("a,b\n1," + "2" * 200_000 + "\n")  # over csv's cell limit
    Path("latin1.csv").write_bytes("a,lösung\n1,2\n".encode("latin-1"))
    Path("empty.csv").write_text("")
    Path("ragged.csv").write_text("a,b\n1,2\n3\n")
    model = str(folder / "colours.pnet")
    for name in ("huge.csv", "latin1.csv", "empty.csv", "ragged.csv"):
        for args in (["predict", model, name], ["train", name, "--target", "b"]):
            assert main(args) == 2, args
            error = capsys.readouterr().err
            assert error.startswith(f"plainnet: error: {name}") and error.count("\n") == 1, error


def test_predict_into_a_missing_folder_names_that_file(colours, capsys):
    folder, _, _, _ = colours
    out = folder / "missing" / "p.csv"
    assert main(["predict", str(folder / "colours.pnet"), str(folder / "colours.csv"),
                 "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"plainnet: error: {out}: No such file or directory\n"


def test_main_in_process_returns_the_status(tmp_path, capsys):
    assert main(["summary", str(tmp_path / "missing.pnet")]) == 2
    assert capsys.readouterr().err.startswith("plainnet: error: cannot load")
    with pytest.raises(SystemExit) as exit_info:
        main(["train"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_console_script_if_installed(tmp_path):
    script = Path(sys.executable).parent / ("plainnet.exe" if os.name == "nt" else "plainnet")
    if not script.exists():
        pytest.skip("the plainnet console script is not installed (pip install -e .)")
    result = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("plainnet ")


# ========================================================== conveniences
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


def test_confusion_matrix_counts():
    matrix = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_progress_line_on_a_terminal_and_in_a_log():
    import io

    from plainnet.cli import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    progress = ProgressLine(3, terminal)
    progress.on_epoch_end(0, {"loss": 0.123456, "val_loss": 1.5})
    progress.on_epoch_end(1, {"loss": 0.1})  # shorter: it covers the longer line
    progress.on_train_end()
    first, second = terminal.getvalue().split("\r")[1:]
    assert first == "epoch 1/3  loss 0.1235  val_loss 1.5"
    assert second.rstrip() == "epoch 2/3  loss 0.1" and len(second) == len(first) + 1
    assert second.endswith("\n")

    log = io.StringIO()
    progress = ProgressLine(25, log)  # a line every 2 epochs, and the last one
    for epoch in range(7):  # stopped early after 7
        progress.on_epoch_end(epoch, {"loss": 1.0})
    progress.on_train_end()
    assert log.getvalue().splitlines() == [f"epoch {e}/25  loss 1" for e in (2, 4, 6, 7)]
