"""``plainnet`` on CSV files as people have them: pandas indexes, text, missing cells."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import read_csv

import plainnet
from plainnet.cli import main
from plainnet.cli.progress import ProgressLine


def _cars(path: Path, n: int = 120, delimiter: str = ";") -> Path:
    """A pandas-style CSV: an unnamed index, a text column, missing cells, labels with commas."""
    rng = np.random.default_rng(0)
    year = rng.integers(2000, 2020, n)
    colour = rng.choice(["red", "blue", "green"], n)
    km = rng.normal(100, 30, n).round(1)
    label = np.where((year > 2010) | (colour == "red"), "new, or red", "old")
    lines = [delimiter.join(["", "year", "colour", "km", "label"])]
    for i in range(n):
        cells = [str(i), str(year[i]), colour[i], "NA" if i % 17 == 3 else str(km[i]),
                 f'"{label[i]}"']
        lines.append(delimiter.join(cells))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def _run(capsys, *args) -> tuple[int, str, str]:
    """``main(args)`` in this process: (status, stdout, stderr)."""
    try:
        status = main([str(a) for a in args])
    except SystemExit as exit_:
        status = exit_.code
    out = capsys.readouterr()
    return status, out.out, out.err


def _one_line_error(status: int, err: str, *fragments: str) -> None:
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("plainnet: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def cars(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cars")
    _cars(folder / "cars.csv")
    return folder


def test_train_predict_evaluate_a_pandas_csv_with_text_and_missing_cells(cars, capsys):
    model = cars / "cars.pnet"
    status, out, err = _run(capsys, "train", cars / "cars.csv", "--target", "label", "--missing",
                            "mean", "--epochs", "20", "--lr", "0.02", "--test-size", "0.2",
                            "--hidden", "8", "--class-weight", "balanced", "--verbose", "0",
                            "--out", model)
    assert status == 0, err
    assert "120 rows, 3 features (year, colour, km)" in out  # not the index column
    assert "note: column 1 has no name and counts 0, 1, 2" in out
    assert "inputs: 5 (one per category of the text column 'colour')" in out
    assert "2 classes ('new, or red', 'old')" in out  # quoted: the label has a comma
    assert "72 rows to train, 24 to validate, 24 to test at the end" in out
    assert "learning rate 0.02" in out and "\ntest: " in out
    metadata = plainnet.load(model).metadata
    assert metadata["features"] == ["year", "colour", "km"]
    assert metadata["encoding"]["columns"][1]["categories"] == ["blue", "green", "red"]
    assert metadata["training"]["missing"] == "mean" and "test" in metadata["result"]
    assert metadata["training"]["class_weight"] == "balanced"
    # another file: comma-separated, columns in another order, a missing km filled
    (cars / "new.csv").write_text("km,colour,year,label\n,red,2001,\"new, or red\"\n")
    status, out, err = _run(capsys, "predict", model, cars / "new.csv")
    assert status == 0, err
    assert read_csv(out, text=True)[0]["prediction"] in ("new, or red", "old")
    status, out, err = _run(capsys, "evaluate", model, cars / "cars.csv", "--json")
    assert status == 0, err
    report = json.loads(out)["per_class"]  # precision, recall, F1 per class, as scikit-learn
    assert set(report) == {"new, or red", "old", "accuracy", "macro avg", "weighted avg"}
    assert report["old"]["support"] + report["new, or red"]["support"] == 120
    status, out, err = _run(capsys, "evaluate", model, cars / "new.csv")
    assert status == 0 and "(1 row)" in out, err
    assert "precision    recall  f1-score   support" in out
    (cars / "purple.csv").write_text("km,colour,year\n1,purple,2001\n")
    status, _, err = _run(capsys, "predict", model, cars / "purple.csv", "--out",
                          cars / "p.csv")
    _one_line_error(status, err, "purple.csv, line 2, column 2 ('colour'): the category "
                    "'purple' was not seen in training")
    assert not (cars / "p.csv").exists()


@pytest.mark.parametrize(("args", "fragments"), [
    (["--drop", "Colour"], ["--drop Colour", "did you mean 'colour'?"]),
    (["--features", "year,kms"], ["--features kms", "did you mean 'km'?"]),
    (["--missing", "error"], ["line 5, column 4 ('km'): missing value", "--missing drop"]),
    (["--delimiter", "x"], ["--delimiter", "expected one of , ; tab |, got 'x'"]),
    (["--task", "regression", "--missing", "mean"], ["cannot be regression"]),
    (["--class-weight", "balanced", "--missing", "mean", "--target", "year", "--task",
      "regression"],
     ["--class-weight balanced weights classes"]),
])
def test_bad_column_options_are_one_line_errors_and_write_nothing(cars, capsys, args,
                                                                   fragments):
    before = set(cars.iterdir())
    target = [] if "--target" in args else ["--target", "label"]
    status, _, err = _run(capsys, "train", cars / "cars.csv", *target, *args, "--epochs", "1",
                          "--out", cars / "bad.pnet")
    _one_line_error(status, err, *fragments)
    assert set(cars.iterdir()) == before


def test_missing_mean_on_a_text_column_and_missing_drop(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("x,c,y\n1,red,0\n2,,1\n3,blue,0\n4,red,1\n5,blue,0\n6,red,1\n")
    status, _, err = _run(capsys, "train", path, "--target", "y", "--missing", "mean")
    _one_line_error(status, err, "--missing mean: column 2 ('c') holds text")
    status, out, err = _run(capsys, "train", path, "--target", "y", "--missing", "drop",
                            "--epochs", "1", "--verbose", "0", "--out", tmp_path / "m.pnet")
    assert status == 0 and "left out 1 row with missing values (--missing drop)" in out, err


def test_list_columns_shows_the_whole_header(tmp_path, capsys):
    names = [f"feature_{i}" for i in range(20)] + ["diagnosis"]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join(["1"] * 20 + ["M"]) + "\n")
    status, out, _ = _run(capsys, "train", path, "--list-columns")
    assert status == 0
    assert "21 columns, 1 row, comma-separated" in out
    assert "feature_19" in out and "text, 1 value: 'M'" in out
    status, _, err = _run(capsys, "train", path, "--target", "Diagnosis")
    _one_line_error(status, err, "did you mean 'diagnosis'?", "--list-columns")


def test_resume_messages_count_the_epochs_run_this_time(tmp_path, capsys):
    path = tmp_path / "d.csv"
    rng = np.random.default_rng(1)
    path.write_text("a,b\n" + "".join(f"{x:.3f},{int(x > 0)}\n" for x in rng.normal(size=40)))
    common = ["train", path, "--target", "b", "--hidden", "4", "--verbose", "0",
              "--checkpoint", tmp_path / "run.ckpt", "--out", tmp_path / "m.pnet"]
    assert _run(capsys, *common, "--epochs", "3")[0] == 0
    status, out, err = _run(capsys, *common, "--epochs", "5", "--resume")
    assert status == 0 and "trained 2 epochs (epochs 4 to 5)" in out, err
    status, out, err = _run(capsys, *common, "--epochs", "5", "--resume")
    assert status == 0, err
    assert "nothing left to train: the run in" in out and "had finished after 5 epochs" in out


def test_plot_draws_the_learning_curves_without_a_data_file(houses, capsys):
    pytest.importorskip("matplotlib")
    folder = houses[0]
    status, out, err = _run(capsys, "plot", folder / "houses.pnet", "--out",
                            folder / "nodata.png")
    assert status == 0 and "saved the learning curves" in out, err
    assert (folder / "nodata.png").stat().st_size > 1000


def test_progress_line_in_the_targets_units_with_an_eta():
    stream = io.StringIO()
    progress = ProgressLine(4, stream, target_scale=10.0)
    for epoch in range(2):
        progress.on_epoch_begin(epoch)
        progress.on_epoch_end(epoch, {"loss": 0.5, "mae": 0.2, "r2": 0.75, "val_loss": 1.0})
    progress.on_train_end()
    last = stream.getvalue().splitlines()[-1]
    assert last.startswith("epoch 2/4  loss 50  mae 2  r2 0.75  val_loss 100  ETA ")


def test_warnings_are_one_line_and_numpy_overflow_is_silent(capsys, monkeypatch):
    import plainnet.cli.parser as parser

    def noisy(args):
        np.exp(np.array([1000.0]))  # RuntimeWarning: overflow encountered in exp
        warnings.warn("training diverged:\nthe loss rose", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(parser, "cmd_summary", noisy)
    monkeypatch.delenv("PLAINNET_DEBUG", raising=False)
    status, _, err = _run(capsys, "summary", "any.pnet")
    assert status == 0
    assert err == "plainnet: warning: training diverged: the loss rose\n"


def test_an_absurd_learning_rate_never_ends_in_saved(cars, capsys):
    status, out, err = _run(capsys, "train", cars / "cars.csv", "--target", "label",
                            "--missing", "drop", "--learning-rate", "1e9", "--epochs", "5",
                            "--verbose", "0", "--out", cars / "absurd.pnet")
    assert "RuntimeWarning" not in err and "Traceback" not in err
    if status == 0:  # trained to a usable model after all: it must load and predict
        assert "saved the model" in out
        assert _run(capsys, "evaluate", cars / "absurd.pnet", cars / "cars.csv")[0] == 0
    else:
        _one_line_error(status, err)
        assert "saved" not in out and not (cars / "absurd.pnet").exists()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_ctrl_c_while_reading_a_large_csv_exits_130_and_writes_nothing(houses, tmp_path):
    rng = np.random.default_rng(0)
    n = 100_000  # text and missing cells: the slowest way through the reader
    X = rng.normal(size=(n, 3)).round(4).astype(str)
    X[::1000, 1] = "NA"
    path = tmp_path / "big.csv"
    with open(path, "w") as file:
        file.write("rooms,area,age,note\n")
        file.writelines(f"{a},{b},{c},n{i % 7}\n" for i, (a, b, c) in enumerate(X))
    out = tmp_path / "predictions.csv"
    env = {k: v for k, v in os.environ.items() if k != "PLAINNET_DEBUG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "plainnet", "predict", houses[0] / "houses.pnet", path,
         "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:  # wait until it reads the file, then press Ctrl-C
                fds = os.listdir(f"/proc/{process.pid}/fd")
                if any(os.readlink(f"/proc/{process.pid}/fd/{fd}") == str(path) for fd in fds):
                    break
            except OSError:
                pass
            time.sleep(0.01)
        time.sleep(0.03)  # into NumPy's reader, which calls Python for the text column
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert stderr == "plainnet: interrupted\n"
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_durations_and_the_eta_of_fits_plain_progress_bar(monkeypatch):
    from plainnet.training.progress import ProgressBar, format_seconds

    assert [format_seconds(s) for s in (0.4, 42, 185, 3725)] == [
        "0 s", "42 s", "3 min 05 s", "1 h 02 min"]
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the plain line, not tqdm's bar
    stream = io.StringIO()
    bar = ProgressBar(epochs=1, n_samples=40, stream=stream)
    bar.on_epoch_begin(0)
    bar.start -= 2.0  # 10 samples in 2 s: 30 more take 6 s
    bar.on_batch_end(0, {"loss": 1.0, "size": 10})
    bar.on_epoch_end(0, {"loss": 1.0})
    first, last = stream.getvalue().split("\r")[1:]
    assert "10/40" in first and "ETA 6 s - loss: 1" in first
    assert "ETA" not in last  # the finished line


def test_install_hints_give_a_command_that_works_here(houses, capsys, monkeypatch, tmp_path):
    from plainnet._extras import install_hint

    checkout = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(checkout)
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "plainnet").is_dir():
        assert install_hint("plot").endswith(' -m pip install -e ".[plot]"')
        monkeypatch.chdir(tmp_path)  # elsewhere: the checkout's absolute path
        assert install_hint("plot").endswith(f' -m pip install -e "{checkout}[plot]"')
    assert install_hint("plot").startswith(sys.executable)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    status, _, err = _run(capsys, "plot", houses[0] / "houses.pnet", "--out", tmp_path / "x.png")
    _one_line_error(status, err, "plotting needs matplotlib; install it with: " +
                    install_hint("plot"))
