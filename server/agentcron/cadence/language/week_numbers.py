"""Rules for ISO 8601 week numbers: 'mondays in week 20', 'every day in weeks 10 and 30',
'fridays in calendar weeks 1-4', 'the 20th week of the year'.

Why: planners and many countries count weeks (ISO 8601: the week with the year's first
Thursday is week 1), and RFC 5545 says exactly that with BYWEEKNO, so the builder turns these
into a yearly calendar rule. Cron has no week numbers.
"""

from __future__ import annotations

from agentcron.cadence.language.numbers import read_cardinal, read_ordinal
from agentcron.cadence.language.recogniser import RANGE_WORDS, GrammarBase
from agentcron.errors import ScheduleError

WEEK_WORDS = ("week", "weeks", "wk")
WEEK_QUALIFIERS = ("iso", "calendar")
MAX_WEEK = 53


class WeekNumberRules(GrammarBase):
    """ISO week numbers of the year."""

    def _week_number(self, index: int) -> int | None:
        pos = self._skip(index, "in", "during", "of", "on", "the", *WEEK_QUALIFIERS)
        if self.w(pos) in WEEK_WORDS:
            numbers = self._read_week_list(pos + 1)
            if numbers is None:
                return None
            weeks, end = numbers
        else:
            read = read_ordinal(self.t, pos)
            if read is None or self.w(read[1]) != "week":
                return None
            year_end = self._year_context(read[1] + 1)
            if year_end is None:
                return None
            weeks, end = [read[0]], year_end
        text = self.text(index, end)
        for week in weeks:
            if not 1 <= week <= MAX_WEEK:
                raise ScheduleError(f"{text!r}: ISO weeks are numbered 1 to 53. Try e.g. "
                                    "'mondays in week 20'.")
        if self.spec.weeknos and set(self.spec.weeknos) != set(weeks):
            raise ScheduleError(f"The text gives week numbers twice ({text!r}). Give one list.")
        self.spec.weeknos = sorted(set(weeks))
        self.spec.weeknos_text = text
        return self._year_context(end) or end

    def _read_week_list(self, index: int) -> tuple[list[int], int] | None:
        """'20', '10 and 30', '1-4', '1 to 4' (plain numbers only: 'week 2 at 9am' is fine,
        'weeks 2 hours' is not a week number)."""
        first = self._week_item(index)
        if first is None:
            return None
        weeks, end = [first[0]], first[1]
        if self.tx(end) in RANGE_WORDS and (last := self._week_item(end + 1)) is not None:
            return list(range(first[0], last[0] + 1)), last[1]
        while (sep := self._list_separator(end)) is not None:
            item = self._week_item(sep)
            if item is None:
                break
            weeks.append(item[0])
            end = item[1]
        return weeks, end

    def _week_item(self, index: int) -> tuple[int, int] | None:
        if index >= len(self.t) or self.t[index].kind != "num":
            return None
        read = read_cardinal(self.t, index)
        if read is None or self.w(read[1]) in ("am", "pm", "h", "oclock"):
            return None
        return read

    def _year_context(self, index: int) -> int | None:
        """Index after 'of the year' / 'of each year' / 'of every year', else None."""
        pos = self._skip(index, "of", "in")
        pos = self._skip(pos, "the", "each", "every", "a")
        if pos > index and self.w(pos) == "year":
            return pos + 1
        return None
