"""Hostile and malformed requests: refused with one line of JSON, and the server goes on."""

from __future__ import annotations

import json

import pytest

from plainnet.playground.server import MAX_BODY


def error_of(status_headers_body) -> str:
    """The one-line error of a refused request (and check that it is JSON, one line)."""
    status, headers, body = status_headers_body
    assert 400 <= status < 500, (status, body[:200])
    assert headers["Content-Type"] == "application/json"
    assert body.count(b"\n") == 0
    error = json.loads(body)["error"]
    assert isinstance(error, str) and error
    return error


@pytest.mark.parametrize("host", ["evil.example:80", "evil.example", "127.0.0.1",
                                  "127.0.0.1:1", "localhost.evil.example", ""])
def test_a_foreign_host_header_is_refused(client, host):
    """DNS rebinding: a site whose name points at 127.0.0.1 sends its own name as Host."""
    for method, path, body in (("GET", "/", None), ("POST", "/api/sessions", {})):
        result = client.request(method, path, body, headers={"Host": host})
        assert "Host" in error_of(result)
    assert client.request("GET", "/", headers={"Host": f"localhost:{client.server.port}"})[0] \
        == 200


def test_another_origin_cannot_create_sessions(client):
    result = client.request("POST", "/api/sessions", {}, headers={"Origin": "http://evil.example"})
    assert result[0] == 403 and "other web sites" in error_of(result)
    assert len(client.server.store) == 0


def test_state_changing_requests_need_the_session_token(client):
    session, token, _ = client.create()
    other, other_token, _ = client.create()
    for action in ("step", "reset", "settings", "run", "close"):
        path = f"/api/sessions/{session}/{action}"
        for bad in (None, "", "x" * 32, other_token, token[:-1]):
            assert client.request("POST", path, {}, token=bad)[0] == 403
    for path in (f"/api/sessions/{session}/state", f"/api/sessions/{session}/model.pnet"):
        assert client.request("GET", path, token=other_token)[0] == 403
    assert client.state(session, token)["epoch"] == 0  # nothing happened to it
    assert client.act(other, other_token, "step")["epoch"] == 1


@pytest.mark.parametrize("raw, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (b'"text"', "JSON object"),
    (b'{"dataset": "mnist"}', "dataset must be one of"),
    (b'{"hidden": [4, 4, 4, 4, 4, 4, 4, 4, 4]}', "at most 8 layers"),
    (b'{"hidden": [129]}', "at most 128 neurons"),
    (b'{"hidden": [0]}', "hidden layer size must be >= 1"),
    (b'{"hidden": "8,8"}', "list of layer sizes"),
    (b'{"hidden": [true]}', "must be an integer"),
    (b'{"n_points": 5001}', "n_points must be <= 5000"),
    (b'{"n_points": 1e9}', "n_points must be an integer"),
    (b'{"epochs": 10001}', "epochs must be <= 10000"),
    (b'{"epochs": 99999999999999999999999999999999}', "epochs must be <= 10000"),
    (b'{"noise": 1' + b"0" * 400 + b"}", "noise"),
    (b'{"noise": 1e999}', "noise must be finite"),
    (b'{"noise": NaN}', "noise must be finite"),
    (b'{"learning_rate": -1}', "learning_rate must be >="),
    (b'{"learning_rate": "0.1"}', "learning_rate must be a real number"),
    (b'{"batch_size": true}', "batch_size must be an integer"),
    (b'{"seed": null}', "seed must be an integer"),
    (b'{"unknown": 1}', "unknown settings field 'unknown'"),
    (b'{"__class__": 1}', "unknown settings field"),
    (b"[" * 100000, "at most"),
])
def test_bad_bodies_get_a_400_with_a_one_line_reason(client, raw, message):
    result = client.request("POST", "/api/sessions", raw=raw)
    assert message in error_of(result)
    assert len(client.server.store) == 0


def test_bodies_are_bounded_and_must_be_json(client):
    session, token, _ = client.create()
    path = f"/api/sessions/{session}/settings"
    too_big = b'{"noise": 0.1' + b" " * MAX_BODY + b"}"
    assert client.request("POST", path, raw=too_big, token=token)[0] == 413
    assert "Content-Type" in error_of(client.request(
        "POST", path, raw=b"{}", token=token, headers={"Content-Type": "text/plain"}))
    assert "Content-Length" in error_of(client.request(
        "POST", path, raw=b"{}", token=token, headers={"Content-Length": "-1"}))
    assert "running" in error_of(client.request(
        "POST", f"/api/sessions/{session}/run", {"running": 1}, token=token))
    assert "empty object" in error_of(client.request(
        "POST", f"/api/sessions/{session}/step", {"epochs": 5}, token=token))
    assert client.state(session, token)["epoch"] == 0


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/static/../server.py", "/static/%2e%2e/server.py",
    "/static/..%2fserver.py", "/static/app.js/../../__init__.py", "//etc/passwd",
    "/static/", "/static", "/static/APP.JS", "/etc/passwd", "/index.html/..",
    "/static/app.js%00.png", "/api/sessions/../../../etc/passwd", "/" + "a" * 5000,
    "/api/sessions/0123456789abcdef/../state", "http://evil.example/",
])
def test_no_path_reaches_a_file_outside_the_page(client, path):
    status, _, body = client.request("GET", path)
    assert status in (400, 403, 404, 414)
    assert b"root:" not in body and b"import" not in body


def test_the_server_keeps_serving_after_refusals(client):
    for _ in range(3):
        client.request("POST", "/api/sessions", raw=b"{")
        client.request("GET", "/../../etc/passwd")
    session, token, _ = client.create(dataset="xor")
    assert client.act(session, token, "step")["epoch"] == 1
    assert client.request("GET", "/")[0] == 200
