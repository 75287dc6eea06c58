"""Next fire instants for any Schedule: cron (with DST rules), interval, one-off, rule."""

from __future__ import annotations

from datetime import datetime
from itertools import islice

from agentcron.cadence.compiled import IntervalTimeline
from agentcron.cadence.zones import zone
from agentcron.models import Schedule


def next_runs(
    schedule: Schedule, after: datetime, count: int, anchor: datetime | None = None
) -> list[datetime]:
    """The next `count` fire instants strictly after `after`, in the schedule's zone.

    Interval schedules count elapsed seconds from `anchor` (default: `after`) and ignore
    DST; a one-off yields its instant once, if it is still ahead; a rule yields its fires
    until its end (fewer than `count` when it ends sooner).
    """
    # croniter and dateutil load at the first schedule computed, not at server start.
    from agentcron.cadence.cron import iter_fires
    from agentcron.cadence.rrule.evaluate import rule_runs

    tz = zone(schedule.timezone)
    if schedule.kind == "cron":
        assert schedule.cron is not None
        return [instant for instant, _ in islice(iter_fires(schedule.cron, tz, after), count)]
    if schedule.kind == "rrule":
        assert schedule.rrule is not None and schedule.starts_at is not None
        return rule_runs(schedule.rrule, schedule.starts_at, schedule.timezone, after, count)
    if schedule.kind == "interval":
        assert schedule.interval_seconds is not None
        return interval_runs(schedule.interval_seconds, anchor or after, after, count, tz)
    assert schedule.run_at is not None
    run_at = datetime.fromisoformat(schedule.run_at).astimezone(tz)
    return [run_at] if run_at > after and count > 0 else []


def interval_runs(
    seconds: int, anchor: datetime, after: datetime, count: int, tz: object
) -> list[datetime]:
    """Instants anchor + k*seconds (k >= 1) that fall strictly after `after`."""
    timeline = IntervalTimeline(seconds, anchor)
    first = timeline.next_after(after)
    return [(first + i * timeline.step).astimezone(tz) for i in range(count)]  # type: ignore[arg-type]


def iso(instant: datetime) -> str:
    """ISO 8601 with offset, seconds precision: the one format every tool returns."""
    return instant.replace(microsecond=0).isoformat()
