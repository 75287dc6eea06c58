"""Shared machinery of the schedule grammar: token lookups, readers used by several rule
families (durations, day lists, months, dates) and the setters that refuse contradictions.

The grammar is split by subject (moments, clock, days, spans); each rule
family is a mixin over GrammarBase, and grammar.Grammar puts them in order.
"""

from __future__ import annotations

import re
from fractions import Fraction

from agentcron.cadence.language.lexicon import (
    DAY_GROUP_PAIRS,
    DAY_GROUP_WORDS,
    MONTH_LABELS,
    MONTH_LENGTHS,
    MONTH_NAMES,
    SECONDS_PER_UNIT,
    UNIT_WORDS,
    WEEKDAY_NAMES,
    WEEKDAY_PLURALS,
)
from agentcron.cadence.language.numbers import read_amount, read_ordinal
from agentcron.cadence.language.spec import DateItem, DayList, Spec, Step, Window, set_once
from agentcron.cadence.language.timeofday import read_period_phrase
from agentcron.cadence.language.tokens import Token
from agentcron.errors import ScheduleError

EXAMPLES = "Try e.g. 'every monday at 9am', 'every 15 minutes' or 'tomorrow at 3pm'."
RANGE_WORDS = ("-", "to", "through", "thru", "till", "til", "until")
EVERY_WORDS = ("every", "each", "evry", "every1")
FORTNIGHT_WORDS = ("fortnight", "fortnights")
SUB_DAILY_UNITS = ("second", "minute", "hour")
LAST = -1
MAX_DAY = 31
YEAR_RANGE = (1970, 2999)

_PADDING: list[str | None] = [None] * 8
_GLUED_MERIDIEM = re.compile(r"(\d) (am|pm)\b")


# Words that open an exception ('every day except sundays', 'every hour but not at noon').
EXCEPT_WORDS = ("except", "excluding", "excl", "skipping", "skip", "without")
EXCEPT_PAIRS = (("but", "not"), ("other", "than"), ("apart", "from"))

class GrammarBase:
    """Tokens, the Spec being filled, and the helpers every rule family uses."""

    def __init__(self, tokens: list[Token]) -> None:
        self.t = tokens
        # Words by position (None for non-words), padded so look-ahead needs no bounds check.
        self._words = [t.text if t.kind == "word" else None for t in tokens] + _PADDING
        self.spec = Spec()
        # Where the last n-th weekday and minutes-past phrases ended: a phrase joined to it by
        # 'and' extends it ('the 1st monday and the last friday', 'on the hour and at :30').
        self._nth_end: int | None = None
        self._minutes_end: int | None = None

    def w(self, index: int) -> str | None:
        """The word at `index` (None for numbers, punctuation, or past the end)."""
        if index < 0:
            return None
        try:
            return self._words[index]
        except IndexError:
            return None

    def tx(self, index: int) -> str | None:
        """The token text at `index` whatever its kind ('-' included)."""
        return self.t[index].text if index < len(self.t) else None

    def text(self, start: int, end: int) -> str:
        """The tokens start..end as the user wrote them, near enough, for messages."""
        joined = " ".join(t.text for t in self.t[start:end]).replace(" ,", ",").replace("- ", "-")
        return _GLUED_MERIDIEM.sub(r"\1\2", joined)

    def _after_except(self, index: int) -> int | None:
        """Where the excepted thing starts, when an 'except' phrase stands at `index`
        ('except', 'skipping', 'but not', 'other than', ...); None otherwise."""
        if self.w(index) in EXCEPT_WORDS:
            return index + 1
        if (self.w(index), self.w(index + 1)) in EXCEPT_PAIRS:
            return index + 2
        return None

    def _skip(self, index: int, *words: str) -> int:
        """Skip any run of the given words."""
        while self.w(index) in words:
            index += 1
        return index

    def _list_separator(self, index: int) -> int | None:
        """Index after ',', 'and', ', and' (or None when there is no separator)."""
        start = index
        if index < len(self.t) and self.t[index].text == ",":
            index += 1
        if self.w(index) == "and":
            index += 1
        return index if index > start else None

    def _read_duration(self, index: int) -> tuple[list[tuple[Fraction, str]], int] | None:
        """'90 minutes', '1 hour and 30 minutes', 'an hour and a half', '1h30', '2.5 hours'."""
        parts: list[tuple[Fraction, str]] = []
        pos = index
        while True:
            item = self._read_duration_item(pos)
            if item is None:
                break
            parts.extend(item[0])
            pos = item[1]
            sep = self._list_separator(pos)
            if sep is None:
                sep = pos  # '1 hour 30 minutes', '1h 30m'
            if self._read_duration_item(sep) is None:
                break
            pos = sep
        return (parts, pos) if parts else None

    def _read_duration_item(self, index: int) -> tuple[list[tuple[Fraction, str]], int] | None:
        """One 'amount unit' pair (or a '1h30' token)."""
        if index < len(self.t) and self.t[index].kind == "hm":
            hours, minutes = self.t[index].parts
            return [(Fraction(hours), "hour"), (Fraction(minutes), "minute")], index + 1
        amount_read = read_amount(self.t, index)
        if amount_read is None:
            if self.w(index) in FORTNIGHT_WORDS:  # 'for the next fortnight'
                return [(Fraction(2), "week")], index + 1
            return None
        amount, pos = amount_read
        if self.w(pos) in ("more", "further", "additional") and self.w(pos + 1) in UNIT_WORDS:
            pos += 1  # 'for 2 more weeks'
        if self.tx(pos) == "-":
            pos += 1  # 'half-hour', '15-minute'
        if self.w(pos) in FORTNIGHT_WORDS:  # 'in a fortnight', 'for 2 fortnights'
            return [(amount * 2, "week")], pos + 1
        unit = UNIT_WORDS.get(self.w(pos) or "")
        if unit is None:
            return None
        return [(self._and_a_half(amount, pos + 1), unit)], self._after_half(pos + 1)

    def _and_a_half(self, amount: Fraction, index: int) -> Fraction:
        if self._after_half(index) != index:
            return amount + Fraction(1, 2)
        return amount

    def _after_half(self, index: int) -> int:
        """Index after a trailing 'and a half' ('an hour and a half'), else `index`."""
        if self.w(index) == "and" and self.w(index + 1) == "a" and self.w(index + 2) == "half":
            return index + 3
        return index

    def _set_step(self, amount: Fraction, unit: str, text: str) -> None:
        if amount <= 0:
            raise ScheduleError(
                f"{text!r} is not a valid cadence: the interval must be greater than zero. "
                "Try e.g. 'every 5 minutes' or 'every 2 hours'."
            )
        step, current = Step(amount, unit, text), self.spec.step
        if current is not None and _is_context(current) and unit in SUB_DAILY_UNITS:
            self.spec.step = step  # 'each day every 2 hours': the finer cadence, every day
            return
        if current is not None and current.unit in SUB_DAILY_UNITS and _is_context(step):
            return  # 'every minute of every day'
        set_once(self.spec, "step", step, text, "cadences")

    def _set_period(self, period: str, text: str) -> None:
        if self.spec.period not in (None, period):
            raise ScheduleError(
                f"The text names two parts of the day ({self.spec.period_text!r} and {text!r}). "
                "Create one task per time, e.g. 'every morning at 8'."
            )
        self.spec.period = period
        self.spec.period_text = self.spec.period_text or text

    def _set_window(self, window: Window) -> None:
        current = self.spec.window
        if current is not None:
            if current.start is not None and current.end is None and window.start is None:
                window = Window(current.start, window.end, f"{current.text} {window.text}")
            elif current != window:
                raise ScheduleError(
                    f"The text gives two time windows ({current.text!r} and {window.text!r})."
                )
        self.spec.window = window

    def _read_day_item(self, index: int) -> tuple[frozenset[int], bool, int] | None:
        """One day item: 'monday', 'mondays', 'weekdays', 'business days', 'mon-fri'."""
        word = self.w(index) or ""
        if word in WEEKDAY_NAMES or word in WEEKDAY_PLURALS:
            day = WEEKDAY_NAMES.get(word, WEEKDAY_PLURALS.get(word, 0))
            plural = word not in WEEKDAY_NAMES
            sep = index + 1
            if self.w(sep) in RANGE_WORDS or (sep < len(self.t) and self.t[sep].text == "-"):
                other = self.w(sep + 1) or ""
                last = WEEKDAY_NAMES.get(other, WEEKDAY_PLURALS.get(other))
                if last is not None:
                    return frozenset(cyclic_range(day, last, 7, 0)), True, sep + 2
            return frozenset({day}), plural, index + 1
        pair = (word, self.w(index + 1) or "")
        if pair in DAY_GROUP_PAIRS:
            return DAY_GROUP_PAIRS[pair], True, index + 2
        if word in DAY_GROUP_WORDS:
            return DAY_GROUP_WORDS[word], True, index + 1
        return None

    def _read_days(self, index: int) -> tuple[DayList, int] | None:
        """A list of day items: 'mondays, wednesdays and fridays', 'sat and sun'."""
        first = self._read_day_item(index)
        if first is None:
            return None
        days, plural, end = first
        count = 1
        while True:
            sep = self._list_separator(end)
            # 'mondays and on fridays' continues the list; 'weekends on saturday' does not.
            item = self._read_day_item(
                self._skip(sep, "on", "every", "each", "also") if sep is not None else end
            )
            if item is None:
                break
            days |= item[0]
            plural = plural or item[1]
            count += 1
            end = item[2]
        return DayList(frozenset(days), plural or count > 1, self.text(index, end)), end

    def _set_days(self, day_list: DayList) -> None:
        current = self.spec.days
        if current is not None and current.days != day_list.days:
            raise ScheduleError(
                f"The text names days twice ({current.text!r} and {day_list.text!r}). If they "
                "need different times, create one task each."
            )
        if current is None or day_list.plural:
            self.spec.days = day_list
        if day_list.plural:
            self.spec.mark_recurring(day_list.text)

    def _read_month_item(self, index: int) -> tuple[frozenset[int], bool, int] | None:
        word = self.w(index) or ""
        if word not in MONTH_NAMES:
            return None
        first = MONTH_NAMES[word]
        sep = index + 1
        if self.w(sep) in RANGE_WORDS or (sep < len(self.t) and self.t[sep].text == "-"):
            last = MONTH_NAMES.get(self.w(sep + 1) or "")
            if last is not None:
                return frozenset(cyclic_range(first, last, 12, 1)), True, sep + 2
        return frozenset({first}), False, index + 1

    def _read_months(self, index: int) -> tuple[frozenset[int], int] | None:
        first = self._read_month_item(index)
        if first is None:
            return None
        months, _, end = first
        while (sep := self._list_separator(end)) is not None:
            item = self._read_month_item(self._skip(sep, "in", "during"))
            if item is None:
                break
            months |= item[0]
            end = item[2]
        return frozenset(months), end

    def _set_months(self, months: frozenset[int], text: str) -> None:
        if self.spec.months is not None and self.spec.months != months:
            raise ScheduleError(
                f"The text names months twice ({self.spec.months_text!r} and {text!r})."
            )
        self.spec.months = months
        self.spec.months_text = text

    def _read_dom_item(self, index: int) -> tuple[frozenset[int], bool, int] | None:
        """'15th', 'fifteenth', '1st-7th' as days of the month."""
        read = read_ordinal(self.t, index)
        if read is None:
            return None
        value, end = read
        check_dom(value, self.text(index, end))
        if self.w(end) in RANGE_WORDS or (end < len(self.t) and self.t[end].text == "-"):
            other = read_ordinal(self.t, self._skip(end + 1, "the"))
            if other is not None:
                check_dom(other[0], self.text(index, other[1]))
                if other[0] < value:
                    raise ScheduleError(
                        f"{self.text(index, other[1])!r} runs backwards. "
                        "Try e.g. 'from the 1st to the 7th'."
                    )
                return frozenset(range(value, other[0] + 1)), True, other[1]
        return frozenset({value}), False, end

    def _set_dom(self, days: frozenset[int], text: str) -> None:
        if self.spec.dom_last or (self.spec.dom is not None and self.spec.dom != days):
            raise ScheduleError(f"The text gives two different days of the month ({text!r}).")
        self.spec.dom = days
        self.spec.dom_text = text
        self.spec.mark_recurring(text)

    def _set_dom_items(self, items: list[int], text: str) -> None:
        if LAST in items and len(items) > 1:
            # 'the 15th and the last day': cron cannot say it, a rule can (BYMONTHDAY=15,-1).
            self._set_dom(frozenset(item for item in items if item != LAST), text)
            self.spec.dom_also_last = True
            return
        if LAST in items:
            if self.spec.dom is not None:
                raise ScheduleError(f"The text gives two different days of the month ({text!r}).")
            self.spec.dom_last = True
            self.spec.dom_text = text
            self.spec.mark_recurring(text)
            return
        self._set_dom(frozenset(items), text)

    def _month_context_at(self, index: int) -> int | None:
        """Index after 'of the month', 'of each month', 'of every month', 'in the month',
        'each month', 'a month', 'per month', 'monthly'; else None."""
        pos = index
        if self.w(pos) in ("of", "in"):
            pos += 1
        pos = self._skip(pos, "the", "each", "every", "a", "per", "any")
        if pos > index and self.w(pos) == "month":
            return pos + 1
        if self.w(index) == "monthly":
            self._set_step(Fraction(1), "month", "monthly")
            return index + 1
        return None

    def _after_hour_phrase(self, index: int) -> int:
        """Skip 'the hour' / 'each hour' / 'every hour' after 'past'."""
        if self.w(index) in ("the", "each", "every", "an", "a") and self.w(index + 1) == "hour":
            return index + 2
        if self.w(index) == "hour":
            return index + 1
        return index

    def _read_date_month_first(self, index: int) -> tuple[list[DateItem], int] | None:
        month = MONTH_NAMES[self.w(index) or ""]
        pos = self._skip(index + 1, "the")
        day = self._read_day_of_month(pos)
        if day is None:
            return None
        values = [day[0]]
        end = day[1]
        while (sep := self._list_separator(end)) is not None:
            nxt = self._read_day_of_month(self._skip(sep, "the"))
            if nxt is None:
                break
            values.append(nxt[0])
            end = nxt[1]
        year, end = self._read_year(end)
        text = self.text(index, end)
        return [DateItem(month, value, year, text) for value in values], end

    def _read_day_of_month(self, index: int) -> tuple[int, int] | None:
        """A day number after a month name; not '9' in 'march 9am' nor '5' in 'may 5 minutes'."""
        if index >= len(self.t):
            return None
        token = self.t[index]
        if token.kind == "ord" or (token.kind == "word" and read_ordinal(self.t, index)):
            read = read_ordinal(self.t, index)
            assert read is not None
            return read
        if token.kind != "num" or len(token.text) > 2:
            return None
        following = self.w(index + 1) or ""
        if following in ("am", "pm", "h", "oclock") or following in UNIT_WORDS:
            return None
        if following in ("in",) and read_period_phrase(self.t, index + 1)[0]:
            return None
        return token.number, index + 1

    def _read_year(self, index: int) -> tuple[int | None, int]:
        pos = index + int(index < len(self.t) and self.t[index].text == ",")
        if pos < len(self.t) and self.t[pos].kind == "num" and len(self.t[pos].text) == 4:
            value = self.t[pos].number
            following = self.w(pos + 1) or ""
            if YEAR_RANGE[0] <= value <= YEAR_RANGE[1] and following not in ("hours", "hrs", "h"):
                return value, pos + 1
        return None, index

    def _add_date(self, item: DateItem) -> None:
        length = MONTH_LENGTHS[item.month]
        if not 1 <= item.day <= length:
            raise ScheduleError(
                f"{MONTH_LABELS[item.month]} {item.day} does not exist ({item.text!r}): "
                f"{MONTH_LABELS[item.month]} has {length} days at most. Try e.g. "
                f"'{MONTH_LABELS[item.month].lower()} {min(item.day, length)}' or 'the last day of "
                f"{MONTH_LABELS[item.month].lower()}'."
            )
        if item.year is not None and item.month == 2 and item.day == 29 and not is_leap(item.year):
            raise ScheduleError(f"{item.text!r} does not exist: {item.year} is not a leap year.")
        if item not in self.spec.dates:
            self.spec.dates.append(item)


def _is_context(step: Step) -> bool:
    """'every day', 'each week': a period that only says 'always' next to a finer cadence."""
    return step.amount == 1 and step.unit in ("day", "week", "month", "year")


def merge_parts(parts: list[tuple[Fraction, str]], text: str) -> tuple[Fraction, str]:
    """One (amount, unit) from '1 hour and 30 minutes' (-> 90 minute) or '2 weeks'."""
    if len(parts) == 1:
        return parts[0]
    if any(unit in ("month", "year") for _, unit in parts):
        raise ScheduleError(
            f"{text!r} mixes months or years with other units, which no schedule can repeat "
            "exactly. Try e.g. 'every 3 months' or 'every 90 minutes'."
        )
    seconds = sum((amount * SECONDS_PER_UNIT[unit] for amount, unit in parts), Fraction(0))
    return seconds, "second"


def cyclic_range(first: int, last: int, size: int, base: int) -> list[int]:
    """Inclusive range that may wrap: fri-mon -> 5, 6, 0, 1; nov-feb -> 11, 12, 1, 2."""
    values = [first]
    current = first
    while current != last:
        current = (current - base + 1) % size + base
        values.append(current)
    return values


def check_dom(value: int, text: str) -> None:
    if not 1 <= value <= MAX_DAY:
        raise ScheduleError(
            f"{text!r} is not a day of the month (1 to 31). Try e.g. 'on the 15th' or "
            "'on the last day of the month'."
        )


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def not_understood(part: str) -> ScheduleError:
    """The one message for a word the grammar does not know."""
    if "/" in part:
        return ScheduleError(
            f"Could not understand {part!r}. If it is a time zone, use an IANA name such as "
            "'Europe/Berlin' or 'America/New_York'. " + EXAMPLES
        )
    return ScheduleError(f"Could not understand {part!r}. {EXAMPLES}")


def past_error(text: str) -> ScheduleError:
    return ScheduleError(
        f"{text!r} is in the past; a schedule can only run in the future. Try e.g. "
        "'tomorrow at 9am' or 'next monday at 10am'."
    )
