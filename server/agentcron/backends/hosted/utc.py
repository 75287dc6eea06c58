"""Restate a zoned schedule in UTC, for backends that only run UTC cron (Toolhouse, Handinger).

Why a rule and not a best effort: 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in
summer, so no single UTC cron fires at 09:00 Berlin time all year. Converting it anyway would
move the user's task by an hour for half the year without telling anyone. So a zone is
converted only when the UTC cron fires at exactly the same instants all year:

* the zone keeps one UTC offset over the coming years (no daylight saving time);
* the shifted times still form one cron (a set of minutes x a set of hours);
* when the shift moves a fire to the previous or next UTC day, the day fields move with it:
  day-of-week always can; day-of-month only for days that stay inside every month (2-28 going
  back a day, 1-27 going forward); a restricted month only with such days of the month.

Anything else is refused with the reason and a call that works. Interval and one-off schedules
are instants and elapsed time, so they convert exactly by construction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from agentcron.cadence.cron import normalise_cron
from agentcron.cadence.timeline import iso
from agentcron.cadence.zones import zone
from agentcron.errors import CapabilityError
from agentcron.models import Schedule

UTC = "UTC"
CHECK_DAYS = 2 * 366  # look this far ahead for DST or announced offset changes
MINUTES_PER_DAY = 24 * 60
TIME_ZONE_BACKENDS = "local, langgraph or unique"


class _Inexpressible(Exception):
    """The shifted schedule is not one UTC cron; the message says why."""


def to_utc(schedule: Schedule, backend: str, now: datetime) -> Schedule:
    """The same schedule with timezone 'UTC', or CapabilityError explaining why it can't be."""
    if schedule.kind == "rrule":
        raise CapabilityError(
            f"The {backend} backend does not support calendar rules (every N weeks or days, or a "
            "start or an end). Use a cron cadence, e.g. 'every monday at 9am', or the local "
            "backend."
        )
    if schedule.kind == "interval":
        return schedule.model_copy(update={"timezone": UTC})
    if schedule.kind == "once":
        assert schedule.run_at is not None
        instant = datetime.fromisoformat(schedule.run_at).astimezone(zone(UTC))
        return schedule.model_copy(update={"timezone": UTC, "run_at": iso(instant)})
    assert schedule.cron is not None
    offsets = offsets_ahead(schedule.timezone, now)
    if len(offsets) > 1:
        raise CapabilityError(_dst_refusal(schedule, backend, offsets, now))
    offset = offsets[0]
    if offset % timedelta(minutes=1):
        raise CapabilityError(
            f"The {backend} backend runs cron in UTC only, and {schedule.timezone}'s offset "
            f"{_offset_text(offset)} is not a whole number of minutes. Pass the schedule in UTC "
            f"(timezone='UTC') or use a backend with time zones ({TIME_ZONE_BACKENDS})."
        )
    try:
        expr = shift_cron(schedule.cron, offset // timedelta(minutes=1))
    except _Inexpressible as why:
        raise CapabilityError(
            f"The {backend} backend runs cron in UTC only. {schedule.timezone} is "
            f"{_offset_text(offset)} all year, but {why}, so '{schedule.cron}' in "
            f"{schedule.timezone} cannot be written as one UTC cron. Pass the schedule in UTC "
            f"(timezone='UTC'), choose times that stay on one UTC day, or use a backend with "
            f"time zones ({TIME_ZONE_BACKENDS})."
        ) from None
    return Schedule(kind="cron", cron=expr, timezone=UTC)


def offsets_ahead(timezone: str, now: datetime) -> list[timedelta]:
    """The distinct UTC offsets `timezone` uses over the next CHECK_DAYS days, in order seen."""
    tz = zone(timezone)
    seen: dict[timedelta, None] = {}
    for day in range(CHECK_DAYS):
        offset = (now + timedelta(days=day)).astimezone(tz).utcoffset()
        assert offset is not None
        seen[offset] = None
    return list(seen)


def shift_cron(expr: str, offset_minutes: int) -> str:
    """A normalised 5-field cron evaluated at UTC+offset, restated in UTC, or _Inexpressible."""
    minute, hour, dom, month, dow = expr.split(" ")
    by_day: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for h in _values(hour, 0, 23):
        for m in _values(minute, 0, 59):
            day, at = divmod(h * 60 + m - offset_minutes, MINUTES_PER_DAY)
            by_day[day].add(divmod(at, 60))
    every_day = (dom, month, dow) == ("*", "*", "*")
    if every_day:
        # Every local day fires at every time, so every UTC day does too: no visible day shift.
        return normalise_cron(f"{_time_fields(set().union(*by_day.values()))} * * *")
    if len(by_day) > 1:
        raise _Inexpressible("its times fall on two different days in UTC")
    ((day_shift, times),) = by_day.items()
    fields = _time_fields(times)
    if day_shift == 0:
        return normalise_cron(f"{fields} {dom} {month} {dow}")
    return normalise_cron(f"{fields} {_shift_days(dom, month, dow, day_shift)}")


def _time_fields(times: set[tuple[int, int]]) -> str:
    """'minutes hours' when `times` is a full cross product of its minutes and hours."""
    hours = sorted({h for h, _ in times})
    minutes = sorted({m for _, m in times})
    if len(times) != len(hours) * len(minutes):
        raise _Inexpressible("the shifted minutes differ from hour to hour")
    return f"{_join(minutes)} {_join(hours)}"


def _shift_days(dom: str, month: str, dow: str, shift: int) -> str:
    """Move the day fields by `shift` (+1 or -1) days, when that is exact in every month."""
    direction = "next" if shift > 0 else "previous"
    if any(ch in dom + dow for ch in "L#"):
        raise _Inexpressible(
            f"the fires move to the {direction} day in UTC and a 'last' or 'n-th' day cannot move"
        )
    if dom == "*" and dow == "*":
        raise _Inexpressible(f"the fires move to the {direction} day in UTC, across month ends")
    if dow != "*" and month != "*":
        raise _Inexpressible(
            f"the fires move to the {direction} day in UTC, and a weekday near a month end "
            "would change month"
        )
    new_dom = dom
    if dom != "*":
        days = _values(dom, 1, 31)
        low, high = (1, 27) if shift > 0 else (2, 28)
        if not all(low <= d <= high for d in days):
            raise _Inexpressible(
                f"the fires move to the {direction} day in UTC, and day-of-month {dom} would "
                f"cross a month end (only days {low}-{high} can move)"
            )
        new_dom = _join(sorted(d + shift for d in days))
    new_dow = dow if dow == "*" else _join(sorted({(d + shift) % 7 for d in _values(dow, 0, 6)}))
    return f"{new_dom} {month} {new_dow}"


def _values(field: str, low: int, high: int) -> set[int]:
    """Expand a normalised cron field without L/# ('*', '*/n', 'a', 'a-b', 'a-b/n', lists)."""
    values: set[int] = set()
    for item in field.split(","):
        base, _, step = item.partition("/")
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first, last = (int(x) for x in base.split("-"))
        else:
            first = int(base)
            last = high if step else first
        values.update(range(first, last + 1, int(step or 1)))
    return values


def _join(values: list[int]) -> str:
    return ",".join(str(v) for v in values)


def _offset_text(offset: timedelta) -> str:
    minutes = offset // timedelta(minutes=1)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _dst_refusal(schedule: Schedule, backend: str, offsets: list[timedelta], now: datetime) -> str:
    """Why a DST zone is refused, with today's UTC equivalent as a call that works."""
    assert schedule.cron is not None
    spans = " and ".join(_offset_text(o) for o in sorted(set(offsets)))
    text = (
        f"The {backend} backend runs cron in UTC only, and {schedule.timezone} changes its UTC "
        f"offset during the year ({spans}: daylight saving time), so no single UTC cron fires "
        f"at the same {schedule.timezone} time all year."
    )
    current = now.astimezone(zone(schedule.timezone)).utcoffset()
    assert current is not None
    try:
        today = shift_cron(schedule.cron, current // timedelta(minutes=1))
    except _Inexpressible:
        today = None
    if today is not None:
        text += (
            f" Today {schedule.timezone} is {_offset_text(current)}, so schedule='{today}' with "
            f"timezone='UTC' fires at the same time now, but not after the next clock change."
        )
    return text + (
        f" Pass the schedule in UTC (timezone='UTC') if that is acceptable, or use a backend with "
        f"time zones ({TIME_ZONE_BACKENDS})."
    )
