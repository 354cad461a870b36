"""Fixtures of the playground tests: a running server and a client (see playground_client)."""

from __future__ import annotations

import pytest
from playground_client import Client, start_server


@pytest.fixture
def server():
    server = start_server()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(server) -> Client:
    return Client(server)
