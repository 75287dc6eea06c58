"""Rules for the calendar: weekdays ('mon-fri', 'weekends'), exceptions ('except sundays'),
days of the month ('the 1st and 15th', 'the last day'), n-th weekdays ('the first monday of
the month'), dates ('december 31', '4th of july') and months ('in june', 'march to may').
"""

from __future__ import annotations

from agentcron.cadence.language.lexicon import (
    MONTH_NAMES,
    UNIT_WORDS,
    WEEKDAY_NAMES,
    WEEKDAY_PLURALS,
)
from agentcron.cadence.language.numbers import (
    read_cardinal,
    read_ordinal,
)
from agentcron.cadence.language.recogniser import (
    EVERY_WORDS,
    LAST,
    MAX_DAY,
    GrammarBase,
    check_dom,
    not_understood,
)
from agentcron.cadence.language.spec import DateItem
from agentcron.errors import ScheduleError

LAST_WORDS = ("last", "final")
NTH_MAX = 5
HOLIDAY_WORDS = ("holiday", "holidays")
EDGE_START_WORDS = ("beginning", "start")
EDGE_END_WORDS = ("end", "close")


class CalendarRules(GrammarBase):
    """Weekdays, days of the month, dates and months."""

    def _days(self, index: int) -> int | None:
        """Days of the week: 'mondays', 'mon-fri', 'weekdays', 'saturday and sunday'."""
        read = self._read_days(index)
        if read is None:
            return None
        day_list, end = read
        self._set_days(day_list)
        return end

    def _except(self, index: int) -> int | None:
        """'except mondays', 'but not on weekends', 'excluding august', 'other than friday'."""
        word, following = self.w(index), self.w(index + 1)
        if word in ("except", "excluding", "excl", "skipping", "skip", "without"):
            pos = index + 1
        elif (word, following) in (("but", "not"), ("other", "than"), ("apart", "from")):
            pos = index + 2
        elif word == "not" and following in ("on", "in", "during"):
            pos = index + 1
        else:
            return None
        pos = self._skip(pos, "on", "in", "during", "the", "for")
        if self.w(pos) in HOLIDAY_WORDS or self.w(pos + 1) in HOLIDAY_WORDS:
            raise ScheduleError(
                "Holidays are not known to the scheduler. Leave them out, e.g. "
                "'every weekday at 9am'."
            )
        days = self._read_days(pos)
        if days is not None:
            self.spec.except_days |= days[0].days
            return days[1]
        months = self._read_months(pos)
        if months is not None:
            self.spec.except_months |= months[0]
            return months[1]
        raise not_understood(self.text(index, pos + 1))

    def _ordinal_phrase(self, index: int) -> int | None:
        """Phrases that start with an ordinal: 'the first monday of the month', 'last friday',
        'the 1st and 15th', 'the last day of the month', '4th of july', '15th of each month'."""
        pos = self._skip(index, "the", "on")
        had_the = pos > index
        items: list[int] = []
        item_end = pos
        while True:
            but = self._skip_dashes(item_end + 1)
            if self.w(item_end) in LAST_WORDS and self.w(but) == "but" and (
                back := read_cardinal(self.t, self._skip_dashes(but + 1))
            ):
                items.append(LAST - back[0])  # 'the last but one' is the second-to-last
                item_end = back[1]
            elif self.w(item_end) in LAST_WORDS:
                items.append(LAST)
                item_end += 1
            elif self.w(item_end) == "next" and self.tx(item_end + 1) in ("to", "-") and \
                    self.w(last := self._skip_joiners(item_end + 1)) in LAST_WORDS:
                items.append(LAST - 1)  # 'the next to last friday', 'next-to-last'
                item_end = last + 1
            elif self.w(item_end) == "penultimate":
                items.append(-2)
                item_end += 1
            else:
                read = self._read_dom_item(item_end)
                if read is None and had_the and (num := read_cardinal(self.t, item_end)):
                    following = self.w(num[1]) or ""
                    plain = following not in UNIT_WORDS and following not in ("am", "pm", "h")
                    if self.t[item_end].kind == "num" and 1 <= num[0] <= MAX_DAY and plain:
                        read = (frozenset({num[0]}), False, num[1])
                if read is None:
                    break
                items.extend(sorted(read[0]))
                item_end = read[2]
            sep = self._list_separator(item_end)
            if sep is None and self.tx(item_end) == "/":
                sep = item_end + 1  # '1st/3rd monday'
            if sep is None:
                break
            nxt = self._skip(sep, "the")
            if self.w(nxt) not in LAST_WORDS and read_ordinal(self.t, nxt) is None:
                break
            item_end = nxt
        if not items:
            return None
        text_start = index
        after = self._from_the_end(items, item_end)
        if after != item_end:
            items = [-items[0]]
        following = self.w(after) or ""
        if self.w(after - 1) == "end" and after != item_end:
            return self._day_from_end(text_start, items, after)  # 'the 3rd from the end'
        if following in WEEKDAY_NAMES or following in WEEKDAY_PLURALS:
            if items == [LAST] and not had_the and not self._nth_has_context(index, after):
                return None  # 'last friday' on its own is a past day, not a monthly rule
            return self._nth_weekday(text_start, items, after)
        if following in ("day", "days"):
            if any(item < LAST for item in items):
                return self._day_from_end(text_start, items, after + 1)
            return self._dom_words(text_start, items, after + 1)
        if following in ("weekday", "business", "working"):
            raise ScheduleError(
                f"{self.text(text_start, after + 1)!r} (nearest working day) cannot be scheduled "
                "here. Use e.g. 'the first monday of the month' or 'on the 1st'."
            )
        month_pos = after + int(following == "of")
        if self.w(month_pos) in MONTH_NAMES and LAST not in items:
            return self._day_first_dates(text_start, items, month_pos)
        context_end = self._month_context_at(after)
        if context_end is not None:
            return self._dom_words(text_start, items, after)
        word_ordinal = self.t[pos].kind != "ord" and self.w(pos) not in LAST_WORDS
        if LAST in items or (word_ordinal and not had_the):
            return None
        self._set_dom_items(items, self.text(text_start, after))
        return after

    def _skip_dashes(self, index: int) -> int:
        """Index after any '-' ('last-but-one')."""
        while self.tx(index) == "-":
            index += 1
        return index

    def _skip_joiners(self, index: int) -> int:
        """Index after any 'to' and '-' ('next-to-last', 'second to last')."""
        while self.tx(index) in ("to", "-"):
            index += 1
        return index

    def _day_from_end(self, start: int, items: list[int], index: int) -> int:
        """'the 2nd last day', '3rd from the end of the month': BYMONTHDAY=-n in a rule."""
        if len(items) > 1 or items[0] < -MAX_DAY:
            raise ScheduleError(
                f"{self.text(start, index)!r}: give one day counted from the month's end, "
                "e.g. 'the 2nd last day of the month'."
            )
        if items[0] == LAST:
            return self._dom_words(start, [LAST], index)
        self.spec.dom_from_end = items[0]
        return self._dom_words(start, [LAST], index)

    def _from_the_end(self, items: list[int], index: int) -> int:
        """Index after 'last' in '2nd last', 'second to last', 'second-last' (else `index`)."""
        if len(items) != 1 or items[0] <= 1:
            return index
        pos = index
        while self.tx(pos) in ("to", "-", "from"):
            pos += 1
        if pos > index:
            pos = self._skip(pos, "the", "very")  # '3rd from the last day', 'from the end'
        elif self.w(pos) == "end":
            return index
        if self.w(pos) in LAST_WORDS:
            return pos + 1
        if self.w(pos) == "end":
            return pos + 1
        return index

    def _nth_has_context(self, start: int, day_index: int) -> bool:
        """'every last friday' or 'last friday of the month' (not just 'last friday')."""
        if start > 0 and self.w(start - 1) in EVERY_WORDS:
            return True
        read = self._read_days(day_index)
        end = read[1] if read else day_index + 1
        return self._month_context_at(end) is not None or self.w(end) in ("of", "in")

    def _nth_weekday(self, start: int, items: list[int], index: int) -> int:
        """'first monday', 'last friday', 'second and fourth tuesday' (+ 'of the month')."""
        read = self._read_days(index)
        assert read is not None
        day_list, end = read
        for item in items:
            if not (1 <= item <= NTH_MAX or -NTH_MAX <= item <= LAST):
                raise ScheduleError(
                    f"{self.text(start, end)!r}: a month has at most 5 of each weekday. "
                    "Try e.g. 'the first monday of the month'."
                )
        context_end = self._month_context_at(end)
        months: frozenset[int] | None = None
        every_month_named = False
        if context_end is None and self.w(end) in ("of", "in"):
            month_pos = self._skip(end + 1, "every", "each")
            every_month_named = month_pos > end + 1  # 'the first monday of every april'
            month_read = self._read_months(month_pos)
            if month_read is not None:
                months, context_end = month_read
                year, context_end = self._read_year(context_end)
                if year is not None:
                    self.spec.month_year = year
        text = self.text(start, context_end or end)
        nth = [(day, item) for item in items for day in sorted(day_list.days)]
        if self.spec.nth and self.spec.nth != nth:
            if self._nth_end is None or self._list_separator(self._nth_end) != start:
                raise ScheduleError(
                    f"The text names two different weekdays of the month ({text!r})."
                )
            if months is not None and not every_month_named:
                raise ScheduleError(
                    f"{self.spec.nth_text} and {text}: once in that month, or every year? Say "
                    f"e.g. 'every year on {text}', or give one day for a single run."
                )
            # 'the last monday and the first friday of each month': one list
            nth = self.spec.nth + [item for item in nth if item not in self.spec.nth]
            text = f"{self.spec.nth_text} and {text}"
        self.spec.nth = nth
        self.spec.nth_text = text
        self._nth_end = context_end or end
        preceded_by_every = start > 0 and self.w(start - 1) in EVERY_WORDS
        if months is not None and not preceded_by_every and not every_month_named:
            self.spec.month_date = text  # 'the 3rd thursday in april': a date unless 'every'
        else:
            self.spec.mark_recurring(text)
        if months is not None:
            self._set_months(months, text)
            return context_end or end
        if context_end is not None:
            self.spec.month_context = True
            return context_end
        if preceded_by_every and len(items) == 1 and items[0] > 1:
            self.spec.nth_ambiguous = self.text(start - 1, end)
        return end

    def _dom_words(self, start: int, items: list[int], index: int) -> int:
        """'the last day (of the month)', 'the 15th day of each month', '1st of every month'."""
        end = self._month_context_at(index) or index
        text = self.text(start, end)
        if end > index:
            self.spec.month_context = True
        if self.w(index) == "of" and self.w(index + 1) in MONTH_NAMES:
            months_read = self._read_months(index + 1)
            assert months_read is not None
            end = months_read[1]
            text = self.text(start, end)
            self._set_months(months_read[0], text)
            preceded_by_every = start > 0 and self.w(start - 1) in EVERY_WORDS
            if LAST in items and len(items) > 1 and not preceded_by_every \
                    and self.spec.recurring is None:
                raise ScheduleError(
                    f"{text!r} names several days; a one-off runs once. Give one, or say "
                    f"'every year on {text.removeprefix('on ')}'."
                )
            if items == [LAST] and not preceded_by_every:
                self.spec.month_date = text  # 'the last day of february': a date
                self.spec.dom_last = True
                self.spec.dom_text = text
                return end
        self._set_dom_items(items, text)
        return end

    def _month_context(self, index: int) -> int | None:
        """A loose 'of the month' / 'per month' (after 'on day 5' etc.)."""
        if self.w(index) not in ("of", "in", "per", "a"):
            return None
        end = self._month_context_at(index)
        if end is None:
            return None
        self.spec.month_context = True
        self.spec.mark_recurring(self.text(index, end))
        return end

    def _day_number(self, index: int) -> int | None:
        """'day 5', 'days 1 and 15', 'day 5 of every month'."""
        if self.w(index) not in ("day", "days"):
            return None
        read = read_cardinal(self.t, index + 1)
        if read is None or self.t[index + 1].kind != "num":
            return None
        if self.w(read[1]) in ("am", "pm", "h", "oclock") or self.w(read[1]) in UNIT_WORDS:
            return None
        values = [read[0]]
        end = read[1]
        while (sep := self._list_separator(end)) is not None:
            nxt = read_cardinal(self.t, sep)
            if nxt is None or self.t[sep].kind != "num":
                break
            values.append(nxt[0])
            end = nxt[1]
        for value in values:
            check_dom(value, self.text(index, end))
        context_end = self._month_context_at(end)
        if context_end is not None:
            self.spec.month_context = True
            end = context_end
        self._set_dom(frozenset(values), self.text(index, end))
        return end

    def _month_end(self, index: int) -> int | None:
        """'(at the) end of the month', 'end of every month', 'month end' = last day;
        'beginning / start of each month' = the 1st; after a monthly cadence, a bare 'at the
        end' or 'at the beginning' ('each month at the end')."""
        word = self.w(index)
        edge = "end" if word in EDGE_END_WORDS else "start" if word in EDGE_START_WORDS else None
        following = self.w(index + 1) or ""
        if edge is not None and following == "of":
            end = self._month_context_at(index + 1)
            if end is None:
                return None
        elif word == "month" and (following in EDGE_END_WORDS or following in EDGE_START_WORDS):
            if self._read_bound(index + 2) is not None:
                return None  # 'month beginning march 1': 'beginning' starts the schedule
            edge = "end" if following in EDGE_END_WORDS else "start"
            end = index + 2
        elif word == "monthend":
            edge, end = "end", index + 1
        elif edge is not None and self.w(index - 1) == "month" and self._monthly_so_far():
            end = index + 1  # 'every month start', 'each month end'
        elif word in ("at", "on") and self._monthly_so_far():
            pos = self._skip(index + 1, "the", "very")
            following = self.w(pos)
            if following not in EDGE_END_WORDS and following not in EDGE_START_WORDS:
                return None
            edge, end = ("end" if following in EDGE_END_WORDS else "start"), pos + 1
        else:
            return None
        self.spec.month_context = True
        self._set_dom_items([LAST] if edge == "end" else [1], self.text(index, end))
        return end

    def _monthly_so_far(self) -> bool:
        """A monthly cadence was already said ('each month', 'monthly', 'every 2 months')."""
        step = self.spec.step
        return self.spec.month_context or (step is not None and step.unit == "month")

    def _day_first_date(self, index: int) -> int | None:
        """'15 march', '1 march 2026' (cardinal day, then month name)."""
        token = self.t[index]
        if token.kind != "num" or not 1 <= token.number <= MAX_DAY:
            return None
        month_pos = index + 1 + int(self.w(index + 1) == "of")
        if self.w(month_pos) not in MONTH_NAMES:
            return None
        return self._day_first_dates(index, [token.number], month_pos)

    def _day_first_dates(self, start: int, days: list[int], month_pos: int) -> int:
        """Days then a month: '1st and 15th of march', '4th of july 2027'."""
        month = MONTH_NAMES[self.w(month_pos) or ""]
        end = month_pos + 1
        year, end = self._read_year(end)
        text = self.text(start, end)
        for day in days:
            self._add_date(DateItem(month, day, year, text))
        return end

    def _month_first(self, index: int) -> int | None:
        """'december 31', 'dec 31st, 2026', 'march 15 and 30', or months alone ('in july',
        'march to may', 'january and july')."""
        if self.w(index) not in MONTH_NAMES:
            return None
        dates = self._read_date_month_first(index)
        if dates is not None:
            items, end = dates
            for item in items:
                self._add_date(item)
            return end
        read = self._read_months(index)
        assert read is not None
        months, end = read
        self._set_months(months, self.text(index, end))
        return end
