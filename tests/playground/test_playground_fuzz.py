"""A few hundred random and malformed requests; then the server must still train a model.

Requests are sent over raw sockets, so that they can be broken anywhere:
the request line, the headers, the body. Every one must be answered (no
answer means a handler crashed or hangs) with a status below 500, and
afterwards the server must serve the page and train a model that learns.
"""

from __future__ import annotations

import json
import socket

import numpy as np
from playground_client import Client

METHODS = [b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS", b"PATCH", b"BREW", b"",
           b"G\x00ET", b"POST" * 50]
PATHS = [b"/", b"/index.html", b"/static/app.js", b"/api/sessions", b"/../../etc/passwd",
         b"/static/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/api/sessions/x/state",
         b"/api/sessions/0123456789abcdef/step", b"/api/sessions/0123456789abcdef/../../x",
         b"*", b"", b"/\x00", b"/" + b"A" * 70000, b"/api/sessions?" + b"&a=1" * 200,
         b"http://evil.example/", b"/\xff\xfe"]
BODIES = [b"", b"{}", b"{", b"null", b"[]", b'{"dataset": "spirals"}', b'{"hidden": [1e400]}',
          b'{"n_points": -1}', b'{"hidden": [' + b"128," * 2000 + b"1]}",
          b'{"epochs": 1' + b"0" * 5000 + b"}", b'{"a":' * 5000, b"\xff" * 100,
          b'{"dataset": "circle", "dataset": 3}', b'{"noise": Infinity}',
          b'{"batch_size": 0}', b'{"running": "yes"}', b'"\\ud800"']


def send_raw(port: int, data: bytes) -> bytes:
    """Send bytes, close our side, and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except OSError:  # the server may answer and close before reading all of it
            pass
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def pick(rng: np.random.Generator, choices: list, first: float = 0.0):
    """One of ``choices``: the first with probability ``first``, else any."""
    return choices[0] if rng.random() < first else choices[rng.integers(len(choices))]


def random_request(rng: np.random.Generator, port: int, session: bytes,
                   token: bytes) -> bytes:
    """A request, often nearly valid (so that it gets past the first checks), often not."""
    actions = [b"state", b"settings", b"run", b"step", b"reset", b"model.pnet", b"close"]
    session_path = b"/api/sessions/" + session + b"/" + pick(rng, actions)
    method = pick(rng, [b"POST", *METHODS], first=0.3)
    path = pick(rng, [session_path, *PATHS], first=0.3)
    body = BODIES[rng.integers(len(BODIES))]
    version = pick(rng, [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b"", b"HTTP/1.1 extra"], 0.7)
    host = pick(rng, [f"127.0.0.1:{port}".encode(), b"evil.example",
                      f"localhost:{port}".encode(), b"\xff"], first=0.7)
    headers = [b"Host: " + host]
    if rng.random() < 0.7:
        headers.append(b"Content-Type: application/json")
    length = [str(len(body)).encode(), b"-5", b"abc", b"999999999999", b"100000",
              str(len(body) + 10).encode()][rng.integers(6) if rng.random() < 0.4 else 0]
    if rng.random() < 0.8:
        headers.append(b"Content-Length: " + length)
    if rng.random() < 0.1:
        headers.append(b"Transfer-Encoding: chunked")
    if rng.random() < 0.5:
        headers.append(b"X-Playground-Token: " + token)
    elif rng.random() < 0.1:
        headers.append(b"X-Playground-Token: " + bytes(rng.integers(33, 127, 30).tolist()))
    if rng.random() < 0.05:
        headers.append(b"X-Long: " + b"x" * 70000)
    if rng.random() < 0.05:
        headers.append(b"broken header line")
    request = b" ".join(part for part in (method, path, version) if part)
    data = request + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + body
    if rng.random() < 0.1:  # random bytes in place of a request
        data = bytes(rng.integers(0, 256, int(rng.integers(1, 300))).tolist()) + b"\r\n\r\n"
    return data


def test_random_and_malformed_requests_do_not_break_the_server(server):
    rng = np.random.default_rng(17)
    client = Client(server)
    session, token, _ = client.create(n_points=100)  # requests may act on a real session
    statuses = []
    for _ in range(300):
        request = random_request(rng, server.port, session.encode(), token.encode())
        answer = send_raw(server.port, request)
        if not answer:
            continue  # e.g. a request line too broken for http.server to answer at all
        if answer.startswith(b"{"):  # a request line http.server cannot read is answered
            assert "error" in json.loads(answer)  # as HTTP/0.9: the body, without a status
            statuses.append(400)
            continue
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line.startswith(b"HTTP/1."), answer[:200]
        status = int(status_line.split()[1])
        assert status < 500, answer[:300]
        body = answer.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in answer else b""
        assert b"root:" not in body and b"Traceback" not in body
        if status >= 400 and body:
            assert "error" in json.loads(body)
        statuses.append(status)
    assert len(statuses) > 250 and {200, 400, 404} <= set(statuses)

    assert client.request("GET", "/")[0] == 200
    session, token, _ = client.create(dataset="xor", n_points=200, epochs=150)
    client.act(session, token, "run", {"running": True})
    state = client.wait(session, token, lambda s: not s["running"], timeout=60)
    assert state["epoch"] == 150 and state["error"] is None
    assert state["test_loss"][-1] < 0.25, state["test_loss"][-1]
