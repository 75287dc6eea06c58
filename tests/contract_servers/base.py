"""What every contract server shares: a threaded stdlib HTTP server on 127.0.0.1:0, a request
log, a tiny router, and fault injection.

Why stdlib: the servers must answer from another thread while the test's event loop drives the
MCP client, and must be able to misbehave precisely (sleep past the client's timeout, send a
body that is not JSON); `http.server` does both with nothing to install.

Faults are queued per test with `inject(...)`: each one replaces the API's answer for the next
request that matches its method and path prefix, in order; the request is still logged, so
call counts include it.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    body: Any = None  # parsed JSON, or None for an empty or non-JSON body
    json_ok: bool = True


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-serialised; bytes are sent as they are
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """One injected misbehaviour, in place of the API's answer."""

    status: int = 500
    body: Any = None  # None: the API's own error shape with a generic message
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # answer only after this many seconds (past the client timeout: a timeout)
    malformed: bool = False  # 200 with a body that is not JSON
    echo_headers: bool = False  # the error message repeats the request headers (API key included)
    method: str | None = None
    path: str | None = None  # a prefix of the request path

    def matches(self, request: Request) -> bool:
        return ((self.method is None or self.method == request.method)
                and (self.path is None or request.path.startswith(self.path)))


def status(code: int, *, retry_after: str | None = None, **where: Any) -> Fault:
    """An error status in the API's own error shape, optionally with Retry-After."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Fault(status=code, headers=headers, **where)


def slow(seconds: float = 1.0, **where: Any) -> Fault:
    """Answer 200 only after `seconds`: longer than the test client's timeout."""
    return Fault(status=200, body={}, delay=seconds, **where)


def malformed(**where: Any) -> Fault:
    return Fault(status=200, malformed=True, **where)


def echo_headers(code: int = 400, **where: Any) -> Fault:
    """An error whose message echoes the request headers, as some APIs do: a redaction test."""
    return Fault(status=code, echo_headers=True, **where)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


Handler = Callable[..., Reply]


class ContractServer:
    """Subclasses add routes (`route`) and the API's error shape (`error`)."""

    name = "api"

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._release = threading.Event()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- to override ---------------------------------------------------------------------

    def error(self, status: int, message: str) -> Reply:
        return Reply(status, {"error": message})

    def check(self, request: Request) -> Reply | None:
        """Auth and required headers; a Reply refuses the request."""
        return None

    # --- routing -------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """`pattern` is a path with {name} parts: '/v1/schedules/{id}'."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler))

    def dispatch(self, request: Request) -> Reply:
        refused = self.check(request)
        if refused is not None:
            return refused
        allowed = False
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if match is None:
                continue
            allowed = True
            if method == request.method:
                return handler(request, **match.groupdict())
        return self.error(405, "Method Not Allowed") if allowed else self.error(404, "Not Found")

    # --- the log -------------------------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """Requests received, optionally only this method and exact path."""
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and (path is None or r.path == path)]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return len(self.calls(method, path))

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    # --- serving -------------------------------------------------------------------------

    def _answer(self, request: Request) -> tuple[Reply, float]:
        with self.lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if f.matches(request)), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault is None:
            if not request.json_ok:
                return self.error(400, "Request body is not valid JSON"), 0.0
            return self.dispatch(request), 0.0
        if fault.malformed:
            return Reply(200, b'{"data": [{"id": "trunc'), fault.delay
        if fault.echo_headers:
            reply = self.error(fault.status, f"Rejected request with headers {request.headers}")
        elif fault.body is not None:
            reply = Reply(fault.status, fault.body)
        else:
            reply = self.error(fault.status, f"Injected HTTP {fault.status}")
        reply.headers.update(fault.headers)
        return reply, fault.delay

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request(
                    method=self.command, path=parts.path, query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()}, raw=raw,
                )
                if raw:
                    try:
                        request.body = json.loads(raw)
                    except ValueError:
                        request.json_ok = False
                reply, delay = owner._answer(request)
                if delay and owner._release.wait(delay):
                    return  # the server is stopping: drop the connection
                payload = reply.body if isinstance(reply.body, bytes) else (
                    b"" if reply.body is None and reply.status == 204 else json.dumps(reply.body).encode())
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (a timeout test): nothing to tell it

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        class _Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # broken pipes after client timeouts are expected here

        self._server = _Server(("127.0.0.1", 0), _Handler)
        # A short poll interval: shutdown() waits for the next poll, and tests stop servers often.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @contextmanager
    def running(self) -> Iterator[ContractServer]:
        self.start()
        try:
            yield self
        finally:
            self.stop()


# --- validation helpers shared by the API modules ----------------------------------------------


def unknown_keys(body: dict[str, Any], allowed: set[str]) -> list[str]:
    return sorted(set(body) - allowed)
