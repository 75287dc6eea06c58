"""Pydantic models shared by every layer (cadence engine, tools, backends)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ScheduleKind = Literal["cron", "interval", "once"]


class Schedule(BaseModel):
    """A validated schedule: exactly one of `cron`, `interval_seconds`, `run_at` is set."""

    kind: ScheduleKind = Field(description="'cron', 'interval' or 'once'.")
    cron: str | None = Field(
        default=None, description="5-field cron, numeric fields, for kind 'cron'."
    )
    timezone: str = Field(
        default="UTC", description="IANA time zone the schedule is evaluated in."
    )
    interval_seconds: int | None = Field(
        default=None, description="Seconds between runs, for kind 'interval'."
    )
    run_at: str | None = Field(
        default=None, description="ISO 8601 instant with offset, for kind 'once'."
    )


class CronTranslation(BaseModel):
    """What `text_to_cron` returns: the schedule, in words, with its next runs."""

    kind: ScheduleKind = Field(description="What the text means: 'cron', 'interval' or 'once'.")
    cron: str | None = Field(description="5-field cron with numeric fields (kind 'cron').")
    timezone: str = Field(description="IANA time zone the schedule is evaluated in.")
    interval_seconds: int | None = Field(
        description="Seconds between runs (kind 'interval': cadences cron cannot express)."
    )
    run_at: str | None = Field(description="ISO 8601 instant with offset (kind 'once').")
    description: str = Field(description="Plain English, 24-hour clock, names the time zone.")
    next_runs: list[str] = Field(
        description="Next fire instants, ISO 8601 with offset, in the schedule's zone."
    )
    portable: bool = Field(
        description="True when the schedule is classic 5-field cron every backend accepts "
        "(no L, #, W); interval and one-off schedules are not portable cron."
    )


class CronDescription(BaseModel):
    """What `describe_cron` returns."""

    cron: str = Field(description="The expression, normalised to numeric fields.")
    timezone: str = Field(description="IANA time zone the expression is evaluated in.")
    description: str = Field(description="Plain English, 24-hour clock, names the time zone.")
    next_runs: list[str] = Field(description="Next fire instants, ISO 8601 with offset.")
    portable: bool = Field(description="True for classic 5-field cron (no L, #, W).")
    warnings: list[str] = Field(
        description="Things to tell the user: DST gaps or repeats inside the listed window, "
        "day-of-month/day-of-week OR semantics."
    )
