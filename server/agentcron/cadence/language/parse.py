"""Text -> Schedule: natural language, raw 5-field cron, @macros or raw RRULE lines.
Deterministic and offline.

Pipeline: hand raw RRULE lines to rrule/raw.py; normalise the text, pull out the time zone, hand
raw cron to `normalise_cron`, otherwise tokenise, run the grammar (which refuses unknown words
by name), and build a cron, an interval, a one-off or a calendar rule from what it found. See
recurring.py, oneoff.py and rule_draft.py for the rules.
"""

from __future__ import annotations

import re
from datetime import datetime

from agentcron.cadence.cron import normalise_cron
from agentcron.cadence.language.grammar import Grammar
from agentcron.cadence.language.oneoff import build_once, next_occurrence_note
from agentcron.cadence.rrule.raw import is_raw_rule, parse_raw_rule
from agentcron.cadence.language.recurring import build_recurring
from agentcron.cadence.language.recogniser import EXAMPLES
from agentcron.cadence.language.rule_draft import RuleDraft, build_rule
from agentcron.cadence.language.numeric_dates import read_numeric_dates
from agentcron.cadence.language.spec import Spec
from agentcron.cadence.language.spelling import repair_names
from agentcron.cadence.language.start_day import day_from_start
from agentcron.cadence.language.tokens import fold, normalise, tokenize
from agentcron.cadence.zones import find_zone_in_text, resolve_zone, zone
from agentcron.errors import ScheduleError
from agentcron.models import Schedule

MAX_TEXT_LENGTH = 500
CRON_FIELD_COUNTS = range(3, 8)
# One cron field: numbers, *, ?, ranges, steps, lists, L/W/#, and 3-letter day/month names.
_CRON_FIELD = re.compile(
    r"(?:[\d*?lw#]+|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|sun|mon|tue|wed|thu|fri|sat)(?:[-/,#](?:[\d*?lw]+|jan|feb|mar|apr|may|jun|jul|aug|sep"
    r"|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat))*"
)
_NUMERIC_FIELD = re.compile(r"[\d,\-/]+")
_MACRO = re.compile(r"@[a-z][^\s]*")
BOUND_HINT = (
    "Say how often, e.g. 'every day at 9am until december 15', or give one time, e.g. "
    "'tomorrow at 9am'."
)


def parse_schedule(text: str, *, timezone: str = "UTC", now: datetime) -> Schedule:
    """Parse `text` into a Schedule, or raise ScheduleError naming what was not understood.

    `timezone` is the default IANA zone (a zone named in the text wins); `now` is the aware
    reference instant that relative phrases ('tomorrow', 'in 2 hours') resolve against.
    """
    return read_schedule(text, timezone=timezone, now=now)[0]


def read_schedule(
    text: str, *, timezone: str = "UTC", now: datetime
) -> tuple[Schedule, list[str]]:
    """`parse_schedule` plus how the text was read where it took a reading ('read
    "thrusday" as Thursday', a bare time as its next occurrence): the description states them."""
    if not text or not text.strip():
        raise ScheduleError(f"The schedule text is empty. {EXAMPLES}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ScheduleError(
            f"The schedule text is {len(text)} characters; the limit is {MAX_TEXT_LENGTH}. "
            "Send only the cadence, e.g. 'every weekday at 9am Europe/Berlin'."
        )
    if now.tzinfo is None:
        raise ScheduleError("The reference time must include a UTC offset.")
    if is_raw_rule(text):
        return parse_raw_rule(text.strip(), timezone, now), []
    named_zone, rest = find_zone_in_text(fold(text))
    rest = normalise(rest)
    tz_name = named_zone or resolve_zone(timezone)
    cron = _raw_cron(rest)
    if cron is not None:
        return Schedule(kind="cron", cron=cron, timezone=tz_name), []
    rest, date_notes = read_numeric_dates(rest)
    tokens, spelling_notes = repair_names(tokenize(rest))
    if not tokens:
        raise ScheduleError(f"The text names a time zone ({tz_name}) but no schedule. {EXAMPLES}")
    spec = Grammar(tokens).parse()
    spec.notes[:0] = spelling_notes + date_notes
    return _build(spec, tz_name, now), spec.notes


def _build(spec: Spec, tz_name: str, now: datetime) -> Schedule:
    """The Schedule a parsed Spec names (cron, interval, once or rule)."""
    if _is_one_off(spec):
        if spec.bounded():
            raise ScheduleError(
                f"{spec.bound_text()!r} needs a repeating schedule, but the rest of the text names "
                f"one run. {BOUND_HINT}"
            )
        instant = build_once(spec, zone(tz_name), now)
        if spec.next_occurrence:
            spec.notes.append(next_occurrence_note(spec, instant, now))
        return Schedule(kind="once", run_at=instant.isoformat(), timezone=tz_name)
    start_note = day_from_start(spec, zone(tz_name), now)
    if start_note is not None:
        spec.notes.append(start_note)
    kind, value = build_recurring(spec)
    if kind == "interval":
        if spec.bounded():
            cadence = spec.step.text if spec.step else "The interval"
            raise ScheduleError(
                f"{cadence!r} runs by elapsed time from when the task is created, so it cannot "
                f"start or end on a date ({spec.bound_text()!r}). Pin it to a weekday or time, "
                "e.g. 'every 2 weeks on monday at 9am starting december 7' or 'every 14 days at "
                "9am until december 15', or use a cadence cron can repeat, e.g. 'every 2 hours "
                "until friday'."
            )
        return Schedule(kind="interval", interval_seconds=int(value), timezone=tz_name)
    if isinstance(value, RuleDraft):
        return build_rule(spec, value, tz_name, now)
    if spec.bounded():
        return build_rule(spec, RuleDraft(str(value)), tz_name, now)
    return Schedule(kind="cron", cron=str(value), timezone=tz_name)


def _raw_cron(text: str) -> str | None:
    """Normalised cron when `text` is a cron expression or @macro; None for prose."""
    stripped = text.strip()
    if _MACRO.fullmatch(stripped):
        return normalise_cron(stripped)
    fields = stripped.split()
    if len(fields) not in CRON_FIELD_COUNTS:
        return None
    if not all(_CRON_FIELD.fullmatch(f) for f in fields):
        return None
    if not any(ch in stripped for ch in "*?") and (
        len(fields) < 5 or not _NUMERIC_FIELD.fullmatch(fields[0] + fields[1])
    ):
        return None  # 'mon wed fri sat sun' is prose; a cron's minute and hour are numbers
    return normalise_cron(stripped)


def _is_one_off(spec: Spec) -> bool:
    """Recurring words win unless a one-off anchor is also present (then refuse the mix)."""
    if spec.weeknos and spec.recurring is None:
        raise ScheduleError(
            f"{spec.weeknos_text!r} comes back every year: one day in it, or every year? Say "
            f"e.g. 'every monday {spec.weeknos_text}' for a yearly run, or give the date for "
            "one run, e.g. 'on may 11 at 9am'."
        )
    if spec.recurring is not None and spec.once is not None:
        raise ScheduleError(
            f"{spec.once!r} is a single moment but {spec.recurring!r} repeats. For a start "
            "date say e.g. 'every day at 9am starting tomorrow'; for one run, 'tomorrow at 9am'."
        )
    if spec.month_date is not None and spec.recurring is None and spec.step is None:
        return True
    if spec.once is not None:
        return True
    if spec.recurring is not None:
        if spec.says_nothing():
            raise ScheduleError(f"{spec.recurring!r} needs a cadence after it. {EXAMPLES}")
        return False
    if spec.dates or spec.days or spec.anchor_days is not None or spec.weekday_anchor:
        return True
    if spec.step is not None or spec.count is not None:
        return False
    if len(spec.times) == 1 and not (spec.minutes is not None or spec.months or spec.window):
        spec.next_occurrence = True  # 'at 9am': the next 09:00, as reminder bots read it
        return True
    what = spec.times_text or spec.minutes_text or spec.months_text or spec.period_text
    if what:
        raise ScheduleError(
            f"{what!r} does not say which day or how often. Try e.g. 'every day at 5pm', "
            "'every monday at 5pm' or 'today at 5pm'."
        )
    raise ScheduleError(f"The text has no schedule in it. {EXAMPLES}")
