"""The playground's JSON API against a real server: sessions, training, files (no browser)."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from playground_client import Client, start_server

import plainnet
from plainnet.playground.server import STATIC_FILES


def test_the_page_and_its_files_are_served(client):
    status, headers, page = client.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for element in ('id="boundary"', 'id="network"', 'id="loss-curve"', 'id="run"',
                    'id="step"', 'id="reset"', 'id="download"', 'id="python"',
                    'data-dataset="spirals"', 'data-dataset="regression"'):
        assert element.encode() in page, element
    assert b"http://" not in page and b"https://" not in page  # nothing from the internet
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for path, (_, content_type) in STATIC_FILES.items():
        status, headers, data = client.request("GET", path)
        assert status == 200 and headers["Content-Type"] == content_type and data, path
        assert b"https://" not in data, path


def test_a_session_steps_trains_changes_and_resets(client):
    session, token, state = client.create(dataset="moons", hidden=[6], n_points=200)
    assert state["epoch"] == 0 and not state["running"]
    assert state["settings"]["hidden"] == [6] and state["settings"]["dataset"] == "moons"
    assert len(state["points"]["train"]) + len(state["points"]["test"]) == 200
    assert len(state["neurons"]) == 1 and len(state["neurons"][0]) == 6
    assert [np.shape(w) for w in state["weights"]] == [(2, 6), (6, 1)]
    assert "points" not in client.state(session, token, data=state["data_version"])

    stepped = client.act(session, token, "step")
    assert stepped["epoch"] == 1 and len(stepped["train_loss"]) == len(stepped["test_loss"]) == 1
    assert stepped["output"] != state["output"]  # the picture moved with the weights

    client.act(session, token, "run", {"running": True})
    running = client.wait(session, token, lambda s: s["epoch"] >= 30)
    assert running["running"]
    paused = client.act(session, token, "run", {"running": False})
    assert not paused["running"]
    time.sleep(0.3)
    later = client.state(session, token, since=5)
    assert later["epoch"] == paused["epoch"], "training went on after Pause"
    assert later["loss_from"] == 5 and len(later["train_loss"]) == later["epoch"] - 5
    assert later["test_loss"][-1] < stepped["test_loss"][0]

    changed = client.act(session, token, "settings", {"hidden": [3, 3], "activation": "tanh"})
    assert changed["epoch"] == 0 and changed["model_version"] > paused["model_version"]
    assert changed["data_version"] == paused["data_version"]  # same data, new model
    assert changed["settings"]["dataset"] == "moons"  # unchanged fields are kept
    assert len(changed["neurons"]) == 2
    new_data = client.act(session, token, "settings", {"dataset": "regression", "noise": 0.0})
    assert new_data["task"] == "regression" and "points" in new_data
    assert new_data["data_version"] > changed["data_version"]

    client.act(session, token, "step")
    reset = client.act(session, token, "reset")
    assert reset["epoch"] == 0 and reset["train_loss"] == []


def test_the_download_is_the_trained_model(client, tmp_path):
    session, token, _ = client.create(dataset="xor", hidden=[5, 4], dropout=0.1, l2=0.001)
    for _ in range(3):
        client.act(session, token, "step")
    status, headers, data = client.request("GET", f"/api/sessions/{session}/model.pnet",
                                           token=token)
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    (tmp_path / "model.pnet").write_bytes(data)
    model = plainnet.load(tmp_path / "model.pnet")
    assert model.epochs_done == 3
    assert model.metadata["playground"]["hidden"] == [5, 4]
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "ReLU", "Dropout", "Dense", "ReLU", "Dropout", "Dense", "Sigmoid"]
    probabilities = model.predict(np.array([[0.5, 0.5], [-0.5, 0.5]]))
    assert probabilities.shape == (2, 1) and np.all((probabilities > 0) & (probabilities < 1))


@pytest.mark.parametrize("dataset", ["spirals", "regression"])
def test_the_python_panel_rebuilds_the_same_model(client, tmp_path, monkeypatch, dataset):
    """The code shown on the page runs and gives exactly the weights of the page's model."""
    session, token, _ = client.create(dataset=dataset, hidden=[7, 3], dropout=0.2, l2=0.0001,
                                      optimizer="rmsprop", batch_size=16, n_points=150)
    client.act(session, token, "run", {"running": True})
    client.wait(session, token, lambda s: s["epoch"] >= 4)
    state = client.act(session, token, "run", {"running": False})
    _, _, data = client.request("GET", f"/api/sessions/{session}/model.pnet", token=token)
    (tmp_path / "page.pnet").write_bytes(data)
    page_model = plainnet.load(tmp_path / "page.pnet")
    assert f"epochs={state['epoch']}," in state["python"]

    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    printed = io.StringIO()
    monkeypatch.setattr("sys.stdout", printed)
    exec(compile(state["python"], "playground-code", "exec"), namespace)
    assert "loss" in printed.getvalue()
    assert (tmp_path / "playground.pnet").exists()
    assert namespace["model"].epochs_done == page_model.epochs_done == state["epoch"]
    for mine, theirs in zip(namespace["model"].get_weights(), page_model.get_weights(),
                            strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_run_stops_at_the_epoch_limit_and_learns(client):
    session, token, _ = client.create(dataset="circle", epochs=60, n_points=300)
    client.act(session, token, "run", {"running": True})
    state = client.wait(session, token, lambda s: not s["running"])
    assert state["epoch"] == 60 and len(state["test_loss"]) == 60
    assert state["test_loss"][-1] < 0.5 * state["test_loss"][0]


def test_tabs_get_separate_sessions(client):
    first, first_token, _ = client.create(dataset="blobs")
    second, second_token, _ = client.create(dataset="moons")
    assert first != second and first_token != second_token
    client.act(first, first_token, "step")
    assert client.state(second, second_token)["epoch"] == 0
    assert client.state(first, first_token)["settings"]["dataset"] == "blobs"


def test_an_abandoned_session_is_freed():
    server = start_server(session_timeout=0.5)
    try:
        client = Client(server)
        session, token, _ = client.create()
        client.act(session, token, "run", {"running": True})
        time.sleep(1.2)  # no request for longer than the time-out
        status, _, _ = client.request("GET", f"/api/sessions/{session}/state", token=token)
        assert status == 403
        assert len(server.store) == 0
    finally:
        server.shutdown()
        server.server_close()
