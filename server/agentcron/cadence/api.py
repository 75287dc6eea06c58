"""The cadence engine's two entry points, shared by the MCP tools and the CLI.

Pure: the caller passes `now`. Every refusal is a ScheduleError written for the caller.
"""

from __future__ import annotations

from datetime import datetime

from agentcron.cadence.cron import is_portable, normalise_cron
from agentcron.cadence.describe import cron_runs_with_warnings, describe_schedule
from agentcron.cadence.language.parse import parse_schedule, read_schedule
from agentcron.cadence.timeline import iso, next_runs
from agentcron.cadence.zones import resolve_zone, zone
from agentcron.errors import ScheduleError
from agentcron.models import CronDescription, CronTranslation, Schedule

NEXT_RUNS_SHOWN = 5


def reference_instant(reference_time: str | None, timezone: str, now: datetime) -> datetime:
    """Parse an ISO 8601 reference time (naive means: in `timezone`); default `now`."""
    if reference_time is None or not reference_time.strip():
        return now
    try:
        parsed = datetime.fromisoformat(reference_time.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError(
            f"reference_time {reference_time!r} is not ISO 8601. "
            "Use e.g. '2026-03-11T10:00:00Z' or '2026-03-11T11:00:00+01:00', or leave it out."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(timezone))
    return parsed


def schedule_from_text(text: str, timezone: str, now: datetime) -> Schedule:
    """Natural language, cron or macro -> a validated Schedule (one-offs resolved against now)."""
    return parse_schedule(text, timezone=resolve_zone(timezone), now=now)


def translate_text(
    text: str, timezone: str, now: datetime, reference_time: str | None = None
) -> CronTranslation:
    """text_to_cron: natural language, cron or macro -> schedule, description, next runs."""
    reference = reference_instant(reference_time, resolve_zone(timezone), now)
    schedule, notes = read_schedule(text, timezone=resolve_zone(timezone), now=reference)
    runs = next_runs(schedule, reference, NEXT_RUNS_SHOWN)
    description = describe_schedule(schedule)
    if notes:
        description += ". " + "; ".join(notes)[:1].upper() + "; ".join(notes)[1:] + "."
    return CronTranslation(
        kind=schedule.kind,
        cron=schedule.cron,
        timezone=schedule.timezone,
        interval_seconds=schedule.interval_seconds,
        run_at=schedule.run_at,
        rrule=schedule.rrule,
        starts_at=schedule.starts_at,
        description=description,
        next_runs=[iso(r) for r in runs],
        portable=schedule.kind == "cron" and is_portable(schedule.cron or ""),
    )


def explain_cron(
    cron: str, timezone: str, count: int, now: datetime, reference_time: str | None = None
) -> CronDescription:
    """describe_cron: a cron expression or macro -> description, next runs, warnings."""
    tz_name = resolve_zone(timezone)
    expr = normalise_cron(cron)
    reference = reference_instant(reference_time, tz_name, now)
    runs, warnings = cron_runs_with_warnings(expr, tz_name, reference, count)
    schedule = Schedule(kind="cron", cron=expr, timezone=tz_name)
    return CronDescription(
        cron=expr,
        timezone=tz_name,
        description=describe_schedule(schedule),
        next_runs=[iso(r) for r in runs],
        portable=is_portable(expr),
        warnings=warnings,
    )
