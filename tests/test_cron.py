"""Cron validation, normalisation, dialect and next-run maths (DESIGN.md §3 DST rules)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from agentcron.cadence.cron import (
    both_days_restricted,
    fires_every_hour,
    is_portable,
    iter_fires,
    next_fire,
    normalise_cron,
)
from agentcron.errors import ScheduleError

UTC = timezone.utc


def runs(expr: str, tz: str, after: str, count: int) -> list[str]:
    zone = ZoneInfo(tz)
    start = datetime.fromisoformat(after)
    if start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    return [i.isoformat() for i, _ in islice(iter_fires(expr, zone, start), count)]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0 9 * * MON-FRI", "0 9 * * 1-5"),
        ("0 9 * * mon-fri", "0 9 * * 1-5"),
        ("0 0 * * SUN", "0 0 * * 0"),
        ("0 0 * * 7", "0 0 * * 0"),
        ("0 0 * * 5-7", "0 0 * * 0,5,6"),
        ("0 0 1 JAN,JUL *", "0 0 1 1,7 *"),
        ("0 0 1 jan-mar *", "0 0 1 1-3 *"),
        ("*/15 0-23 * * *", "*/15 * * * *"),
        ("0,15,30,45 * * * *", "*/15 * * * *"),
        ("0 0 1 1,4,7,10 *", "0 0 1 */3 *"),
        ("0 8-18/2 * * 1-5", "0 8-18/2 * * 1-5"),
        ("0 0 ? * 1", "0 0 * * 1"),
        ("0 9 * * 5L", "0 9 * * L5"),
        ("0 9 * * L5", "0 9 * * L5"),
        ("0 9 * * 1#2", "0 9 * * 1#2"),
        ("0 9 * * 7#1", "0 9 * * 0#1"),
        ("0 18 L * *", "0 18 L * *"),
        ("  0   9 *  * 1-5 ", "0 9 * * 1-5"),
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@DAILY", "0 0 * * *"),
        ("0 0 30 2,4 *", "0 0 30 2,4 *"),
        ("0 0 29 2 *", "0 0 29 2 *"),
        ("5 4 * * 0,6", "5 4 * * 0,6"),
        ("0 7,13,19 * * *", "0 7,13,19 * * *"),
    ],
)
def test_normalise_gives_numeric_canonical_fields(given: str, expected: str) -> None:
    assert normalise_cron(given) == expected


@pytest.mark.parametrize(
    ("bad", "mentions"),
    [
        ("", "empty"),
        ("* * *", "5 fields"),
        ("0 0 0 * * *", "5 fields"),
        ("60 * * * *", "minute"),
        ("0 24 * * *", "hour"),
        ("0 0 0 * *", "day-of-month"),
        ("0 0 32 * *", "day-of-month"),
        ("0 0 * 13 *", "month"),
        ("0 0 * 0 *", "month"),
        ("0 0 * * 8", "day-of-week"),
        ("0 0 31 2 *", "never fires"),
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4,6,9,11 *", "never fires"),
        ("0 9 15W * *", "W"),
        ("0 9 * * 1#6", "day-of-week"),
        ("a b c d e", "minute"),
        ("0 9-5 * * *", "backwards"),
        ("*/0 * * * *", "step of 0"),
        ("@reboot", "Unknown cron macro"),
        ("0 0 1,,2 * *", "empty"),
        ("0 0 * FOO *", "month"),
    ],
)
def test_invalid_cron_is_refused_naming_the_problem(bad: str, mentions: str) -> None:
    with pytest.raises(ScheduleError) as info:
        normalise_cron(bad)
    assert mentions in str(info.value)


@pytest.mark.parametrize(
    ("expr", "portable"),
    [("0 9 * * 1-5", True), ("*/5 * * * *", True), ("0 18 L * *", False),
     ("0 9 * * 1#1", False), ("0 9 * * L5", False)],
)
def test_portable_means_classic_cron(expr: str, portable: bool) -> None:
    assert is_portable(expr) is portable


def test_day_of_month_and_week_both_restricted_is_detected() -> None:
    assert both_days_restricted("0 0 1-7 * 1")
    assert not both_days_restricted("0 0 * * 1")
    assert not both_days_restricted("0 0 1 * *")


def test_every_hour_detection_looks_at_the_hour_field() -> None:
    assert fires_every_hour("*/15 * * * *")
    assert fires_every_hour("30 * * * 1-5")
    assert not fires_every_hour("0 */2 * * *")
    assert not fires_every_hour("30 1 * * *")


# --- next runs, DST ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "tz", "after", "expected"),
    [
        # Fall back, New York 2026-11-01 01:00-02:00 happens twice: fixed time fires once, first pass.
        ("30 1 * * *", "America/New_York", "2026-10-31T12:00",
         ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
        # Spring forward, New York 2026-03-08 02:00-03:00 missing: fires once at 03:00.
        ("30 2 * * *", "America/New_York", "2026-03-07T12:00",
         ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
        # Several matches inside the gap still fire only once.
        ("*/15 2 * * *", "America/New_York", "2026-03-07T12:00",
         ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"]),
        # Berlin spring forward 2026-03-29 02:00 -> 03:00.
        ("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00",
         ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]),
        # Berlin fall back 2026-10-25 02:00-03:00 twice.
        ("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00",
         ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]),
        # Hourly crons fire on every real hour: both passes of the repeated hour.
        ("0 * * * *", "America/New_York", "2026-11-01T00:30",
         ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"]),
        ("30 * * * *", "Europe/Berlin", "2026-10-25T01:45",
         ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00"]),
        # ... and the missing hour simply has no run.
        ("30 * * * *", "America/New_York", "2026-03-08T01:00",
         ["2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"]),
        # Lord Howe shifts by 30 minutes (02:00 -> 02:30 on 2026-10-04).
        ("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00",
         ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]),
        # Santiago springs forward at midnight (2026-09-06 00:00 -> 01:00).
        ("0 0 * * *", "America/Santiago", "2026-09-05T12:00",
         ["2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"]),
        # Southern hemisphere fall back: Sydney 2026-04-05 03:00 -> 02:00.
        ("30 2 * * *", "Australia/Sydney", "2026-04-04T12:00",
         ["2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00"]),
        # L, # and L5.
        ("0 18 L * *", "UTC", "2026-02-01T00:00",
         ["2026-02-28T18:00:00+00:00", "2026-03-31T18:00:00+00:00", "2026-04-30T18:00:00+00:00"]),
        ("0 9 * * 1#1", "UTC", "2026-03-11T00:00",
         ["2026-04-06T09:00:00+00:00", "2026-05-04T09:00:00+00:00"]),
        ("0 9 * * L5", "Europe/Berlin", "2026-03-11T00:00",
         ["2026-03-27T09:00:00+01:00", "2026-04-24T09:00:00+02:00"]),
        ("0 20 * * L0", "UTC", "2026-03-11T00:00",
         ["2026-03-29T20:00:00+00:00", "2026-04-26T20:00:00+00:00"]),
        # DOM and DOW both restricted: either matches (Vixie cron).
        ("0 0 13 * 5", "UTC", "2026-03-11T00:00",
         ["2026-03-13T00:00:00+00:00", "2026-03-20T00:00:00+00:00", "2026-03-27T00:00:00+00:00"]),
        # Leap day only.
        ("0 0 29 2 *", "UTC", "2026-03-01T00:00", ["2028-02-29T00:00:00+00:00"]),
    ],
)
def test_next_runs_follow_the_dst_rules(
    expr: str, tz: str, after: str, expected: list[str]
) -> None:
    assert runs(expr, tz, after, len(expected)) == expected


def test_fixed_time_never_fires_twice_on_any_fall_back_day() -> None:
    """Across a whole year in several zones a daily job fires once per local day."""
    for tz in ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago",
               "Australia/Lord_Howe", "America/Havana", "Asia/Tehran", "Pacific/Auckland"]:
        for expr in ["30 1 * * *", "0 0 * * *", "30 2 * * *", "59 23 * * *"]:
            fired = runs(expr, tz, "2026-01-01T00:00", 366)
            days = [f[:10] for f in fired]
            assert len(days) == len(set(days)), (tz, expr)
            gaps = [datetime.fromisoformat(b) - datetime.fromisoformat(a)
                    for a, b in zip(fired, fired[1:])]
            assert all(timedelta(hours=22) <= g <= timedelta(hours=26) for g in gaps), (tz, expr)


def test_every_minute_cron_counts_real_minutes_through_fall_back() -> None:
    zone = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 1, 0, 59, tzinfo=zone)
    fired = [i for i, _ in islice(iter_fires("* * * * *", zone, start), 180)]
    utc = [f.astimezone(UTC) for f in fired]
    assert all(b - a == timedelta(minutes=1) for a, b in zip(utc, utc[1:]))


def test_next_fire_is_strictly_after() -> None:
    zone = ZoneInfo("UTC")
    at = datetime(2026, 3, 11, 9, 0, tzinfo=zone)
    assert next_fire("0 9 * * *", zone, at) == datetime(2026, 3, 12, 9, 0, tzinfo=zone)


def test_next_fire_from_inside_the_repeated_hour() -> None:
    """Starting in the first pass, an hourly job still fires in the second pass."""
    zone = ZoneInfo("America/New_York")
    first_pass = datetime(2026, 11, 1, 1, 50, tzinfo=zone)  # EDT
    nxt = next_fire("*/20 * * * *", zone, first_pass)
    assert nxt.isoformat() == "2026-11-01T01:00:00-05:00"
    assert next_fire("45 1 * * *", zone, first_pass).isoformat() == "2026-11-02T01:45:00-05:00"
