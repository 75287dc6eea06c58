"""Rules for an upper bound on a repeating schedule: 'at most 5 times', 'no more than 6
months', 'for up to 3 weeks', 'a maximum of 10 runs', 'for a total of 4 times'.

Why its own family: the qualifier says the same as the plain bound ('5 times', 'for 6
months': the schedule stops there), so it is read as that bound and nothing else; a
qualifier followed by anything else is refused rather than skipped.
"""

from __future__ import annotations

from agentcron.cadence.language.numbers import read_cardinal
from agentcron.cadence.language.recogniser import not_understood
from agentcron.cadence.language.spans import BoundRules
from agentcron.cadence.language.spec import Bound
from agentcron.errors import ScheduleError

COUNT_NOUNS = ("times", "x", "runs", "run", "occurrences", "occurrence", "repetitions",
               "repeats")
# Word sequences meaning 'no more than', longest first.
QUALIFIERS: tuple[tuple[str, ...], ...] = (
    ("no", "more", "than"), ("not", "more", "than"), ("a", "maximum", "of"),
    ("a", "total", "of"), ("maximum", "of"), ("at", "most"), ("up", "to"), ("maximum",),
    ("max",), ("a", "max", "of"), ("limited", "to"), ("limit", "of"), ("limit",),
    ("capped", "at"),
)


class UpperBoundRules(BoundRules):
    """A count or a duration after 'at most', 'no more than', 'up to', 'a maximum of'."""

    def _upper_bound(self, index: int) -> int | None:
        pos = index + int(self.w(index) == "for")
        qualifier = next((q for q in QUALIFIERS if self._words_at(pos, q)), None)
        if qualifier is None:
            return None
        pos = self._skip(pos + len(qualifier), "the")
        read = read_cardinal(self.t, pos)
        if read is not None and self.w(read[1]) in COUNT_NOUNS:
            times, end = read[0], read[1] + 1
            text = self.text(index, end)
            if times <= 0:
                raise ScheduleError(f"{text!r} never runs. Try e.g. 'every day at 9am, at "
                                    "most 5 times'.")
            if self.spec.limit is not None and self.spec.limit[0] != times:
                raise ScheduleError(f"The text gives two numbers of runs ({text!r}). Give one.")
            self.spec.limit = (times, text)
            return end
        duration = self._read_duration(pos)
        if duration is None:
            if qualifier == ("up", "to"):
                return None  # 'up to 5pm' is the end of a window
            raise not_understood(self.text(index, pos + 1))
        parts, end = duration
        text = self.text(index, end)
        if any(amount.denominator != 1 or amount <= 0 for amount, _ in parts):
            raise ScheduleError(f"{text!r}: say a whole number, e.g. 'for at most 6 months'.")
        self._set_until(Bound("duration", tuple(parts), text))
        return end

    def _words_at(self, index: int, words: tuple[str, ...]) -> bool:
        return all(self.w(index + k) == word for k, word in enumerate(words))
