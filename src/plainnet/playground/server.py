"""The playground's web server: the page, and a small JSON API for its sessions.

Built on the standard library's :class:`http.server.ThreadingHTTPServer`
(one thread per request) and bound to ``127.0.0.1`` only. The routes::

    GET  /                              the page (and GET /static/<file>: its CSS and JS)
    POST /api/sessions                  {settings...} -> {"session", "token", "state"}
    GET  /api/sessions/<id>/state?since=N&data=V       the last state (losses from N)
    POST /api/sessions/<id>/settings    {settings...}  new model (and data) -> state
    POST /api/sessions/<id>/run         {"running": true|false}             -> state
    POST /api/sessions/<id>/step        {}    pause, train one epoch        -> state
    POST /api/sessions/<id>/reset       {}    fresh weights, epoch 0        -> state
    GET  /api/sessions/<id>/model.pnet  the trained model, a plainnet file
    POST /api/sessions/<id>/close       {}    free the session now

Every request is distrusted in the same few ways, in this order:

1. the ``Host`` header must be ``127.0.0.1:PORT`` or ``localhost:PORT``, so
   a web site that points its own name at 127.0.0.1 (DNS rebinding) is
   refused; an ``Origin`` header, when sent, must be this server's;
2. a session's routes need its token in the ``X-Playground-Token`` header,
   which only the page that created the session knows;
3. a body must be a JSON object of at most :data:`MAX_BODY` bytes, sent as
   ``application/json``, with known fields and values inside their bounds
   (:mod:`~plainnet.playground.settings`).

A refused request gets a 4xx status and one line of JSON, ``{"error": "..."}``;
the server goes on serving the others. No request names a file: the page's
files come from a fixed list inside the package.
"""

from __future__ import annotations

import hmac
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .session import Session, SessionStore
from .settings import BadRequest, parse_settings

__all__ = ["MAX_BODY", "PlaygroundServer", "STATIC_FILES", "TOKEN_HEADER"]

MAX_BODY = 64 * 1024  # bytes of a request body
TOKEN_HEADER = "X-Playground-Token"

#: The only files the server sends: URL path -> (file in static/, content type).
STATIC_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/static/api.js": ("api.js", "text/javascript; charset=utf-8"),
    "/static/draw.js": ("draw.js", "text/javascript; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
}

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

SESSION_ROUTE = re.compile(r"/api/sessions/([0-9a-f]{16})/([a-z.]+)")


class Refused(Exception):
    """A request answered with ``status`` and the one-line JSON error ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _static_file(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


class PlaygroundServer(ThreadingHTTPServer):
    """The playground's HTTP server, on ``127.0.0.1`` only.

    Parameters
    ----------
    port : int, default 0
        The port; 0 lets the system pick a free one (see :attr:`url`).
    session_timeout : float, default 600
        Seconds after which a session nobody asks about is freed.

    Examples
    --------
    >>> server = PlaygroundServer(port=0)       # doctest: +SKIP
    >>> print(server.url)                       # doctest: +SKIP
    http://127.0.0.1:41234/
    >>> server.serve_forever()                  # doctest: +SKIP
    """

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, port: int = 0, session_timeout: float = 600.0) -> None:
        self.store = SessionStore(session_timeout)  # before binding, which may fail
        super().__init__(("127.0.0.1", port), PlaygroundHandler)
        self.port = self.server_address[1]
        self.allowed_hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.static = {path: _static_file(name) for path, (name, _) in STATIC_FILES.items()}

    @property
    def url(self) -> str:
        """The address of the page, ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-answer is not worth a traceback; other errors are."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Close the socket and stop every session's training."""
        super().server_close()
        self.store.close_all()


class PlaygroundHandler(BaseHTTPRequestHandler):
    """Answers one request: checks it, then serves a file or calls the session."""

    server: PlaygroundServer
    server_version = "plainnet-playground"
    timeout = 15  # seconds a client may take to send its request

    # ------------------------------------------------------------------ methods
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._answer("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._answer("DELETE")

    do_OPTIONS = do_PATCH = do_HEAD = do_PUT  # noqa: N815 - all refused by _route

    def version_string(self) -> str:
        """The Server header: the name only, no Python version."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the command line prints the address, not every request."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """http.server's own errors (a malformed request line, ...) as one line of JSON.

        They are all the client's doing, so they get a 4xx status: an unknown
        method 405 (not 501), an unknown HTTP version 400 (not 505).
        """
        message = message or self.responses.get(code, ("error",))[0]
        if code >= 500:
            code = 405 if code == 501 else 400
        self._send_json(code, {"error": message})

    # ---------------------------------------------------------------- answering
    def _answer(self, method: str) -> None:
        try:
            self._check_host()
            status, body, content_type = self._route(method)
            self._send(status, body, content_type)
        except Refused as error:
            self._send_json(error.status, {"error": str(error)})
        except BadRequest as error:
            self._send_json(400, {"error": str(error)})
        except Exception as error:  # a bug: report it in one line, keep serving
            self._send_json(500, {"error": f"internal error: {type(error).__name__}"})

    def _send(self, status: int, body: bytes, content_type: str,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, value: Any) -> None:
        if "error" in value:  # one line, and never the whole of a huge input
            value = {"error": " ".join(str(value["error"]).split())[:300]}
        self._send(status, json.dumps(value).encode(), "application/json")

    # ---------------------------------------------------------------- checks
    def _check_host(self) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts:
            raise Refused(400, "the Host header must be 127.0.0.1:PORT or localhost:PORT of "
                          "this server")
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in {f"http://{h}"
                                                        for h in self.server.allowed_hosts}:
            raise Refused(403, "requests from other web sites are refused")

    def _read_json(self) -> dict[str, Any]:
        """The request body: a JSON object of at most MAX_BODY bytes."""
        if self.headers.get("Transfer-Encoding"):
            raise Refused(400, "send the body with a Content-Length, not chunked")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise Refused(400, "the body must be sent as Content-Type: application/json")
        length_text = self.headers.get("Content-Length", "")
        if not length_text.isdigit() or len(length_text) > 9:
            raise Refused(400, "a POST needs a Content-Length header")
        length = int(length_text)
        if length > MAX_BODY:
            raise Refused(413, f"the body may have at most {MAX_BODY} bytes, got {length}")
        raw = self.rfile.read(length)
        if len(raw) != length:
            raise Refused(400, f"the body has {len(raw)} bytes, not its Content-Length {length}")
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise Refused(400, "the body is not valid JSON") from None
        if not isinstance(value, dict):
            raise Refused(400, "the body must be a JSON object")
        return value

    def _session(self, session_id: str) -> Session:
        session = self.server.store.get(session_id)
        token = self.headers.get(TOKEN_HEADER) or ""
        if session is None or not hmac.compare_digest(token.encode(), session.token.encode()):
            # the same answer for a wrong token and an unknown id: nothing to probe
            raise Refused(403, "unknown session or wrong token; reload the page")
        session.touch()
        return session

    # ---------------------------------------------------------------- routes
    def _route(self, method: str) -> tuple[int, bytes, str]:
        if not self.path.startswith("/") or self.path.startswith("//"):
            raise Refused(400, "the request target must be a path such as /index.html")
        parts = urlsplit(self.path)
        path = parts.path
        if method == "GET" and path in STATIC_FILES:
            return 200, self.server.static[path], STATIC_FILES[path][1]
        if method == "POST" and path == "/api/sessions":
            body = self._read_json()
            session = self.server.store.create(parse_settings(body))
            return self._json(200, {"session": session.id, "token": session.token,
                                    "state": session.state()})
        match = SESSION_ROUTE.fullmatch(path)
        if match is None:
            raise Refused(404, "no such page")
        session_id, action = match.groups()
        if method == "GET" and action == "state":
            session = self._session(session_id)
            query = parse_qs(parts.query, max_num_fields=4)
            return self._json(200, session.state(_int_arg(query, "since", 0),
                                                 _int_arg(query, "data", -1)))
        if method == "GET" and action == "model.pnet":
            try:
                data = self._session(session_id).model_file()
            except ValueError as error:  # e.g. weights that are not finite numbers
                raise Refused(409, f"cannot save this model: {error}") from None
            return 200, data, "application/octet-stream"
        if method == "POST" and action in ("settings", "run", "step", "reset", "close"):
            return self._act(self._session(session_id), action, self._read_json())
        raise Refused(404 if action not in ("state", "model.pnet", "settings", "run", "step",
                                            "reset", "close") else 405,
                      f"{method} {action} is not part of the API")

    def _act(self, session: Session, action: str, body: dict[str, Any]) -> tuple[int, bytes, str]:
        """A state-changing request on a session, its body already parsed."""
        if action == "settings":
            session.change(parse_settings(body, base=session.settings))
        elif action == "run":
            if set(body) != {"running"} or not isinstance(body["running"], bool):
                raise Refused(400, 'run expects {"running": true} or {"running": false}')
            session.set_running(body["running"])
        else:
            if body:
                raise Refused(400, f"{action} expects an empty object {{}}, got fields "
                              f"{', '.join(sorted(body))[:100]}")
            if action == "close":
                session.close()
                return self._json(200, {"closed": True})
            if action == "step":
                session.step()
            else:
                session.reset()
        return self._json(200, session.state())

    @staticmethod
    def _json(status: int, value: Any) -> tuple[int, bytes, str]:
        return status, json.dumps(value, allow_nan=False).encode(), "application/json"


def _int_arg(query: dict[str, list[str]], name: str, default: int) -> int:
    """An integer query argument (at most 9 digits), or ``default``."""
    values = query.get(name)
    if not values:
        return default
    text = values[0]
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        raise Refused(400, f"{name} must be an integer, got {text[:20]!r}")
    return int(text)
