"""``plainnet lm train`` and ``plainnet lm sample``, run as a user would (tiny models)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import assert_error, assert_same_weights, interrupt_at, run

import plainnet

SOURCE = Path(plainnet.__file__).resolve().parent / "model.py"
TINY = ["--model", "lstm", "--width", "8", "--context", "12", "--batch-size", "4",
        "--steps", "3", "--verbose", "2"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny LSTM trained 2 epochs on 20,000 characters of plainnet's own source."""
    folder = tmp_path_factory.mktemp("lm")
    (folder / "text.txt").write_text(SOURCE.read_text()[:20_000])
    result = run("lm", "train", "text.txt", *TINY, "--epochs", "2", "--checkpoint", "run.pnet",
                 "--sample", "30", "--out", "lm.pnet", cwd=folder, check=True)
    return folder, result


def test_train_reports_the_validation_loss_saves_and_samples(trained):
    folder, result = trained
    assert "Epoch 2/2" in result.stdout and "val_loss" in result.stdout
    assert "validation loss" in result.stdout and "sample:" in result.stdout
    model = plainnet.load(folder / "lm.pnet")
    vocabulary = plainnet.data.model_vocabulary(model)
    assert model.layers[0].vocab_size == vocabulary.size and model.epochs_done == 2


def test_sample_is_reproducible_with_a_seed(trained):
    folder, _ = trained
    args = ["lm", "sample", "lm.pnet", "--prompt", "def ", "--length", "40", "--top-k", "5",
            "--temperature", "1.5"]
    a = run(*args, "--seed", "1", cwd=folder, check=True).stdout
    b = run(*args, "--seed", "1", cwd=folder, check=True).stdout
    c = run(*args, "--seed", "2", cwd=folder, check=True).stdout
    assert a == b != c
    assert a.startswith("def ") and len(a) == len("def ") + 40 + 1


def test_resume_ends_with_the_model_of_an_uninterrupted_run(trained):
    folder, _ = trained
    common = ["lm", "train", "text.txt", *TINY, "--epochs", "3", "--sample", "0"]
    run(*common, "--out", "straight.pnet", cwd=folder, check=True)
    result = run(*common, "--checkpoint", "run.pnet", "--resume", "--out", "resumed.pnet",
                 cwd=folder, check=True)
    assert "Epoch 3/3" in result.stdout and "Epoch 1/3" not in result.stdout
    assert_same_weights(folder / "straight.pnet", folder / "resumed.pnet")
    assert_error(run(*common, "--width", "9", "--checkpoint", "run.pnet", "--resume",
                     cwd=folder), "cannot resume", "width")


def test_a_vocabulary_that_does_not_fit_the_model_is_refused(trained):
    folder, _ = trained
    model = plainnet.load(folder / "lm.pnet")
    model.metadata["vocabulary"] = plainnet.data.Vocabulary("abc").to_dict()
    model.save(folder / "other.pnet")
    assert_error(run("lm", "sample", "other.pnet", cwd=folder),
                 "the vocabulary has 4 ids, but the model reads")
    model.metadata = {}
    model.save(folder / "none.pnet")
    assert_error(run("lm", "sample", "none.pnet", cwd=folder), "no vocabulary")


@pytest.mark.parametrize("args, fragment", [
    (["sample", "lm.pnet", "--prompt", ""], "--prompt"),
    (["sample", "lm.pnet", "--prompt", "\u00e9\u00e9"], "never saw"),
    (["sample", "lm.pnet", "--temperature", "0"], "--temperature"),
    (["sample", "lm.pnet", "--top-k", "0"], "--top-k"),
    (["sample", "missing.pnet"], "missing.pnet"),
    (["train", "text.txt", "--resume"], "--resume needs --checkpoint"),
    (["train", "short.txt"], "too short"),
    (["train", "missing.txt"], "missing.txt"),
])
def test_bad_input_is_one_line_and_exit_status_2(trained, args, fragment):
    folder, _ = trained
    (folder / "short.txt").write_text("x = 1\n" * 5)
    assert_error(run("lm", *args, cwd=folder), fragment)


def test_ctrl_c_exits_130_without_writing_the_model(tmp_path):
    # the stdlib corpus; Ctrl-C once an epoch has finished
    status, stderr = interrupt_at(["lm", "train", "--max-chars", "20000", *TINY, "--epochs",
                                   "1000", "--out", "never.pnet"], "Epoch 1/", tmp_path)
    assert status == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "never.pnet").exists()


def test_help_names_the_options(tmp_path):
    train = run("lm", "train", "--help", cwd=tmp_path, check=True).stdout
    for name in ["CORPUS", "--out", "--model", "--epochs", "--steps", "--resume", "--checkpoint"]:
        assert name in train
    sample = run("lm", "sample", "--help", cwd=tmp_path, check=True).stdout
    for name in ["MODEL", "--prompt", "--length", "--temperature", "--top-k", "--seed"]:
        assert name in sample
    assert "example:\n  plainnet lm" in train and "example:\n  plainnet lm" in sample
