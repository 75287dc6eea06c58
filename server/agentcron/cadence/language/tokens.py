"""Normalise schedule text and split it into typed tokens.

Why typed tokens: "9:30", "1st", "1.5", "14h30" and "2026-04-01" each mean one thing whatever
words surround them, so the lexer decides their shape once and the grammar only asks
"is this a time?" instead of re-parsing strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from agentcron.cadence.language.lexicon import MONTH_NAMES, WEEKDAY_NAMES, WEEKDAY_PLURALS
from agentcron.errors import ScheduleError

TokenKind = Literal["word", "num", "ord", "time", "dec", "minute", "hm", "iso", "punct"]

# One alternation, tried left to right at each position: longer shapes first.
_TOKEN = re.compile(
    r"""
    (?P<iso>\d{4}-\d{1,2}-\d{1,2}(?:(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?
        (?:z(?![a-z])|[+-]\d{2}(?::?\d{2})?(?!\d))?)
    |(?P<ymd>\d{4}/\d{1,2}/\d{1,2}(?!\d))
    |(?P<slash>\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/]))
    |(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?![\d:]))
    |(?P<minute>:\d{2}(?!\d))
    |(?P<hm>\d{1,2}h\d{2}(?![\da-z]))
    |(?P<ord>\d+(?:st|nd|rd|th)(?![a-z]))
    |(?P<dec>\d+\.\d+)
    |(?P<num>\d+)
    |(?P<word>[a-z][a-z_]*(?:/[a-z_+\-0-9]+)*)
    |(?P<punct>[,&@\-+/])
    |(?P<skip>[\s.;!?()"'\[\]{}]+|:(?!\d))
    |(?P<other>\S)
    """,
    re.VERBOSE,
)
_MERIDIEM_DOTS = re.compile(r"\b([ap])\s?\.\s?m\b\.?")
# '12a', '3p', '9:30p': a one-letter meridiem glued to the time.
_SHORT_MERIDIEM = re.compile(r"\b(\d{1,2}(?::\d{2})?)([ap])\b")
_OCLOCK = re.compile(r"\bo\s?'?\s?clock\b")
_POSSESSIVE = re.compile(r"'s\b")
# 'month-end', 'end-of-month', 'start-of-month': the same words as without hyphens.
_HYPHENATED_EDGE = re.compile(r"\b(month|end|start|beginning|of)-(?=(?:month|end|start|of)\b)")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2019": "'", "\u2018": "'"})
_PUNCT_WORDS = {"&": "and", "@": "at", "+": "+", ",": ",", "-": "-", "/": "/"}


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical unit with its parsed value: `number` for num/ord/minute tokens, `parts`
    (hour, minute[, second]) for time/hm tokens, `when` for ISO dates."""

    kind: TokenKind
    text: str
    number: int = 0
    parts: tuple[int, ...] = ()
    when: datetime | None = None


def fold(text: str) -> str:
    """Strip accents and unify dash and quote spellings; case is kept (for messages)."""
    text = text.translate(_DASHES)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text


def normalise(text: str) -> str:
    """Lower-case, fold, and unify 'a.m.', 'o'clock' and possessive spellings."""
    text = fold(text).lower()
    if "." in text:
        text = _MERIDIEM_DOTS.sub(r" \1m ", text)
    if any(ch.isdigit() for ch in text):
        text = _SHORT_MERIDIEM.sub(r"\1\2m", text)
    if "-" in text:
        text = _HYPHENATED_EDGE.sub(r"\1 ", text)
    if "clock" in text:
        text = _OCLOCK.sub(" oclock ", text)
    if "'" in text:
        text = _POSSESSIVE.sub("", text).replace("'", "")
    return text


def tokenize(text: str) -> list[Token]:
    """Split normalised text into tokens; a shape that cannot be a schedule is refused here."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        raw = match.group()
        if kind == "skip":
            continue
        if kind == "word":
            tokens.extend(_split_slashed(raw) if "/" in raw else (Token("word", raw),))
        elif kind == "num":
            tokens.append(Token("num", raw, number=int(raw)))
        elif kind == "ord":
            tokens.append(Token("ord", raw, number=int(raw[:-2])))
        elif kind == "time":
            tokens.append(Token("time", raw, parts=tuple(int(p) for p in raw.split(":"))))
        elif kind == "minute":
            tokens.append(Token("minute", raw, number=int(raw[1:])))
        elif kind == "hm":
            hour, minute = raw.split("h")
            tokens.append(Token("hm", raw, parts=(int(hour), int(minute))))
        elif kind == "dec":
            tokens.append(Token("dec", raw))
        elif kind in ("iso", "ymd"):
            tokens.append(Token("iso", raw, when=_iso_value(raw)))
        elif kind == "punct":
            word = _PUNCT_WORDS[raw]
            tokens.append(Token("word" if word.isalpha() else "punct", word))
        elif kind == "slash":
            raise ScheduleError(
                f"The date {raw!r} is ambiguous (month/day or day/month). Write the month "
                "as a word, e.g. 'on march 15 at 9am', or use ISO 'YYYY-MM-DD'."
            )
        else:
            raise ScheduleError(
                f"Could not understand {raw!r}. Try e.g. 'every monday at 9am' or "
                "'every 15 minutes', or a 5-field cron such as '0 9 * * 1-5'."
            )
    return tokens


def _split_slashed(raw: str) -> list[Token]:
    """'mon/wed/fri' is a list of days; any other 'a/b' stays whole (a time-zone-like word)."""
    parts = raw.split("/")
    known = all(p in WEEKDAY_NAMES or p in WEEKDAY_PLURALS or p in MONTH_NAMES for p in parts)
    if not known:
        return [Token("word", raw)]
    tokens: list[Token] = []
    for part in parts:
        if tokens:
            tokens.append(Token("punct", ","))
        tokens.append(Token("word", part))
    return tokens


def _iso_value(raw: str) -> datetime:
    """Parse an ISO date or date-time ('2026-04-01', '2026-04-01 08:30+02:00', '2026/04/01')."""
    cleaned = re.sub(r"\s+", "T", raw.strip().upper().replace("/", "-"))
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    date_part, _, rest = cleaned.partition("T")
    year, month, day = date_part.split("-")
    cleaned = f"{year}-{int(month):02d}-{int(day):02d}" + (f"T{_pad_hour(rest)}" if rest else "")
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        raise ScheduleError(
            f"{raw!r} is not a real date and time. Use e.g. '2026-04-01 08:30' or "
            "'2026-04-01T08:30:00+02:00'."
        ) from None


def _pad_hour(rest: str) -> str:
    """'8:30' -> '08:30' so fromisoformat accepts a one-digit hour."""
    return "0" + rest if len(rest) > 1 and rest[1] == ":" else rest
