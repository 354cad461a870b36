"""A client for a playground server, and a server running in a thread of the test process.

The client speaks plain HTTP through :mod:`http.client` (so a test can send
any Host header or body it likes) and returns ``(status, headers, body)``.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any

from plainnet.playground import PlaygroundServer
from plainnet.playground.server import TOKEN_HEADER


class Client:
    """Requests to one running playground server."""

    def __init__(self, server: PlaygroundServer) -> None:
        self.server = server
        self.host = f"127.0.0.1:{server.port}"

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                headers: dict[str, str] | None = None, raw: bytes | None = None):
        """Send one request; ``(status, headers, body bytes)``."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        sent = {"Host": self.host}
        if body is not None or raw is not None:
            sent["Content-Type"] = "application/json"
        if token is not None:
            sent[TOKEN_HEADER] = token
        sent.update(headers or {})
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        if data is not None and "Content-Length" not in sent:
            sent["Content-Length"] = str(len(data))
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(data)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def json(self, method: str, path: str, body: Any = None, token: str | None = None,
             expect: int = 200, **options: Any) -> Any:
        """The decoded JSON answer of a request that must get status ``expect``."""
        status, headers, data = self.request(method, path, body, token, **options)
        assert status == expect, (status, data[:300])
        assert headers["Content-Type"] == "application/json"
        return json.loads(data)

    def create(self, **settings: Any) -> tuple[str, str, dict]:
        """A new session: ``(id, token, first state)``."""
        answer = self.json("POST", "/api/sessions", settings)
        return answer["session"], answer["token"], answer["state"]

    def act(self, session: str, token: str, action: str, body: Any = None) -> dict:
        """POST one session action (settings, run, step, reset); the state it returns."""
        return self.json("POST", f"/api/sessions/{session}/{action}",
                         {} if body is None else body, token)

    def state(self, session: str, token: str, since: int = 0, data: int = -1) -> dict:
        return self.json("GET", f"/api/sessions/{session}/state?since={since}&data={data}",
                         token=token)

    def wait(self, session: str, token: str, condition, timeout: float = 30.0) -> dict:
        """Poll the state until ``condition(state)`` holds; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(session, token)
            if condition(state):
                return state
            assert time.monotonic() < deadline, f"gave up waiting; last epoch {state['epoch']}"
            time.sleep(0.05)


def start_server(**options: Any) -> PlaygroundServer:
    server = PlaygroundServer(port=0, **options)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server
