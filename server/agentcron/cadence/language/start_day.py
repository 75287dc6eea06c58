"""Which day 'every week', 'every month' or 'every year' runs on when the text names none.

The choice, stated in every description that depends on it:
  - with a start that names a day ('every week starting friday', 'monthly from march 15',
    'every year starting 2026-07-01'), the schedule runs on the start's day: its weekday,
    its day of the month, or its date; other projects' parsers and RFC 5545 (which takes the
    missing day from DTSTART) read it the same way;
  - without one, 'every week' runs on Sunday at 00:00, as cron's @weekly does, 'every month'
    on the 1st and 'every year' on January 1 (the same as without a bound), so 'every week
    for 20 times' runs on 20 Sundays and says so.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from agentcron.cadence.language.lexicon import MONTH_LABELS, WEEKDAY_LABELS
from agentcron.cadence.language.span_instants import start_wall
from agentcron.cadence.language.spec import DayList, Spec
from agentcron.errors import ScheduleError

DAY_PRECISE_STARTS = ("iso", "anchor", "weekday", "date")
LAST_SAFE_DAY = 28  # every month has a 28th


def day_from_start(spec: Spec, tz: tzinfo, now: datetime) -> str | None:
    """Fill in the day from the start (see the module docstring); the note for the
    description, or None when the text named the day or gave no start."""
    unit = _bare_calendar_unit(spec)
    if unit is None:
        return None
    start = spec.start
    if start is None or start.kind not in DAY_PRECISE_STARTS:
        if unit == "week" and spec.bounded():
            return ("'every week' names no weekday, so it runs on Sundays (as cron's @weekly "
                    "does); name one, e.g. 'every monday', or a start day")
        return None
    wall = start_wall(start, tz, now)
    day = wall.date() if wall is not None else now.astimezone(tz).date()
    if unit == "week":
        weekday = (day.weekday() + 1) % 7
        spec.days = DayList(frozenset({weekday}), True, start.text)
        return f"took the weekday from the start {start.text!r}: {WEEKDAY_LABELS[weekday]}"
    if day.day > LAST_SAFE_DAY:
        raise ScheduleError(
            f"The start {start.text!r} is day {day.day}, which some months do not have. Name "
            "the day, e.g. 'every month on the last day' or 'every month on the 28th'."
        )
    spec.dom = frozenset({day.day})
    spec.dom_text = start.text
    if unit == "year":
        spec.months = frozenset({day.month})
        spec.months_text = start.text
        return f"took the date from the start {start.text!r}: {MONTH_LABELS[day.month]} {day.day}"
    return f"took the day of the month from the start {start.text!r}: day {day.day}"


def _bare_calendar_unit(spec: Spec) -> str | None:
    """'week', 'month' or 'year' when that is the whole cadence and no day was named."""
    step = spec.step
    if step is None or step.unit not in ("week", "month", "year") or spec.count is not None:
        return None
    if step.amount.denominator != 1:
        return None
    named = (spec.days or spec.nth or spec.dom is not None or spec.dom_last or spec.dates
             or spec.months or spec.except_days or spec.weeknos or spec.month_date)
    return None if named else step.unit
