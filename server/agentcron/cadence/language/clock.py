"""Rules for the clock: times of day ('at 9am and 5pm'), minutes past the hour ('at :15'),
parts of the day ('every evening'), windows ('between 9am and 5pm', 'during business hours')
and the range phrases ('from X to Y') that dispatch to days or months.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from agentcron.cadence.language.lexicon import (
    MONTH_NAMES,
    PERIOD_WORDS,
)
from agentcron.cadence.language.numbers import (
    read_cardinal,
    read_ordinal,
)
from agentcron.cadence.language.recogniser import (
    EVERY_WORDS,
    RANGE_WORDS,
    cyclic_range,
    not_understood,
)
from agentcron.cadence.language.spans import BOUND_EXAMPLE, BoundRules
from agentcron.cadence.language.spec import DayList, Window
from agentcron.cadence.language.timeofday import RawTime, read_period_phrase, read_time
from agentcron.errors import ScheduleError

HOURS_WORDS = ("hours", "hour", "hrs")
BUSINESS_WORDS = ("business", "working", "office", "work")
START_WORDS = ("starting", "beginning", "start", "starts", "begin", "begins", "effective")
END_WORDS = ("until", "till", "til", "through", "thru", "ending", "ends", "up")
# After a number, these make it a count of runs ('at 9am, 3 times'), never a time.
COUNT_WORDS = ("times", "x", "occurrences", "occurrence", "runs", "repetitions", "repeats")
TIME_SEPARATOR_WORDS = ("-", "to", "until", "till", "til", "through", "thru")
SUB_DAILY_WORDS = ("hour", "hours", "hourly", "minute", "minutes", "mins", "min", "hrs", "hr")


class ClockRules(BoundRules):
    """Times of day, minutes past the hour, parts of the day and windows."""

    def _minute_of_hour(self, index: int) -> int | None:
        """Minutes past every hour: ':15', '45 minutes past (the hour)', 'on the hour',
        'on the half hour', 'at half past', 'at the top of the hour'."""
        pos = index + 1 if self.w(index) in ("at", "on") else index
        read = self._read_minutes_of_hour(pos, allow_on=self.w(index) == "on")
        if read is None:
            return None
        minutes, end = read
        text = self.text(index, end)
        if any(self.w(k) in EVERY_WORDS and self.w(k + 1) == "hour" for k in range(index, end)):
            self._set_step(Fraction(1), "hour", "every hour")  # 'at the top of every hour'
        if "hour" in self._words[index:end]:
            self.spec.mark_recurring(text)  # '15 minutes past the hour' repeats hourly
        if self.spec.minutes is not None and self.spec.minutes != minutes:
            if not self._joins_minutes(index):
                raise ScheduleError(
                    f"The text gives two different minutes past the hour ({text!r})."
                )
            minutes = sorted(set(self.spec.minutes) | set(minutes))  # 'on the hour and at :30'
            text = f"{self.spec.minutes_text} and {text}"
        self.spec.minutes = minutes
        self.spec.minutes_text = text
        self._minutes_end = end
        return end

    def _joins_minutes(self, index: int) -> bool:
        """True when only 'and' or ',' stand between the last minutes phrase and `index`."""
        end = self._minutes_end
        return end is not None and self._list_separator(end) == index

    def _read_minutes_of_hour(self, index: int, allow_on: bool) -> tuple[list[int], int] | None:
        if index < len(self.t) and self.t[index].kind == "minute":
            minutes = [self.t[index].number]
            end = index + 1
            while (
                (sep := self._list_separator(end)) is not None
                and sep < len(self.t)
                and (self.t[sep].kind == "minute")
            ):
                minutes.append(self.t[sep].number)
                end = sep + 1
            return minutes, self._after_hour_phrase(end)
        if self.w(index) == "the" and self.w(index + 1) == "top" and self.w(index + 2) == "of":
            end = self._after_hour_phrase(index + 3)
            return ([0], end) if end > index + 3 else None
        if allow_on and self.w(index) == "the":
            return self._on_the_hour(index + 1)
        if self.w(index) in ("minute", "min") and (read := read_cardinal(self.t, index + 1)):
            return [read[0]], self._after_hour_phrase(read[1])
        word = self.w(index)
        if word in ("half", "quarter"):
            value, pos = (30 if word == "half" else 15), index + 1
        elif (read := read_cardinal(self.t, index)) is not None:
            value, pos = read
            if self.w(pos) in ("minute", "minutes", "min", "mins"):
                pos += 1
            elif self.w(pos) not in ("past", "after"):
                return None
        else:
            return None
        relation = self.w(pos)
        if relation not in ("past", "after", "to", "before"):
            return None
        if relation in ("to", "before"):
            hour_end = self._after_hour_phrase(pos + 1)
            if word != "quarter" and (hour_end == pos + 1 or not 0 < value < 60):
                return None  # '10 to 6' is a time of day; '10 minutes to the hour' is :50
            value = 60 - (15 if word == "quarter" else value)
        end = self._after_hour_phrase(pos + 1)
        if end == pos + 1 and self._looks_like_hour(pos + 1):
            return None  # 'half past 6' is a time of day
        return [value], end

    def _on_the_hour(self, index: int) -> tuple[list[int], int] | None:
        """After 'on the': 'hour', 'half hour', 'hour and half hour', 'quarter hour'."""
        minutes: list[int] = []
        pos = index
        while True:
            pos = self._skip(pos, "the")
            if self.w(pos) == "hour":
                minutes.append(0)
                pos += 1
            elif self.w(pos) == "half" and self.tx(pos + 1) in ("hour", "-"):
                minutes.append(30)
                pos += 2 + int(self.tx(pos + 1) == "-")
            elif self.w(pos) == "quarter" and self.w(pos + 1) == "hour":
                minutes.extend((0, 15, 30, 45))
                pos += 2
            else:
                break
            sep = self._list_separator(pos)
            if sep is None or self.w(self._skip(sep, "the")) not in ("hour", "half", "quarter"):
                break
            pos = sep
        return (sorted(set(minutes)), pos) if minutes else None

    def _looks_like_hour(self, index: int) -> bool:
        read = read_cardinal(self.t, index)
        return (read is not None and read[0] <= 24) or self.w(index) in ("noon", "midnight")

    def _at_times(self, index: int) -> int | None:
        """'at 9am', 'at 9am and 5pm', '@ 8:30', 'at 7, 13 and 19', and unmistakable times
        without 'at' ('9:30', '6pm', 'noon'); '9am-5pm' is a window."""
        loose = self.w(index) in ("at", "around", "by")
        start = index + 1 if loose else index
        first = read_time(self.t, start, loose=loose)
        if first is None:
            return None
        raw, pos = first
        if self.w(pos) in TIME_SEPARATOR_WORDS or (pos < len(self.t) and self.t[pos].text == "-"):
            second = read_time(self.t, pos + 1, loose=True)
            if second is not None:
                self._set_window(Window(raw, second[0], self.text(index, second[1])))
                return second[1]
        times = [raw]
        while (sep := self._list_separator(pos)) is not None:
            sep = self._skip(sep, "at")
            nxt = read_time(self.t, sep, loose=True)
            if nxt is None or self.w(nxt[1]) in COUNT_WORDS:
                break  # 'at 9am, 3 times' is a number of runs, not 03:00
            times.append(nxt[0])
            pos = nxt[1]
        self.spec.times.extend(times)
        self.spec.times_text = self.spec.times_text or self.text(index, pos)
        return pos

    def _period(self, index: int) -> int | None:
        """'morning(s)', 'evening', 'at night', 'in the afternoon' as sentence context."""
        word = self.w(index)
        if word in ("in", "at", "during"):
            period, end = read_period_phrase(self.t, index)
            if period is None and word == "during" and self.w(index + 1) == "the":
                found = PERIOD_WORDS.get(self.w(index + 2) or "")
                period, end = (found, index + 3) if found else (None, index)
            if period is None:
                return None
            self._set_period(period, self.text(index, end))
            return end
        if word in PERIOD_WORDS and word != "tonight":
            if word.endswith("s"):
                self.spec.mark_recurring(word)
            self._set_period(PERIOD_WORDS[word], word)
            return index + 1
        return None

    def _range_phrase(self, index: int) -> int | None:
        """'between X and Y' / 'from X to Y' where X is a time, weekday, month, day of month
        or date; 'starting at 9am' / 'until 5pm' (times: a window); 'starting december 1',
        'until friday', 'for the next 2 weeks' (dates: the schedule's start and end)."""
        word = self.w(index)
        if word in ("between", "from"):
            if word == "from" and self.w(index + 1) == "now":
                return index + 2 + int(self.w(index + 2) == "on")
            span = self._date_span(index, self._skip(index + 1, "the"))
            if span is not None:
                return span
            return self._between(index, "and" if word == "between" else None)
        if word in START_WORDS:
            if self.w(index + 1) == "of" and self._month_context_at(index + 1) is not None:
                return None  # 'beginning of each month' is a day of the month
            if self.w(index - 1) == "month" and word in ("start", "beginning"):
                return None  # 'every month start
            pos = self._skip(index + 1, "at", "from", "on", "with")
            bound = self._read_bound(pos)
            if bound is not None:
                self._set_start(bound[0])
                return bound[1]
            start = read_time(self.t, pos, loose=True)
            if start is None:
                raise self._date_bound_error(index)
            raw, end = start
            self._set_window(Window(raw, None, self.text(index, end)))
            return end
        if word in END_WORDS and not (word == "up" and self.w(index + 1) != "to"):
            bound_end = self._end_bound(index)
            if bound_end is not None:
                return bound_end
            pos = self._skip(index + 1, "to", "at")
            end_time = read_time(self.t, pos, loose=True)
            if end_time is None:
                raise self._date_bound_error(index)
            raw, end = end_time
            self._set_window(Window(None, raw, self.text(index, end)))
            return end
        if word == "for" or (
            word in ("over", "during", "within", "throughout")
            and self.w(index + 1) == "the"
            and self.w(index + 2) in ("next", "coming", "following")
        ):
            return self._duration_bound(index)  # 'for 2 weeks', 'over the next 2 weeks'
        return None

    def _between(self, index: int, joiner: str | None) -> int | None:
        pos = self._skip(index + 1, "the")
        first_day = self._read_day_item(pos)
        if first_day is not None:
            if len(first_day[0]) > 1:
                self._set_days(DayList(first_day[0], True, self.text(index, first_day[2])))
                return first_day[2]
            return self._range_of(index, pos, joiner, self._read_day_item, self._set_day_range)
        if self.w(pos) in MONTH_NAMES and self._read_date_month_first(pos) is None:
            first_month = self._read_month_item(pos)
            if first_month is not None and len(first_month[0]) > 1:
                self._set_months(first_month[0], self.text(index, first_month[2]))
                return first_month[2]
            return self._range_of(index, pos, joiner, self._read_month_item, self._set_month_range)
        if read_ordinal(self.t, pos) is not None:
            first_dom = self._read_dom_item(pos)
            if first_dom is not None and len(first_dom[0]) > 1:
                self._set_dom(first_dom[0], self.text(index, first_dom[2]))
                return first_dom[2]
            return self._range_of(index, pos, joiner, self._read_dom_item, self._set_dom_range)
        start = read_time(self.t, pos, loose=True)
        if start is None:
            raise self._date_bound_error(index)
        raw, after = start
        sep = after
        if self.w(sep) in ((joiner,) if joiner else TIME_SEPARATOR_WORDS) or (
            sep < len(self.t) and self.t[sep].text == "-"
        ):
            end_time = read_time(self.t, self._skip(sep + 1, "at"), loose=True)
            if end_time is None:
                raise not_understood(self.text(index, sep + 2))
            raw_end, end = end_time
            self._set_window(Window(raw, raw_end, self.text(index, end)))
            return end
        if joiner is None:
            self._set_window(Window(raw, None, self.text(index, after)))
            return after
        raise not_understood(self.text(index, after + 1))

    def _range_of(
        self,
        index: int,
        pos: int,
        joiner: str | None,
        reader: Callable[[int], tuple[frozenset[int], bool, int] | None],
        setter: Callable[[int, int, str], None],
    ) -> int:
        """'from monday to friday', 'between march and may', 'from the 1st to the 7th'."""
        first = reader(pos)
        assert first is not None
        sep = first[2]
        if self.w(sep) not in ((joiner,) if joiner else RANGE_WORDS) and not (
            sep < len(self.t) and self.t[sep].text == "-"
        ):
            raise self._date_bound_error(index)
        second = reader(self._skip(sep + 1, "the"))
        if second is None:
            raise not_understood(self.text(index, sep + 2))
        low, high = min(first[0]), min(second[0])
        setter(low, high, self.text(index, second[2]))
        return second[2]

    def _set_day_range(self, low: int, high: int, text: str) -> None:
        days = frozenset(cyclic_range(low, high, 7, 0))
        self._set_days(DayList(days, True, text))

    def _set_month_range(self, low: int, high: int, text: str) -> None:
        self._set_months(frozenset(cyclic_range(low, high, 12, 1)), text)

    def _set_dom_range(self, low: int, high: int, text: str) -> None:
        if high < low:
            raise ScheduleError(f"{text!r} runs backwards. Try e.g. 'from the 1st to the 7th'.")
        self._set_dom(frozenset(range(low, high + 1)), text)

    def _date_bound_error(self, index: int) -> ScheduleError:
        text = self.text(index, min(index + 3, len(self.t)))
        return ScheduleError(
            f"{text!r}: could not read a time of day or a date there. A start or end is a "
            f"date, {BOUND_EXAMPLE}; a window is two times, e.g. 'every hour from 9am to 5pm'."
        )

    def _business_hours(self, index: int) -> int | None:
        """'during business hours', 'within working hours', 'office hours' = 9-17 Mon-Fri."""
        pos = self._skip(index, "during", "within", "in", "throughout", "inside")
        pos = self._skip(pos, "the", "normal", "regular", "usual")
        if self.w(pos) not in BUSINESS_WORDS or self.w(pos + 1) not in HOURS_WORDS:
            if self.w(index) == "outside" and self.w(index + 1) in BUSINESS_WORDS:
                raise ScheduleError(
                    "'outside business hours' cannot be written as one cron. Give the hours, "
                    "e.g. 'every hour from 6pm to 8am'."
                )
            return None
        self.spec.business_hours = True
        self.spec.mark_recurring(self.text(pos, pos + 2))
        return pos + 2

    def _bare_hour_range(self, index: int) -> int | None:
        """'every hour 9-17', 'mon-fri 9-5 every hour': two plain hours joined by a dash, with a
        cadence in hours or minutes before or after them."""
        step = self.spec.step
        sub_daily = step is not None and step.unit in ("minute", "hour", "second")
        if not sub_daily and not self._sub_daily_later(index):
            return None
        token = self.t[index]
        if token.kind != "num" or self.tx(index + 1) != "-" or len(token.text) > 2:
            return None
        second = read_time(self.t, index + 2, loose=True)
        if second is None:
            return None
        first = RawTime(token.number, 0, token.text)
        self._set_window(Window(first, second[0], self.text(index, second[1])))
        return second[1]

    def _sub_daily_later(self, index: int) -> bool:
        """A cadence in hours or minutes comes later ('mon-fri 9-5 every hour')."""
        return any(self.w(k) in SUB_DAILY_WORDS for k in range(index + 3, len(self.t)))

    def _no_op_phrase(self, index: int) -> int | None:
        """Phrases that add nothing: 'all day', 'around the clock', 'every day of the week'."""
        word = self.w(index)
        if word == "all" and self.w(index + 1) in ("day", "year") and self.w(index + 2) != "at":
            return index + 2 + int(self.w(index + 2) == "long")
        if word == "around" and self.w(index + 1) == "the" and self.w(index + 2) == "clock":
            return index + 3
        if word in ("local", "timezone", "tz", "zone"):
            return index + 1
        step = self.spec.step
        daily = step is not None and (step.amount, step.unit) == (1, "day")
        if daily and self.w(index - 1) == "day" and word == "of" and self.w(
                index + 1) in ("the", "each", "every") and self.w(index + 2) in ("week", "year"):
            return index + 3  # 'every day of the week' is every day
        return None
