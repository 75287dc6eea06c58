"""Numeric dates ('25/12', '13/04/2026', '04/13'): read when only one order is a real date.

Why: '25/12' can only be 25 December (there is no month 25), so refusing it helps nobody;
'05/06' is 5 June in most of the world and May 6 in the US, so it stays refused and the
message names both readings. '24/7' means 'all the time', never 24 July: read as 'around the clock'.
The date is rewritten as words ('25 december 2026') for the grammar, and the reading is noted.
"""

from __future__ import annotations

import re
from fractions import Fraction

from agentcron.cadence.language.lexicon import MONTH_LABELS, MONTH_LENGTHS, UNIT_WORDS
from agentcron.errors import ScheduleError

_UNITS = "|".join(sorted(UNIT_WORDS, key=len, reverse=True))
_FRACTION = re.compile(
    rf"(?<![\d/:.])(?:(\d{{1,3}})\s+)?(\d{{1,2}})/(\d{{1,2}})(?=\s*-?\s*(?:{_UNITS})\b)")
_NUMERIC_DATE = re.compile(r"(?<![\d/:.])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/:])")
# '25.12.2026', '25-12-2026' and 'on 25.12.'; a dotted pair without a year or a leading 'on'
# ('9.30', '2.5') is a time or a number, and '9-5' a range of hours, never a date.
_DOTTED_DATE = re.compile(
    r"(?<![\d.\-])(?:(\d{1,2})([.\-])(\d{1,2})\2(\d{4})|(?<=on )(\d{1,2})\.(\d{1,2})\.)(?![\d.\-])")
ROUND_THE_CLOCK = ("24", "7")
CENTURY = 2000
MONTHS_PER_YEAR = 12
DECIMAL_DENOMINATORS = (1, 2, 4, 5, 10, 20, 25, 50, 100)


def read_numeric_dates(text: str) -> tuple[str, list[str]]:
    """`text` with every unmistakable numeric date written in words, and one note each.
    A fraction before a unit ('every 1/2 hour') is a number, written as a decimal."""
    text = _FRACTION.sub(_decimal, text)
    notes: list[str] = []

    def rewrite(match: re.Match[str]) -> str:
        first, second, year = match.group(1), match.group(2), match.group(3)
        if (first, second) == ROUND_THE_CLOCK and year is None:
            return " around the clock "  # '24/7': all the time, which adds nothing
        day, month = _one_reading(match.group(), int(first), int(second))
        year_text = "" if year is None else f" {int(year) + (CENTURY if len(year) == 2 else 0)}"
        words = f"{day} {MONTH_LABELS[month].lower()}{year_text}"
        notes.append(f"read {match.group()!r} as {day} {MONTH_LABELS[month]}{year_text}")
        return words

    def rewrite_dotted(match: re.Match[str]) -> str:
        first = match.group(1) or match.group(5)
        second = match.group(3) or match.group(6)
        year = match.group(4)
        day, month = _one_reading(match.group(), int(first), int(second))
        year_text = "" if year is None else f" {year}"
        notes.append(f"read {match.group()!r} as {day} {MONTH_LABELS[month]}{year_text}")
        return f"{day} {MONTH_LABELS[month].lower()}{year_text} "

    text = _DOTTED_DATE.sub(rewrite_dotted, text)
    return _NUMERIC_DATE.sub(rewrite, text), notes


def _decimal(match: re.Match[str]) -> str:
    """'1/2' -> '0.5' when the fraction has an exact decimal; otherwise refuse by name."""
    whole, top, bottom = int(match.group(1) or 0), int(match.group(2)), int(match.group(3))
    value = whole + Fraction(top, bottom or 1)  # '1 1/2 hours' is 1.5 hours
    if bottom == 0 or value.denominator not in DECIMAL_DENOMINATORS:
        raise ScheduleError(
            f"Could not read the fraction {match.group()!r}. Give the amount in a smaller "
            "unit, e.g. 'every 20 minutes' or 'every 90 minutes'."
        )
    return f"{float(value):g}"


def _one_reading(raw: str, first: int, second: int) -> tuple[int, int]:
    """(day, month) when day/month and month/day agree or only one is real; else refuse."""
    readings = {(d, m) for d, m in ((first, second), (second, first)) if _real(d, m)}
    if len(readings) == 1:
        return readings.pop()
    if not readings:
        raise ScheduleError(
            f"{raw!r} is not a real date in either order (day/month or month/day). Write the "
            "month as a word, e.g. 'on march 15 at 9am', or use ISO 'YYYY-MM-DD'."
        )
    return _ambiguous(raw, first, second)


def _ambiguous(raw: str, first: int, second: int) -> tuple[int, int]:
    raise ScheduleError(
        f"The date {raw!r} is ambiguous: {first} {MONTH_LABELS[second]} (day/month) or "
        f"{MONTH_LABELS[first]} {second} (month/day). Write the month as a word, e.g. "
        f"'on {MONTH_LABELS[second].lower()} {first}', or use ISO 'YYYY-MM-DD'."
    )


def _real(day: int, month: int) -> bool:
    return 1 <= month <= MONTHS_PER_YEAR and 1 <= day <= MONTH_LENGTHS[month]
