"""Data-parallel training over MPI, launched with ``mpiexec`` from pytest (issue 16).

Each test runs a scenario of ``mpi_scenarios.py`` on 2 ranks (or 3,
oversubscribed, to catch assumptions about the number of ranks) and checks
what the ranks wrote, their exit status and their first line of error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason='mpi4py is not installed: pip install -e ".[mpi]"')

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import mpi_scenarios as scenarios  # noqa: E402

import plainnet as pn  # noqa: E402


def find_mpiexec() -> str | None:
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


MPIEXEC = find_mpiexec()
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="no mpiexec (pip install mpich)")


def launch(n: int, name: str, out: Path, options: dict | None = None, timeout: float = 60):
    """Run scenario ``name`` on ``n`` ranks: (completed process, seconds it took)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [MPIEXEC, "-n", str(n), sys.executable, str(HERE / "mpi_scenarios.py"), name,
               str(out), json.dumps(options or {})]
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=HERE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # a hang: end mpiexec and every rank it started
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"mpiexec -n {n} {name} hung for {timeout} s; stderr:\n{stderr}")
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return done, time.monotonic() - start


def results(out: Path, rank: int) -> tuple[list[np.ndarray], dict]:
    saved = np.load(f"{out}.{rank}.npz")
    weights = [saved[f"w{i}"] for i in range(len(saved.files) - 1)]
    return weights, json.loads(str(saved["history"]))


def assert_same_weights(weights: list[np.ndarray], reference: list[np.ndarray]) -> None:
    assert len(weights) == len(reference)
    for got, want in zip(weights, reference):
        assert np.max(np.abs(got - want)) <= 1e-6 * np.max(np.abs(want))


def one_process(optimizer: str = "adam", **options) -> pn.Sequential:
    X, y = scenarios.make_data()
    return scenarios.fit(scenarios.build(optimizer), X, y, **options)


def first_error_line(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, f"nothing on stderr; stdout: {done.stdout!r}"
    return lines[0]


@pytest.mark.parametrize("optimizer, ranks", [("sgd", 2), ("adam", 2), ("adam", 3)])
def test_ranks_end_with_the_weights_and_history_of_one_process(tmp_path, optimizer, ranks):
    """Same seed and global batch (16, which does not divide the 82 training rows; with 3
    ranks the last batch of 2 rows leaves one rank idle), shuffling on, float64, the data
    a memory-mapped .npy: every rank ends with one process's weights and history."""
    out = tmp_path / "run"
    done, _ = launch(ranks, "train", out, {"mmap": True, "optimizer": optimizer, "verbose": 2})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Epoch 1/3 - ") == 1  # rank 0 alone prints
    reference = one_process(optimizer)
    for rank in range(ranks):
        weights, saved = results(out, rank)
        assert_same_weights(weights, reference.get_weights())
        assert saved["epochs"] == 3
        for key, values in reference.history.history.items():
            np.testing.assert_allclose(saved["history"][key], values, rtol=1e-9)


def test_batchnorm_and_dropout_keep_every_rank_identical(tmp_path):
    """Per-rank batch statistics and dropout masks, running statistics averaged each epoch:
    every rank holds the same model, and it learns."""
    out = tmp_path / "run"
    done, _ = launch(2, "train", out, {"bn": True, "dropout": 0.2})
    assert done.returncode == 0, done.stderr
    (first, saved), (second, _) = results(out, 0), results(out, 1)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert all(np.isfinite(a).all() for a in first)
    losses = saved["history"]["loss"]
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("name, ranks, says", [
    ("other_data", 2, "rank 1 of 2: its training or validation data differs from rank 0's"),
    ("other_model", 2, "rank 1 of 2: its model (layers, loss, optimizer or metrics) differs"),
    ("small_batch", 2, "batch_size=1 is the global batch, shared by 2 ranks"),
    ("few_samples", 3, "2 training samples cannot be shared by 3 ranks"),
])
def test_bad_input_is_one_line_and_status_2_on_every_rank(tmp_path, name, ranks, says):
    done, _ = launch(ranks, name, tmp_path / "run")
    assert done.returncode == 2, done.stderr
    assert first_error_line(done).startswith("plainnet: ")
    assert says in first_error_line(done)
    assert done.stderr.count("plainnet:") == 1  # rank 0 alone says it
    assert "Traceback" not in done.stderr


def test_a_non_finite_loss_on_one_rank_stops_every_rank_naming_it(tmp_path):
    done, seconds = launch(2, "diverge", tmp_path / "run")
    assert done.returncode != 0
    line = first_error_line(done)
    assert "training diverged: a non-finite loss on rank 1 of 2 at epoch 1, batch 1" in line
    assert seconds < 30


def test_an_exception_on_one_rank_ends_every_rank_naming_it(tmp_path):
    done, seconds = launch(2, "raise", tmp_path / "run", timeout=90)
    assert done.returncode != 0
    assert first_error_line(done) == ("plainnet: rank 1 of 2 failed: RuntimeError: boom in a "
                                      "callback")
    assert seconds < 30


def test_ctrl_c_on_one_rank_stops_every_rank_after_the_same_batch(tmp_path):
    out = tmp_path / "run"
    done, _ = launch(2, "ctrl_c", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("fit interrupted by Ctrl-C") == 1  # rank 0 alone warns
    (first, saved), (second, other) = results(out, 0), results(out, 1)
    assert saved["epochs"] == other["epochs"] == 1  # the epoch it was pressed in is not kept
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_kill_9_of_one_rank_ends_all_and_resume_continues_from_the_checkpoint(tmp_path):
    checkpoint = tmp_path / "model.pnet"
    done, seconds = launch(2, "kill", tmp_path / "killed", {"checkpoint": str(checkpoint)})
    assert done.returncode != 0 and seconds < 30
    assert pn.load(checkpoint).epochs_done == 1  # written by rank 0 before the kill
    out = tmp_path / "resumed"
    done, _ = launch(2, "resume", out, {"checkpoint": str(checkpoint)})
    assert done.returncode == 0, done.stderr
    reference = one_process()  # the same three epochs, uninterrupted, alone
    for rank in range(2):
        weights, saved = results(out, rank)
        assert_same_weights(weights, reference.get_weights())
        assert saved["epochs"] == 3


def write_csv(path: Path, X: np.ndarray, y: np.ndarray) -> None:
    rows = [",".join(repr(float(v)) for v in row) + f",{label}" for row, label in zip(X, y)]
    path.write_text("a,b,c,d,e,y\n" + "\n".join(rows) + "\n")


def test_csv_shards_cover_the_file_once_and_train_one_model(tmp_path):
    X, y = scenarios.make_data()
    write_csv(tmp_path / "data.csv", X, y)
    out = tmp_path / "run"
    done, _ = launch(3, "csv", out, {"path": str(tmp_path / "data.csv")})
    assert done.returncode == 0, done.stderr
    parts = [np.load(f"{out}.{rank}.rows.npz") for rank in range(3)]
    assert [len(part["y"]) for part in parts] == [35, 34, 34]
    np.testing.assert_array_equal(np.concatenate([part["X"] for part in parts]), X)
    np.testing.assert_array_equal(np.concatenate([part["y"] for part in parts]), y)
    models = [results(out, rank)[0] for rank in range(3)]
    for other in models[1:]:
        for a, b in zip(models[0], other):
            np.testing.assert_array_equal(a, b)


def test_a_rank_reading_another_csv_file_is_one_line_and_status_2(tmp_path):
    X, y = scenarios.make_data()
    write_csv(tmp_path / "data.csv", X, y)
    write_csv(tmp_path / "other.csv", X[:50], y[:50])
    done, _ = launch(2, "csv", tmp_path / "run", {"path": str(tmp_path / "data.csv"),
                                                   "other": str(tmp_path / "other.csv")})
    assert done.returncode == 2
    assert first_error_line(done) == (
        f"plainnet: rank 1 of 2: the file it read, {str(tmp_path / 'other.csv')!r}, differs "
        "from rank 0's (size, header or sampled blocks): every rank must read the same file")


def test_bad_data_in_one_ranks_share_of_a_csv_ends_every_rank_naming_it(tmp_path):
    X, y = scenarios.make_data()
    path = tmp_path / "data.csv"
    write_csv(path, X, y)
    lines = path.read_text().splitlines(keepends=True)
    cells = lines[-3].split(",")
    cells[1] = "oops"
    lines[-3] = ",".join(cells)  # a row of rank 1's half
    path.write_text("".join(lines))
    done, seconds = launch(2, "csv", tmp_path / "run", {"path": str(path)})
    assert done.returncode == 2 and seconds < 30
    line = first_error_line(done)
    assert line.startswith("plainnet: rank 1 of 2 failed: ValueError: ")
    assert "column 'b': 'oops' is not a number" in line
