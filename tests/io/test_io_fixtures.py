"""Files written by earlier plainnet versions still load, predict the same and resume.

The ``.pnet`` files in fixtures/ were written by fixtures/make_fixtures.py,
run against the commit it names (format version 1): a compiled classifier
(Dense, ReLU, Dropout, BatchNormalization, Softmax; Adam; history and
metadata), a float64 regression (SGD with Nesterov momentum and a schedule),
an uncompiled model, the tutorial's NeuralNetwork, and a checkpoint written by
``fit(checkpoint=...)`` part-way through a run. Each comes with the
predictions it gave for a fixed input and what else it held. They are never
regenerated: a new format version adds its own fixtures beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from io_helpers import assert_refused, assert_same_model, read_document, with_document

import plainnet
from plainnet import NeuralNetwork, Sequential
from plainnet.io import FORMAT_VERSION

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.pnet"))


def expected(name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The fixture's expected.json and its expected.npz arrays."""
    document = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    with np.load(FIXTURES / f"{name}.expected.npz", allow_pickle=False) as arrays:
        return document, dict(arrays)


def assert_close(actual: np.ndarray, wanted: np.ndarray) -> None:
    """Equal to the precision of the dtype (a few ulps of rounding in a rewritten layer)."""
    assert actual.dtype == wanted.dtype and actual.shape == wanted.shape
    tolerance = 1e-5 if wanted.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(actual, wanted, rtol=tolerance, atol=tolerance)


def test_the_fixtures_are_there_and_cover_every_format_version():
    assert {"checkpoint", "classifier", "regression", "tutorial", "uncompiled"} <= set(NAMES)
    versions = {read_document(FIXTURES / f"{name}.pnet")["format_version"] for name in NAMES}
    # a new format version must come with fixtures of its own, the old ones kept
    assert versions == set(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize("name", NAMES)
def test_a_fixture_loads_and_predicts_what_it_did(name):
    model = plainnet.load(FIXTURES / f"{name}.pnet")
    facts, arrays = expected(name)
    assert_close(model.predict(arrays["X"]), arrays["predictions"])
    assert type(model).__name__ == facts["model"]
    assert model.metadata == facts["metadata"]
    if isinstance(model, NeuralNetwork):
        assert model.get_config() == facts["config"]
        assert model.loss_history == facts["loss_history"]
        return
    assert isinstance(model, Sequential)
    assert model.dtype.name == facts["dtype"]
    assert model.count_params() == facts["n_params"]
    assert model.epochs_done == facts["epochs_done"]
    history = None if model.history is None else {"history": model.history.history,
                                                  "epoch": model.history.epoch}
    assert history == facts["history"]
    assert model.compiled == facts["compiled"]
    if model.compiled:
        assert type(model.optimizer).__name__ == facts["optimizer"]
        assert model.optimizer.iterations == facts["iterations"]
        assert list(model.metric_names) == facts["metrics"]


@pytest.mark.parametrize("name", NAMES)
def test_a_fixture_saved_again_loads_the_same(name, tmp_path):
    model = plainnet.load(FIXTURES / f"{name}.pnet")
    model.save(tmp_path / "again.pnet")
    again = plainnet.load(tmp_path / "again.pnet")
    assert_same_model(model, again)
    X = expected(name)[1]["X"]
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


@pytest.mark.parametrize("name", ["checkpoint", "checkpoint_v2"])
def test_the_checkpoint_resumes_and_ends_as_the_uninterrupted_run(name, tmp_path):
    facts, arrays = expected(name)
    fit = dict(facts["resume"])
    epochs = fit.pop("epochs")
    model = plainnet.load(FIXTURES / f"{name}.pnet")
    assert 0 < model.epochs_done < epochs
    history = model.fit(arrays["X_train"], arrays["y_train"], epochs=epochs, resume=True,
                        checkpoint=tmp_path / "run.pnet", **fit)
    assert history.epoch == list(range(epochs))  # the missing epochs, numbered on
    assert model.epochs_done == epochs
    assert plainnet.load(tmp_path / "run.pnet").epochs_done == epochs
    # generator, optimizer state and step count came back: the same as never stopping
    assert_close(model.predict(arrays["X"]), arrays["resumed_predictions"])


@pytest.mark.parametrize("name", NAMES)
def test_a_fixture_marked_with_a_newer_format_version_is_refused(name, tmp_path):
    document = read_document(FIXTURES / f"{name}.pnet")
    document["format_version"] = FORMAT_VERSION + 1
    with_document(FIXTURES / f"{name}.pnet", document, tmp_path / "newer.pnet")
    assert_refused(tmp_path / "newer.pnet",
                   f"written by format version {FORMAT_VERSION + 1}; this plainnet reads "
                   f"versions up to {FORMAT_VERSION}; upgrade plainnet")
