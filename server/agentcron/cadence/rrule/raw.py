"""Raw RFC 5545 input: 'RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0', optionally after a
'DTSTART;TZID=Europe/Berlin:20261201T090000' line (or 'DTSTART:20261201T080000Z').

The rule itself is validated by dateutil (`rules.build_rrule`); this module only splits the
two content lines and turns DTSTART and UNTIL into agentcron's forms (starts_at in the zone,
UNTIL in UTC with 'Z').
"""

from __future__ import annotations

import re
from itertools import islice
from datetime import datetime, timedelta, timezone, tzinfo

from agentcron.cadence.language.lexicon import MONTH_LENGTHS
from agentcron.cadence.language.oneoff import wall_to_instant
from agentcron.cadence.rrule.evaluate import (
    RULE_HELP,
    build_rrule,
    format_start,
    format_until,
    join_rule,
    split_rule,
)
from agentcron.cadence.timeline import next_runs
from agentcron.cadence.zones import resolve_zone, zone
from agentcron.errors import ScheduleError
from agentcron.models import Schedule

IDLE_YEARS = 10
MAX_BEHIND = 20_000  # runs between DTSTART and now that a rule may have to walk past
_LINE = re.compile(r"^\s*(?:DTSTART|RRULE)[;:]", re.IGNORECASE)
_DTSTART = re.compile(
    r"^DTSTART(?:;TZID=(?P<tzid>[^:;]+))?(?:;VALUE=(?:DATE-TIME|DATE))?"
    r":(?P<value>\d{8}(?:T\d{6}Z?)?)$",
    re.IGNORECASE,
)


def is_raw_rule(text: str) -> bool:
    """True when the text starts with an RRULE: or DTSTART line."""
    return bool(_LINE.match(text))


def parse_raw_rule(text: str, default_zone: str, now: datetime) -> Schedule:
    """'[DTSTART...] RRULE:...' -> a rule Schedule in the DTSTART's zone (else `default_zone`)."""
    rule_value: str | None = None
    start_line: str | None = None
    for line in text.split():
        head, _, rest = line.partition(":")
        if head.upper() == "RRULE":
            if rule_value is not None:
                raise ScheduleError(f"Give one RRULE line. {RULE_HELP}")
            rule_value = rest
        elif head.upper().startswith("DTSTART"):
            start_line = line
        else:
            raise ScheduleError(f"Could not understand {line!r} in the rule. {RULE_HELP}")
    if rule_value is None:
        raise ScheduleError(f"The text has a DTSTART but no RRULE line. {RULE_HELP}")
    tz_name = resolve_zone(default_zone)
    if start_line is not None:
        wall, tz_name = _start(start_line, tz_name)
    else:
        wall = now.astimezone(zone(tz_name)).replace(tzinfo=None, second=0, microsecond=0)
    tz = zone(tz_name)
    parts = split_rule(rule_value)
    if parts.get("BYSECOND", "0") != "0":
        raise ScheduleError(
            f"BYSECOND={parts['BYSECOND']}: schedules run on whole minutes. {RULE_HELP}"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ScheduleError(f"An RRULE has COUNT or UNTIL, not both. {RULE_HELP}")
    if "UNTIL" in parts:
        parts["UNTIL"] = format_until(_until(parts["UNTIL"], tz))
    _refuse_if_idle(parts, wall, now.astimezone(tz).replace(tzinfo=None))
    schedule = Schedule(
        kind="rrule", rrule=join_rule(parts), starts_at=format_start(wall, tz), timezone=tz_name
    )
    if not next_runs(schedule, now, 1):
        raise ScheduleError(
            f"The rule {schedule.rrule!r} has no run after {now.isoformat()}: it has already ended."
        )
    return schedule


def _refuse_if_idle(parts: dict[str, str], wall: datetime, local_now: datetime) -> None:
    """Validate the rule with dateutil, and refuse one that would be slow to walk: no run in
    the coming years (e.g. BYMONTH=2;BYMONTHDAY=30, which dateutil would walk to year 9999),
    or a DTSTART more than MAX_BEHIND runs in the past. The walk here is bounded both ways."""
    rule = build_rrule(parts, wall)
    _refuse_impossible_days(parts)
    years = 1 if parts["FREQ"] == "MINUTELY" else IDLE_YEARS
    horizon = max(wall, local_now) + timedelta(days=366 * years)
    head = list(islice(rule.replace(count=None, until=horizon), MAX_BEHIND))
    if len(head) == MAX_BEHIND and head[-1] < local_now:
        raise ScheduleError(
            f"DTSTART {wall:%Y-%m-%d %H:%M} lies more than {MAX_BEHIND} runs in the past; "
            f"give a DTSTART closer to now. {RULE_HELP}"
        )
    if not head or head[-1] < local_now - timedelta(minutes=1):
        raise ScheduleError(
            f"The rule {join_rule(parts)!r} has no run in the next {years} year(s); check "
            f"its BY parts. {RULE_HELP}"
        )


def _refuse_impossible_days(parts: dict[str, str]) -> None:
    """BYMONTHDAY values that no month in BYMONTH has (February 30): dateutil would search
    for them until year 9999, so they are refused up front."""
    if "BYMONTHDAY" not in parts:
        return
    months = [int(m) for m in parts.get("BYMONTH", "1,2,3,4,5,6,7,8,9,10,11,12").split(",")]
    longest = max(MONTH_LENGTHS[m] for m in months if 1 <= m <= 12) if months else 31
    days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
    if all(abs(d) > longest for d in days):
        raise ScheduleError(
            f"BYMONTHDAY={parts['BYMONTHDAY']} never occurs in the months of the rule (at most "
            f"{longest} days). {RULE_HELP}"
        )


def _start(line: str, default_zone: str) -> tuple[datetime, str]:
    """DTSTART as (local wall time, zone name)."""
    match = _DTSTART.match(line)
    if match is None:
        raise ScheduleError(f"Could not read {line!r}. {RULE_HELP}")
    value = match.group("value").upper()
    tz_name = resolve_zone(match.group("tzid")) if match.group("tzid") else default_zone
    if len(value) == 8:
        return datetime.strptime(value, "%Y%m%d"), tz_name
    if value.endswith("Z"):
        instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        wall = instant.astimezone(zone(tz_name)).replace(tzinfo=None)
    else:
        wall = datetime.strptime(value, "%Y%m%dT%H%M%S")
    if wall.second:
        raise ScheduleError(f"{line!r} has seconds; schedules run on whole minutes. {RULE_HELP}")
    return wall, tz_name


def _until(value: str, tz: tzinfo) -> datetime:
    """UNTIL in UTC ('...Z'), as a local date-time, or as a date (that whole local day)."""
    text = value.upper()
    try:
        if text.endswith("Z"):
            return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        if "T" in text:
            return wall_to_instant(datetime.strptime(text, "%Y%m%dT%H%M%S"), tz)
        day = datetime.strptime(text, "%Y%m%d")
    except ValueError:
        raise ScheduleError(
            f"UNTIL={value!r} is not a date-time like 20261215T225959Z. {RULE_HELP}"
        ) from None
    return wall_to_instant(day + timedelta(days=1), tz) - timedelta(seconds=1)
