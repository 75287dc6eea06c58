"""Spec -> calendar-rule Schedule: the parser's rule drafts (every N weeks/days/months/years,
ordinals from the month's end) and any schedule with a start, an end or a number of runs.

The phase of an every-N rule is fixed by its DTSTART: the first matching occurrence on or
after the start (the reference time when no start is given), so 'every other monday' said on
a Saturday first fires on the coming Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agentcron.cadence.language.span_instants import end_instant, start_wall
from agentcron.cadence.rrule.cron_bridge import cron_rule_parts
from agentcron.cadence.rrule.evaluate import build_rrule, format_start, format_until, join_rule
from agentcron.cadence.language.spec import Spec
from agentcron.cadence.timeline import next_runs
from agentcron.cadence.zones import zone
from agentcron.errors import ScheduleError
from agentcron.models import Schedule


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule before its bounds: the INTERVAL=1 equivalent as a cron, repeated every
    `interval` units of `freq` (None: the cron's own unit); `byday` overrides BYDAY for
    ordinals cron cannot write ('-2FR', the second-to-last Friday), and `bymonthday` days
    counted from the month's end ('-2')."""

    cron: str
    freq: str | None = None
    interval: int = 1
    byday: str | None = None
    bymonthday: str | None = None
    byweekno: str | None = None


def build_rule(spec: Spec, draft: RuleDraft, tz_name: str, now: datetime) -> Schedule:
    """The rule Schedule for `draft` with the spec's start, end and count applied."""
    tz = zone(tz_name)
    parts = cron_rule_parts(draft.cron, draft.freq, draft.interval)
    if draft.byday is not None:
        parts["BYDAY"] = draft.byday
    if draft.bymonthday is not None:
        parts["BYMONTHDAY"] = draft.bymonthday
    if draft.byweekno is not None:
        parts["BYWEEKNO"] = draft.byweekno
        parts["WKST"] = "MO"  # ISO 8601 weeks start on Monday
    if parts.get("FREQ") == "WEEKLY" and draft.interval > 1 and "SU" in parts.get("BYDAY", "") \
            and "," in parts.get("BYDAY", ""):
        # A weekend is one Saturday and the Sunday after it, whatever a reader's default.
        parts["WKST"] = "MO"
    begin = start_wall(spec.start, tz, now) if spec.start is not None else None
    if begin is None:
        # Phase from the first whole minute after the reference time.
        begin = now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
        first = build_rrule({**parts, "INTERVAL": "1"}, begin).after(begin, inc=False)
    else:
        first = build_rrule({**parts, "INTERVAL": "1"}, begin).after(begin, inc=True)
    if first is None:
        raise ScheduleError(f"The schedule never fires. {_example()}")
    if spec.until is not None:
        until = end_instant(spec.until, tz, now, begin.date())
        if until <= now:
            raise ScheduleError(
                f"The end {spec.until.text!r} is already past "
                f"({until.astimezone(tz):%Y-%m-%d %H:%M}). {_example()}"
            )
        parts["UNTIL"] = format_until(until)
        _months_within(parts, first, until.astimezone(tz).replace(tzinfo=None))
    if spec.limit is not None:
        parts["COUNT"] = str(spec.limit[0])
    schedule = Schedule(
        kind="rrule", rrule=join_rule(parts), starts_at=format_start(first, tz), timezone=tz_name
    )
    if not next_runs(schedule, now - timedelta(seconds=1), 1):
        raise ScheduleError(
            f"The schedule ends ({spec.bound_text()!r}) before its first run "
            f"({first:%Y-%m-%d %H:%M}). {_example()}"
        )
    return schedule


def _months_within(parts: dict[str, str], first: datetime, last: datetime) -> None:
    """Keep only BYMONTH values the span reaches: 'from october until april except in
    december' reads 'only in October, November, January to April', not eleven months."""
    if "BYMONTH" not in parts:
        return
    reached: list[int] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and len(reached) < 12:
        reached.append(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    kept = [m for m in (int(v) for v in parts["BYMONTH"].split(",")) if m in reached]
    if kept:
        parts["BYMONTH"] = ",".join(str(m) for m in sorted(kept))


def _example() -> str:
    return (
        "Try e.g. 'every weekday at 9am until december 15' or 'every day at 8am for the next "
        "2 weeks'."
    )
