"""Spec -> recurring schedule: a 5-field cron when cron can say it exactly, else an interval
(elapsed seconds), else a ScheduleError that says why and what to write instead.

Order of decisions: classify the cadence (minutes, hours, calendar days/weeks/months/years,
or a plain interval), then fill the day fields, then the time fields, then let
`normalise_cron` validate and canonicalise the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from agentcron.cadence.cron import normalise_cron
from agentcron.cadence.language.lexicon import ALL_DAYS, SECONDS_PER_UNIT, WORKDAYS
from agentcron.cadence.language.rule_draft import RuleDraft
from agentcron.cadence.language.spec import Spec, Step
from agentcron.cadence.language.spread import spread_over_month, spread_over_week
from agentcron.cadence.language.timeofday import RawTime, resolve, resolve_list
from agentcron.errors import ScheduleError

MINUTES_PER_HOUR = 60
HOURS_PER_DAY = 24
MINUTES_PER_DAY = MINUTES_PER_HOUR * HOURS_PER_DAY
MONTHS_PER_YEAR = 12
HOURS_PER_WEEK = 168
DAYS_PER_WEEK = 7
HALF_DAY = 12
BUSINESS_START = (9, 0)
BUSINESS_END = (17, 0)
END_OF_DAY = (24, 0)
SUB_DAILY_HINT = (
    "Drop {extra!r} to run by elapsed time, or pick a cadence cron can repeat, e.g. "
    "'every 30 minutes' or 'every 2 hours' (these accept windows and days)."
)
CALENDAR_HINT = (
    "Drop {extra!r} to run by elapsed time, or use a calendar schedule, e.g. 'every monday "
    "at 9am' or 'every day at 9am'."
)


@dataclass(frozen=True, slots=True)
class Cadence:
    """kind: 'interval' (seconds), 'minute' / 'hour' (every n), 'day' / 'week' / 'month' /
    'year' (calendar, n = month step for 'month')."""

    kind: str
    n: int
    text: str
    expected_times: int | None = None


RULE_UNITS = {"rule-day": ("day", "DAILY"), "rule-week": ("week", "WEEKLY"),
              "rule-month": ("month", "MONTHLY"), "rule-year": ("year", "YEARLY")}
DAY_CODES = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


def build_recurring(spec: Spec) -> tuple[str, str | int | RuleDraft]:
    """('cron', expr), ('interval', seconds) or ('rule', RuleDraft) for a recurring Spec.

    A rule is drafted only where cron cannot say it: every N days/weeks pinned to a time or
    weekday, every N months/years that do not divide a year, ordinals from a month's end.
    """
    if spec.month_year is not None:
        raise ScheduleError(
            f"{spec.nth_text!r} names one year but the text repeats. Drop the year for a yearly "
            f"run, or drop 'every' for a single run, e.g. 'the third thursday of april 2027'."
        )
    if spec.minute_span is not None and spec.step is None and spec.count is None:
        low, high, span = spec.minute_span
        spec.step = Step(Fraction(1), "minute", span)  # the span itself, minute by minute
        spec.notes.append(f"read {span!r} as every minute from :{low:02d} to :{high:02d}")
    cadence = _classify(spec)
    if spec.minute_span is not None and cadence.kind != "minute":
        span = spec.minute_span[2].split(" ", 1)[-1] if spec.minute_span[2].split(" ", 1)[0] in (
            "in", "during", "within", "for") else spec.minute_span[2]
        raise ScheduleError(
            f"{span!r} is ambiguous: each of those minutes, or once at the start of them? Say "
            f"'every minute during {span}', or a single minute such as "
            f"'every hour at :{spec.minute_span[0]:02d}'."
        )
    if spec.except_times and cadence.kind != "hour":
        raise ScheduleError(
            f"{spec.except_times_text!r} leaves times out of an hourly schedule only, e.g. "
            "'every hour except midnight'. Otherwise list the times it runs, e.g. 'every day "
            "at 9am and 5pm'."
        )
    if cadence.kind == "month" and cadence.n > 1 and spec.start is not None:
        # 'every 3 months starting february': Feb, May, Aug, Nov, not cron's Jan, Apr, ...
        cadence = Cadence("rule-month", cadence.n, cadence.text)
    if cadence.kind == "interval":
        _refuse_interval_extras(spec, cadence)
        return "interval", cadence.n
    if spec.weeknos:
        return "rule", _week_number_draft(spec, cadence)
    from_end = (any(n < -1 for _, n in spec.nth) or spec.dom_from_end is not None
                or spec.dom_also_last)
    if cadence.kind not in RULE_UNITS and not from_end:
        return "cron", _cron_of(spec, cadence)
    unit, freq = RULE_UNITS.get(cadence.kind, (cadence.kind, None))
    interval = cadence.n if cadence.kind in RULE_UNITS else 1
    byday = None
    real = spec.nth
    if from_end:
        # Cron has no '2nd last friday': draft with 'last friday', then write the real BYDAY.
        spec.nth = [(day, -1) for day, _ in real]
        byday = ",".join(f"{n:+d}{DAY_CODES[day]}" for day, n in real) if real else None
        freq = freq or "MONTHLY"
    try:
        expr = _cron_of(spec, Cadence(unit, 1, cadence.text) if interval > 1 else cadence)
    finally:
        spec.nth = real
    bymonthday = str(spec.dom_from_end) if spec.dom_from_end is not None else None
    if spec.dom_also_last:
        bymonthday = ",".join([*(str(d) for d in sorted(spec.dom or ())), "-1"])
    return "rule", RuleDraft(expr, freq, interval, byday, bymonthday)


def _week_number_draft(spec: Spec, cadence: Cadence) -> RuleDraft:
    """'mondays in week 20': FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO (every day when none is named)."""
    other = _first_present(spec, ("nth", "dom", "months", "dates"))
    if other or cadence.kind in RULE_UNITS or cadence.kind in ("month", "year") or cadence.n > 1 \
            and cadence.kind not in ("minute", "hour"):
        raise ScheduleError(
            f"{spec.weeknos_text!r} chooses weeks of the year, so it cannot also go with "
            f"{other or cadence.text!r}. Say e.g. 'every monday in week 20 at 9am'."
        )
    expr = _cron_of(spec, cadence)
    every_day = expr.split(" ")[4] == "*"
    byday = ",".join(DAY_CODES[(d + 1) % 7] for d in range(7)) if every_day else None
    weeks = ",".join(str(w) for w in spec.weeknos)
    return RuleDraft(expr, "YEARLY", 1, byday=byday, byweekno=weeks)


def _cron_of(spec: Spec, cadence: Cadence) -> str:
    """The 5-field cron for a calendar, minute or hour cadence."""
    dom, month, dow = _day_fields(spec, cadence)
    if cadence.kind == "minute":
        minute, hour = _minute_fields(spec, cadence)
    elif cadence.kind == "hour":
        minute, hour = _hour_fields(spec, cadence)
    else:
        minute, hour = _time_fields(spec, cadence)
    return _normalise(f"{minute} {hour} {dom} {month} {dow}")


@lru_cache(maxsize=1024)
def _normalise(expr: str) -> str:
    """normalise_cron is pure; most texts map onto a few hundred crons, so cache them."""
    return normalise_cron(expr)


# --- cadence -----------------------------------------------------------------------------------


def _classify(spec: Spec) -> Cadence:
    """Decide what repeats: every n minutes / hours, calendar days, or a plain interval."""
    if spec.count is not None:
        return _classify_count(spec)
    step = spec.step
    if step is None:
        if spec.minutes is not None:
            return Cadence("hour", 1, spec.minutes_text)  # 'at 15 minutes past the hour'
        return Cadence("day", 1, "")
    if step.unit == "month":
        return _month_cadence(step.amount, step.text, spec)
    if step.unit == "year":
        if step.amount != 1:
            return _rule_cadence("rule-year", step.amount, step.text, spec)
        return Cadence("year", 1, step.text)
    calendar_rule = _day_or_week_rule(spec)
    if calendar_rule is not None:
        return calendar_rule
    seconds = step.amount * SECONDS_PER_UNIT[step.unit]
    if seconds.denominator != 1 or seconds % MINUTES_PER_HOUR:
        raise _sub_minute(step.text, seconds < MINUTES_PER_HOUR)
    minutes = int(seconds) // MINUTES_PER_HOUR
    if minutes < MINUTES_PER_HOUR and MINUTES_PER_HOUR % minutes == 0:
        return Cadence("minute", minutes, step.text)
    if minutes % MINUTES_PER_HOUR == 0:
        hours = minutes // MINUTES_PER_HOUR
        if hours < HOURS_PER_DAY and (HOURS_PER_DAY % hours == 0 or _has_window(spec)):
            return Cadence("hour", hours, step.text)
        if hours == HOURS_PER_DAY:
            return Cadence("day", 1, step.text)
        if hours == HOURS_PER_WEEK and step.unit == "week":
            return Cadence("week", 1, step.text)
    return Cadence("interval", int(seconds), step.text)


def _sub_minute(text: str, too_often: bool) -> ScheduleError:
    """The refusal for cadences under, or not in whole, minutes: it names the one-minute floor."""
    what = "more often than once a minute" if too_often else "not a whole number of minutes"
    return ScheduleError(
        f"{text!r} is {what}: the scheduler's floor is one minute (its resolution), so the "
        "shortest cadence is 'every minute'. Try e.g. 'every minute' or 'every 2 minutes'."
    )


def _has_window(spec: Spec) -> bool:
    return spec.window is not None or spec.business_hours


def _day_or_week_rule(spec: Spec) -> Cadence | None:
    """'every other day at 9am', 'every 2 weeks on friday at 5pm': a rule, not an interval,
    when every N days or weeks is pinned to a time of day or a weekday."""
    step = spec.step
    assert step is not None
    if step.unit not in ("day", "week") or step.amount.denominator != 1 or step.amount < 2:
        return None
    pinned = spec.times or spec.period or (step.unit == "week" and (spec.days or spec.except_days))
    if not pinned:
        return None
    if step.unit == "day":
        other = _first_present(spec, ("days", "nth", "dom", "months", "dates", "except"))
        if other:
            raise ScheduleError(
                f"{step.text!r} counts days, so it cannot also be on {other!r}. Say e.g. "
                f"'{step.text} at 9am', or 'every monday at 9am' for a weekday."
            )
    else:
        other = _first_present(spec, ("nth", "dom", "dates"))
        if other:
            raise ScheduleError(
                f"{step.text!r} counts weeks, so it cannot also be on {other!r}. Say e.g. "
                f"'{step.text} on monday at 9am'."
            )
    return Cadence(f"rule-{step.unit}", int(step.amount), step.text)


def _first_present(spec: Spec, names: tuple[str, ...]) -> str | None:
    """The text of the first of these day restrictions the spec has, else None."""
    found = {
        "days": spec.days.text if spec.days else "",
        "nth": spec.nth_text if spec.nth else "",
        "dom": spec.dom_text if (spec.dom or spec.dom_last) else "",
        "months": spec.months_text if spec.months else "",
        "dates": spec.dates[0].text if spec.dates else "",
        "except": "except ..." if (spec.except_days or spec.except_months) else "",
    }
    return next((found[name] for name in names if found[name]), None)


def _rule_cadence(kind: str, amount: Fraction, text: str, spec: Spec) -> Cadence:
    """Every N months (N not dividing 12) or N years: a rule, once the day is said."""
    if amount.denominator != 1:
        raise ScheduleError(f"{text!r}: say a whole number, e.g. 'every 2 years on march 1'.")
    unit = "year" if kind == "rule-year" else "month"
    has_day = spec.dom or spec.dom_last or spec.nth or spec.dates
    has_day = has_day or (unit == "year" and spec.months)
    if not has_day:
        example = "every 2 years on march 1" if unit == "year" else f"{text} on the 1st"
        raise ScheduleError(
            f"{text!r} needs the day it runs on, e.g. '{example}' (a calendar rule repeats "
            f"every {int(amount)} {unit}s from its first run)."
        )
    if unit == "month" and (spec.months or spec.dates):
        raise ScheduleError(
            f"{text!r} and {spec.months_text or spec.dates[0].text!r} both choose the months. "
            f"Give one, e.g. '{text} on the 1st'."
        )
    return Cadence(kind, int(amount), text)


def _month_cadence(amount: Fraction, text: str, spec: Spec) -> Cadence:
    """'every 3 months' -> month step 3; other steps are rules ('every 5 months on the 1st')."""
    if amount.denominator != 1 or MONTHS_PER_YEAR % int(amount):
        return _rule_cadence("rule-month", amount, text, spec)
    if int(amount) == MONTHS_PER_YEAR:
        return Cadence("year", 1, text)
    return Cadence("month", int(amount), text)


def _classify_count(spec: Spec) -> Cadence:
    """'twice a day', 'three times a day at 7, 13 and 19', 'twice an hour', 'twice a year'."""
    assert spec.count is not None
    times, unit, text = spec.count
    if spec.step is not None and (spec.step.unit, spec.step.amount) != (unit, Fraction(1)):
        raise ScheduleError(f"{text!r} and {spec.step.text!r} are two different cadences.")
    if unit == "day":
        if spec.times:
            return Cadence("day", 1, text, expected_times=times)
        if times == 1:
            return Cadence("day", 1, text)
        if HOURS_PER_DAY % times == 0:
            return Cadence("hour", HOURS_PER_DAY // times, text)
    elif unit == "hour" and MINUTES_PER_HOUR % times == 0:
        return Cadence("minute", MINUTES_PER_HOUR // times, text)
    elif unit == "minute" and times == 1:
        return Cadence("minute", 1, text)
    elif unit in ("minute", "second"):
        raise _sub_minute(text, True)
    elif unit == "week":
        given = len(spec.days.days) if spec.days else 0
        if given == times or (times == 1 and not given):
            return Cadence("week", 1, text)
        if not given:
            spread_over_week(spec, times, text)
            return Cadence("day" if times == DAYS_PER_WEEK else "week", 1, text)
        raise ScheduleError(
            f"{text!r} needs the days, e.g. 'twice a week on monday and thursday at 9am'."
        )
    elif unit == "month":
        given = len(spec.dom or ()) + len(spec.nth) + int(spec.dom_last)
        if given == times or (times == 1 and not given):
            return Cadence("month", 1, text)
        if not given:
            spread_over_month(spec, times, text)
            return Cadence("month", 1, text)
        raise ScheduleError(f"{text!r} needs the days, e.g. 'twice a month on the 1st and 15th'.")
    elif unit == "year":
        given = len(spec.months or ()) or len({d.month for d in spec.dates})
        if given == times or (times == 1 and not given):
            return Cadence("year", 1, text)
        if not given and MONTHS_PER_YEAR % times == 0:
            return _month_cadence(Fraction(MONTHS_PER_YEAR // times), text, spec)
    raise ScheduleError(
        f"{text!r} cannot be spread evenly by cron. Give the times, e.g. "
        "'three times a day at 8am, 1pm and 6pm'."
    )


def _refuse_interval_extras(spec: Spec, cadence: Cadence) -> None:
    """An interval has no time of day, weekday or month: refuse rather than drop them."""
    extras = [
        (spec.times, spec.times_text),
        (spec.minutes, spec.minutes_text),
        (spec.window, spec.window.text if spec.window else ""),
        (spec.business_hours, "business hours"),
        (spec.days, spec.days.text if spec.days else ""),
        (spec.nth, spec.nth_text),
        (spec.dom or spec.dom_last, spec.dom_text),
        (spec.months, spec.months_text),
        (spec.dates, spec.dates[0].text if spec.dates else ""),
        (spec.except_days or spec.except_months, "except ..."),
        (spec.period, spec.period_text),
    ]
    hint = SUB_DAILY_HINT if cadence.n < SECONDS_PER_UNIT["day"] else CALENDAR_HINT
    for present, text in extras:
        if present:
            raise ScheduleError(
                f"{cadence.text!r} cannot be combined with {text!r}: cron cannot repeat "
                f"{cadence.text.removeprefix('every ')} exactly, and an interval runs by elapsed "
                f"time with no time of day, weekday or month. {hint.format(extra=text)}"
            )


# --- day fields --------------------------------------------------------------------------------


def _day_fields(spec: Spec, cadence: Cadence) -> tuple[str, str, str]:
    """(day-of-month, month, day-of-week) from days, dates, months and the cadence's defaults."""
    dom, months = _dom_and_months(spec)
    days = _weekdays(spec)
    dow = _render(days) if days is not None else "*"
    if spec.nth:
        if days is not None:
            raise ScheduleError(
                f"{spec.nth_text!r} and {spec.days.text if spec.days else 'the weekdays'!r} "
                "both name weekdays. Create one task each."
            )
        if spec.nth_ambiguous and not (spec.month_context or cadence.kind == "month"):
            phrase = spec.nth_ambiguous.split(" ", 1)[-1]
            raise ScheduleError(
                f"{spec.nth_ambiguous!r} is ambiguous: the same weekday of every month, or "
                f"every few weeks? Say 'the {phrase} of the month', or give an interval such as "
                "'every 2 weeks' (without a weekday)."
            )
        dow = ",".join(f"{day}#{n}" if n > 0 else f"L{day}" for day, n in spec.nth)
    if cadence.kind == "week" and days is None and not spec.nth:
        dow = "0"
    month_step = cadence.n if cadence.kind == "month" else 1
    if cadence.kind in ("month", "year") and days is not None:
        raise ScheduleError(
            f"{cadence.text!r} on {spec.days.text if spec.days else 'those days'!r} is "
            "ambiguous. Say e.g. 'the first monday of the month' or 'every monday'."
        )
    if (
        dom == "*"
        and dow == "*"
        and (cadence.kind in ("month", "year") or (months != "*" and spec.step is None))
    ):
        dom = "1"
    if cadence.kind == "year" and months == "*":
        months = "1"
    if month_step > 1:
        if months != "*":
            raise ScheduleError(
                f"{cadence.text!r} and {spec.months_text!r} both choose the months. Give one."
            )
        months = f"*/{month_step}"
    if dom != "*" and dow != "*":
        raise ScheduleError(
            f"{spec.dom_text or 'a day of the month'!r} and "
            f"{(spec.days.text if spec.days else spec.nth_text) or 'a weekday'!r} cannot be "
            "combined: cron would run on either one, not on days that are both. Create one task "
            "each, or use e.g. 'the first monday of the month'."
        )
    if cadence.kind == "week" and dom != "*":
        raise ScheduleError(f"{cadence.text!r} cannot also be on {spec.dom_text!r}.")
    return dom, months, dow


def _weekdays(spec: Spec) -> frozenset[int] | None:
    """The weekday set after business hours defaults and exceptions; None = every day."""
    days = spec.days.days if spec.days else None
    if days is None and spec.business_hours and not _every_day(spec):
        days = WORKDAYS
    if spec.except_days:
        days = (days if days is not None else ALL_DAYS) - spec.except_days
        if not days:
            raise ScheduleError(
                "The exceptions remove every day of the week; nothing would run. Try e.g. "
                "'every day except sundays'."
            )
    if days is not None and days == ALL_DAYS:
        return None
    return days


def _every_day(spec: Spec) -> bool:
    return spec.step is not None and spec.step.unit == "day" and spec.step.amount == 1


def _dom_and_months(spec: Spec) -> tuple[str, str]:
    """Day-of-month and month fields from 'on the 15th', 'last day', dates and months."""
    dom = "L" if spec.dom_last else _render(spec.dom) if spec.dom else "*"
    months: frozenset[int] | None = spec.months
    if spec.dates:
        days = {item.day for item in spec.dates}
        date_months = frozenset(item.month for item in spec.dates)
        if len(days) * len(date_months) != len(spec.dates):
            listed = ", ".join(item.text for item in spec.dates)
            raise ScheduleError(
                f"The dates {listed!r} cannot be written as one cron (it would also run on the "
                "other day/month pairs). Create one task per date."
            )
        if dom != "*" or (months is not None and months != date_months):
            raise ScheduleError(f"{spec.dates[0].text!r} conflicts with another day or month.")
        dom, months = _render(frozenset(days)), date_months
    if spec.except_months:
        months = (months if months is not None else frozenset(range(1, 13))) - spec.except_months
        if not months:
            raise ScheduleError(
                "The exceptions remove every month; nothing would run. Try e.g. "
                "'every day except in august'."
            )
    return dom, (_render(months) if months else "*")


# --- time fields -------------------------------------------------------------------------------


def _minute_fields(spec: Spec, cadence: Cadence) -> tuple[str, str]:
    """Every n minutes, optionally inside a window of whole hours."""
    minute = "*" if cadence.n == 1 else f"*/{cadence.n}"
    if spec.parity is not None:
        minute = "*/2" if spec.parity[1] == 0 else "1-59/2"
    if spec.minute_span is not None:
        low, high, _ = spec.minute_span
        minute = f"{low}-{high}" + ("" if cadence.n == 1 else f"/{cadence.n}")
    if spec.times or spec.minutes:
        what = spec.times_text or spec.minutes_text
        raise ScheduleError(
            f"{cadence.text!r} cannot also be {what!r}. For a window say e.g. "
            f"'{cadence.text} between 9am and 5pm'."
        )
    _refuse_lone_period(spec, cadence)
    window = _window(spec)
    if window is None:
        return minute, "*"
    (start_h, start_m), (end_h, end_m) = window
    if start_m or end_m:
        raise ScheduleError(
            f"{_window_text(spec)!r}: with a cadence in minutes the window must start and end "
            "on the hour, e.g. 'between 8am and 6pm'."
        )
    hours = _cyclic_hours(start_h, end_h)
    return minute, _render(frozenset(hours))


def _hour_fields(spec: Spec, cadence: Cadence) -> tuple[str, str]:
    """Every n hours at minute m (':15', 'on the half hour'), optionally inside a window."""
    minutes = list(spec.minutes or [])
    if spec.times:
        minutes = _minutes_written_as_time(spec, cadence, minutes)
    _refuse_lone_period(spec, cadence)
    window = _window(spec)
    parity = spec.parity[1] if spec.parity is not None else None
    if window is None:
        hour = "*" if cadence.n == 1 else f"*/{cadence.n}"
        if parity is not None:
            hour = "*/2" if parity == 0 else "1-23/2"
        if spec.except_times:
            step = 2 if parity is not None else cadence.n
            every = set(range(parity or 0, HOURS_PER_DAY, step))
            hour = _render(frozenset(_without_excepted(spec, minutes or [0], every)))
        return _render(frozenset(minutes or [0])), hour
    if parity is not None:
        cadence = Cadence(cadence.kind, 1, cadence.text)  # every hour of the window, then odd/even
    if len(minutes) > 1:
        raise ScheduleError(
            f"{spec.minutes_text!r} with a window cannot be one cron. Create one task each."
        )
    (start_h, start_m), (end_h, end_m) = window
    minute = minutes[0] if minutes else start_m
    start = start_h * MINUTES_PER_HOUR + start_m
    end = min(end_h * MINUTES_PER_HOUR + end_m, MINUTES_PER_DAY - 1)  # open end: until 23:59
    if end <= start:
        end += MINUTES_PER_DAY
    first = start_h * MINUTES_PER_HOUR + minute
    if first < start:
        first += MINUTES_PER_HOUR
    hours = {
        (t // MINUTES_PER_HOUR) % HOURS_PER_DAY
        for t in range(first, end + 1, cadence.n * MINUTES_PER_HOUR)
    }
    if parity is not None:
        hours = {h for h in hours if h % 2 == parity}
    if spec.except_times:
        hours = _without_excepted(spec, [minute], hours)
    if not hours:
        raise ScheduleError(f"{_window_text(spec)!r} is too short for {cadence.text!r}.")
    return str(minute), _render(frozenset(hours))


def _without_excepted(spec: Spec, minutes: list[int], hours: set[int]) -> set[int]:
    """The run hours minus 'except midnight', 'except at 2am and 4am' (each must be a run)."""
    left = set(hours)
    for hour, minute in resolve_list(spec.except_times, None):
        if minute not in minutes or hour not in left:
            raise ScheduleError(
                f"{spec.except_times_text!r}: {hour:02d}:{minute:02d} is not one of the runs, "
                "so there is nothing to leave out. Name a run time, e.g. 'every hour except "
                "midnight'."
            )
        left.discard(hour)
    if not left:
        raise ScheduleError(f"{spec.except_times_text!r} leaves no runs.")
    return left


def _minutes_written_as_time(spec: Spec, cadence: Cadence, minutes: list[int]) -> list[int]:
    """'every hour at 45' -> minute 45 (45 cannot be an hour); 'every hour at 9am' is refused."""
    raw = spec.times[0]
    plain = raw.meridiem is None and raw.period is None and not raw.fixed and raw.minute == 0
    if len(spec.times) == 1 and plain and HOURS_PER_DAY <= raw.hour < MINUTES_PER_HOUR:
        if minutes and minutes != [raw.hour]:
            raise ScheduleError(f"{spec.times_text!r} contradicts {spec.minutes_text!r}.")
        return [raw.hour]
    raise ScheduleError(
        f"{cadence.text!r} cannot also be {spec.times_text!r}. For minutes past the hour say "
        f"e.g. '{cadence.text} at :15'; for a window, '{cadence.text} from 9am to 5pm'."
    )


def _refuse_lone_period(spec: Spec, cadence: Cadence) -> None:
    if spec.period:
        raise ScheduleError(
            f"{cadence.text!r} {spec.period_text!r} has no clear hours. Give a window, e.g. "
            f"'{cadence.text} between 6am and 12pm'."
        )


def _time_fields(spec: Spec, cadence: Cadence) -> tuple[str, str]:
    """Daily / weekly / monthly / yearly: the listed times (same minute), default 00:00."""
    if spec.minutes is not None:
        raise ScheduleError(
            f"{spec.minutes_text!r} needs an hourly cadence, e.g. 'every hour {spec.minutes_text}'."
        )
    if spec.window is not None or spec.business_hours:
        raise ScheduleError(
            f"{_window_text(spec)!r} needs a cadence inside it, e.g. 'every hour between 9am "
            "and 5pm' or 'every 15 minutes during business hours'."
        )
    if not spec.times:
        if spec.period and spec.period != "night":  # midnight is at night; 8am is a guess
            raise ScheduleError(
                f"{spec.period_text!r} needs a time, e.g. 'every {spec.period} at 8'."
            )
        return "0", "0"
    resolved = sorted(set(resolve_list(spec.times, spec.period)))
    if cadence.expected_times is not None and len(resolved) != cadence.expected_times:
        raise ScheduleError(
            f"{cadence.text!r} does not match the {len(resolved)} time(s) given "
            f"({spec.times_text!r})."
        )
    minutes = {minute for _, minute in resolved}
    if len(minutes) > 1:
        listed = ", ".join(f"{h:02d}:{m:02d}" for h, m in resolved)
        raise ScheduleError(
            f"The times {listed} have different minutes, which one cron line cannot express. "
            "Create one task per time (e.g. one 'every day at 9:15', one 'every day at 17:45')."
        )
    return str(minutes.pop()), _render(frozenset(h for h, _ in resolved))


# --- windows -----------------------------------------------------------------------------------


def _window(spec: Spec) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The window as ((h, m), (h, m)) on the 24-hour clock; the end may be (24, 0)."""
    if spec.business_hours:
        if spec.window is not None:
            raise ScheduleError("The text gives a window and business hours. Give one.")
        return BUSINESS_START, BUSINESS_END
    if spec.window is None:
        return None
    start_raw, end_raw = spec.window.start, spec.window.end
    if start_raw is not None and end_raw is not None:
        start, end = resolve_list([start_raw, end_raw], spec.period)
        end = _nine_to_five(start_raw, end_raw, start, end)
    else:
        start = resolve(start_raw, spec.period) if start_raw else (0, 0)
        end = resolve(end_raw, spec.period) if end_raw else END_OF_DAY
    if start == end:
        raise ScheduleError(f"{spec.window.text!r} is empty: it starts when it ends.")
    return start, end


def _nine_to_five(
    start_raw: RawTime, end_raw: RawTime, start: tuple[int, int], end: tuple[int, int]
) -> tuple[int, int]:
    """'from 9 to 5' (both plain hours, end before start) means 09:00-17:00, not overnight."""
    plain = all(
        r.meridiem is None and r.period is None and not r.fixed for r in (start_raw, end_raw)
    )
    if plain and end < start and start[0] <= HALF_DAY and end[0] < HALF_DAY:
        shifted = (end[0] + HALF_DAY, end[1])
        if shifted > start:
            return shifted
    return end


def _window_text(spec: Spec) -> str:
    return spec.window.text if spec.window else "business hours"


def _cyclic_hours(start_h: int, end_h: int) -> list[int]:
    """Hours a minute cadence runs in: start up to (not including) end, wrapping midnight."""
    if end_h > start_h:
        return list(range(start_h, end_h))
    return list(range(start_h, HOURS_PER_DAY)) + list(range(0, end_h))


def _render(values: frozenset[int] | None) -> str:
    """A plain comma list; normalise_cron compacts it into ranges and steps."""
    if not values:
        return "*"
    return ",".join(str(v) for v in sorted(values))
