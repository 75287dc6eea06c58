"""Times of day: read '9', '9am', '9:30 p.m.', '14h30', '1900', 'noon', 'half past 6', 'quarter
to 5', 'eight in the evening'; then resolve them to (hour, minute) on the 24-hour clock.

Reading and resolving are separate because a bare '8' only gets its meaning from the rest of
the sentence ('every evening at 8' -> 20:00) and from its neighbours ('at 9 and 11 am').
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agentcron.cadence.language.lexicon import (
    FIXED_TIMES,
    MERIDIEM_WORDS,
    PERIOD_WORDS,
    UNIT_NUMBERS,
    UNIT_WORDS,
)
from agentcron.cadence.language.numbers import is_word, read_cardinal, read_word_cardinal, word_at
from agentcron.cadence.language.tokens import Token
from agentcron.errors import ScheduleError

MINUTES_PER_HOUR = 60
HOURS_PER_DAY = 24
HALF_DAY = 12
# A bare hour at night this early is after midnight ("every night at 2" -> 02:00).
NIGHT_SMALL_HOURS_END = 5
MILITARY_DIGITS = (3, 4)
PAST_WORDS = ("past", "after")
TO_WORDS = ("to", "before", "til", "till")
MINUTE_UNIT_WORDS = ("minute", "minutes", "min", "mins")
# Parts of the day that noon (12:xx) and midnight (00:xx) may be said to belong to.
FIXED_PERIODS: dict[tuple[int, int], tuple[str, ...]] = {
    (12, 0): ("afternoon",),
    (0, 0): ("night",),
}
TIME_EXAMPLE = "Try e.g. 'at 9:30', 'at 9am' or 'at 21:15'."


@dataclass(frozen=True, slots=True)
class RawTime:
    """A time as written, before am/pm and morning/evening context are applied."""

    hour: int
    minute: int
    text: str
    meridiem: str | None = None
    period: str | None = None
    fixed: bool = False
    second: int = 0


def read_time(tokens: list[Token], index: int, *, loose: bool) -> tuple[RawTime, int] | None:
    """Read one time of day at `index`.

    `loose` is True right after 'at' or inside a list of times, where a plain '8' or '1900'
    can only be a time; elsewhere only unmistakable shapes ('8am', '8:00', 'noon') count.
    """
    read = _read_core(tokens, index, loose)
    if read is None:
        return None
    raw, nxt = read
    if raw.fixed:
        return raw, nxt
    if word_at(tokens, nxt) == "oclock":
        nxt += 1
    meridiem = MERIDIEM_WORDS.get(word_at(tokens, nxt) or "") or _spaced_letter(tokens, nxt)
    if meridiem is not None:
        raw = replace(raw, meridiem=meridiem, text=raw.text + tokens[nxt].text)
        nxt += 1
    period, after = read_period_phrase(tokens, nxt)
    if period is not None:
        raw = replace(raw, period=period)
        nxt = after
    return raw, nxt


def _spaced_letter(tokens: list[Token], index: int) -> str | None:
    """'12 a', '3 p': a one-letter meridiem after a time (not the 'a' of '3 a day')."""
    letter = word_at(tokens, index)
    if letter not in ("a", "p"):
        return None
    following = word_at(tokens, index + 1) or ""
    if following in UNIT_WORDS or following in ("couple", "few", "half", "quarter", "time"):
        return None
    return letter + "m"


def read_period_phrase(tokens: list[Token], index: int) -> tuple[str | None, int]:
    """'in the morning', 'in the afternoon', 'in the evening', 'at night' after a time."""
    first = word_at(tokens, index)
    if first == "in" and is_word(tokens, index + 1, "the"):
        period = PERIOD_WORDS.get(word_at(tokens, index + 2) or "")
        if period is not None and period != "night":
            return period, index + 3
    if first == "at" and is_word(tokens, index + 1, "night"):
        return "night", index + 2
    return None, index


def _read_core(tokens: list[Token], index: int, loose: bool) -> tuple[RawTime, int] | None:
    """The time itself, without trailing am/pm, o'clock or period words."""
    if index >= len(tokens):
        return None
    token = tokens[index]
    word = token.text if token.kind == "word" else None
    if word in FIXED_TIMES:
        hour, minute = FIXED_TIMES[word]
        return RawTime(hour, minute, word, fixed=True), index + 1
    if word is not None or token.kind == "num":
        relative = _read_relative_to_hour(tokens, index)
        if relative is not None:
            return relative
    if word is not None:
        return _read_word_time(tokens, index, loose)
    if token.kind == "num" and token.number == 12 and word_at(tokens, index + 1) in FIXED_TIMES:
        fixed = word_at(tokens, index + 1) or ""
        hour, minute = FIXED_TIMES[fixed]
        return RawTime(hour, minute, f"12 {fixed}", fixed=True), index + 2
    if token.kind == "time":
        parts = token.parts
        second = parts[2] if len(parts) > 2 else 0
        return RawTime(parts[0], parts[1], token.text, second=second), index + 1
    if token.kind == "hm":
        hour, minute = token.parts
        return RawTime(hour, minute, token.text), index + 1
    if token.kind == "dec":
        return _read_dotted(tokens, index, loose)
    if token.kind == "num":
        return _read_number_time(tokens, index, loose)
    return None


def _read_dotted(tokens: list[Token], index: int, loose: bool) -> tuple[RawTime, int] | None:
    """'9.30' is a time only after 'at' or before am/pm (elsewhere it is 9.3 of something)."""
    text = tokens[index].text
    hour_text, minute_text = text.split(".")
    if len(minute_text) != 2 or len(hour_text) > 2:
        return None
    if not loose and word_at(tokens, index + 1) not in ("am", "pm"):
        return None
    return RawTime(int(hour_text), int(minute_text), text), index + 1


def _read_number_time(tokens: list[Token], index: int, loose: bool) -> tuple[RawTime, int] | None:
    """'9', '9am', '1900', '1900 hours', '930pm', '14h', '9 in the morning'."""
    token = tokens[index]
    value = token.number
    following = word_at(tokens, index + 1)
    marked = following in ("am", "pm", "oclock") or read_period_phrase(tokens, index + 1)[0]
    if len(token.text) in MILITARY_DIGITS:
        if following in ("hours", "hrs", "h"):
            return RawTime(value // 100, value % 100, token.text), index + 2
        if loose or marked:
            return RawTime(value // 100, value % 100, token.text), index + 1
        return None
    if len(token.text) > 2:
        return None
    if following == "h" and loose:
        return RawTime(value, 0, token.text + "h"), index + 2
    if loose or marked:
        return RawTime(value, 0, token.text), index + 1
    return None


def _read_word_time(tokens: list[Token], index: int, loose: bool) -> tuple[RawTime, int] | None:
    """'nine', 'nine thirty', 'seven fifteen pm', 'six oclock'."""
    read = read_word_cardinal(tokens, index)
    if read is None or not 0 <= read[0] <= HOURS_PER_DAY:
        return None
    hour, nxt = read
    text = " ".join(t.text for t in tokens[index:nxt])
    minute = 0
    minute_read = _read_word_minutes(tokens, nxt)
    if minute_read is not None:
        minute, after = minute_read
        text = " ".join(t.text for t in tokens[index:after])
        nxt = after
    following = word_at(tokens, nxt)
    marked = following in ("am", "pm", "oclock") or read_period_phrase(tokens, nxt)[0]
    if not (loose or marked or minute_read is not None):
        return None
    return RawTime(hour, minute, text), nxt


def _read_word_minutes(tokens: list[Token], index: int) -> tuple[int, int] | None:
    """The minutes of 'nine thirty' or 'nine oh five'."""
    if is_word(tokens, index, "oh", "o"):
        unit = UNIT_NUMBERS.get(word_at(tokens, index + 1) or "")
        if unit is not None and 1 <= unit <= 9:
            return unit, index + 2
        return None
    read = read_word_cardinal(tokens, index)
    if read is None or not 10 <= read[0] < MINUTES_PER_HOUR:
        return None
    return read


def _read_relative_to_hour(tokens: list[Token], index: int) -> tuple[RawTime, int] | None:
    """'half past 6', 'quarter past 7', 'quarter to 5', '20 past 9', '10 minutes to 6'."""
    word = word_at(tokens, index)
    minutes: int | None = None
    nxt = index
    if word in ("half", "quarter"):
        minutes = 30 if word == "half" else 15
        nxt = index + 1
    elif word == "a" and is_word(tokens, index + 1, "quarter"):
        minutes, nxt = 15, index + 2
    else:
        read = read_cardinal(tokens, index)
        if read is None:
            return None
        minutes, nxt = read
        if word_at(tokens, nxt) in MINUTE_UNIT_WORDS:
            nxt += 1
        elif word_at(tokens, nxt) not in PAST_WORDS:
            return None
    relation = word_at(tokens, nxt)
    if relation in PAST_WORDS:
        sign = 1
    elif relation in TO_WORDS and minutes != 30:
        sign = -1
    else:
        return None
    hour_read = _read_hour_after(tokens, nxt + 1)
    if hour_read is None:
        return None
    hour, fixed, after = hour_read
    text = " ".join(t.text for t in tokens[index:after])
    if not 0 < minutes < MINUTES_PER_HOUR:
        raise ScheduleError(f"{text!r} is not a real time. {TIME_EXAMPLE}")
    total = (hour * MINUTES_PER_HOUR + sign * minutes) % (HOURS_PER_DAY * MINUTES_PER_HOUR)
    new_hour, new_minute = divmod(total, MINUTES_PER_HOUR)
    if sign < 0 and hour == 1 and not fixed:
        new_hour = HALF_DAY  # 'quarter to 1' is 12:45, so a following am/pm still applies
    return RawTime(new_hour, new_minute, text, fixed=fixed), after


def _read_hour_after(tokens: list[Token], index: int) -> tuple[int, bool, int] | None:
    """The hour in 'half past <hour>': a number, a number word, noon or midnight."""
    word = word_at(tokens, index)
    if word in FIXED_TIMES:
        return FIXED_TIMES[word][0], True, index + 1
    read = read_cardinal(tokens, index)
    if read is None or not 0 <= read[0] <= HOURS_PER_DAY:
        return None
    return read[0], False, read[1]


# --- resolving ---------------------------------------------------------------------------------


def resolve(raw: RawTime, context: str | None) -> tuple[int, int]:
    """(hour, minute) on the 24-hour clock, or ScheduleError naming the impossible time.

    A written am/pm wins; otherwise the time's own period ('8 in the evening') or the
    sentence's ('every evening at 8') turns hours 1-11 into pm; otherwise 24-hour clock.
    """
    if raw.fixed:
        _check_fixed(raw, raw.period or context)
        return raw.hour, raw.minute
    hour, minute = raw.hour, raw.minute
    if minute >= MINUTES_PER_HOUR or raw.second >= MINUTES_PER_HOUR:
        raise ScheduleError(
            f"{raw.text!r} is not a real time: minutes go from 00 to 59. {TIME_EXAMPLE}"
        )
    if raw.second:
        raise ScheduleError(
            f"{raw.text!r} has seconds; schedules run on whole minutes. {TIME_EXAMPLE}"
        )
    period = raw.period or context
    if raw.meridiem is not None:
        if not 1 <= hour <= HALF_DAY:
            raise ScheduleError(
                f"{raw.text!r} is not a real time: with am/pm the hour goes from 1 to 12 "
                f"(write e.g. '3pm' or '15:00'). {TIME_EXAMPLE}"
            )
        _check_period(raw, period)
        return hour % HALF_DAY + (HALF_DAY if raw.meridiem == "pm" else 0), minute
    if hour >= HOURS_PER_DAY:
        raise ScheduleError(
            f"{raw.text!r} is not a real time: hours go from 0 to 23. {TIME_EXAMPLE}"
        )
    if period is None or hour == 0 or hour > HALF_DAY:
        if period == "morning" and hour >= HALF_DAY:
            raise ScheduleError(
                f"{raw.text!r} is not in the morning. Write e.g. 'every morning at 8' or "
                f"'every day at {hour}:{minute:02d}'."
            )
        return hour, minute
    return _apply_period(raw, hour, minute, period), minute


def _apply_period(raw: RawTime, hour: int, minute: int, period: str) -> int:
    """Hour 1-12 in a morning / afternoon / evening / night context -> 24-hour hour."""
    if period == "morning":
        return 0 if hour == HALF_DAY else hour
    if period == "afternoon":
        return hour if hour == HALF_DAY else hour + HALF_DAY
    if period == "evening":
        if hour == HALF_DAY:
            raise ScheduleError(
                f"{raw.text!r} in the evening is ambiguous. Write 'at noon' or 'at midnight'."
            )
        return hour + HALF_DAY
    if hour == HALF_DAY:
        return 0
    return hour if hour <= NIGHT_SMALL_HOURS_END else hour + HALF_DAY


def _check_fixed(raw: RawTime, period: str | None) -> None:
    """'every evening at noon' contradicts itself; 'tonight at midnight' does not."""
    allowed = FIXED_PERIODS.get((raw.hour, raw.minute))
    if period is not None and allowed is not None and period not in allowed:
        raise ScheduleError(
            f"{raw.text!r} is not in the {period}. Write e.g. 'every day at {raw.text}'."
        )


def _check_period(raw: RawTime, period: str | None) -> None:
    """'every morning at 8pm' contradicts itself: refuse rather than pick one."""
    clash = (period == "morning" and raw.meridiem == "pm") or (
        period in ("afternoon", "evening") and raw.meridiem == "am"
    )
    if clash:
        raise ScheduleError(
            f"{raw.text!r} contradicts '{period}'. Write e.g. 'every {period} at "
            f"{raw.hour}' or 'every day at {raw.text}'."
        )


def resolve_list(raws: list[RawTime], context: str | None) -> list[tuple[int, int]]:
    """Resolve a list of times, letting a trailing am/pm cover earlier plain hours when the
    result stays in order: 'at 9 and 11 am' -> 09:00, 11:00; 'at 9 and 5pm' -> 09:00, 17:00."""
    carried = list(raws)
    for pos in range(len(carried) - 2, -1, -1):
        current, following = carried[pos], carried[pos + 1]
        if current.meridiem or current.fixed or current.period or following.meridiem is None:
            continue
        if not 1 <= current.hour <= HALF_DAY:
            continue
        candidate = replace(current, meridiem=following.meridiem)
        try:
            if resolve(candidate, context) <= resolve(following, context):
                carried[pos] = candidate
        except ScheduleError:
            continue
    return [resolve(raw, context) for raw in carried]
