"""``mpiexec -n 2 plainnet train ... --distributed``: the same output and model file as alone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason='mpi4py is not installed: pip install -e ".[mpi]"')

import plainnet  # noqa: E402

MPIEXEC = (str(Path(sys.executable).parent / "mpiexec")
           if (Path(sys.executable).parent / "mpiexec").exists() else shutil.which("mpiexec"))
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="no mpiexec (pip install mpich)")


def run(command: list[str], cwd: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=cwd, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"{command} hung; stderr:\n{err}")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def test_two_processes_train_the_same_model_as_one(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=90)
    rows = "\n".join(",".join(f"{v:.6f}" for v in (*x, t)) for x, t in zip(X, y))
    (tmp_path / "data.csv").write_text("a,b,c,y\n" + rows + "\n")
    train = [sys.executable, "-m", "plainnet", "train", "data.csv", "--target", "y",
             "--epochs", "3", "--batch-size", "16", "--hidden", "8", "--verbose", "0"]
    alone = run(train + ["--out", "alone.pnet"], tmp_path)
    assert alone.returncode == 0, alone.stderr
    together = run([MPIEXEC, "-n", "2", *train, "--out", "mpi.pnet", "--distributed"], tmp_path)
    assert together.returncode == 0, together.stderr
    # rank 0 alone prints: the same report, once (its timing aside)
    def report(out: str, name: str) -> list[str]:
        return [line.replace(name, "MODEL") for line in out.splitlines() if " s" not in line]

    assert report(together.stdout, "mpi.pnet") == report(alone.stdout, "alone.pnet")
    a, b = plainnet.load(tmp_path / "alone.pnet"), plainnet.load(tmp_path / "mpi.pnet")
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wb, wa, rtol=1e-5, atol=1e-6 * np.abs(wa).max())


def test_distributed_batch_smaller_than_the_ranks_is_one_line_on_every_rank(tmp_path):
    (tmp_path / "data.csv").write_text("a,y\n" + "\n".join(f"{i},{i % 2}" for i in range(20)))
    done = run([MPIEXEC, "-n", "2", sys.executable, "-m", "plainnet", "train", "data.csv",
                "--target", "y", "--epochs", "1", "--batch-size", "1", "--distributed",
                "--verbose", "0", "--validation-split", "0"], tmp_path)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("plainnet: error")]
    assert len(errors) == 1 and "batch" in errors[0], done.stderr
