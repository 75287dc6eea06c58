"""Runner semantics with an injectable clock: DST days, catch-up, overlap, one-offs, timeouts,
interrupted runs. The runner is driven tick by tick; nothing sleeps for real minutes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store, to_db
from agentcron.models import Schedule, TaskPatch, TaskSpec
from tests.conftest import Database, FakeClock, tick, write_assistants

pytestmark = pytest.mark.anyio
UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

ASSISTANTS = f"""
[assistants.wait]
type = "command"
argv = ["{sys.executable}", "-c", "import os, sys, time\\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.02)\\nprint('released')", "{{prompt}}"]
timeout_seconds = 20

[assistants.slow]
type = "command"
argv = ["{sys.executable}", "-c", "import time; time.sleep(30)"]
timeout_seconds = 1

[assistants.loud]
type = "command"
argv = ["{sys.executable}", "-c", "print('x' * 200000)"]
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 11, 10, 0, tzinfo=UTC))


@pytest.fixture
async def backend(tmp_path: Path, clock: FakeClock, database: Database) -> AsyncIterator[LocalBackend]:
    store = open_store(database.url)
    assistants = load_assistants(write_assistants(tmp_path / "assistants.toml", ASSISTANTS),
                                 conversations=store)
    local = LocalBackend(store, assistants, scheduling=False, clock=clock)
    await local.start()
    try:
        yield local
    finally:
        await local.close()
        store.close()


async def statuses(backend: LocalBackend, task_id: str) -> list[tuple[str, str]]:
    page = await backend.list_runs(task_id, 100, None)
    return [(r.scheduled_for, r.status) for r in reversed(page.runs)]


def cron(expr: str, tz: str = "UTC") -> Schedule:
    return Schedule(kind="cron", cron=expr, timezone=tz)


async def test_spring_forward_job_fires_once_right_after_the_gap(backend, clock) -> None:
    clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN))
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("30 2 * * *", "Europe/Berlin")))
    assert task.next_run_at == "2026-03-29T03:00:00+02:00"
    clock.set(datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN))
    await tick(backend)
    assert await statuses(backend, task.id) == [("2026-03-29T01:00:00Z", "succeeded")]
    assert (await backend.get_task(task.id)).next_run_at == "2026-03-30T02:30:00+02:00"


async def test_fall_back_fixed_time_fires_once_hourly_fires_twice(backend, clock) -> None:
    clock.set(datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK))
    daily = await backend.create_task(TaskSpec(prompt="d", schedule=cron("30 1 * * *", "America/New_York")))
    hourly = await backend.create_task(TaskSpec(prompt="h", schedule=cron("30 * * * *", "America/New_York")))
    clock.set(datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK))
    await tick(backend)  # catch-up of the hourly job up to 00:00 is not due yet
    start = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    for minute in range(0, 181, 5):  # walk to 02:00 EST in real 5-minute steps
        clock.set(start + timedelta(minutes=minute))
        await tick(backend)
    assert await statuses(backend, daily.id) == [("2026-11-01T05:30:00Z", "succeeded")]
    hourly_runs = [s for s, _ in await statuses(backend, hourly.id)]
    assert "2026-11-01T05:30:00Z" in hourly_runs and "2026-11-01T06:30:00Z" in hourly_runs


async def test_catch_up_latest_fires_newest_missed_and_records_the_rest(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("*/10 * * * *")))
    clock.advance(minutes=35)  # the runner was down: 10:10, 10:20, 10:30 passed
    await tick(backend)
    assert await statuses(backend, task.id) == [
        ("2026-03-11T10:10:00Z", "missed"),
        ("2026-03-11T10:20:00Z", "missed"),
        ("2026-03-11T10:30:00Z", "succeeded"),
    ]
    assert (await backend.get_task(task.id)).next_run_at == "2026-03-11T10:40:00+00:00"


async def test_catch_up_latest_respects_the_grace_window(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("0 */2 * * *")))
    clock.advance(hours=5, minutes=30)  # 12:00 and 14:00 passed; the newer is 1.5 h old
    await tick(backend)
    assert await statuses(backend, task.id) == [
        ("2026-03-11T12:00:00Z", "missed"), ("2026-03-11T14:00:00Z", "missed")]


async def test_catch_up_skip_records_every_missed_run(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("*/10 * * * *"), catch_up="skip"))
    clock.advance(minutes=35)
    await tick(backend)
    assert [s for _, s in await statuses(backend, task.id)] == ["missed"] * 3


async def test_catch_up_all_fires_every_missed_run_one_after_another(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("*/10 * * * *"), catch_up="all"))
    clock.advance(minutes=35)
    for _ in range(5):
        await tick(backend)
    runs = await statuses(backend, task.id)
    assert runs == [
        ("2026-03-11T10:10:00Z", "succeeded"),
        ("2026-03-11T10:20:00Z", "succeeded"),
        ("2026-03-11T10:30:00Z", "succeeded"),
    ]


async def test_on_time_runs_are_not_missed(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("*/10 * * * *"), catch_up="skip"))
    clock.set(datetime(2026, 3, 11, 10, 10, 30, tzinfo=UTC))  # 30 s late: a busy runner
    await tick(backend)
    assert await statuses(backend, task.id) == [("2026-03-11T10:10:00Z", "succeeded")]


async def _wait_for_status(backend: LocalBackend, task_id: str, wanted: str) -> None:
    for _ in range(200):
        if wanted in [s for _, s in await statuses(backend, task_id)]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {wanted} run: {await statuses(backend, task_id)}")


async def test_overlap_skip_and_queue(backend, clock, tmp_path: Path) -> None:
    release = tmp_path / "release"
    skip = await backend.create_task(TaskSpec(
        prompt=str(release), schedule=cron("* * * * *"), assistant_id="wait", overlap="skip"))
    queue = await backend.create_task(TaskSpec(
        prompt=str(release), schedule=cron("* * * * *"), assistant_id="wait", overlap="queue"))
    clock.advance(minutes=1)
    first = await backend.runner.tick()
    await _wait_for_status(backend, skip.id, "running")
    clock.advance(minutes=1)
    await backend.runner.tick()
    clock.advance(minutes=1)
    await backend.runner.tick()
    assert [s for _, s in await statuses(backend, skip.id)] == ["running", "skipped", "skipped"]
    assert [s for _, s in await statuses(backend, queue.id)] == ["running", "queued", "skipped"]
    release.write_text("go")
    await asyncio.wait(first, timeout=10)
    queued = await backend.runner.tick()
    await asyncio.wait(queued, timeout=10)
    assert [s for _, s in await statuses(backend, queue.id)] == ["succeeded", "succeeded", "skipped"]
    assert [s for _, s in await statuses(backend, skip.id)] == ["succeeded", "skipped", "skipped"]


async def test_one_off_fires_once_then_disables_itself_and_keeps_history(backend, clock) -> None:
    when = datetime(2026, 3, 11, 10, 5, tzinfo=UTC)
    task = await backend.create_task(TaskSpec(
        prompt="remind me", schedule=Schedule(kind="once", run_at=when.isoformat())))
    clock.set(when)
    await tick(backend)
    clock.advance(hours=2)
    await tick(backend)
    after = await backend.get_task(task.id)
    assert after.enabled is False and after.next_run_at is None
    page = await backend.list_runs(task.id, 10, None)
    assert [(r.status, r.output) for r in page.runs] == [("succeeded", "remind me")]


async def test_interval_counts_elapsed_time_across_dst(backend, clock) -> None:
    clock.set(datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN))
    task = await backend.create_task(TaskSpec(
        prompt="p", schedule=Schedule(kind="interval", interval_seconds=5400, timezone="Europe/Berlin")))
    assert task.next_run_at == "2026-03-29T01:30:00+01:00"
    clock.advance(minutes=90)
    await tick(backend)
    assert (await backend.get_task(task.id)).next_run_at == "2026-03-29T04:00:00+02:00"


async def test_timeout_is_recorded_as_timed_out(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("* * * * *"), assistant_id="slow"))
    clock.advance(minutes=1)
    await tick(backend)
    page = await backend.list_runs(task.id, 10, None)
    assert page.runs[0].status == "timed_out"
    assert "timed out after 1 s" in (page.runs[0].error or "")


async def test_output_is_truncated_at_64_kib_and_says_so(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("* * * * *"), assistant_id="loud"))
    clock.advance(minutes=1)
    await tick(backend)
    run = (await backend.list_runs(task.id, 10, None)).runs[0]
    assert run.status == "succeeded"
    assert run.output is not None and len(run.output.encode()) <= 64 * 1024
    assert run.output.endswith("[output truncated to 64 KiB]")


async def test_run_whose_runner_lease_expired_is_marked_interrupted(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("0 * * * *")))
    store = backend.store
    store.register_runner("runner_dead", 1, "host", to_db(clock()), 0)
    store.insert_manual_run(task.id, to_db(clock()), "run_orphan", "runner_dead", to_db(clock()))
    clock.advance(seconds=31)
    assert store.reap_interrupted(to_db(clock())) == 1
    run = store.get_run("run_orphan")
    assert run is not None and run.status == "failed" and run.error.startswith("interrupted")


async def test_paused_task_does_not_fire_and_resumes_from_now(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=cron("*/10 * * * *")))
    await backend.update_task(task.id, TaskPatch(enabled=False))
    clock.advance(minutes=45)
    await tick(backend)
    assert await statuses(backend, task.id) == []
    resumed = await backend.update_task(task.id, TaskPatch(enabled=True))
    assert resumed.next_run_at == "2026-03-11T10:50:00+00:00"


def rule(value: str, starts_at: str, tz: str = "UTC") -> Schedule:
    return Schedule(kind="rrule", rrule=value, starts_at=starts_at, timezone=tz)


async def test_every_other_day_rule_fires_on_its_days_only(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=rule(
        "FREQ=DAILY;INTERVAL=2;BYHOUR=9;BYMINUTE=0", "2026-03-12T09:00:00+00:00")))
    assert task.next_run_at == "2026-03-12T09:00:00+00:00"
    clock.set(datetime(2026, 3, 12, 9, 0, 5, tzinfo=UTC))
    await tick(backend)
    assert (await backend.get_task(task.id)).next_run_at == "2026-03-14T09:00:00+00:00"
    clock.set(datetime(2026, 3, 13, 9, 0, 5, tzinfo=UTC))
    await tick(backend)  # an off day: nothing
    assert await statuses(backend, task.id) == [("2026-03-12T09:00:00Z", "succeeded")]


async def test_a_rule_past_its_end_disables_its_task_and_keeps_history(backend, clock) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=rule(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0;UNTIL=20260330T235959Z",
        "2026-03-16T09:00:00+01:00", "Europe/Berlin")))
    assert task.next_run_at == "2026-03-16T09:00:00+01:00"
    clock.set(datetime(2026, 3, 16, 8, 0, 5, tzinfo=UTC))
    await tick(backend)
    assert (await backend.get_task(task.id)).next_run_at == "2026-03-30T09:00:00+02:00"  # DST
    clock.set(datetime(2026, 3, 30, 7, 0, 5, tzinfo=UTC))
    await tick(backend)
    done = await backend.get_task(task.id)
    assert done.enabled is False and done.next_run_at is None
    assert [s for _, s in await statuses(backend, task.id)] == ["succeeded", "succeeded"]
