"""Shared bench helpers: a fast asyncio webhook sink, bulk task creation, scheduler processes.

Benchmarks print ratios against a baseline measured in the same run (machines are noisy).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store
from agentcron.models import TaskSpec

READY = "agentcron scheduler ready"


@dataclass
class SinkRecord:
    """Arrival time (monotonic and wall) and Idempotency-Key of every request."""

    arrivals: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class AsyncSink:
    """A minimal keep-alive HTTP/1.1 server on 127.0.0.1, in its own thread and event loop."""

    def __init__(self) -> None:
        self.record = SinkRecord()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> AsyncSink:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    if ":" in line:
                        key, value = line.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                await reader.readexactly(int(headers.get("content-length", "0")))
                with self.record.lock:
                    self.record.arrivals.append((time.time(), headers.get("idempotency-key", "")))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def bulk_create(db: Path, assistants: Path, specs: list[TaskSpec], now: datetime) -> list[str]:
    """Insert many tasks in one transaction through the backend's own row builder."""
    store = open_store(db)
    backend = LocalBackend(store, load_assistants(assistants), scheduling=False)
    rows = [backend.new_task_row(spec, now) for spec in specs]
    store.insert_tasks(rows)
    store.close()
    return [row.id for row in rows]


def start_schedulers(db: Path, assistants: Path, count: int, *, python: str = sys.executable,
                     base_env: dict[str, str] | None = None) -> list[subprocess.Popen[str]]:
    """`count` daemons run by `python` (by default this interpreter), ready to fire."""
    env = {**(os.environ if base_env is None else base_env), "AGENTCRON_DB": str(db),
           "AGENTCRON_ASSISTANTS": str(assistants), "AGENTCRON_LOG_LEVEL": "WARNING"}
    processes = [
        subprocess.Popen([str(python), "-m", "agentcron", "scheduler"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    for process in processes:
        assert process.stderr is not None
        while READY not in (line := process.stderr.readline()):
            if not line and process.poll() is not None:
                raise RuntimeError("scheduler failed to start")
    return processes


def stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=15)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
