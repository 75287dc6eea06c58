"""Retries, failure alerts and the global pause (DESIGN.md §9), on SQLite and PostgreSQL.

The runner is driven tick by tick on an injectable clock; webhooks go to a real sink on
127.0.0.1 that can fail on purpose.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agentcron.backends.base import TaskFilters
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import to_db
from agentcron.errors import InvalidRequestError
from agentcron.models import Schedule, TaskSpec
from tests.conftest import Database, FakeClock, Sink, backends_on, tick, write_assistants

pytestmark = pytest.mark.anyio
UTC = timezone.utc
START = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)


def assistants_file(tmp_path: Path, sink: Sink) -> Path:
    base = sink.url.rsplit("/", 1)[0]
    return write_assistants(tmp_path / "assistants.toml", f"""
on_failure = "alerts"

[assistants.flaky]
type = "webhook"
url = "{base}/flaky"
retries = 2
retry_backoff_seconds = 10

[assistants.down]
type = "webhook"
url = "{base}/down"
retries = 1
retry_backoff_seconds = 5

[assistants.noted]
type = "webhook"
url = "{base}/noted"
on_failure = "inbox"

[assistants.alerts]
type = "webhook"
url = "{base}/alerts"
""")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def open_backend(tmp_path: Path, sink: Sink, clock: FakeClock,
                       database: Database) -> AsyncIterator[Callable[[], "asyncio.Future[LocalBackend]"]]:
    """Start LocalBackends (each its own runner) on one database; all closed at the end."""
    async with backends_on(database.url, clock, assistants_file(tmp_path, sink)) as start:
        yield start  # type: ignore[misc]


@pytest.fixture
async def backend(open_backend) -> LocalBackend:  # type: ignore[no-untyped-def]
    return await open_backend()


def once_in(clock: FakeClock, minutes: int = 1) -> Schedule:
    return Schedule(kind="once", run_at=(clock() + timedelta(minutes=minutes)).isoformat())


async def only_run(backend: LocalBackend, task_id: str):  # type: ignore[no-untyped-def]
    (run,) = (await backend.list_runs(task_id, 10, None)).runs
    return run


async def test_a_failed_attempt_is_retried_with_backoff_under_one_run_and_one_key(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    sink.failures["/flaky"] = 2
    task = await backend.create_task(TaskSpec(prompt="p", schedule=once_in(clock),
                                              assistant_id="flaky"))
    clock.advance(minutes=1)
    await tick(backend)
    run = await only_run(backend, task.id)
    assert (run.status, run.attempts) == ("retrying", 1)
    assert "HTTP 500" in (run.error or "")
    first_retry = datetime.fromisoformat(run.next_attempt_at)
    assert timedelta(seconds=10) <= first_retry - clock() <= timedelta(seconds=11)  # 10 s + ≤10%

    await tick(backend)  # not due yet: nothing happens
    assert len(sink.to("/flaky")) == 1

    clock.set(first_retry + timedelta(seconds=1))  # shown to the second
    await tick(backend)
    run = await only_run(backend, task.id)
    assert (run.status, run.attempts) == ("retrying", 2)
    second_retry = datetime.fromisoformat(run.next_attempt_at)
    assert timedelta(seconds=20) <= second_retry - clock() <= timedelta(seconds=22)  # doubled

    clock.set(second_retry + timedelta(seconds=1))
    await tick(backend)
    run = await only_run(backend, task.id)
    assert (run.status, run.attempts, run.error) == ("succeeded", 3, None)
    requests = sink.to("/flaky")
    assert [r["json"]["attempt"] for r in requests] == [1, 2, 3]  # type: ignore[index]
    assert {r["headers"]["idempotency-key"] for r in requests} == {  # type: ignore[index]
        f"{task.id}:{run.scheduled_for}"}
    assert sink.to("/alerts") == []  # it ended well: no alert


async def test_the_last_failure_alerts_once_with_the_documented_body(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    sink.failures["/down"] = 99
    task = await backend.create_task(TaskSpec(prompt="p", name="nightly export",
                                              schedule=once_in(clock), assistant_id="down"))
    clock.advance(minutes=1)
    await tick(backend)
    clock.advance(seconds=6)
    await tick(backend)  # attempt 2 fails: final
    await tick(backend)  # the alert goes out
    await tick(backend)  # ... and only once
    run = await only_run(backend, task.id)
    assert (run.status, run.attempts) == ("failed", 2)
    (alert,) = sink.to("/alerts")
    assert alert["headers"]["idempotency-key"] == f"alert:{run.id}"  # type: ignore[index]
    assert alert["json"] == {
        "event": "run.failed", "task_id": task.id, "task_name": "nightly export",
        "run_id": run.id, "scheduled_for": run.scheduled_for, "status": "failed",
        "error": run.error, "attempts": 2, "owner": "local",
    }
    assert run.alert is not None and (run.alert.assistant, run.alert.status) == ("alerts", "sent")


async def test_an_alert_goes_out_once_however_many_runners_look(
    open_backend, clock: FakeClock, sink: Sink  # type: ignore[no-untyped-def]
) -> None:
    sink.failures["/noted"] = 0
    sink.failures["/down"] = 99
    runners = [await open_backend() for _ in range(3)]
    task = await runners[0].create_task(TaskSpec(prompt="p", schedule=once_in(clock),
                                                 assistant_id="down"))
    clock.advance(minutes=1)
    await tick(runners[0])
    clock.advance(seconds=6)
    await tick(runners[0])  # the last attempt fails: the alert is pending
    for _ in range(2):
        await asyncio.gather(*(tick(r) for r in runners))
    assert len(sink.to("/alerts")) == 1
    assert (await only_run(runners[1], task.id)).alert.status == "sent"  # type: ignore[union-attr]


async def test_missed_runs_alert_and_an_alerts_own_failure_is_only_logged(
    backend: LocalBackend, clock: FakeClock, sink: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    sink.failures["/alerts"] = 99
    task = await backend.create_task(TaskSpec(
        prompt="p", schedule=Schedule(kind="cron", cron="*/20 * * * *"), assistant_id="flaky",
        catch_up="skip"))
    clock.advance(hours=1, minutes=5)  # three occurrences passed with no runner
    with caplog.at_level(logging.WARNING, logger="agentcron.runner"):
        await tick(backend)
        await tick(backend)
    runs = (await backend.list_runs(task.id, 10, None)).runs
    assert [r.status for r in runs] == ["missed"] * 3
    assert len(sink.to("/alerts")) == 3  # one attempt per missed run, never an alert of it
    assert {r.alert.status for r in runs if r.alert} == {"failed"}
    assert sum("failure alert of run" in m for m in caplog.messages) == 3
    await tick(backend)
    assert len(sink.to("/alerts")) == 3


async def test_an_inbox_alert_is_a_text_the_agent_reads_in_the_run(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    sink.failures["/noted"] = 1
    task = await backend.create_task(TaskSpec(prompt="p", schedule=once_in(clock),
                                              assistant_id="noted"))
    clock.advance(minutes=1)
    await tick(backend)
    await tick(backend)
    run = await only_run(backend, task.id)
    assert run.status == "failed" and run.alert is not None
    assert (run.alert.assistant, run.alert.status) == ("inbox", "sent")
    assert f"run {run.id} of task {task.id}" in (run.alert.output or "")
    assert "ended failed" in (run.alert.output or "") and "HTTP 500" in (run.alert.output or "")
    assert sink.to("/alerts") == []  # the assistant's own on_failure overrides the top level


async def test_a_pending_retry_survives_a_restart_and_one_runner_takes_it(
    open_backend, clock: FakeClock, sink: Sink  # type: ignore[no-untyped-def]
) -> None:
    sink.failures["/flaky"] = 1
    first = await open_backend()
    task = await first.create_task(TaskSpec(prompt="p", schedule=once_in(clock),
                                            assistant_id="flaky"))
    clock.advance(minutes=1)
    await tick(first)
    await first.close()  # a restart: the retry waits in the database
    runners = [await open_backend(), await open_backend(), await open_backend()]
    clock.advance(seconds=12)
    await asyncio.gather(*(tick(r) for r in runners))
    run = await only_run(runners[0], task.id)
    assert (run.status, run.attempts) == ("succeeded", 2)
    assert len(sink.to("/flaky")) == 2


async def test_an_interrupted_run_is_never_retried(backend: LocalBackend, clock: FakeClock,
                                                   sink: Sink) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=once_in(clock, 60),
                                              assistant_id="flaky"))
    store = backend.store
    store.register_runner("runner_dead", 1, "host", to_db(clock()), 0)
    store.insert_manual_run(task.id, to_db(clock()), "run_orphan", "runner_dead", to_db(clock()))
    clock.advance(seconds=1)
    assert store.reap_interrupted(to_db(clock()), backend.assistants.alert_target) == 1
    clock.advance(minutes=5)
    await tick(backend)
    await tick(backend)
    run = store.get_run("run_orphan")
    assert run is not None and run.status == "failed" and run.attempts == 1
    assert run.error is not None and run.error.startswith("interrupted")
    assert sink.to("/flaky") == []  # never fired again
    assert len(sink.to("/alerts")) == 1  # but the failure is told, once


async def test_list_assistants_shows_each_retry_policy(backend: LocalBackend) -> None:
    infos = {a.name: a for a in (await backend.list_assistants()).assistants}
    assert (infos["flaky"].retries, infos["flaky"].retry_backoff_seconds) == (2, 10)
    assert (infos["down"].retries, infos["down"].retry_backoff_seconds) == (1, 5)
    assert (infos["alerts"].retries, infos["alerts"].on_failure) == (0, "alerts")
    assert infos["noted"].on_failure == "inbox"


async def test_global_pause_skips_due_runs_refuses_run_now_and_catches_nothing_up(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    task = await backend.create_task(TaskSpec(
        prompt="p", schedule=Schedule(kind="cron", cron="*/10 * * * *"), assistant_id="flaky",
        catch_up="all"))
    backend.store.pause_all("deploy freeze", to_db(clock()))
    page = await backend.list_tasks(TaskFilters(), 20, None)
    assert page.paused_all is not None and page.paused_all.reason == "deploy freeze"
    assert page.paused_all.since == "2026-03-11T10:00:00+00:00"
    with pytest.raises(InvalidRequestError, match="agentcron resume-all"):
        await backend.run_task_now(task.id)

    clock.advance(minutes=25)
    await tick(backend)
    runs = (await backend.list_runs(task.id, 10, None)).runs
    assert [r.status for r in runs] == ["skipped", "skipped"]
    assert all(r.error.startswith("paused globally since") and "deploy freeze" in r.error
               for r in runs)  # type: ignore[union-attr]

    assert backend.store.resume_all()
    await tick(backend)  # nothing caught up
    assert len((await backend.list_runs(task.id, 10, None)).runs) == 2
    clock.advance(minutes=10)
    await tick(backend)
    assert [r.status for r in (await backend.list_runs(task.id, 10, None)).runs][0] == "succeeded"
    assert len(sink.to("/flaky")) == 1
