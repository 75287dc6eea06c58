"""Refusal for exceptions of single dates: 'every day except on july 4', 'every weekday
but not december 25', 'except the 1st', 'except christmas'.

The choice: refused, with what to write instead. Leaving one date out of a rule would need
RFC 5545 EXDATE carried by the task, honoured by the runner, described and exported; cron
and the hosted backends have no such thing. Whole weekdays and months ('except sundays',
'except in august') are understood by CalendarRules._except.
"""

from __future__ import annotations

from agentcron.cadence.language.numbers import read_ordinal
from agentcron.cadence.language.spans import BoundRules
from agentcron.errors import ScheduleError

HOLIDAY_NAMES = ("christmas", "xmas", "easter", "thanksgiving", "new", "holiday", "holidays")


class DateExceptionRules(BoundRules):
    """'except <a date>' is refused by name, never skipped."""

    def _except_date(self, index: int) -> int | None:
        pos = self._after_except(index)
        if pos is None:
            return None
        pos = self._skip(pos, "on", "in", "during", "the", "for")
        bound = self._read_bound(pos)
        if self.w(pos) in HOLIDAY_NAMES and self.w(pos) not in ("holiday", "holidays"):
            end = pos + 1 + int(self.w(pos) == "new" and self.w(pos + 1) in ("year", "years"))
        elif bound is not None and bound[0].kind in ("date", "iso", "anchor"):
            end = bound[1]
        elif read_ordinal(self.t, pos) is not None and self.w(pos + 1) not in (
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            end = read_ordinal(self.t, pos)[1]  # type: ignore[index]
        else:
            return None
        skipped = self.text(pos, end)
        raise ScheduleError(
            f"Leaving out a single date or day ({skipped!r}) is not supported: a schedule can skip "
            "whole weekdays or months ('except sundays', 'except in august'), not one day. "
            "Write it without the exception, e.g. 'every day at 9am', and pause the task on "
            "that day (update_scheduled_task with enabled=false, then true), or split it in "
            "two, e.g. 'every day at 9am until july 3' and 'every day at 9am starting july 5'."
        )
