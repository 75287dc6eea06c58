"""The days 'twice a week' or 'twice a month' runs on when the text names none.

A count per week or month without days ('every week twice', '3 times a week', 'twice a
month') is spread evenly at stated defaults, always said in the description:
  - twice a week: Monday and Thursday; 3 times a week: Monday, Wednesday and Friday;
    7 times a week: every day;
  - twice a month: the 1st and the 15th.
The time of day is the one written, else 00:00, as 'every week' alone is (cron's @weekly).
Counts with no natural even spread (4, 5 or 6 times a week, 3 or more times a month) are
refused with what to write instead. Days or a time named in the text always win.
"""

from __future__ import annotations

from agentcron.cadence.language.lexicon import ALL_DAYS, WEEKDAY_LABELS
from agentcron.cadence.language.spec import DayList, Spec
from agentcron.cadence.rrule.english import join_words
from agentcron.errors import ScheduleError

WEEKLY_SPREADS: dict[int, frozenset[int]] = {
    2: frozenset({1, 4}),  # Monday, Thursday: 3 and 4 days apart
    3: frozenset({1, 3, 5}),  # Monday, Wednesday, Friday
    7: ALL_DAYS,
}
MONTHLY_SPREADS: dict[int, frozenset[int]] = {2: frozenset({1, 15})}
WEEKLY_HINTS = {4: "monday, tuesday, thursday and friday", 5: "weekdays",
                6: "monday to saturday"}


def spread_over_week(spec: Spec, times: int, text: str) -> None:
    """Give a count per week its default days (see the module docstring) and say so."""
    _refuse_other_day_choices(spec, text, "twice a week on monday and thursday at 9am")
    days = WEEKLY_SPREADS.get(times)
    if days is None:
        hint = WEEKLY_HINTS.get(times)
        example = f"{times} times a week on {hint} at 9am" if hint else "every day at 9am and 5pm"
        raise ScheduleError(
            f"{text!r} has no even spread over a week. Name the days and times, e.g. "
            f"'{example}'."
        )
    labels = [WEEKDAY_LABELS[day] for day in sorted(days, key=lambda d: (d - 1) % 7)]
    said = "every day" if days == ALL_DAYS else join_words(labels)
    spec.days = DayList(days, True, text)
    _state(spec, text, "week", said)


def spread_over_month(spec: Spec, times: int, text: str) -> None:
    """Give a count per month its default days of the month and say so."""
    _refuse_other_day_choices(spec, text, "twice a month on the 1st and 15th")
    days = MONTHLY_SPREADS.get(times)
    if days is None:
        raise ScheduleError(
            f"{text!r} has no even spread over a month. Name the days, e.g. "
            "'on the 1st, 11th and 21st at 9am', or say e.g. 'every monday at 9am'."
        )
    spec.dom = days
    spec.dom_text = text
    _state(spec, text, "month", "the 1st and the 15th")


def _state(spec: Spec, text: str, unit: str, days: str) -> None:
    """Say the default days in the description, in the note of 'every week twice' if the
    count came after its period, else in a note of its own."""
    said = f"{days} (the default; name the days to choose others)"
    rate = f" as {text} per {unit}"
    for index, note in enumerate(spec.notes):
        if note.endswith(rate):
            joiner = ", " if days == "every day" else ", on "
            spec.notes[index] = f"{note}{joiner}{said}"
            return
    spec.notes.append(f"read {text!r} as {said}")


def _refuse_other_day_choices(spec: Spec, text: str, example: str) -> None:
    """Defaults fill in days only where nothing else chose them, and one time at most:
    'twice a week at 9am and 5pm' could be two runs on one day, so it is refused."""
    chosen = (spec.nth_text if spec.nth else "") or (spec.dom_text if spec.dom_last else "")
    chosen = chosen or (spec.dates[0].text if spec.dates else "")
    chosen = chosen or ("except ..." if spec.except_days else "")
    chosen = chosen or ("business hours" if spec.business_hours else "")
    if chosen:
        raise ScheduleError(f"{text!r} and {chosen!r} do not fit together. Say e.g. '{example}'.")
    if len(spec.times) > 1:
        raise ScheduleError(
            f"{text!r} with {spec.times_text!r} is ambiguous: which times on which days? Name "
            f"the days, e.g. '{example}'."
        )
