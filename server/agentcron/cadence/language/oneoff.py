"""Spec -> one-off instant, resolved against `now` in the schedule's zone.

Rules: a date without a time runs at 00:00; a month-day without a year that has passed this
year means next year; 'next monday' is the first Monday strictly after today; 'on monday' is
the soonest Monday still ahead; a wall time in a DST gap runs at the first instant after the
gap, a repeated wall time at its first occurrence; anything at or before `now` is refused.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from agentcron.cadence.language.lexicon import MONTH_LABELS
from agentcron.cadence.language.spec import Spec
from agentcron.cadence.language.timeofday import NIGHT_SMALL_HOURS_END, resolve_list
from agentcron.errors import ScheduleError

DAYS_PER_WEEK = 7
LEAP_SEARCH_YEARS = 8
UTC = timezone.utc


def build_once(spec: Spec, tz: ZoneInfo, now: datetime) -> datetime:
    """The instant a one-off Spec names (aware, in `tz`), or ScheduleError."""
    _refuse_recurring_parts(spec)
    local_now = now.astimezone(tz)
    sources = [
        name
        for name, present in (
            ("iso", spec.iso),
            ("relative", spec.relative),
            ("anchor", spec.anchor_days is not None),
            ("weekday", spec.weekday_anchor or spec.days),
            ("date", spec.dates),
        )
        if present
    ]
    if len(sources) > 1:
        raise ScheduleError(
            f"The text names the day in two ways ({_day_texts(spec)}). Give one, e.g. "
            "'tomorrow at 3pm' or 'on april 2 at 8:00'."
        )
    clock = _clock(spec)
    if spec.relative is not None:
        instant = _relative(spec, tz, local_now, clock)
    elif spec.iso is not None:
        instant = _iso(spec, tz, clock)
    else:
        instant = _on_day(spec, tz, local_now, clock)
    instant = instant.astimezone(tz).replace(microsecond=0)
    if instant <= now:
        raise ScheduleError(
            f"That time is in the past ({instant.isoformat()}; reference time "
            f"{local_now.replace(microsecond=0).isoformat()}). Give a future time, e.g. "
            "'tomorrow at 9am' or 'in 2 hours'."
        )
    return instant


def _refuse_recurring_parts(spec: Spec) -> None:
    """Windows, minutes past the hour, exceptions and bare months need a recurring schedule."""
    parts = [
        (spec.window, spec.window.text if spec.window else ""),
        (spec.minutes, spec.minutes_text),
        (spec.business_hours, "business hours"),
        (spec.except_days or spec.except_months, "except ..."),
        (spec.months and not spec.dates and not spec.month_date, spec.months_text),
        (
            spec.months and not spec.month_date and spec.months != {d.month for d in spec.dates},
            spec.months_text,
        ),
    ]
    for present, text in parts:
        if present:
            raise ScheduleError(
                f"{text!r} only makes sense for a repeating schedule. Add how often, e.g. "
                "'every day', or give one time, e.g. 'tomorrow at 9am'."
            )
    if len(spec.dates) > 1:
        raise ScheduleError(
            "A one-off runs once: give one date, or say 'every year on ...' for a yearly run."
        )


def _day_texts(spec: Spec) -> str:
    texts = [
        spec.iso[2] if spec.iso else "",
        spec.relative.text if spec.relative else "",
        spec.anchor_text,
        spec.weekday_anchor[2] if spec.weekday_anchor else "",
        spec.days.text if spec.days else "",
        spec.dates[0].text if spec.dates else "",
    ]
    return ", ".join(repr(t) for t in texts if t)


def _clock(spec: Spec) -> tuple[int, int] | None:
    """The one time of day given (None when none was)."""
    if not spec.times:
        if spec.period:
            raise ScheduleError(
                f"{spec.period_text!r} needs a time, e.g. '{spec.period_text} at 8'."
            )
        return None
    resolved = sorted(set(resolve_list(spec.times, spec.period)))
    if len(resolved) > 1:
        raise ScheduleError(
            f"A one-off runs once but {spec.times_text!r} gives {len(resolved)} times. Give one "
            "time, or say e.g. 'every day at 9am and 5pm'."
        )
    return resolved[0]


def _relative(
    spec: Spec, tz: ZoneInfo, local_now: datetime, clock: tuple[int, int] | None
) -> datetime:
    """'in 90 minutes' counts elapsed time; 'in 2 days (at 9am)' moves the calendar date."""
    assert spec.relative is not None
    relative = spec.relative
    if clock is not None:
        if not relative.days_only:
            raise ScheduleError(
                f"{relative.text!r} already fixes the time; drop {spec.times_text!r} or say "
                "e.g. 'in 2 days at 9am'."
            )
        target = _add_months(local_now.date(), relative.months) + timedelta(
            seconds=int(relative.seconds)
        )
        return wall_to_instant(datetime.combine(target, time(*clock)), tz)
    if relative.days_only:
        target_day = _add_months(local_now.date(), relative.months) + timedelta(
            seconds=int(relative.seconds)
        )
        wall = datetime.combine(target_day, local_now.time().replace(tzinfo=None))
        return wall_to_instant(wall, tz)
    moved = local_now.astimezone(UTC) + timedelta(seconds=float(relative.seconds))
    if relative.months:
        moved_local = moved.astimezone(tz)
        wall = datetime.combine(
            _add_months(moved_local.date(), relative.months), moved_local.time()
        )
        return wall_to_instant(wall, tz)
    return moved


def _add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    if not months:
        return day
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _iso(spec: Spec, tz: ZoneInfo, clock: tuple[int, int] | None) -> datetime:
    """'2026-04-01' (+ 'at 9am'), '2026-04-01 08:30', '2026-04-01T08:30+02:00'."""
    assert spec.iso is not None
    value, has_time, text = spec.iso
    if has_time and clock is not None:
        raise ScheduleError(f"{text!r} already has a time; drop {spec.times_text!r}.")
    if value.tzinfo is not None:
        return value
    if not has_time:
        value = datetime.combine(value.date(), time(*(clock or (0, 0))))
    return wall_to_instant(value.replace(microsecond=0), tz)


def _on_day(
    spec: Spec, tz: ZoneInfo, local_now: datetime, clock: tuple[int, int] | None
) -> datetime:
    """Today/tomorrow, a weekday, or a calendar date, at the clock time (default 00:00)."""
    hour, minute = clock or (0, 0)
    today = local_now.date()
    if spec.anchor_days is not None:
        day = today + timedelta(days=spec.anchor_days)
        if spec.anchor_text == "tonight" and clock is not None and hour <= NIGHT_SMALL_HOURS_END:
            day += timedelta(days=1)  # 'tonight at 1' is 01:00 after midnight
        return wall_to_instant(datetime.combine(day, time(hour, minute)), tz)
    if spec.weekday_anchor is not None or spec.days is not None:
        return _weekday(spec, tz, local_now, hour, minute)
    if spec.dates:
        return _date(spec, tz, local_now, hour, minute)
    if spec.month_date is not None:
        return _month_date(spec, tz, local_now, hour, minute)
    if spec.next_occurrence:
        _refuse_twelve_hour_guess(spec, hour, minute)
        instant = wall_to_instant(datetime.combine(today, time(hour, minute)), tz)
        if instant > local_now:
            return instant
        return wall_to_instant(datetime.combine(today + timedelta(days=1), time(hour, minute)), tz)
    raise ScheduleError(
        f"{spec.times_text or 'The text'!r} does not say which day or how often. "
        "Try e.g. 'today at 5pm', 'every day at 5pm' or 'every monday at 5pm'."
    )


def _refuse_twelve_hour_guess(spec: Spec, hour: int, minute: int) -> None:
    """'at 7' alone could be 07:00 or 19:00, whichever comes next: a reminder has no day to
    tell them apart, so refuse and name both ('at 07:30', 'at 19:30', '7pm' are clear)."""
    raw = spec.times[0]
    plain = raw.meridiem is None and raw.period is None and not raw.fixed
    if plain and 1 <= hour <= 12 and not raw.text.startswith("0"):
        other = (hour + 12) % 24
        raise ScheduleError(
            f"{spec.times_text!r} names no day and could be {hour:02d}:{minute:02d} or "
            f"{other:02d}:{minute:02d}. Say e.g. 'at {raw.hour}{_minute_text(minute)}am' or "
            f"'at {raw.hour}{_minute_text(minute)}pm', or use two digits, e.g. "
            f"'at {hour:02d}:{minute:02d}'."
        )


def _minute_text(minute: int) -> str:
    return f":{minute:02d}" if minute else ""


def next_occurrence_note(spec: Spec, instant: datetime, now: datetime) -> str:
    """What a bare time of day was read as: 'read 'at 9am' as its next occurrence (tomorrow)'."""
    today = now.astimezone(instant.tzinfo).date()
    day = "today" if instant.date() == today else "tomorrow"
    return (f"read {spec.times_text!r} (no day given) as its next occurrence, {day}; for every "
            f"day say 'every day {spec.times_text}'")


def _weekday(spec: Spec, tz: ZoneInfo, local_now: datetime, hour: int, minute: int) -> datetime:
    """'next monday' (strictly after today) or 'on monday' / 'this monday' (soonest ahead)."""
    if spec.weekday_anchor is not None:
        target, mode, _ = spec.weekday_anchor
    else:
        assert spec.days is not None
        target, mode = next(iter(spec.days.days)), "on"
    today = local_now.date()
    offset = (target - _cron_weekday(today)) % DAYS_PER_WEEK
    if mode == "next" and offset == 0:
        offset = DAYS_PER_WEEK
    instant = wall_to_instant(
        datetime.combine(today + timedelta(days=offset), time(hour, minute)), tz
    )
    if mode == "on" and instant <= local_now:
        later = today + timedelta(days=offset + DAYS_PER_WEEK)
        instant = wall_to_instant(datetime.combine(later, time(hour, minute)), tz)
    return instant


def _date(spec: Spec, tz: ZoneInfo, local_now: datetime, hour: int, minute: int) -> datetime:
    """A month-day (this year, or next year once passed) or a full date."""
    item = spec.dates[0]
    if item.year is not None:
        return wall_to_instant(datetime(item.year, item.month, item.day, hour, minute), tz)
    for year in range(local_now.year, local_now.year + LEAP_SEARCH_YEARS + 1):
        if item.day > calendar.monthrange(year, item.month)[1]:
            continue
        instant = wall_to_instant(datetime(year, item.month, item.day, hour, minute), tz)
        if instant > local_now:
            return instant
    raise ScheduleError(f"{MONTH_LABELS[item.month]} {item.day} does not occur soon enough.")


def _month_date(spec: Spec, tz: ZoneInfo, local_now: datetime, hour: int, minute: int) -> datetime:
    """'the 3rd thursday in april', 'the last day of february': the next such day ahead."""
    months = sorted(spec.months or ())
    if len(months) != 1 or len(spec.nth) > 1:
        raise ScheduleError(
            f"{spec.month_date!r} names several days; a one-off runs once. Give one, or say "
            "'every year on ...' for a yearly run."
        )
    first_year = spec.month_year or local_now.year
    last_year = spec.month_year or local_now.year + LEAP_SEARCH_YEARS
    for year in range(first_year, last_year + 1):
        day = _day_in_month(spec, year, months[0])
        if day is None:
            continue
        instant = wall_to_instant(datetime.combine(day, time(hour, minute)), tz)
        if instant > local_now or spec.month_year is not None:
            return instant  # a past date with a year is refused as past by build_once
    raise ScheduleError(f"{spec.month_date!r} does not occur soon enough.")


def _day_in_month(spec: Spec, year: int, month: int) -> date | None:
    """The n-th (or n-th from last) weekday, or the last day, of one month; None if absent."""
    length = calendar.monthrange(year, month)[1]
    if not spec.nth:
        back = -(spec.dom_from_end or -1) - 1  # days before the last one
        return date(year, month, length - back) if back < length else None
    weekday, nth = spec.nth[0]
    matching = [d for d in range(1, length + 1) if _cron_weekday(date(year, month, d)) == weekday]
    index = nth - 1 if nth > 0 else nth
    if not -len(matching) <= index < len(matching):
        return None
    return date(year, month, matching[index])


def _cron_weekday(day: date) -> int:
    """0 = Sunday, as in cron."""
    return (day.weekday() + 1) % DAYS_PER_WEEK


def wall_to_instant(wall: datetime, tz: tzinfo) -> datetime:
    """A local wall time -> aware instant: in a DST gap, the first instant after the gap; when
    the wall time occurs twice, its first occurrence."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    first_utc, second_utc = first.astimezone(UTC), second.astimezone(UTC)
    if first_utc <= second_utc:
        return first
    # Gap: fold=1 maps before the jump, fold=0 after it; the jump lies between them.
    low, high = int(second_utc.timestamp()), int(first_utc.timestamp())
    offset_before = second_utc.astimezone(tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, tz)
