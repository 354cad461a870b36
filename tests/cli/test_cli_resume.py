"""``plainnet train --checkpoint FILE --resume``: an interrupted run ends as a whole one."""

from __future__ import annotations

import re
import sys

import pytest
from cli_helpers import assert_error, assert_same_weights, interrupt_at, run, write_csv

import plainnet
from plainnet import datasets

TRAIN_LONG = ["train", "moons.csv", "--target", "label", "--epochs", "500", "--batch-size",
              "4", "--hidden", "16,16", "--learning-rate", "0.005", "--seed", "3"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_resume_after_ctrl_c_gives_the_uninterrupted_model(tmp_path):
    X, y = datasets.moons(200, noise=0.2, seed=0)
    write_csv(tmp_path / "moons.csv", ["x0", "x1", "label"],
              [[a, b, ["left", "right"][k]] for (a, b), k in zip(X, y)])
    run(*TRAIN_LONG, "--verbose", "0", "--out", "straight.pnet", cwd=tmp_path, check=True)

    # a line per epoch: stop it during epoch 4 or so
    status, stderr = interrupt_at([*TRAIN_LONG, "--verbose", "2", "--checkpoint", "run.ckpt",
                                   "--out", "resumed.pnet"], "Epoch 3/", tmp_path)
    assert status == 130, stderr
    assert "interrupted after" in stderr and "--resume" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "resumed.pnet").exists()
    done = plainnet.load(tmp_path / "run.ckpt").epochs_done
    assert 3 <= done < 500  # interrupted well before the end

    result = run(*TRAIN_LONG, "--verbose", "0", "--checkpoint", "run.ckpt", "--resume",
                 "--out", "resumed.pnet", cwd=tmp_path, check=True)
    assert f"resuming from run.ckpt after epoch {done}" in result.stdout
    assert_same_weights(tmp_path / "straight.pnet", tmp_path / "resumed.pnet")
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
    best_file = tmp_path / "run.ckpt.best"
    assert best_file.is_file()
    # the best weights are not the checkpoint's own: without FILE.best there are none
    kept = best_file.read_bytes()
    best_file.unlink()
    assert_error(run(*options, "--checkpoint", "run.ckpt", "--resume", "--out", "resumed.pnet",
                     cwd=tmp_path), "run.ckpt.best", "does not exist")
    best_file.write_bytes(kept)
    run(*options, "--checkpoint", "run.ckpt", "--resume", "--out", "resumed.pnet",
        cwd=tmp_path, check=True)
    assert_same_weights(tmp_path / "straight.pnet", tmp_path / "resumed.pnet")
    # a checkpoint is not a model to predict with, and it only resumes the same run
    assert_error(run("predict", "run.ckpt", folder / "colours.csv", cwd=tmp_path),
                 "run.ckpt is a training checkpoint")
    changed = [*options[:-1], "2"]  # --seed 2
    assert_error(run(*changed, "--checkpoint", "run.ckpt", "--resume", cwd=tmp_path),
                 "cannot resume from run.ckpt", "--seed (1 in the checkpoint, 2 now)")
