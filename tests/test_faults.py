"""Faults injected on purpose (issue 11): a runner frozen past its lease, a full disk, a wall
clock that jumps, a database locked by another process. Each asserts that nothing was lost
and nothing happened twice."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agentcron.backends.base import TaskFilters
from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store
from agentcron.backends.local.store.sqlite import SQLiteStore
from agentcron.errors import StoreError
from agentcron.models import Schedule, TaskSpec
from tests.conftest import Database, FakeClock, Sink, tick, write_assistants
from tests.test_multiprocess import (  # noqa: F401 (processes: a fixture)
    create_tasks,
    once_at,
    processes,
    run_rows,
    scheduler_env,
    start_scheduler,
    wait_for,
)

UTC = timezone.utc
WAIT_ASSISTANT = f"""
[assistants.wait]
type = "command"
argv = ["{sys.executable}", "-c", "import os, sys, time\\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.02)\\nprint('released')", "{{prompt}}"]
timeout_seconds = 30
"""


# --- a runner frozen past its lease (SIGSTOP), then resumed ---------------------------------


def test_a_runner_frozen_past_its_lease_loses_nothing_and_fires_nothing_twice(
    tmp_path: Path, sink: Sink, processes: list, database: Database
) -> None:
    base = sink.url.rsplit("/", 1)[0]
    sink.delays["/slow"] = 6.0  # the frozen runner's webhook is in flight all along
    assistants = write_assistants(tmp_path / "a.toml", f"""
default = "hook"
[assistants.hook]
type = "webhook"
url = "{base}/hook"
[assistants.slow]
type = "webhook"
url = "{base}/slow"
""")
    env = scheduler_env(database.url, assistants, lease=3)
    env["AGENTCRON_LOG_LEVEL"] = "WARNING"
    frozen = start_scheduler(env)
    processes.append(frozen)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    (in_flight,) = create_tasks(database.url, assistants, [
        TaskSpec(prompt="slow", schedule=once_at(now + timedelta(seconds=2)), assistant_id="slow")])
    assert wait_for(lambda: len(sink.to("/slow")) == 1, 20)  # the POST is out
    frozen.send_signal(signal.SIGSTOP)  # the laptop lid closes
    other = start_scheduler(env)
    processes.append(other)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    (meanwhile,) = create_tasks(database.url, assistants, [
        TaskSpec(prompt="meanwhile", schedule=once_at(now + timedelta(seconds=2)))])
    assert wait_for(lambda: any(r[0] == meanwhile and r[2] == "succeeded"
                                for r in run_rows(database)), 20)  # fired by the other runner
    assert wait_for(lambda: any(r[0] == in_flight and r[2] == "failed"
                                for r in run_rows(database)), 20)  # its lease expired
    frozen.send_signal(signal.SIGCONT)  # the lid opens; the slow answer arrives
    now = datetime.now(timezone.utc).replace(microsecond=0)
    (after,) = create_tasks(database.url, assistants, [
        TaskSpec(prompt="after", schedule=once_at(now + timedelta(seconds=4)))])
    assert wait_for(lambda: any(r[0] == after and r[2] == "succeeded"
                                for r in run_rows(database)), 20)
    assert wait_for(lambda: len(database.rows("SELECT id FROM runners")) == 2, 15)
    time.sleep(7)  # room for the frozen runner's late outcome, or a duplicate, to show up

    rows = run_rows(database)
    (frozen_run,) = [r for r in rows if r[0] == in_flight]  # exactly one outcome
    assert frozen_run[2] == "failed" and frozen_run[3].startswith("interrupted")
    assert sorted(r[2] for r in rows if r[0] != in_flight) == ["succeeded", "succeeded"]
    keys = Counter(sink.keys())
    assert max(keys.values()) == 1 and len(keys) == 3  # each occurrence reached the sink once
    assert len(sink.to("/slow")) == 1
    for process in processes:
        process.send_signal(signal.SIGTERM)
    assert [p.wait(timeout=15) for p in processes] == [0, 0]
    assert "lost its lease" in frozen.stderr.read()  # it noticed, and took a new lease


# --- the database cannot be written (disk full) ---------------------------------------------


def test_a_full_disk_refuses_tools_claims_nothing_and_keeps_outcomes_until_space_returns(
    tmp_path: Path,
) -> None:
    assistants = write_assistants(tmp_path / "a.toml", WAIT_ASSISTANT)
    db = tmp_path / "full.db"
    script = Path(__file__).parent / "fault_scripts" / "disk_full.py"
    done = subprocess.run([sys.executable, str(script), str(db), str(assistants), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # One clear error naming the database and the cause.
    assert str(db) in result["refused"] and "full" in result["refused"]
    assert "Nothing was changed" in result["refused"]
    # While full: the run in flight has ended but could not be recorded (still running, its
    # outcome kept in memory); the task that came due was not claimed.
    assert result["while_full"] == {"first": ["running"], "second": []}
    # Space returned: the kept outcome was written, the due task fired, nothing else changed.
    assert result["after"] == {"first": ["succeeded"], "second": ["succeeded"], "tasks": 2}
    assert result["integrity"] == "ok"
    assert "could not record 1 run outcome(s)" in done.stderr


# --- the wall clock jumps -------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 11, 10, 0, tzinfo=UTC))


@pytest.fixture
async def backend(tmp_path: Path, clock: FakeClock,
                  database: Database) -> AsyncIterator[LocalBackend]:
    store = open_store(database.url)
    local = LocalBackend(store, load_assistants(tmp_path / "none.toml"), scheduling=False,
                         clock=clock)
    await local.start()
    yield local
    await local.close()


@pytest.mark.anyio
async def test_a_clock_jumping_forward_then_back_fires_each_policy_once_and_never_twice(
    backend: LocalBackend, clock: FakeClock
) -> None:
    every_10 = Schedule(kind="cron", cron="*/10 * * * *")
    tasks = {policy: await backend.create_task(TaskSpec(prompt=policy, schedule=every_10,
                                                        catch_up=policy))
             for policy in ("latest", "skip", "all")}

    async def statuses(policy: str) -> Counter[str]:
        page = await backend.list_runs(tasks[policy].id, 100, None)
        return Counter(r.status for r in page.runs)

    clock.advance(hours=3, minutes=5)  # resume from sleep: 18 occurrences passed
    await tick(backend)
    await tick(backend)  # a second pass right away adds nothing: no burst
    assert await statuses("latest") == {"succeeded": 1, "missed": 17}
    assert await statuses("skip") == {"missed": 18}
    all_runs = await statuses("all")
    assert sum(all_runs.values()) == 18 and all_runs["missed"] == 0  # fired one after another

    clock.advance(hours=-1)  # the clock is set back an hour
    for _ in range(3):
        await tick(backend)
    assert await statuses("latest") == {"succeeded": 1, "missed": 17}  # nothing again
    assert await backend.runner._seconds_until_next_wakeup() > 3000  # a long sleep, no busy loop

    clock.advance(hours=1, minutes=10)  # back in step: the next occurrence fires, once
    await tick(backend)
    await tick(backend)
    assert await statuses("latest") == {"succeeded": 2, "missed": 17}
    for task in tasks.values():
        page = await backend.list_runs(task.id, 100, None)
        moments = [r.scheduled_for for r in page.runs]
        assert len(moments) == len(set(moments))


# --- the database locked by another process beyond the busy timeout -------------------------


@pytest.mark.anyio
async def test_a_database_locked_past_the_busy_timeout_is_a_clear_error_and_loses_no_outcome(
    tmp_path: Path,
) -> None:
    db = tmp_path / "locked.db"
    store = SQLiteStore(db, busy_timeout_seconds=0.3)
    assistants = load_assistants(write_assistants(tmp_path / "a.toml", WAIT_ASSISTANT))
    backend = LocalBackend(store, assistants, scheduling=True)
    await backend.start()
    try:
        release = tmp_path / "release"
        due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
        once = Schedule(kind="once", run_at=due.isoformat())
        task = await backend.create_task(TaskSpec(prompt=str(release), assistant_id="wait",
                                                  schedule=once))
        for _ in range(100):
            if [r.status for r in (await backend.list_runs(task.id, 5, None)).runs] == ["running"]:
                break
            await asyncio.sleep(0.1)

        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            with pytest.raises(StoreError) as refused:
                await backend.create_task(TaskSpec(prompt="p", schedule=Schedule(
                    kind="cron", cron="0 9 * * *")))
            assert str(db) in str(refused.value) and "locked" in str(refused.value)
            release.write_text("go")  # the run ends while its outcome cannot be written
            await asyncio.sleep(1.5)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        for _ in range(100):  # retried: written once the lock is gone
            runs = (await backend.list_runs(task.id, 5, None)).runs
            if runs[0].status != "running":
                break
            await asyncio.sleep(0.1)
        assert [(r.status, r.output) for r in runs] == [("succeeded", "released\n")]
        assert (await backend.list_tasks(TaskFilters(), 10, None)).total == 1  # nothing half-made
    finally:
        await backend.close()


# --- the global pause, obeyed by every runner -----------------------------------------------


def test_pause_all_is_obeyed_by_every_runner_within_two_seconds(
    tmp_path: Path, sink: Sink, processes: list, database: Database
) -> None:
    assistants = write_assistants(tmp_path / "a.toml", f"""
default = "hook"
[assistants.hook]
type = "webhook"
url = "{sink.url}"
""")
    env = scheduler_env(database.url, assistants)
    processes.extend(start_scheduler(env) for _ in range(2))
    cli = [sys.executable, "-m", "agentcron"]
    paused = subprocess.run([*cli, "pause-all", "--reason", "deploy freeze"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert paused.returncode == 0 and "paused every task" in paused.stdout, paused.stderr
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    held = create_tasks(database.url, assistants,
                        [TaskSpec(prompt=f"t{i}", schedule=once_at(due)) for i in range(20)])
    assert wait_for(lambda: len(run_rows(database)) == 20, 20)
    rows = run_rows(database)
    assert {r[2] for r in rows} == {"skipped"}
    assert all(r[3].startswith("paused globally since") and "deploy freeze" in r[3] for r in rows)
    assert sink.requests == []

    resumed = subprocess.run([*cli, "resume-all"], env=env, capture_output=True, text=True,
                             timeout=30)
    assert resumed.returncode == 0 and "resumed" in resumed.stdout
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    (fresh,) = create_tasks(database.url, assistants, [TaskSpec(prompt="after", schedule=once_at(due))])
    assert wait_for(lambda: len(sink.requests) == 1, 20)
    time.sleep(1.5)
    assert sink.keys() == [f"{fresh}:{due.strftime('%Y-%m-%dT%H:%M:%SZ')}"]  # nothing caught up
    assert len([r for r in run_rows(database) if r[0] in held]) == 20
