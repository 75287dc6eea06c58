"""Shared fixtures: an injectable clock, a webhook sink on 127.0.0.1, assistants files."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from agentcron.backends.local.backend import LocalBackend


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """A clock the test moves by hand: no sleeping for real minutes."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant.astimezone(timezone.utc)

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Sink:
    """Everything a webhook sink received, in order."""

    url: str
    requests: list[dict[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # path -> how many more requests to that path answer 500 (a flaky or broken receiver)
    failures: dict[str, int] = field(default_factory=dict)
    # path -> seconds to wait before answering (a slow receiver)
    delays: dict[str, float] = field(default_factory=dict)

    def to(self, path: str) -> list[dict[str, object]]:
        """The requests that went to `path`, in order."""
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def keys(self) -> list[str]:
        with self.lock:
            return [str(r["headers"].get("idempotency-key")) for r in self.requests]  # type: ignore[union-attr]


@pytest.fixture
def sink() -> Iterator[Sink]:
    """An HTTP server on 127.0.0.1 that records every POST and answers 200."""
    record = Sink(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with record.lock:
                record.requests.append({
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": json.loads(body or b"null"),
                })
                failing = record.failures.get(self.path, 0) > 0
                if failing:
                    record.failures[self.path] -= 1
                delay = record.delays.get(self.path, 0.0)
            if delay:
                time.sleep(delay)
            if failing:
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": "receiver is down"}')
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # a burst of due tasks connects at once

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    record.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


def write_assistants(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


# --- both store dialects ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL 16 (the pgserver wheel), started once per test session."""
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@dataclass
class Database:
    """One fresh database of either dialect: what AGENTCRON_DB is set to, and a way to look."""

    dialect: str
    url: str

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, object]]:
        from agentcron.backends.local.store import open_store

        store = open_store(self.url)
        try:
            return store._read(sql, params)
        finally:
            store.close()


def fresh_postgres_database(server_uri: str) -> str:
    """CREATE DATABASE with a new name on the shared server; its URL."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server_uri.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """Every test using this runs on SQLite and on a real PostgreSQL."""
    if request.param == "sqlite":
        return Database("sqlite", str(tmp_path / "agentcron.db"))
    server_uri = request.getfixturevalue("postgres_server")
    return Database("postgres", fresh_postgres_database(server_uri))


async def tick(backend: LocalBackend) -> None:
    """One runner pass, then wait for what it started (runs, alerts, deliveries) to finish."""
    started = await backend.runner.tick()
    if started:
        await asyncio.wait(started, timeout=20)


@asynccontextmanager
async def backends_on(database_url: str, clock: FakeClock, assistants: Path,
                      ) -> AsyncIterator[Callable[..., Awaitable[LocalBackend]]]:
    """Start LocalBackends (each its own runner, not scheduling: tests call `tick`) on one
    database, with `assistants` unless a start names another file; all closed at the end."""
    from agentcron.backends.local.assistants import load_assistants
    from agentcron.backends.local.backend import LocalBackend
    from agentcron.backends.local.store import open_store

    opened: list[LocalBackend] = []

    async def start(path: Path = assistants) -> LocalBackend:
        store = open_store(database_url)
        backend = LocalBackend(store, load_assistants(path, conversations=store),
                               scheduling=False, clock=clock)
        await backend.start()
        opened.append(backend)
        return backend

    try:
        yield start
    finally:
        for backend in opened:
            await backend.close()
