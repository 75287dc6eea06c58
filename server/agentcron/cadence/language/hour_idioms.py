"""Rules for minutes and hours by their number: 'every even hour', 'odd minutes', 'the last
10 minutes of every hour', 'the first minute of each hour'. 'Even days', 'odd weeks' and
'even months' are refused naming both readings (even-numbered ones, or every other one).

Why a family of its own: these say which minutes or hours of the clock, not how often, so
they set a parity (hours 0, 2, .. 22 or 1, 3, .. 23) or a span of minutes that the builder
lays over the cadence. A span with no cadence ('the last 5 minutes of every hour') is each
of its minutes (cron's '55-59 * * * *'), and the description says so; with an hourly cadence
('every hour in the last 5 minutes') it may mean either, so it is refused naming both.
"""

from __future__ import annotations

from fractions import Fraction

from agentcron.cadence.language.numbers import read_cardinal
from agentcron.cadence.language.recogniser import GrammarBase
from agentcron.cadence.language.spec import set_once
from agentcron.errors import ScheduleError

PARITY_WORDS = {"even": 0, "odd": 1}
PARITY_UNITS = {"hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute",
                "min": "minute", "mins": "minute"}
# 'even days' may mean even dates or every other day: refused with both readings.
CALENDAR_PARITY = {
    "day": ("{parity}-numbered dates of the month", "day"),
    "days": ("{parity}-numbered dates of the month", "day"),
    "dates": ("{parity}-numbered dates of the month", "day"),
    "week": ("{parity}-numbered ISO weeks", "week"),
    "weeks": ("{parity}-numbered ISO weeks", "week"),
    "month": ("{parity}-numbered months", "month"),
    "months": ("{parity}-numbered months", "month"),
}
CALENDAR_EXAMPLES = {
    ("day", "even"): "'on the 2nd, 4th and 6th'", ("day", "odd"): "'on the 1st, 3rd and 5th'",
    ("week", "even"): "'mondays in weeks 2, 4 and 6'",
    ("week", "odd"): "'mondays in weeks 1, 3 and 5'",
    ("month", "even"): "'on the 1st of february, april and june'",
    ("month", "odd"): "'on the 1st of january, march and may'",
}
SPAN_EDGES = ("first", "last", "final")
MINUTE_WORDS = ("minute", "minutes", "min", "mins")
MINUTES_PER_HOUR = 60


class HourIdiomRules(GrammarBase):
    """Even and odd hours or minutes; the first or last minutes of every hour."""

    def _parity(self, index: int) -> int | None:
        """'even hours', 'odd-numbered minutes', 'every odd hour'."""
        parity = PARITY_WORDS.get(self.w(index) or "")
        if parity is None:
            return None
        pos = index + 1
        if self.tx(pos) == "-":
            pos += 1
        if self.w(pos) == "numbered":
            pos += 1
        unit = PARITY_UNITS.get(self.w(pos) or "")
        calendar = CALENDAR_PARITY.get(self.w(pos) or "")
        if calendar is not None:
            text = self.text(index, pos + 1)
            numbered, other = calendar
            raise ScheduleError(
                f"{text!r} is ambiguous: {numbered.format(parity=self.w(index))}, or every other "
                f"{other}? Say e.g. 'every other {other}' or name them, e.g. "
                f"{CALENDAR_EXAMPLES[other, self.w(index) or 'even']}."
            )
        if unit is None:
            return None
        text = self.text(index, pos + 1)
        set_once(self.spec, "parity", (unit, parity), text, "even or odd hours")
        self.spec.parity_text = text
        first, last = (parity, 22 + parity) if unit == "hour" else (parity, 58 + parity)
        self.spec.notes.append(f"read {text!r} as {unit}s {first}, {first + 2}, .. {last}")
        self._set_step(Fraction(2), unit, text)
        self.spec.mark_recurring(text)
        return pos + 1

    def _minute_span(self, index: int) -> int | None:
        """'the last 10 minutes of every hour', 'the first minute of each hour'."""
        pos = self._skip(index, "the", "during", "in", "within", "for")
        edge = self.w(pos)
        if edge not in SPAN_EDGES:
            return None
        pos += 1
        read = read_cardinal(self.t, pos)
        count, pos = (read[0], read[1]) if read else (1, pos)
        if self.w(pos) not in MINUTE_WORDS or self.w(pos + 1) not in ("of", "in"):
            return None
        end = self._after_hour_phrase(pos + 2)
        if end == pos + 2:
            return None
        text = self.text(index, end)
        if not 1 <= count < MINUTES_PER_HOUR:
            raise ScheduleError(f"{text!r}: an hour has 60 minutes. Try e.g. 'the last 10 "
                                "minutes of every hour'.")
        low = 0 if edge == "first" else MINUTES_PER_HOUR - count
        self.spec.mark_recurring(text)
        if count == 1 and read is None:  # 'the last minute of every hour' is :59
            set_once(self.spec, "minutes", [low], text, "minutes past the hour")
            self.spec.minutes_text = text
            return end
        self.spec.minute_span = (low, low + count - 1, text)
        return end
