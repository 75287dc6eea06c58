"""The schedule grammar: walk the tokens, let each recogniser claim the phrase it knows, and
collect what they found in a Spec. A word no recogniser claims and that is not filler is
refused by name: an unknown word may change the meaning, so it is never skipped.

Recognisers are tried in a fixed order at each position (earlier ones win where phrases
overlap: 'in 5 minutes' is a delay before 'in' can be filler); each returns the index after
its phrase, or None without touching the Spec. The recognisers live in moments.py,
clock.py, days.py and spans.py.
"""

from __future__ import annotations

from collections.abc import Callable

from agentcron.cadence.language.clock import ClockRules
from agentcron.cadence.language.date_exceptions import DateExceptionRules
from agentcron.cadence.language.days import CalendarRules
from agentcron.cadence.language.hour_exceptions import HourExceptionRules
from agentcron.cadence.language.hour_idioms import HourIdiomRules
from agentcron.cadence.language.lexicon import FILLER_WORDS
from agentcron.cadence.language.moments import MomentRules
from agentcron.cadence.language.recogniser import not_understood
from agentcron.cadence.language.spec import Spec
from agentcron.cadence.language.upper_bounds import UpperBoundRules
from agentcron.cadence.language.week_numbers import WeekNumberRules

Recogniser = Callable[["Grammar", int], "int | None"]


class Grammar(MomentRules, ClockRules, CalendarRules, HourIdiomRules, UpperBoundRules,
              WeekNumberRules, DateExceptionRules, HourExceptionRules):
    """One parse: `Grammar(tokens).parse()` returns the Spec or raises ScheduleError."""

    def parse(self) -> Spec:
        """Run the recognisers left to right over the whole text."""
        index = 0
        while index < len(self.t):
            for recogniser in RECOGNISERS:
                nxt = recogniser(self, index)
                if nxt is not None:
                    index = nxt
                    break
            else:
                index = self._filler(index)
        return self.spec

    def _filler(self, index: int) -> int:
        """Skip a word that carries no meaning; refuse anything else by name."""
        token = self.t[index]
        if token.kind == "word" and token.text in FILLER_WORDS:
            return index + 1
        if token.kind == "punct" and token.text in (",", "-"):
            return index + 1
        raise not_understood(token.text)


# Tried in this order at each position (a class-level tuple: built once, not per parse).
RECOGNISERS: tuple[Recogniser, ...] = (
    Grammar._iso,
    Grammar._upper_bound,
    Grammar._week_number,
    Grammar._parity,
    Grammar._minute_span,
    Grammar._relative,
    Grammar._count,
    Grammar._every,
    Grammar._frequency,
    Grammar._once,
    Grammar._anchor,
    Grammar._except_date,
    Grammar._except_time,
    Grammar._except,
    Grammar._range_phrase,
    Grammar._business_hours,
    Grammar._minute_of_hour,
    Grammar._at_times,
    Grammar._ordinal_phrase,
    Grammar._weekday_anchor,
    Grammar._day_number,
    Grammar._month_end,
    Grammar._bare_hour_range,
    Grammar._day_first_date,
    Grammar._month_first,
    Grammar._days,
    Grammar._period,
    Grammar._month_context,
    Grammar._no_op_phrase,
)
