"""Rules for when-and-how-often phrases: one-off anchors ('tomorrow', 'next monday', 'in 2
hours', ISO dates) and cadences ('every 15 minutes', 'hourly', 'twice a day').
"""

from __future__ import annotations

from fractions import Fraction

from agentcron.cadence.language.lexicon import (
    AMBIGUOUS_ADVERBS,
    DAY_GROUP_PAIRS,
    DAY_GROUP_WORDS,
    FREQUENCY_ADVERBS,
    OTHER_WORDS,
    PERIOD_WORDS,
    SECONDS_PER_UNIT,
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
    EXAMPLES,
    GrammarBase,
    merge_parts,
    not_understood,
    past_error,
)
from agentcron.cadence.language.spec import Relative, set_once
from agentcron.errors import ScheduleError

ANCHOR_WORDS = {"today": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1, "tommorow": 1}
ADVERB_PREFIXES = ("semi", "bi", "half", "quarter")
NOW_WORDS = ("now", "immediately", "asap")
RUN_NOUNS = ("occurrences", "occurrence", "runs", "repetitions", "repeats")
RELATIVE_AFTER = (("from", "now"), ("from", "today"), ("later",), ("hence",))
# Words after 'second' that make it the ordinal ('every second monday'), not the unit.
ORDINAL_FOLLOWERS = frozenset(WEEKDAY_NAMES) | {"of", "day", "week", "month", "weekday", "and"}


class MomentRules(GrammarBase):
    """One-off anchors and cadences: 'tomorrow', 'in 10 minutes', 'every 2 hours', 'twice a day'."""

    def _iso(self, index: int) -> int | None:
        """'2026-04-01', '2026-04-01 08:30', '2026-04-01T08:30+02:00'."""
        token = self.t[index]
        if token.kind != "iso":
            return None
        has_time = any(ch in token.text for ch in ":t") or " " in token.text.strip()
        assert token.when is not None
        set_once(self.spec, "iso", (token.when, has_time, token.text), token.text, "dates")
        self.spec.mark_once(token.text)
        return index + 1

    def _relative(self, index: int) -> int | None:
        """'in 10 minutes', 'in an hour and a half', '2 days from now', 'after 30 minutes'."""
        word = self.w(index)
        if word in ("in", "after", "within"):
            read = self._read_duration(index + 1)
            if read is None:
                return None
            parts, end = read
        else:
            read = self._read_duration(index)
            if read is None:
                return None
            parts, end = read
            if self.w(end) == "ago":
                raise past_error(self.text(index, end + 1))
            for tail in RELATIVE_AFTER:
                if all(self.w(end + k) == part for k, part in enumerate(tail)):
                    end += len(tail)
                    break
            else:
                return None
        text = self.text(index, end)
        seconds = Fraction(0)
        months = 0
        for amount, unit in parts:
            if unit in ("month", "year"):
                if amount.denominator != 1:
                    raise ScheduleError(
                        f"{text!r}: months and years must be whole numbers. {EXAMPLES}"
                    )
                months += int(amount) * (12 if unit == "year" else 1)
            else:
                seconds += amount * SECONDS_PER_UNIT[unit]
        if seconds <= 0 and months <= 0:
            raise ScheduleError(f"{text!r} is not in the future. Try e.g. 'in 10 minutes'.")
        days_only = all(
            unit in ("day", "week", "month", "year") and amount.denominator == 1
            for amount, unit in parts
        )
        set_once(self.spec, "relative", Relative(seconds, months, days_only, text), text, "delays")
        self.spec.mark_once(text)
        return end

    def _anchor(self, index: int) -> int | None:
        """'today', 'tonight', 'tomorrow', 'the day after tomorrow', 'this evening'."""
        word = self.w(index)
        if word in ANCHOR_WORDS:
            return self._set_anchor(ANCHOR_WORDS[word], word, index + 1)
        if word == "tonight":
            self._set_period("night", "tonight")
            return self._set_anchor(0, word, index + 1)
        if word == "day" and self.w(index + 1) == "after" and self.w(index + 2) == "tomorrow":
            return self._set_anchor(2, self.text(index, index + 3), index + 3)
        if word == "yesterday":
            raise past_error(word)
        if word in NOW_WORDS or (word == "right" and self.w(index + 1) == "now"):
            raise ScheduleError(
                f"{self.text(index, index + 1 + (word == 'right'))!r} is not a future time. "
                "Try e.g. 'in 1 minute' or 'in 10 minutes'."
            )
        if word in ("this", "next", "last", "coming") and self.w(index + 1):
            return self._relative_word(index)
        return None

    def _relative_word(self, index: int) -> int | None:
        """'this evening' (anchor), 'next week' (too vague), 'last year' (past)."""
        word, following = self.w(index), self.w(index + 1) or ""
        if word == "this" and following in PERIOD_WORDS and following != "tonight":
            self._set_period(PERIOD_WORDS[following], self.text(index, index + 2))
            return self._set_anchor(0, self.text(index, index + 2), index + 2)
        unit = UNIT_WORDS.get(following)
        text = self.text(index, index + 2)
        if (
            word == "last"
            and self.w(index + 2) != "of"
            and (unit in ("day", "week", "month", "year") or following == "night")
        ):
            raise past_error(text)
        if word in ("next", "this", "coming") and unit in ("week", "month", "year"):
            raise ScheduleError(
                f"{text!r} is not a specific time. Name the day, e.g. 'next monday at 9am' "
                "or 'on april 2 at 8:00'."
            )
        if word in ("next", "this", "coming", "last") and following in DAY_GROUP_WORDS:
            raise ScheduleError(
                f"{text!r} does not name one day. Try e.g. 'next saturday at 10am'."
            )
        return None

    def _set_anchor(self, days: int, text: str, end: int) -> int:
        set_once(self.spec, "anchor_days", days, text, "days")
        self.spec.anchor_text = self.spec.anchor_text or text
        self.spec.mark_once(text)
        return end

    def _weekday_anchor(self, index: int) -> int | None:
        """'next monday', 'this friday', 'coming tuesday'; 'last monday' is in the past."""
        word = self.w(index)
        if word not in ("next", "this", "coming", "last", "upcoming"):
            return None
        pos = index + 1 + int(word == "this" and self.w(index + 1) == "coming")
        day = WEEKDAY_NAMES.get(self.w(pos) or "")
        if day is None:
            return None
        text = self.text(index, pos + 1)
        if word == "last":
            raise past_error(text)
        mode = "next" if word == "next" else "this"
        set_once(self.spec, "weekday_anchor", (day, mode, text), text, "days")
        self.spec.mark_once(text)
        return pos + 1

    def _once(self, index: int) -> int | None:
        """'once' (a one-off) unless it leads into 'once every ...'; 'one-off', 'one time'."""
        word = self.w(index)
        if word == "once":
            if self.w(index + 1) in EVERY_WORDS:
                return index + 1
            self.spec.mark_once("once")
            return index + 1
        if word == "one" and self.tx(index + 1) in ("time", "off", "-"):
            end = index + 2 + int(self.w(index + 2) == "off")
            self.spec.mark_once(self.text(index, end))
            return end
        if word in ("oneoff", "single"):
            self.spec.mark_once(word)
            return index + 1
        return None

    def _every(self, index: int) -> int | None:
        """'every'/'each', optionally with an amount and unit: 'every 15 minutes', 'every other
        day', 'every hour and a half', 'every 3rd month', 'each quarter'. A bare 'every' only
        marks the text recurring; the next recogniser reads 'monday', 'morning', '4th' ..."""
        word = self.w(index)
        if word not in EVERY_WORDS:
            return None
        self.spec.mark_recurring(word or "every")
        pos = index + 1
        if self.w(pos) == "single":
            pos += 1
        if self.tx(pos) == "-" and pos + 1 < len(self.t) and self.t[pos + 1].kind in ("num", "dec"):
            raise ScheduleError(
                f"{self.text(index, pos + 3)!r} is not a valid cadence: the interval must be "
                "greater than zero. Try e.g. 'every 5 minutes'."
            )
        step = self._read_step(pos)
        if step is None:
            return pos
        amount, unit, end = step
        if unit == "minute" and self.w(end) in ("past", "after") and amount.denominator == 1:
            hour_end = self._after_hour_phrase(end + 1)
            if hour_end > end + 1:  # 'every 45 minutes past each hour' = hourly at :45
                self._set_step(Fraction(1), "hour", self.text(index, hour_end))
                self.spec.minutes = [int(amount)]
                self.spec.minutes_text = self.text(pos, hour_end)
                return hour_end
        self._set_step(amount, unit, self.text(index, end))
        return end

    def _read_step(self, index: int) -> tuple[Fraction, str, int] | None:
        """The amount and unit after 'every'."""
        weekends = self._weekend_step(index)
        if weekends is not None:
            return weekends
        word = self.w(index)
        ordinal_read = (2, index + 1) if word in OTHER_WORDS else read_ordinal(self.t, index)
        if ordinal_read is not None:
            ordinal, after = ordinal_read
            unit = UNIT_WORDS.get(self.w(after) or "")
            if unit == "day" and self._month_context_at(after + 1) is not None:
                return None  # 'every 2nd day of the month' is a day of the month
            if unit is not None and self.w(after + 1) in ("of", "in") and (
                self._skip(after + 2, "the", "each", "every", "a") < len(self.t)
                and UNIT_WORDS.get(self.w(self._skip(after + 2, "the", "each", "every", "a")) or "")
            ):
                phrase = self.text(index - 1, self._skip(after + 2, "the", "each", "every") + 1)
                raise ScheduleError(
                    f"{phrase!r} names a {unit} inside a longer period, not how often. Say e.g. "
                    "'the 2nd day of the month', 'the third monday of the month' or "
                    f"'every {ordinal} {unit}s'."
                )
            if unit is not None and not (unit == "second" and self._ordinal_use(after)):
                return Fraction(ordinal), unit, after + 1
            if word in OTHER_WORDS and self._names_weekday(after):
                return Fraction(2), "week", after  # 'every other monday': fortnightly
            if word == "second" and self._ordinal_use(index):
                return None
        duration = self._read_duration(index)
        if duration is not None:
            parts, end = duration
            return (*merge_parts(parts, self.text(index, end)), end)
        if (word or "", self.w(index + 1) or "") in DAY_GROUP_PAIRS:
            return None  # 'every week day' is a day group, not a weekly step
        if word == "quarter":
            return Fraction(3), "month", index + 1
        if word == "fortnight":
            return Fraction(2), "week", index + 1
        unit = UNIT_WORDS.get(word or "")
        # 'every m' could be minutes or months; 'every hr' is clear.
        short = len(word or "") < 3 and word not in ("hr", "wk", "yr")
        if unit is None or short or (unit == "second" and self._ordinal_use(index)):
            return None
        end = self._after_half(index + 1)
        return (Fraction(3, 2) if end != index + 1 else Fraction(1)), unit, end

    def _weekend_step(self, index: int) -> tuple[Fraction, str, int] | None:
        """'every 2 weekends', 'every third weekend', 'every other weekend': every N weeks on
        Saturday and Sunday (the 'weekend' word is left for the day rules to read)."""
        word = self.w(index)
        read = (2, index + 1) if word in OTHER_WORDS else (
            read_ordinal(self.t, index) or read_cardinal(self.t, index))
        if read is None or self.w(read[1]) not in ("weekend", "weekends"):
            return None
        amount, after = read
        if self._month_context_at(after + 1) is not None:
            raise ScheduleError(
                f"{self.text(index - 1, after + 1)!r} of the month cannot be scheduled: a "
                "weekend may straddle two months. Say e.g. 'the first saturday of the month'."
            )
        if amount < 1:
            raise ScheduleError(f"{self.text(index - 1, after + 1)!r} never runs.")
        return Fraction(amount), "week", after

    def _ordinal_use(self, index: int) -> bool:
        """'second' followed by a weekday or 'of' is the ordinal ('every second monday')."""
        following = self.w(index + 1) or ""
        return following in ORDINAL_FOLLOWERS or following in WEEKDAY_PLURALS

    def _names_weekday(self, index: int) -> bool:
        """A weekday ('monday', 'fridays') or a weekend follows."""
        following = self.w(index) or ""
        return following in WEEKDAY_NAMES or following in WEEKDAY_PLURALS or following in (
            "weekend", "weekends")

    def _frequency(self, index: int) -> int | None:
        """'hourly', 'daily', 'nightly', 'weekly', 'quarterly', 'fortnightly' ..."""
        word = self.w(index) or ""
        pos = index
        if word in ADVERB_PREFIXES:  # 'semi-annually', 'bi weekly', 'half-hourly'
            nxt = index + 1 + int(self.tx(index + 1) == "-")
            joined = word + (self.w(nxt) or "")
            if joined in FREQUENCY_ADVERBS or joined in AMBIGUOUS_ADVERBS:
                word, pos = joined, nxt
        if word in AMBIGUOUS_ADVERBS:
            raise ScheduleError(
                f"{word!r} is ambiguous. Say what you mean, e.g. {AMBIGUOUS_ADVERBS[word]}."
            )
        if word not in FREQUENCY_ADVERBS:
            return None
        amount, unit = FREQUENCY_ADVERBS[word]
        if word == "nightly":
            self._set_period("night", word)
        self.spec.mark_recurring(word)
        self._set_step(Fraction(amount), unit, word)
        return pos + 1

    def _limit_or_refuse(self, times: int, index: int, pos: int) -> int:
        """'N times' is a number of runs when nothing else can be meant: after 'for' or a
        comma, before 'in total', or once a time of day is fixed ('every day at 7am 5 times').
        'every day 3 times' may mean three times a day, so it is refused with both wordings."""
        before = self.tx(index - 1) if index > 0 else None
        closed = self._skip(pos, "in") != pos or self.w(pos) in ("total", "only")
        if before in ("for", ",") or closed or self.spec.times:
            return self._set_limit(times, index, pos)
        text = self.text(index, pos)
        raise ScheduleError(
            f"{text!r} is ambiguous: how often, or how many runs in all? Say e.g. "
            f"'{text} a day at 9am, 1pm and 6pm', or 'every day at 9am, {text} in total'."
        )

    def _set_limit(self, times: int, index: int, pos: int) -> int:
        """'10 times' after a cadence: the rule ends after that many runs (COUNT)."""
        end = self._skip(pos, "in", "total", "only")
        text = self.text(index, pos)
        if times <= 0:
            raise ScheduleError(f"{text!r} never runs. Try e.g. 'every monday at 9am, 4 times'.")
        if self.spec.limit is not None and self.spec.limit[0] != times:
            raise ScheduleError(f"The text gives two numbers of runs ({text!r}). Give one.")
        self.spec.limit = (times, text)
        return end

    def _period_just_said(self, index: int) -> tuple[str, int] | None:
        """(unit, start of the phrase) when a one-unit period ends right before `index`
        ('every day', 'each week', 'daily'), else None: 'twice' after it counts runs per period."""
        before = self.w(index - 1) or ""
        if before in FREQUENCY_ADVERBS and FREQUENCY_ADVERBS[before][0] == 1:
            unit, start = FREQUENCY_ADVERBS[before][1], index - 1
        elif self.w(index - 2) in EVERY_WORDS and before in UNIT_WORDS and len(before) > 2:
            unit, start = UNIT_WORDS[before], index - 2
        else:
            return None
        step = self.spec.step
        same = step is not None and (step.amount, step.unit) == (1, unit)
        return (unit, start) if same else None

    def _count(self, index: int) -> int | None:
        """'twice a day', 'three times a day', '4x per hour', 'once a week', 'twice daily'."""
        word = self.w(index)
        if word == "once":
            times, pos = 1, index + 1
        elif word == "twice":
            times, pos = 2, index + 1
        elif word == "thrice":
            times, pos = 3, index + 1
        else:
            read = read_cardinal(self.t, index)
            if read is not None and self.w(read[1]) in RUN_NOUNS:
                return self._set_limit(read[0], index, read[1] + 1)  # '10 occurrences'
            if read is None or self.w(read[1]) not in ("times", "x"):
                return None
            times, pos = read[0], read[1] + 1
        unit: str | None = None
        connectors = ("a", "an", "per") if word == "once" else ("a", "an", "per", "each", "every")
        if self.w(pos) in connectors:
            unit = UNIT_WORDS.get(self.w(pos + 1) or "")
            end = pos + 2
        elif self.w(pos) in FREQUENCY_ADVERBS:
            amount, unit = FREQUENCY_ADVERBS[self.w(pos) or ""]
            unit = unit if amount == 1 else None
            end = pos + 1
        closed = self._skip(pos, "in") != pos or self.w(pos) in ("total", "only", "all")
        if unit is None and not self.spec.times and not closed:
            period = self._period_just_said(index)
            if period is not None and word == "once":
                return pos  # 'every day once' is every day
            if period is not None:  # 'every day twice', 'each week 3 times': per period
                unit, start = period
                text = self.text(index, pos)
                self.spec.notes.append(f"read {self.text(start, pos)!r} as {text} per {unit}")
                set_once(self.spec, "count", (times, unit, text), text, "cadences")
                return pos
        if unit is None:
            if word == "once":
                return None
            if word not in ("twice", "thrice"):
                return self._limit_or_refuse(times, index, pos)
            raise not_understood(self.text(index, pos + 1))
        text = self.text(index, end)
        if times <= 0:
            raise ScheduleError(f"{text!r} never runs. Try e.g. 'twice a day at 9am and 5pm'.")
        set_once(self.spec, "count", (times, unit, text), text, "cadences")
        self.spec.mark_recurring(text)
        return end
