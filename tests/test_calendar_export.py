"""iCalendar export: expanded by an independent reader (recurring-ical-events), its events are
exactly the tasks' next runs, DST days included; RFC 5545 shape; the resources and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from mcp import Client

from agentcron.app import build_server
from agentcron.cadence.timeline import next_runs
from agentcron.views.calendar_export import build_calendar
from agentcron.config import Settings
from agentcron.models import Schedule, Task
from tests.conftest import write_assistants

UTC = timezone.utc


def make_task(task_id: str, schedule: Schedule, *, enabled: bool = True,
              next_run_at: str | None = None, name: str | None = None) -> Task:
    return Task(
        id=task_id, name=name, assistant_id=None, prompt=f"prompt of {task_id}",
        schedule=schedule, description=f"description of {task_id}", enabled=enabled,
        chat_id=None, metadata={}, catch_up="latest", overlap="skip", next_run_at=next_run_at,
        last_run_at=None, created_at=None, updated_at=None, backend="local",
    )


def cron(task_id: str, expr: str, zone: str) -> Task:
    return make_task(task_id, Schedule(kind="cron", cron=expr, timezone=zone))


def expand(text: str, start: datetime, end: datetime) -> dict[str, list[datetime]]:
    """Task id -> expanded instants in (start, end], read back by an independent library."""
    calendar = icalendar.Calendar.from_ical(text)
    found: dict[str, list[datetime]] = defaultdict(list)
    for event in recurring_ical_events.of(calendar).between(start, end + timedelta(seconds=1)):
        instant = event.decoded("DTSTART").astimezone(UTC)
        if start < instant <= end:
            found[str(event["X-AGENTCRON-TASK-ID"])].append(instant)
    return {k: sorted(v) for k, v in found.items()}


def expected_runs(task: Task, start: datetime, end: datetime) -> list[datetime]:
    """The scheduler's own next runs in (start, end], straight from the cadence engine."""
    runs: list[datetime] = []
    cursor = start
    while True:
        batch = next_runs(task.schedule, cursor, 200)
        runs += [r.astimezone(UTC) for r in batch if r <= end]
        if len(batch) < 200 or batch[-1] > end:
            return runs
        cursor = batch[-1]


def events(text: str) -> dict[str, list[icalendar.Event]]:
    by_task: dict[str, list[icalendar.Event]] = defaultdict(list)
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        by_task[str(event["X-AGENTCRON-TASK-ID"])].append(event)
    return by_task


def assert_rfc5545_shape(text: str) -> None:
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "lines folded at 75 octets"
    calendar = icalendar.Calendar.from_ical(text)
    declared = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    used = set()
    for event in calendar.walk("VEVENT"):
        params = event["DTSTART"].params
        if "TZID" in params:
            used.add(params["TZID"])
    assert used <= declared, f"TZIDs without VTIMEZONE: {used - declared}"
    assert len(declared) == len(calendar.walk("VTIMEZONE")), "one VTIMEZONE per TZID"


# Windows that contain DST changes: Europe spring forward 2026-03-29 and fall back 2026-10-25,
# the USA 2026-03-08 and 2026-11-01.
SPRING = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)

TASKS = [
    cron("weekdays", "0 9 * * 1-5", "Europe/Berlin"),          # exact rule across DST
    cron("gap", "30 2 * * *", "Europe/Berlin"),                # 02:30 missing on spring day
    cron("repeat", "30 2 * * *", "Europe/Berlin"),             # 02:30 twice on the autumn day
    cron("nyrepeat", "30 1 * * *", "America/New_York"),        # 01:30 twice on 2026-11-01
    cron("halfhourly", "*/30 * * * *", "Europe/Berlin"),      # every real half hour
    cron("kolkata", "15 * * * *", "Asia/Kolkata"),             # half-hour offset zone
    cron("monthly", "0 8 1,15 * *", "Australia/Sydney"),       # southern hemisphere DST
    cron("ordays", "0 12 13 * 5", "UTC"),                      # day-of-month OR day-of-week
    cron("lastday", "0 18 L * *", "Europe/London"),            # croniter's L
    make_task("every90", Schedule(kind="interval", interval_seconds=5400, timezone="Europe/Berlin"),
              next_run_at="2026-03-20T13:10:00+00:00"),
    make_task("oneoff", Schedule(kind="once", run_at="2026-03-29T03:30:00+02:00",
                                 timezone="Europe/Berlin")),
]


def interval_expected(task: Task, start: datetime, end: datetime) -> list[datetime]:
    assert task.next_run_at and task.schedule.interval_seconds
    first = datetime.fromisoformat(task.next_run_at)
    runs = [first] + next_runs(task.schedule, first, 5000, anchor=first)
    return [r.astimezone(UTC) for r in runs if start < r <= end]


@pytest.mark.parametrize("now", [SPRING, AUTUMN], ids=["spring-forward", "fall-back"])
def test_expanded_events_are_exactly_the_next_runs_dst_days_included(now: datetime) -> None:
    text = build_calendar(TASKS, now, 30)
    assert_rfc5545_shape(text)
    end = now + timedelta(days=30)
    got = expand(text, now, end)
    for task in TASKS:
        want = (interval_expected(task, now, end) if task.schedule.kind == "interval"
                else expected_runs(task, now, end))
        assert got.get(task.id, []) == want, task.id


def test_rrule_only_where_exact_else_one_event_per_run() -> None:
    by_task = events(build_calendar(TASKS, SPRING, 30))
    # A fixed time that never meets a DST gap or repeat: one recurring event with TZID.
    (weekdays,) = by_task["weekdays"]
    assert weekdays["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert weekdays["RRULE"]["FREQ"] == ["DAILY"]
    assert weekdays["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"]
    # 02:30 does not exist on 2026-03-29 in Berlin: the run moves to 03:00, a rule would not.
    # So: a rule up to the 28th, the 29th's run on its own, a rule from the 30th.
    gap = by_task["gap"]
    rules = [e for e in gap if "RRULE" in e]
    singles = [e for e in gap if "RRULE" not in e]
    assert len(rules) == 2 and len(singles) == 1
    assert [str(e.decoded("DTSTART").date()) for e in rules] == ["2026-03-21", "2026-03-30"]
    assert rules[0]["RRULE"]["UNTIL"][0] == datetime(2026, 3, 28, 1, 30, tzinfo=UTC)
    assert singles[0].decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert singles[0]["DTSTART"].params["TZID"] == "Europe/Berlin"  # 03:00 CEST is unambiguous
    # Vixie OR semantics has no RRULE equivalent; intervals are a UTC rule.
    assert all("RRULE" not in e for e in by_task["ordays"])
    (every90,) = by_task["every90"]
    assert every90["RRULE"]["FREQ"] == ["MINUTELY"] and every90["RRULE"]["INTERVAL"] == [90]
    (halfhourly,) = by_task["halfhourly"]
    assert halfhourly["RRULE"]["FREQ"] == ["HOURLY"]


def test_repeated_hour_second_pass_is_written_in_utc() -> None:
    """Hourly crons fire in both passes of a repeated hour; the second pass has no TZID form."""
    text = build_calendar([cron("hourly", "0 * * * *", "Europe/Berlin")], AUTUMN, 7)
    got = expand(text, AUTUMN, AUTUMN + timedelta(days=7))["hourly"]
    assert datetime(2026, 10, 25, 0, 0, tzinfo=UTC) in got  # 02:00 CEST
    assert datetime(2026, 10, 25, 1, 0, tzinfo=UTC) in got  # 02:00 CET, the repeat


@pytest.mark.parametrize(("expr", "zone", "now", "days"), [
    ("* * * * *", "Europe/Berlin", datetime(2026, 10, 24, 12, 0, tzinfo=UTC), 2),  # repeat both passes
    ("*/7 * * * *", "America/New_York", datetime(2026, 3, 7, 12, 0, tzinfo=UTC), 2),  # gap skipped
    ("10,40 * * * *", "Asia/Kolkata", datetime(2026, 3, 20, 12, 0, tzinfo=UTC), 3),  # +05:30
    ("0 * * * *", "Australia/Lord_Howe", datetime(2026, 10, 3, 0, 0, tzinfo=UTC), 2),  # half-hour DST
])
def test_hourly_and_finer_crons(expr: str, zone: str, now: datetime, days: int) -> None:
    task = cron("fine", expr, zone)
    text = build_calendar([task], now, days)
    end = now + timedelta(days=days)
    assert expand(text, now, end)["fine"] == expected_runs(task, now, end)
    rules = [e for e in events(text)["fine"] if "RRULE" in e]
    assert bool(rules) == (zone != "Australia/Lord_Howe")  # a minutes-moving DST has no rule


@pytest.mark.parametrize(("expr", "zone"), [
    ("0,30 2,3 * * *", "Europe/Berlin"),        # 02:00 and 02:30 both shift to 03:00, itself listed
    ("30 1 * * *", "America/New_York"),          # 01:30 twice on 2026-11-01: the first only
    ("* 2 * * *", "Europe/Berlin"),              # 60 gap times fire once
])
def test_rules_cut_around_dst_days_expand_to_the_runs(expr: str, zone: str) -> None:
    for now in (SPRING, AUTUMN):
        task = cron("cut", expr, zone)
        text = build_calendar([task], now, 30)
        assert_rfc5545_shape(text)
        end = now + timedelta(days=30)
        assert expand(text, now, end).get("cut", []) == expected_runs(task, now, end)


def test_a_busy_cron_over_a_year_is_one_exact_rule() -> None:
    """141,000 runs a year: one rule, whose expansion still matches the scheduler (checked on
    a slice, since listing a year of runs is what the rule avoids)."""
    task = cron("busy", "* 9-17 * * 1-5", "Europe/Berlin")
    text = build_calendar([task], SPRING, 366)
    (event,) = events(text)["busy"]
    assert event["RRULE"]["FREQ"] == ["DAILY"]
    end = SPRING + timedelta(days=6)
    assert expand(text, SPRING, end)["busy"] == expected_runs(task, SPRING, end)


def test_paused_tasks_and_bounds() -> None:
    paused = make_task("paused", Schedule(kind="cron", cron="0 9 * * *", timezone="UTC"),
                       enabled=False)
    assert "BEGIN:VEVENT" not in build_calendar([paused], SPRING, 30)
    one_day = expand(build_calendar([cron("d", "0 9 * * *", "UTC")], SPRING, 1), SPRING,
                     SPRING + timedelta(days=1))
    assert one_day["d"] == [datetime(2026, 3, 21, 9, 0, tzinfo=UTC)]
    for bad in (0, 367):
        with pytest.raises(ValueError):
            build_calendar([], SPRING, bad)


# --- through MCP and the CLI ----------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    assistants = write_assistants(tmp_path / "assistants.toml", "")
    return Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="off")


def _stamp(text: str) -> datetime:
    """The export's `now` (DTSTAMP), so the test computes the same window."""
    first = next(iter(icalendar.Calendar.from_ical(text).walk("VEVENT")))
    return first.decoded("DTSTAMP").astimezone(UTC)


@pytest.mark.anyio
async def test_calendar_resources_through_mcp(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        created: dict[str, Any] = {}
        for schedule, zone in (("every weekday at 9am", "Europe/Berlin"),
                               ("every day at 2:30am", "America/New_York"),
                               ("every 90 minutes", "UTC")):
            result = await client.call_tool("create_scheduled_task", {
                "prompt": f"task {schedule}", "schedule": schedule, "timezone": zone})
            assert not result.is_error, result.content
            assert result.structured_content
            created[schedule] = result.structured_content
        paused = await client.call_tool("create_scheduled_task", {
            "prompt": "paused", "schedule": "every day at noon", "enabled": False})
        assert paused.structured_content

        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert "agentcron://tasks/{task_id}/calendar.ics{?days}" in templates
        assert "agentcron://calendar.ics{?days}" in templates

        whole = (await client.read_resource("agentcron://calendar.ics")).contents[0]
        assert whole.mime_type == "text/calendar"
        text = whole.text  # type: ignore[union-attr]
        assert_rfc5545_shape(text)
        now = _stamp(text)
        end = now + timedelta(days=30)
        got = expand(text, now, end)
        assert paused.structured_content["id"] not in got
        for task_json in created.values():
            task = Task.model_validate(task_json)
            want = (interval_expected(task, now, end) if task.schedule.kind == "interval"
                    else expected_runs(task, now, end))
            assert got[task.id] == want, task.id
            assert want[0].isoformat() == datetime.fromisoformat(task.next_run_at or "").astimezone(UTC).isoformat()

        one = created["every weekday at 9am"]["id"]
        single = (await client.read_resource(f"agentcron://tasks/{one}/calendar.ics")).contents[0]
        assert set(expand(single.text, now, end)) == {one}  # type: ignore[union-attr]
        week = (await client.read_resource("agentcron://calendar.ics?days=7")).contents[0]
        assert max(max(v) for v in expand(week.text, now, end).values()) <= now + timedelta(days=7)  # type: ignore[union-attr]
        task_json = (await client.read_resource(f"agentcron://tasks/{one}")).contents[0]
        assert '"id"' in task_json.text  # type: ignore[union-attr]  # the JSON resource still routes


def test_cli_prints_the_same_icalendar(settings: Settings, tmp_path: Path) -> None:
    env = {**os.environ, "AGENTCRON_DB": str(settings.db),
           "AGENTCRON_ASSISTANTS": str(settings.assistants), "AGENTCRON_RUNNER": "off"}
    import anyio

    async def seed() -> str:
        async with Client(build_server(settings)) as client:
            result = await client.call_tool("create_scheduled_task", {
                "prompt": "standup", "schedule": "every weekday at 9am",
                "timezone": "Europe/Berlin", "name": "Standup"})
            assert result.structured_content
            return str(result.structured_content["id"])

    task_id = anyio.run(seed)
    out = subprocess.run([sys.executable, "-m", "agentcron", "calendar", "--days", "10"],
                         env=env, capture_output=True, check=True)
    text = out.stdout.decode()
    assert_rfc5545_shape(text)
    now = _stamp(text)
    task = Task.model_validate({**make_task(task_id, Schedule(
        kind="cron", cron="0 9 * * 1-5", timezone="Europe/Berlin")).model_dump()})
    assert expand(text, now, now + timedelta(days=10))[task_id] == expected_runs(
        task, now, now + timedelta(days=10))
    only = subprocess.run([sys.executable, "-m", "agentcron", "calendar", "--task", task_id],
                          env=env, capture_output=True, check=True)
    assert "SUMMARY:Standup" in only.stdout.decode()
    for bad in ("0", "367"):
        refused = subprocess.run([sys.executable, "-m", "agentcron", "calendar", "--days", bad],
                                 env=env, capture_output=True, text=True)
        assert refused.returncode == 2 and "--days must be between 1 and 366" in refused.stderr


def rule_task(task_id: str, value: str, starts_at: str, zone: str) -> Task:
    return make_task(task_id, Schedule(kind="rrule", rrule=value, starts_at=starts_at,
                                       timezone=zone))


def test_a_calendar_rule_is_written_as_its_own_rrule_where_exact() -> None:
    """DESIGN.md §11: the task's own RRULE (from its first run in the window, in phase),
    and one event per run where a DST day or a COUNT would make the rule disagree."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=60)
    fortnightly = rule_task("fortnightly", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
                            "2026-02-23T09:00:00+01:00", "Europe/Berlin")
    in_gap = rule_task("in_gap", "FREQ=DAILY;INTERVAL=3;BYHOUR=2;BYMINUTE=30",
                       "2026-03-02T02:30:00+01:00", "Europe/Berlin")
    counted = rule_task("counted", "FREQ=DAILY;COUNT=40;BYHOUR=8;BYMINUTE=0",
                        "2026-02-10T08:00:00+01:00", "Europe/Berlin")
    tasks = [fortnightly, in_gap, counted]
    text = build_calendar(tasks, start, 60)
    by_task = events(text)
    (own,) = by_task["fortnightly"]
    assert own["RRULE"]["FREQ"] == ["WEEKLY"] and own["RRULE"]["INTERVAL"] == [2]
    assert own["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(own.decoded("DTSTART").date()) == "2026-03-09"  # in phase with 2026-02-23
    assert all("RRULE" not in e for e in by_task["in_gap"] + by_task["counted"])
    got = expand(text, start, end)
    for task in tasks:
        assert got.get(task.id, []) == expected_runs(task, start, end), task.id
