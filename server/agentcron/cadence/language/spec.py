"""What the grammar recognised in a text, before it becomes a cron, interval or one-off.

Each field is filled by one kind of phrase; a second phrase that says something different
about the same thing is a contradiction and is refused (`set_once`), never silently merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from agentcron.cadence.language.timeofday import RawTime
from agentcron.errors import ScheduleError


@dataclass(frozen=True, slots=True)
class Step:
    """'every 90 minutes' -> Step(90, 'minute'); units as in lexicon.UNIT_WORDS values."""

    amount: Fraction
    unit: str
    text: str


@dataclass(frozen=True, slots=True)
class DayList:
    """Days of the week as written; `plural` means a recurring reading ('mondays', 'mon-fri')."""

    days: frozenset[int]
    plural: bool
    text: str


@dataclass(frozen=True, slots=True)
class Window:
    """'between 9am and 5pm': either end may be missing ('starting at 9', 'until 5pm')."""

    start: RawTime | None
    end: RawTime | None
    text: str


@dataclass(frozen=True, slots=True)
class DateItem:
    """A calendar date as written ('december 31', '15 march 2026'); year optional."""

    month: int
    day: int
    year: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Relative:
    """'in 1 hour and 30 minutes': fixed seconds plus calendar months (for 'in 2 months')."""

    seconds: Fraction
    months: int
    days_only: bool
    text: str


@dataclass(frozen=True, slots=True)
class Bound:
    """A start or end as written, resolved against `now` when the schedule is built (span_instants.py).

    kind: 'iso' (datetime, has_time), 'anchor' (days from today), 'weekday' (cron day, mode),
    'date' (DateItem), 'month' (month number, year), 'duration' (list of (amount, unit)),
    'period_end' ('month' or 'year': the end of the start's month or year).
    """

    kind: str
    value: object
    text: str


@dataclass
class Spec:
    """Everything one text said; `parse` decides between cron, interval and one-off."""

    recurring: str | None = None
    once: str | None = None
    step: Step | None = None
    count: tuple[int, str, str] | None = None
    times: list[RawTime] = field(default_factory=list)
    times_text: str = ""
    period: str | None = None
    period_text: str = ""
    minutes: list[int] | None = None
    minutes_text: str = ""
    window: Window | None = None
    business_hours: bool = False
    days: DayList | None = None
    nth: list[tuple[int, int]] = field(default_factory=list)
    nth_text: str = ""
    nth_ambiguous: str | None = None
    month_context: bool = False
    dom: frozenset[int] | None = None
    dom_last: bool = False
    dom_text: str = ""
    months: frozenset[int] | None = None
    months_text: str = ""
    dates: list[DateItem] = field(default_factory=list)
    except_days: frozenset[int] = frozenset()
    except_months: frozenset[int] = frozenset()
    anchor_days: int | None = None
    anchor_text: str = ""
    weekday_anchor: tuple[int, str, str] | None = None
    relative: Relative | None = None
    iso: tuple[datetime, bool, str] | None = None
    start: Bound | None = None
    until: Bound | None = None
    limit: tuple[int, str] | None = None
    # 'the 3rd thursday in april', 'the last day of february': a date, unless 'every' is said.
    month_date: str | None = None
    month_year: int | None = None
    # 'the 2nd last day of the month' (-2): dom_last is set too, as cron's nearest spelling.
    dom_from_end: int | None = None
    # 'the 15th and the last day': the days in `dom` and the month's last day (a rule).
    dom_also_last: bool = False
    # How the text was read where a reading was taken, for the description ('read ...').
    notes: list[str] = field(default_factory=list)
    # 'every even hour': (unit, 0 for even or 1 for odd); the step is then 2 of that unit.
    parity: tuple[str, int] | None = None
    parity_text: str = ""
    # 'the last 10 minutes of every hour': (first minute, last minute, text).
    minute_span: tuple[int, int, str] | None = None
    # ISO 8601 week numbers ('mondays in week 20'): a yearly rule with BYWEEKNO.
    weeknos: list[int] = field(default_factory=list)
    weeknos_text: str = ""
    # 'every hour except midnight': times of day left out of an hourly schedule.
    except_times: list[RawTime] = field(default_factory=list)
    except_times_text: str = ""
    # A time of day and nothing else ('at 9am'): its next occurrence, today or tomorrow.
    next_occurrence: bool = False

    def bounded(self) -> bool:
        """True when the text gave a start, an end or a number of runs."""
        return self.start is not None or self.until is not None or self.limit is not None

    def bound_text(self) -> str:
        """The start, end and count as one phrase, for messages ('from x until y')."""
        parts = [f"from {self.start.text}"] if self.start is not None else []
        if self.until is not None:
            until = self.until
            parts.append(until.text if until.kind == "duration" else f"until {until.text}")
        return " ".join(parts + ([self.limit[1]] if self.limit else []))

    def says_nothing(self) -> bool:
        """True when no phrase said when to run (e.g. the text was just 'every')."""
        return not (
            self.step
            or self.count
            or self.times
            or self.days
            or self.nth
            or self.dom
            or self.dom_last
            or self.months
            or self.dates
            or self.window
            or self.business_hours
            or self.minutes is not None
            or self.minute_span is not None
            or self.period
            or self.except_days
            or self.except_months
        )

    def mark_recurring(self, word: str) -> None:
        """Remember the first word that made the text recurring (for messages)."""
        if self.recurring is None:
            self.recurring = word

    def mark_once(self, word: str) -> None:
        """Remember the first word that made the text a one-off (for messages)."""
        if self.once is None:
            self.once = word


def set_once(spec: Spec, name: str, value: object, text: str, what: str) -> None:
    """Set `spec.<name>` unless an earlier phrase set it to something else."""
    current = getattr(spec, name)
    if current is None or current == value:
        setattr(spec, name, value)
        return
    raise ScheduleError(
        f"The text gives two different {what} ({text!r} contradicts an earlier part). "
        "Give one, or create one task per schedule."
    )
