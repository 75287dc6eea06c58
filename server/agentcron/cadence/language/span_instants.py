"""Resolve a schedule's start and end (spec.Bound) against `now` in the schedule's zone.

Rules, stated in docs/cadence.md: a start is the beginning of the day it names (or now, when that
day is today or has passed); an end date includes that whole day in the schedule's zone, and a
month ('until april') includes that whole month; a date without a year is the next one on or
after the start; 'for the next 2 weeks' counts from the reference time.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, tzinfo
from fractions import Fraction

from agentcron.cadence.language.lexicon import SECONDS_PER_UNIT
from agentcron.cadence.language.oneoff import _add_months, wall_to_instant
from agentcron.cadence.language.spec import Bound, DateItem
from agentcron.errors import ScheduleError

DAYS_PER_WEEK = 7
YEARS_AHEAD = 8


def start_wall(bound: Bound, tz: tzinfo, now: datetime) -> datetime | None:
    """The local wall time a start names (midnight of its day), or None when it is now."""
    today = now.astimezone(tz).date()
    kind, value = bound.kind, bound.value
    if kind == "iso":
        moment, has_time = value  # type: ignore[misc]
        if moment.tzinfo is not None:
            wall = moment.astimezone(tz).replace(tzinfo=None)
        else:
            wall = moment if has_time else datetime.combine(moment.date(), time())
        return wall if wall_to_instant(wall, tz) > now else None
    if kind == "month":
        month, year = value  # type: ignore[misc]
        first = _month_start(month, year, today)
        return None if first <= today else datetime.combine(first, time())
    day = _day_of(bound, today)
    return None if day <= today else datetime.combine(day, time())


def end_instant(bound: Bound, tz: tzinfo, now: datetime, start_day: date) -> datetime:
    """The last instant an end allows (an end date includes its whole day)."""
    kind, value = bound.kind, bound.value
    if kind == "duration":
        return _after_duration(value, tz, now)  # type: ignore[arg-type]
    if kind == "iso":
        moment, has_time = value  # type: ignore[misc]
        if moment.tzinfo is not None:
            return moment
        if has_time:
            return wall_to_instant(moment, tz)
        return _end_of_day(moment.date(), tz)
    if kind == "period_end":  # 'until the end of the month / year' (the start's)
        month = 12 if value == "year" else start_day.month
        last = date(start_day.year, month, calendar.monthrange(start_day.year, month)[1])
        return _end_of_day(last, tz)
    if kind == "month":
        month, year = value  # type: ignore[misc]
        first = _month_start(month, year, start_day)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return _end_of_day(last, tz)
    return _end_of_day(_day_of(bound, start_day), tz)


def _day_of(bound: Bound, today: date) -> date:
    """The calendar day an anchor, weekday or date names, on or after `today`."""
    if bound.kind == "anchor":
        return today + timedelta(days=int(bound.value))  # type: ignore[arg-type]
    if bound.kind == "weekday":
        day, mode = bound.value  # type: ignore[misc]
        offset = (day - (today.weekday() + 1) % DAYS_PER_WEEK) % DAYS_PER_WEEK
        if mode == "next" and offset == 0:
            offset = DAYS_PER_WEEK
        return today + timedelta(days=offset)
    item = bound.value
    assert isinstance(item, DateItem)
    if item.year is not None:
        return date(item.year, item.month, item.day)
    for year in range(today.year, today.year + YEARS_AHEAD + 1):
        if item.day <= calendar.monthrange(year, item.month)[1]:
            candidate = date(year, item.month, item.day)
            if candidate >= today:
                return candidate
    raise ScheduleError(f"{item.text!r} does not occur soon enough.")


def _month_start(month: int, year: int | None, today: date) -> date:
    """The first day of the named month: this one when `today` is in it, else the next."""
    if year is not None:
        return date(year, month, 1)
    if month == today.month:
        return today.replace(day=1)
    year = today.year if month > today.month else today.year + 1
    return date(year, month, 1)


def _end_of_day(day: date, tz: tzinfo) -> datetime:
    midnight = wall_to_instant(datetime.combine(day + timedelta(days=1), time()), tz)
    return midnight - timedelta(seconds=1)


def _after_duration(parts: tuple[tuple[Fraction, str], ...], tz: tzinfo, now: datetime) -> datetime:
    """now + 'the next 2 weeks': calendar units move the local date, clock units elapse."""
    local = now.astimezone(tz)
    months = sum(int(a) * (12 if u == "year" else 1) for a, u in parts if u in ("month", "year"))
    days = sum(int(a * SECONDS_PER_UNIT[u]) // 86400 for a, u in parts if u in ("day", "week"))
    seconds = sum(int(a * SECONDS_PER_UNIT[u]) for a, u in parts
                  if u not in ("month", "year", "day", "week"))
    target = _add_months(local.date(), months) + timedelta(days=days)
    wall = datetime.combine(target, local.time().replace(tzinfo=None))
    return wall_to_instant(wall, tz) + timedelta(seconds=seconds)
