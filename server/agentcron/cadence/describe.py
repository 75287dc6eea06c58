"""Schedule -> plain English (cron-descriptor, 24-hour clock, naming the zone) and warnings."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from itertools import islice

from cron_descriptor import CasingTypeEnum, Options, get_description

from agentcron.cadence.cron import Note, both_days_restricted, iter_fires
from agentcron.cadence.language.lexicon import WEEKDAY_LABELS
from agentcron.cadence.rrule.english import NTH_WORDS, describe_rule, join_words
from agentcron.cadence.zones import zone
from agentcron.models import Schedule

_UNITS = ((604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def _options() -> Options:
    options = Options()
    options.use_24hour_time_format = True
    options.locale_code = "en_US"
    options.casing_type = CasingTypeEnum.Sentence
    options.day_of_week_start_index_zero = True
    return options


_OPTIONS = _options()


@lru_cache(maxsize=4096)
def describe_cron_text(expr: str, timezone: str) -> str:
    """'At 09:00, Monday through Friday (Europe/Berlin time)' (cached: listing 100 tasks
    would otherwise spend most of its time in cron-descriptor)."""
    fields = expr.split()
    if len(fields) == 5 and "," in fields[4] and any(c in fields[4] for c in "#L"):
        # cron-descriptor garbles lists of n-th weekdays ('3#2,3#4'): describe them here.
        base = get_description(" ".join(fields[:4] + ["*"]), _OPTIONS)
        return f"{base}, on {_nth_list(fields[4])} of the month ({timezone} time)"
    if len(fields) == 5 and fields[0].isdigit() and "," in fields[1] and "-" in fields[1]:
        # cron-descriptor reads '0 0-11,13-23' as spans of minutes: name the hours instead.
        days = get_description(" ".join(["0", "0"] + fields[2:]), _OPTIONS).removeprefix(
            "At 00:00")
        hours = join_words([part.replace("-", " through ") for part in fields[1].split(",")])
        return f"At :{int(fields[0]):02d} past hours {hours}{days} ({timezone} time)"
    return f"{get_description(expr, _OPTIONS)} ({timezone} time)"


def _nth_list(field: str) -> str:
    """'3#2,3#4' -> 'the second and fourth Wednesday'; '1#1,L5' -> 'the first Monday and
    the last Friday'."""
    by_day: dict[int, list[int]] = {}
    for item in field.split(","):
        day, nth = (item[1:], -1) if item.startswith("L") else item.split("#")
        by_day.setdefault(int(day) % 7, []).append(int(nth))
    phrases = [
        "the " + join_words([NTH_WORDS[n] for n in sorted(ns, key=lambda n: n % 10)])
        + f" {WEEKDAY_LABELS[day]}"
        for day, ns in by_day.items()
    ]
    return join_words(phrases)


def describe_interval(seconds: int) -> str:
    """'Every 90 minutes (elapsed time; DST changes do not shift it)'."""
    return f"Every {format_duration(seconds)} (elapsed time, counted from when it starts; DST does not shift it)"


def format_duration(seconds: int) -> str:
    """The largest unit that divides exactly: '2 weeks', '90 minutes', '36 hours'."""
    for size, unit in _UNITS:
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" + ("s" if count != 1 else "")


def describe_once(run_at: datetime, timezone: str) -> str:
    """'Once, on Thursday 2026-03-12 at 10:00 (UTC time)'."""
    local = run_at.astimezone(zone(timezone))
    return f"Once, on {local:%A %Y-%m-%d at %H:%M} ({timezone} time)"


def describe_schedule(schedule: Schedule) -> str:
    """Plain English for any schedule kind."""
    if schedule.kind == "cron":
        assert schedule.cron is not None
        return describe_cron_text(schedule.cron, schedule.timezone)
    if schedule.kind == "interval":
        assert schedule.interval_seconds is not None
        return describe_interval(schedule.interval_seconds)
    if schedule.kind == "rrule":
        assert schedule.rrule is not None and schedule.starts_at is not None
        return describe_rule(schedule.rrule, schedule.starts_at, schedule.timezone)
    assert schedule.run_at is not None
    return describe_once(datetime.fromisoformat(schedule.run_at), schedule.timezone)


def cron_runs_with_warnings(
    expr: str, timezone: str, after: datetime, count: int
) -> tuple[list[datetime], list[str]]:
    """Next `count` runs plus the warnings a user should hear about them."""
    tz = zone(timezone)
    runs: list[datetime] = []
    warnings: list[str] = []
    if both_days_restricted(expr):
        dom, dow = expr.split(" ")[2], expr.split(" ")[4]
        warnings.append(
            f"Both day-of-month ({dom}) and day-of-week ({dow}) are restricted, so this fires "
            "on days matching EITHER one (standard cron semantics), not only days matching both."
        )
    for instant, notes in islice(iter_fires(expr, tz, after), count):
        runs.append(instant)
        warnings.extend(_note_text(note, instant, timezone) for note in notes)
    return runs, list(dict.fromkeys(warnings))


def _note_text(note: Note, instant: datetime, timezone: str) -> str:
    kind, wall = note
    when = f"{wall:%Y-%m-%d %H:%M}"
    if kind == "gap-shifted":
        return (
            f"{when} does not exist in {timezone} (clocks spring forward); that run fires once, "
            f"at {instant:%H:%M} {instant.tzname()}, the first moment after the gap."
        )
    if kind == "gap-skipped":
        return (
            f"{when} does not exist in {timezone} (clocks spring forward); an hourly schedule "
            "fires on real hours only, so nothing runs in the missing hour."
        )
    if kind == "repeat-first":
        return (
            f"{when} happens twice in {timezone} (clocks fall back); the run fires once, at the "
            f"first occurrence ({instant:%H:%M} {instant.tzname()})."
        )
    return (
        f"{when} happens twice in {timezone} (clocks fall back); an hourly schedule fires on "
        "every real hour, so it runs in both passes of the repeated hour."
    )
