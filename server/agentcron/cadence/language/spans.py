"""Rules for where a repeating schedule starts and ends: 'starting december 1', 'until friday',
'from october until april', 'for the next 2 weeks', '10 times'.

Bounds are read here as written (a Bound) and resolved against `now` when the schedule is
built (span_instants.py), like one-off dates are.
"""

from __future__ import annotations

from fractions import Fraction

from agentcron.cadence.language.lexicon import MONTH_NAMES, UNIT_WORDS, WEEKDAY_NAMES
from agentcron.cadence.language.numbers import read_ordinal
from agentcron.cadence.language.recogniser import GrammarBase
from agentcron.cadence.language.spec import Bound, DateItem
from agentcron.errors import ScheduleError

ANCHOR_DAYS = {"today": 0, "tomorrow": 1, "tmrw": 1, "tomorow": 1, "tommorow": 1, "now": 0,
               "immediately": 0}
WEEKDAY_MODES = {"next": "next", "this": "this", "coming": "this", "upcoming": "this"}
SPAN_WORDS = ("until", "till", "til", "through", "thru", "to", "-")
BOUND_EXAMPLE = (
    "e.g. 'every weekday at 9am until december 15', 'every day at 8am for the next 2 weeks', "
    "'every monday at 9am starting december 1' or 'every day at 9am, 10 times'"
)


class BoundRules(GrammarBase):
    """Starts, ends and counts of a repeating schedule."""

    def _read_bound(self, index: int) -> tuple[Bound, int] | None:
        """A day a schedule starts or ends on: an ISO date, 'today', 'tomorrow', '(next)
        monday', 'december 15', '15th of december', 'december' (a whole month)."""
        if index >= len(self.t):
            return None
        token = self.t[index]
        if token.kind == "iso":
            has_time = any(ch in token.text for ch in ":t") or " " in token.text.strip()
            return Bound("iso", (token.when, has_time), token.text), index + 1
        word = self.w(index) or ""
        if word in ANCHOR_DAYS:
            return Bound("anchor", ANCHOR_DAYS[word], word), index + 1
        mode = WEEKDAY_MODES.get(word)
        day_pos = index + 1 if mode else index
        if self.w(day_pos) in WEEKDAY_NAMES:
            day = WEEKDAY_NAMES[self.w(day_pos) or ""]
            text = self.text(index, day_pos + 1)
            return Bound("weekday", (day, mode or "this"), text), day_pos + 1
        if word in MONTH_NAMES:
            dates = self._read_date_month_first(index)
            if dates is not None:
                items, end = dates
                if len(items) == 1:
                    self._check_bound_date(items[0])
                    return Bound("date", items[0], items[0].text), end
                return None
            year, end = self._read_year(index + 1)
            return Bound("month", (MONTH_NAMES[word], year), self.text(index, end)), end
        pos = self._skip(index, "the")
        read = read_ordinal(self.t, pos)
        if read is None and token.kind == "num" and 1 <= token.number <= 31:
            read = (token.number, index + 1)
        if read is not None:
            month_pos = read[1] + int(self.w(read[1]) == "of")
            if self.w(month_pos) in MONTH_NAMES:
                year, end = self._read_year(month_pos + 1)
                item = DateItem(MONTH_NAMES[self.w(month_pos) or ""], read[0], year,
                                self.text(index, end))
                self._check_bound_date(item)
                return Bound("date", item, item.text), end
        return None

    def _check_bound_date(self, item: DateItem) -> None:
        """Refuse 'until february 30' the way a one-off date is refused."""
        before = list(self.spec.dates)
        self._add_date(item)
        self.spec.dates = before

    def _set_start(self, bound: Bound) -> None:
        if self.spec.start is not None and self.spec.start != bound:
            raise ScheduleError(
                f"The text gives two starts ({self.spec.start.text!r} and {bound.text!r}). "
                "Give one."
            )
        self.spec.start = bound

    def _set_until(self, bound: Bound) -> None:
        if self.spec.until is not None and self.spec.until != bound:
            raise ScheduleError(
                f"The text gives two ends ({self.spec.until.text!r} and {bound.text!r}). Give one."
            )
        self.spec.until = bound

    def _date_span(self, index: int, pos: int) -> int | None:
        """'from december 1 (until december 15)', 'between today and friday', 'from october
        until april': a start and maybe an end. Not weekday or month ranges said with 'to'
        ('from monday to friday', 'from june to august' are days and months of every year)."""
        first = self._read_bound(pos)
        if first is None:
            return None
        bound, end = first
        sep = end
        joined = self.tx(sep) in SPAN_WORDS or self.w(sep) == "and"
        second = self._read_bound(self._skip(sep + 1, "the")) if joined else None
        plain_day = bound.kind == "weekday" and " " not in bound.text
        if plain_day and second is not None and second[0].kind == "weekday":
            return None  # 'from monday to friday' is a range of weekdays, not a span
        if bound.kind == "month" and second is not None and second[0].kind == "month":
            if self.w(sep) not in ("until", "till", "til"):
                return None  # 'from june to august' is a season of every year
        if bound.kind == "weekday" and second is None and self.w(index) == "between":
            return None
        self._set_start(bound)
        if second is None:
            return end
        self._set_until(second[0])
        return second[1]

    def _end_bound(self, index: int) -> int | None:
        """'until december 15', 'through friday', 'till april', 'ending 2026-12-31'."""
        pos = self._skip(index + 1, "to", "and", "including", "the", "end", "of")
        if "end" in self._words[index:pos]:
            period = self._skip(pos, "this", "the")
            if self.w(period) in ("month", "year"):
                self._set_until(Bound("period_end", self.w(period), self.text(index, period + 1)))
                return period + 1
        read = self._read_bound(pos)
        if read is None:
            return None
        self._set_until(read[0])
        return read[1]

    def _duration_bound(self, index: int) -> int | None:
        """'for the next 2 weeks', 'for 10 days', 'for the coming 3 months', 'for the rest of
        the month'."""
        if self.w(index + 1) == "the" and self.w(index + 2) == "rest" and self.w(index + 3) == "of":
            period = self._skip(index + 4, "this", "the")
            if self.w(period) in ("month", "year", "week"):
                if self.w(period) == "week":
                    raise ScheduleError(
                        f"{self.text(index, period + 1)!r}: say the last day, e.g. 'until "
                        "sunday' or 'until friday'."
                    )
                text = self.text(index, period + 1)
                self._set_until(Bound("period_end", self.w(period), text))
                return period + 1
        pos = self._skip(index + 1, "the", "next", "following", "coming")
        read = self._read_duration(pos)
        unit = UNIT_WORDS.get(self.w(pos) or "")
        if read is None and pos > index + 1 and unit in ("day", "week", "month", "year"):
            read = ([(Fraction(1), unit)], pos + 1)  # 'for the next month'
        if read is None:
            return None
        parts, end = read
        if any(amount.denominator != 1 or amount <= 0 for amount, _ in parts):
            raise ScheduleError(
                f"{self.text(index, end)!r}: say a whole number, e.g. 'for the next 2 weeks'."
            )
        self._set_until(Bound("duration", tuple(parts), self.text(index, end)))
        return end
