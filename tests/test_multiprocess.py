"""Real `agentcron scheduler` processes sharing one database file: exactly-once firing across
runners, a kill -9 mid-run, and a clean SIGTERM stop."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store
from agentcron.backends.local.store.base import SCHEMA_VERSION
from agentcron.models import Schedule, TaskSpec
from tests.conftest import Database, Sink, write_assistants

READY = "agentcron scheduler ready"


def scheduler_env(db: Path | str, assistants: Path, lease: float = 30) -> dict[str, str]:
    return {**os.environ, "AGENTCRON_DB": str(db), "AGENTCRON_ASSISTANTS": str(assistants),
            "AGENTCRON_LEASE_SECONDS": str(lease), "AGENTCRON_LOG_LEVEL": "WARNING"}


def start_scheduler(env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcron", "scheduler"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if READY in line:
            assert f"pid {process.pid}" in line
            return process
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"scheduler did not get ready: {process.stderr.read()}")


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def create_tasks(db: Path | str, assistants: Path, specs: list[TaskSpec]) -> list[str]:
    """Create tasks through the local backend (no runner), as a tool call would."""
    async def create() -> list[str]:
        store = open_store(db)
        backend = LocalBackend(store, load_assistants(assistants), scheduling=False)
        ids = [(await backend.create_task(spec)).id for spec in specs]
        store.close()
        return ids
    return asyncio.run(create())


def once_at(instant: datetime) -> Schedule:
    return Schedule(kind="once", run_at=instant.isoformat())


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def run_rows(db: Path | Database) -> list[tuple[str, str, str, str | None]]:
    sql = "SELECT task_id, scheduled_for, status, error FROM runs"
    if isinstance(db, Database):
        return [(r["task_id"], r["scheduled_for"], r["status"], r["error"])  # type: ignore[misc]
                for r in db.rows(sql)]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def assert_intact(database: Database) -> None:
    """SQLite's own check after a crash (PostgreSQL's WAL recovery is the server's job)."""
    if database.dialect == "sqlite":
        with sqlite3.connect(database.url) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_three_runners_fire_every_occurrence_exactly_once(tmp_path: Path, sink: Sink,
                                                          processes: list, database: Database) -> None:
    db = database
    assistants = write_assistants(tmp_path / "a.toml", f"""
default = "notify"
[assistants.notify]
type = "webhook"
url = "{sink.url}"
""")
    env = scheduler_env(db.url, assistants)
    processes.extend(start_scheduler(env) for _ in range(3))
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=4)
    count = 300
    ids = create_tasks(db.url, assistants, [TaskSpec(prompt=f"t{i}", schedule=once_at(due))
                                         for i in range(count)])
    assert wait_for(lambda: len(sink.requests) >= count, timeout=60)
    time.sleep(2)  # room for a duplicate to show up
    keys = sink.keys()
    assert len(keys) == count and len(set(keys)) == count
    stamp = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert set(keys) == {f"{task_id}:{stamp}" for task_id in ids}
    rows = run_rows(db)
    assert len(rows) == count and {r[2] for r in rows} == {"succeeded"}
    for process in processes:
        process.send_signal(signal.SIGTERM)
    assert [p.wait(timeout=10) for p in processes] == [0, 0, 0]


def test_kill_9_mid_run_marks_it_interrupted_and_loses_nothing(tmp_path: Path, sink: Sink,
                                                               processes: list,
                                                               database: Database) -> None:
    db = database
    assistants = write_assistants(tmp_path / "a.toml", f"""
[assistants.slow]
type = "command"
argv = ["{sys.executable}", "-c", "import time; time.sleep(60)"]

[assistants.notify]
type = "webhook"
url = "{sink.url}"
""")
    env = scheduler_env(db.url, assistants, lease=3)
    first = start_scheduler(env)
    processes.append(first)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    slow, later = create_tasks(db.url, assistants, [
        TaskSpec(prompt="slow", schedule=once_at(now + timedelta(seconds=2)), assistant_id="slow"),
        TaskSpec(prompt="later", schedule=once_at(now + timedelta(seconds=9)), assistant_id="notify"),
    ])
    assert wait_for(lambda: any(r[0] == slow and r[2] == "running" for r in run_rows(db)), 20)
    first.kill()  # SIGKILL mid-run
    first.wait(timeout=10)
    processes.append(start_scheduler(env))
    assert wait_for(lambda: len(sink.requests) == 1, timeout=30)
    assert wait_for(lambda: any(r[0] == slow and r[2] == "failed" for r in run_rows(db)), 20)
    time.sleep(1.5)
    rows = run_rows(db)
    slow_runs = [r for r in rows if r[0] == slow]
    assert len(slow_runs) == 1 and slow_runs[0][3].startswith("interrupted")
    assert [r[2] for r in rows if r[0] == later] == ["succeeded"]
    assert len(sink.requests) == 1
    assert_intact(db)


def test_sigterm_interrupts_long_runs_and_exits_zero_quickly(tmp_path: Path, processes: list,
                                                            database: Database) -> None:
    db = database
    assistants = write_assistants(tmp_path / "a.toml", f"""
[assistants.slow]
type = "command"
argv = ["{sys.executable}", "-c", "import time; time.sleep(60)"]
""")
    process = start_scheduler(scheduler_env(db.url, assistants))
    processes.append(process)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    (task,) = create_tasks(db.url, assistants, [
        TaskSpec(prompt="slow", schedule=once_at(now + timedelta(seconds=2)), assistant_id="slow")])
    assert wait_for(lambda: any(r[2] == "running" for r in run_rows(db)), 20)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    (row,) = run_rows(db)
    assert row[0] == task and row[2] == "failed" and row[3].startswith("interrupted")


def test_servers_started_together_on_a_fresh_file_all_open_it(tmp_path: Path) -> None:
    """Every MCP client spawns its own server: eight opening one new file at once must all work."""
    db = tmp_path / "fresh.db"
    code = ("import sys; from agentcron.backends.local.store import open_store; "
            "s = open_store(sys.argv[1]); print(s.change_token() is not None); s.close()")
    opened = [subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [p.communicate(timeout=60) for p in opened]
    assert [p.returncode for p in opened] == [0] * 8, [err for _, err in results]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))  # each migration applied once


def test_stdio_server_stops_its_runner_gracefully_on_sigterm(tmp_path: Path) -> None:
    """MCP clients stop their servers with SIGTERM: the in-process runner must behave like the
    daemon (interrupted run recorded, the command's process group killed, exit 0)."""
    db, pid_file = tmp_path / "stdio.db", tmp_path / "child.pid"
    assistants = write_assistants(tmp_path / "a.toml", f"""
[assistants.slow]
type = "command"
argv = ["{sys.executable}", "-c", "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)", "{pid_file}"]
""")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    create_tasks(db, assistants, [TaskSpec(prompt="slow", assistant_id="slow",
                                           schedule=once_at(now + timedelta(seconds=3)))])
    server = subprocess.Popen([sys.executable, "-m", "agentcron"], env=scheduler_env(db, assistants),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text(), 30)
        child = int(pid_file.read_text())
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
        (row,) = run_rows(db)
        assert row[2] == "failed" and row[3].startswith("interrupted")
        assert wait_for(lambda: not Path(f"/proc/{child}").exists()
                        or Path(f"/proc/{child}/stat").read_text().split()[2] == "Z", 5)
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=10)
