"""on_success deliveries with real `agentcron scheduler` processes on one database (SQLite and
PostgreSQL): each succeeded run's output delivered exactly once across three daemons, and a
delivery left pending by a daemon killed with SIGKILL delivered once by the next one."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agentcron.models import TaskSpec
from tests.conftest import Database, Sink, write_assistants
from tests.test_multiprocess import (
    assert_intact,
    create_tasks,
    once_at,
    scheduler_env,
    start_scheduler,
    wait_for,
)


@pytest.fixture
def daemons() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def deliveries(database: Database) -> dict[str, tuple[str, str | None, int]]:
    """run id -> (run status, delivery status, delivery attempts)."""
    rows = database.rows("SELECT id, status, delivery_status, delivery_attempts FROM runs")
    return {str(r["id"]): (str(r["status"]), r["delivery_status"],  # type: ignore[misc]
                           int(r["delivery_attempts"])) for r in rows}  # type: ignore[arg-type]


def test_three_daemons_deliver_each_output_exactly_once(tmp_path: Path, sink: Sink,
                                                         daemons: list, database: Database) -> None:
    assistants = write_assistants(tmp_path / "a.toml", f"""
on_success = "notify"

[assistants.notify]
type = "webhook"
url = "{sink.url}"
""")
    env = scheduler_env(database.url, assistants)
    daemons.extend(start_scheduler(env) for _ in range(3))
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=4)
    count = 60
    create_tasks(database.url, assistants,
                 [TaskSpec(prompt=f"report {i}", schedule=once_at(due)) for i in range(count)])
    assert wait_for(lambda: len(sink.requests) >= count, timeout=60)
    time.sleep(2)  # room for a duplicate to show up
    states = deliveries(database)
    assert len(states) == count
    assert set(states.values()) == {("succeeded", "delivered", 1)}
    keys = sink.keys()
    assert sorted(keys) == sorted(f"deliver:{run_id}" for run_id in states)  # once each
    assert {r["json"]["output"] for r in sink.requests} == {  # type: ignore[index]
        f"report {i}" for i in range(count)}
    for process in daemons:
        process.send_signal(signal.SIGTERM)
    assert [p.wait(timeout=10) for p in daemons] == [0, 0, 0]


def test_a_delivery_pending_when_its_daemon_is_killed_is_delivered_once_later(
    tmp_path: Path, sink: Sink, daemons: list, database: Database
) -> None:
    assistants = write_assistants(tmp_path / "a.toml", f"""
on_success = "notify"

[assistants.notify]
type = "webhook"
url = "{sink.url}"
retries = 3
retry_backoff_seconds = 4
""")
    sink.failures["/hook"] = 1  # the first attempt fails: the delivery waits 4 s
    env = scheduler_env(database.url, assistants, lease=3)
    first = start_scheduler(env)
    daemons.append(first)
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    create_tasks(database.url, assistants, [TaskSpec(prompt="digest", schedule=once_at(due))])
    assert wait_for(lambda: ("succeeded", "pending", 1) in deliveries(database).values(), 30)
    first.kill()  # SIGKILL with the delivery pending
    first.wait(timeout=10)
    daemons.append(start_scheduler(env))
    assert wait_for(lambda: ("succeeded", "delivered", 2) in deliveries(database).values(), 30)
    time.sleep(1.5)  # room for a duplicate to show up
    (run_id,) = deliveries(database)
    assert sink.keys() == [f"deliver:{run_id}"] * 2  # the failed attempt, then one delivery
    assert_intact(database)
