"""The playground's data sets, settings checks, pictures and generated code (no server)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from plainnet.playground.datasets import DATASETS, make_dataset, task_of, two_spirals
from plainnet.playground.recipe import build_model, python_code
from plainnet.playground.settings import BadRequest, Settings, parse_settings
from plainnet.playground.views import GRID, NEURON_GRID, grid_points, model_pictures


@pytest.mark.parametrize("name", DATASETS)
def test_every_data_set_is_seeded_and_fits_the_square(name):
    X, y = make_dataset(name, n_points=300, noise=0.0, seed=3)
    again, y_again = make_dataset(name, n_points=300, noise=0.0, seed=3)
    other, _ = make_dataset(name, n_points=300, noise=0.0, seed=4)
    np.testing.assert_array_equal(X, again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(X, other)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert np.abs(X).max() <= 1.06  # the square [-1, 1]^2, with a margin for blobs' tails
    if task_of(name) == "classification":
        assert set(np.unique(y)) == {0.0, 1.0}
        assert abs(np.sum(y == 1) - np.sum(y == 0)) <= 40
    noisy, _ = make_dataset(name, n_points=300, noise=1.0, seed=3)
    assert not np.allclose(noisy, X) or name in ("xor", "regression")


def test_xor_labels_and_regression_targets_follow_their_formulas():
    X, y = make_dataset("xor", n_points=200, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(float))
    X, y = make_dataset("regression", n_points=200, noise=0.0, seed=0)
    np.testing.assert_allclose(y, np.sin(np.pi * X[:, 0]) * np.cos(np.pi * X[:, 1] / 2))


def test_the_two_spirals_are_each_other_turned_by_half_a_turn():
    X, y = two_spirals(200, noise=0.0, seed=0)
    arm0 = X[y == 0][np.argsort(np.hypot(*X[y == 0].T))]
    arm1 = X[y == 1][np.argsort(np.hypot(*X[y == 1].T))]
    np.testing.assert_allclose(arm1, -arm0, atol=1e-12)
    assert np.hypot(*arm0.T).max() == pytest.approx(1.0)


def test_settings_accept_known_fields_in_bounds_and_keep_the_rest():
    base = Settings(dataset="moons", seed=5)
    settings = parse_settings({"hidden": [3, 128], "noise": 1, "learning_rate": 0.5}, base)
    assert settings.hidden == (3, 128) and settings.noise == 1.0
    assert settings.dataset == "moons" and settings.seed == 5
    assert parse_settings(settings.to_json()) == settings
    assert parse_settings({"hidden": []}).hidden == ()


@pytest.mark.parametrize("values, message", [
    ({"hiden": [4]}, "unknown settings field 'hiden'"),
    ({"n_points": 19}, "n_points must be >= 20"),
    ({"n_points": 4.0}, "n_points must be an integer"),
    ({"batch_size": False}, "batch_size must be an integer"),
    ({"train_ratio": 0.95}, "train_ratio must be <= 0.9"),
    ({"activation": "softmax"}, "activation must be one of"),
    ({"optimizer": "lbfgs"}, "optimizer must be one of"),
    ({"hidden": [8] * 9}, "at most 8 layers"),
    ({"epochs": 10 ** 400}, "epochs must be <= 10000"),
    ({"l2": 10 ** 400}, "l2 must be a number of ordinary size"),
    ([1, 2], "settings must be a JSON object, got an array"),
])
def test_bad_settings_are_refused_with_the_field_named(values, message):
    with pytest.raises(BadRequest, match=message.replace("(", r"\(")):
        parse_settings(values)


def test_the_pictures_show_the_model_over_the_plane():
    model = build_model(Settings(hidden=(5, 20)))
    pictures = model_pictures(model, regression=False, target_scale=1.0)
    output = np.frombuffer(base64.b64decode(pictures["output"]), dtype=np.uint8)
    expected = np.round(255 * model.predict(grid_points())[:, 0])
    assert np.abs(output - expected).max() <= 1
    assert [len(layer) for layer in pictures["neurons"]] == [5, 16]  # 16 neurons drawn at most
    assert len(base64.b64decode(pictures["neurons"][0][0])) == NEURON_GRID ** 2
    assert [np.shape(w) for w in pictures["weights"]] == [(2, 5), (5, 16), (16, 1)]
    assert grid_points()[0].tolist() == pytest.approx([-1.3, 1.3])  # top left first
    assert len(grid_points()) == GRID ** 2


def test_the_python_code_builds_the_same_architecture():
    settings = Settings(dataset="regression", hidden=(6,), dropout=0.25, l2=0.01,
                        optimizer="sgd", learning_rate=0.1)
    code = python_code(settings, epochs=1)
    namespace: dict = {}
    exec(code.split("model.fit(")[0], namespace)  # up to compile: no training, no file
    assert namespace["model"].get_config() == build_model(settings).get_config()
    assert type(namespace["model"].optimizer).__name__ == "SGD"
    assert "Dropout(0.25)" in code and "l2=0.01" in code
