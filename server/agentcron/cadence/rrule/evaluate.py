"""Calendar rules (DESIGN.md §11): an RFC 5545 RRULE evaluated on wall-clock time in the
schedule's zone with python-dateutil, then mapped to instants by the DST rules of §3.

Why wall-clock time: "every other monday at 9am" means 09:00 on the clock whatever the UTC
offset is that day; dateutil walks naive local times and `cron._instants_of` maps each one
exactly as it does for cron (a time in a gap fires once at the first instant after it, a
repeated time once at its first occurrence; rules whose hours are all 24 hours follow real
hours like an hourly cron).

`compile_rule` builds a rule once per (rrule, starts_at, zone) and caches it; `next_after` then
bisects a lazily grown list of wall times, so planning the next fire never rebuilds dateutil
objects and costs O(log n) plus the occurrences newly generated.

Runner use: `compile_rule(task.rrule, task.starts_at, task.timezone).next_after(after)` is the
first fire strictly after `after`; None means the rule has ended (UNTIL or COUNT reached), so
the task disables itself after its last fire and keeps its history, like a one-off.
`iter_after(after)` walks several fires (catch-up).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from agentcron.cadence.cron import _fold_length, _instants_of
from agentcron.cadence.zones import zone
from agentcron.errors import ScheduleError

UTC = timezone.utc
ALL_HOURS = frozenset(range(24))
# Keys agentcron writes and reads; anything else in a raw RRULE is refused by name.
KNOWN_KEYS = (
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO",
    "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS", "WKST",
)
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY")
RULE_HELP = (
    "Write e.g. 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0', optionally after "
    "a 'DTSTART;TZID=Europe/Berlin:20261201T090000' line."
)
_EXTEND_CHUNK = 64
MAX_KEPT = 20_000  # wall times kept per rule: bounded memory for minutely rules


def split_rule(value: str) -> dict[str, str]:
    """'FREQ=DAILY;INTERVAL=2' -> {'FREQ': 'DAILY', 'INTERVAL': '2'} (keys upper-cased)."""
    parts: dict[str, str] = {}
    for item in value.strip().strip(";").split(";"):
        key, sep, val = item.partition("=")
        key = key.strip().upper()
        if not sep or not key or not val.strip():
            raise ScheduleError(f"The RRULE part {item!r} is not KEY=VALUE. {RULE_HELP}")
        if key not in KNOWN_KEYS:
            raise ScheduleError(f"The RRULE key {key!r} is not an RFC 5545 rule part. {RULE_HELP}")
        if key in parts:
            raise ScheduleError(f"The RRULE gives {key} twice. {RULE_HELP}")
        parts[key] = val.strip().upper()
    if parts.get("FREQ") not in FREQUENCIES:
        raise ScheduleError(
            f"The RRULE needs FREQ=YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY or MINUTELY "
            f"(got {parts.get('FREQ')!r}). {RULE_HELP}"
        )
    return parts


ORDER = ("FREQ", "INTERVAL", "WKST", "COUNT", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY",
         "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS")


def join_rule(parts: dict[str, str]) -> str:
    """The canonical RRULE value: keys in a fixed order, INTERVAL=1 left out."""
    items = [(k, parts[k]) for k in ORDER if k in parts]
    return ";".join(f"{k}={v}" for k, v in items if not (k == "INTERVAL" and v == "1"))


def parse_until(value: str) -> datetime:
    """An UNTIL value ('20261215T225959Z', or a date) as an aware UTC instant."""
    text = value.strip().upper()
    try:
        if text.endswith("Z"):
            return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if "T" in text:
            return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return datetime.strptime(text, "%Y%m%d").replace(tzinfo=UTC) + timedelta(days=1, seconds=-1)
    except ValueError:
        raise ScheduleError(
            f"UNTIL={value!r} is not a date-time like 20261215T225959Z. {RULE_HELP}"
        ) from None


def format_until(instant: datetime) -> str:
    """An instant as an RRULE UNTIL value in UTC with 'Z'."""
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local_wall(starts_at: str, tz: object) -> datetime:
    """The naive local wall time a `starts_at` stands for.

    Written in the schedule's zone, the wall time is taken as written, so a DTSTART inside a
    DST gap ('02:30+01:00' on a spring-forward day) keeps its wall time; any other offset is
    converted into the zone first.
    """
    parsed = datetime.fromisoformat(starts_at.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed.replace(second=0, microsecond=0)
    wall = parsed.replace(tzinfo=None)
    offsets = {wall.replace(tzinfo=tz, fold=f).utcoffset() for f in (0, 1)}  # type: ignore[arg-type]
    if parsed.utcoffset() not in offsets:
        wall = parsed.astimezone(tz).replace(tzinfo=None)  # type: ignore[arg-type]
    return wall.replace(second=0, microsecond=0)


def format_start(wall: datetime, tz: object) -> str:
    """A local wall time as `starts_at`: ISO 8601 with the zone's offset (fold 0)."""
    return wall.replace(tzinfo=tz, second=0, microsecond=0).isoformat()  # type: ignore[arg-type]


def build_rrule(parts: dict[str, str], start_wall: datetime) -> rrule:
    """A dateutil rule over naive wall times (UNTIL is kept out: it is checked on instants)."""
    body = {k: v for k, v in parts.items() if k != "UNTIL"}
    try:
        built = rrulestr(join_rule(body), dtstart=start_wall)
    except (ValueError, TypeError) as why:
        raise ScheduleError(
            f"The RRULE {join_rule(parts)!r} is not valid ({why}). {RULE_HELP}"
        ) from None
    assert isinstance(built, rrule)
    return built


class CompiledRule:
    """One rule in one zone, ready to answer "when next?" cheaply and thread-safely."""

    def __init__(self, rule_value: str, starts_at: str, timezone_name: str) -> None:
        self.tz = zone(timezone_name)
        self.parts = split_rule(rule_value)
        self.until = parse_until(self.parts["UNTIL"]) if "UNTIL" in self.parts else None
        self.start_wall = local_wall(starts_at, self.tz)
        hours = self.parts.get("BYHOUR")
        self.every_hour = (
            self.parts["FREQ"] in ("HOURLY", "MINUTELY") and hours is None
        ) or (hours is not None and {int(h) for h in hours.split(",")} == ALL_HOURS)
        self._rule = build_rrule(self.parts, self.start_wall)
        self._lock = threading.RLock()
        self._restart()

    def _restart(self) -> None:
        """Walk the rule again from its DTSTART (needed only after old times were dropped)."""
        self._walls: list[datetime] = []
        self._source: Iterator[datetime] = iter(self._rule)
        self._exhausted = False
        self._trimmed = False

    def _grow_past(self, wall: datetime) -> None:
        """Generate wall times until one lies after `wall` (or the rule has ended); keep at
        most MAX_KEPT of them, dropping the oldest (a runner only asks about later times)."""
        while not self._exhausted and (not self._walls or self._walls[-1] <= wall):
            for _ in range(_EXTEND_CHUNK):
                try:
                    self._walls.append(next(self._source))
                except StopIteration:
                    self._exhausted = True
                    break
            if len(self._walls) > MAX_KEPT and self._walls[MAX_KEPT // 2] <= wall:
                del self._walls[: MAX_KEPT // 2]
                self._trimmed = True

    def _candidates(self, start: datetime) -> Iterator[datetime]:
        """Wall times strictly after `start`, in order (call with the lock held)."""
        if self._trimmed and self._walls and start < self._walls[0]:
            self._restart()
        self._grow_past(start)
        index = bisect_right(self._walls, start)
        while True:
            if index >= len(self._walls):
                if self._exhausted:
                    return
                self._grow_past(self._walls[-1])
                if index >= len(self._walls):
                    return
            yield self._walls[index]
            index += 1

    def next_after(self, after: datetime) -> datetime | None:
        """The first fire instant strictly after `after` (aware, in the rule's zone), or None
        when the rule has no occurrence left (past its UNTIL or COUNT)."""
        if self.until is not None and after >= self.until:
            return None
        local = after.astimezone(self.tz)
        wall = local.replace(tzinfo=None, fold=0)
        start = wall
        if local.fold == 0:
            fold_length = _fold_length(wall, self.tz)
            if fold_length:
                start = wall - fold_length  # walls before `after` still occur in the 2nd pass
        best: datetime | None = None
        with self._lock:
            for candidate in self._candidates(start):
                instants, _ = _instants_of(candidate, self.tz, self.every_hour)
                for instant in instants:
                    if instant > after and (best is None or instant < best):
                        best = instant
                if instants and instants[0] > after:
                    break
        if best is None or (self.until is not None and best > self.until):
            return None
        return best.astimezone(self.tz)

    def iter_after(self, after: datetime) -> Iterator[datetime]:
        """Fire instants strictly after `after`, in order, until the rule ends."""
        current = after
        while (instant := self.next_after(current)) is not None:
            yield instant
            current = instant


@lru_cache(maxsize=4096)
def compile_rule(rule_value: str, starts_at: str, timezone_name: str) -> CompiledRule:
    """The cached CompiledRule for (rrule, starts_at, zone): build it once, ask it often."""
    return CompiledRule(rule_value, starts_at, timezone_name)


def rule_runs(
    rule_value: str, starts_at: str, timezone_name: str, after: datetime, count: int
) -> list[datetime]:
    """The next `count` fire instants of a rule strictly after `after`."""
    compiled = compile_rule(rule_value, starts_at, timezone_name)
    runs: list[datetime] = []
    for instant in compiled.iter_after(after):
        if len(runs) >= count:
            break
        runs.append(instant)
    return runs
