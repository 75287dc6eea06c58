"""Time-zone names: strict IANA lookup (case-insensitive) backed by zoneinfo + tzdata."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from agentcron.errors import ScheduleError


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    """Every IANA name keyed by its lower-case spelling (built once, on first use)."""
    return {name.lower(): name for name in available_timezones()}


def resolve_zone(name: str) -> str:
    """Return the canonical IANA spelling of `name`, or raise ScheduleError."""
    cleaned = name.strip()
    canonical = _iana_by_lower().get(cleaned.lower())
    if canonical is None:
        raise ScheduleError(
            f"Unknown time zone {name!r}. Use an IANA name such as 'Europe/Berlin', "
            "'America/New_York', 'Asia/Tokyo' or 'UTC'."
        )
    return canonical


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name that resolve_zone has accepted."""
    return ZoneInfo(resolve_zone(name))
