"""Next runs around every 2026 DST transition of many zones, against a brute-force oracle.

The oracle walks real time minute by minute and applies DESIGN.md §3 literally:
* a cron whose hour field is `*` fires at every real minute whose local wall time matches;
* any other cron fires once per matching local wall time: at it if it exists once, at its
  first occurrence if it happens twice, at the first instant after the gap if it is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter

from agentcron.cadence.compiled import CompiledCron
from agentcron.cadence.cron import fires_every_hour, iter_fires, walk_fires

UTC = timezone.utc
ZONES = [
    "America/New_York", "Europe/Berlin", "Europe/London", "Europe/Dublin", "Australia/Sydney",
    "Australia/Lord_Howe", "America/Santiago", "America/Havana", "Pacific/Chatham",
    "Pacific/Auckland", "America/St_Johns", "Africa/Cairo", "America/Asuncion", "Asia/Gaza",
]
CRONS = ["30 2 * * *", "0 0 * * *", "*/15 * * * *", "15 1 * * *", "0 * * * *", "45 23 * * *",
         "0 2 * * 0", "30 0,1,2,3 * * *", "* 2 * * *"]


def transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """UTC instants in `year` where the zone's offset changes (hourly scan, then refine)."""
    found = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    while instant < end:
        if instant.astimezone(zone).utcoffset() != (instant + step).astimezone(zone).utcoffset():
            found.append(instant)
        instant += step
    return found


@lru_cache(maxsize=None)  # shared by the producers tested against it
def oracle(expr: str, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    fires: list[datetime] = []
    if fires_every_hour(expr):
        instant = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while instant <= end:
            wall = instant.astimezone(zone).replace(tzinfo=None)
            if croniter.match(expr, wall):
                fires.append(instant)
            instant += timedelta(minutes=1)
        return fires
    wall = start.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=3)
    last_wall = end.astimezone(zone).replace(tzinfo=None) + timedelta(hours=3)
    while wall <= last_wall:
        if croniter.match(expr, wall):
            first = wall.replace(tzinfo=zone, fold=0)
            exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
            if exists:
                fires.append(first.astimezone(UTC))
            else:  # in a gap: the first real minute after it
                probe = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
                while probe.astimezone(zone).replace(tzinfo=None) < wall:
                    probe += timedelta(minutes=1)
                fires.append(probe)
        wall += timedelta(minutes=1)
    unique = sorted(set(fires))
    return [f for f in unique if start < f <= end]


def described(expr: str, zone: ZoneInfo, start: datetime) -> Iterator[datetime]:
    """What describe_cron and text_to_cron list (with DST notes)."""
    return (instant for instant, _ in iter_fires(expr, zone, start))


def walked(expr: str, zone: ZoneInfo, start: datetime) -> Iterator[datetime]:
    """The runner's single-walk generator."""
    return walk_fires(expr, zone, start)


def compiled(expr: str, zone: ZoneInfo, start: datetime) -> Iterator[datetime]:
    """The runner's cached schedule, asked one occurrence at a time as a task advances."""
    schedule = CompiledCron(expr, zone.key)
    instant = start
    while True:
        instant = schedule.next_after(instant)
        yield instant


@pytest.mark.parametrize("producer", [described, walked, compiled])
@pytest.mark.parametrize("zone_name", ZONES)
def test_next_runs_match_the_oracle_around_every_transition(zone_name: str, producer) -> None:
    zone = ZoneInfo(zone_name)
    for change in transitions(zone, 2026):
        start, end = change - timedelta(hours=8), change + timedelta(hours=8)
        for expr in CRONS:
            expected = oracle(expr, zone, start, end)
            produced = [i.astimezone(UTC) for i in islice(producer(expr, zone, start),
                                                         len(expected) + 1)]
            produced = [p for p in produced if p <= end]
            assert produced == expected, (zone_name, change, expr)


def test_a_shared_compiled_schedule_answers_tasks_at_different_times() -> None:
    """Tasks sharing one compiled schedule ask about any instant, in any order."""
    zone = ZoneInfo("Europe/Berlin")
    schedule = CompiledCron("30 2 * * *", "Europe/Berlin")
    for start in [datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC),
                  datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2027, 3, 27, tzinfo=UTC)]:
        assert schedule.next_after(start) == next(walk_fires("30 2 * * *", zone, start))
