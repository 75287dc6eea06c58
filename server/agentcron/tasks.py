"""Task operations shared by every backend: parse the schedule, check capabilities, delegate.

The tools stay thin and the backends stay dumb about natural language: this layer turns
what the agent said into a validated TaskSpec / TaskPatch, and refuses (before any write or
request) what the configured backend cannot do.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from agentcron.backends.base import Backend, TaskFilters
from agentcron.cadence.zones import resolve_zone, zone
from agentcron.errors import CapabilityError, InvalidRequestError, LimitError, ScheduleError
from agentcron.principal import current_owner, has_limits
from agentcron.models import (
    AssistantList,
    Run,
    RunPage,
    Schedule,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)


CADENCE_SAMPLE = 200
WRITES_PER_MINUTE = 60  # creates and updates per owner (DESIGN.md §13)
# Backends that evaluate calendar rules themselves; the others get a rule only when it is
# exactly a cron (DESIGN.md §11).
RULE_BACKENDS = frozenset({"local"})


def shortest_gap_seconds(schedule: Schedule, now: datetime) -> int | None:
    """The smallest time between consecutive runs over the next CADENCE_SAMPLE runs."""
    if schedule.kind == "interval":
        return schedule.interval_seconds
    if schedule.kind == "once":
        return None
    from agentcron.cadence.timeline import next_runs

    runs = next_runs(schedule, now, CADENCE_SAMPLE)
    gaps = [int((b - a).total_seconds()) for a, b in zip(runs, runs[1:])]
    return min(gaps) if gaps else None


class WriteRateLimit:
    """At most `limit` creates or updates per owner in any 60 s (a sliding window, per process:
    one HTTP server serves the people it is shared with); only owners `has_limits` names."""

    WINDOW_SECONDS = 60.0

    def __init__(self, limit: int = WRITES_PER_MINUTE,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.monotonic = monotonic
        self._writes: dict[str, deque[float]] = {}

    def take(self, owner: str) -> None:
        """Count one write for `owner`, or raise LimitError saying when to retry."""
        if not has_limits(owner):
            return
        now = self.monotonic()
        writes = self._writes.setdefault(owner, deque())
        while writes and writes[0] <= now - self.WINDOW_SECONDS:
            writes.popleft()
        if len(writes) >= self.limit:
            wait = max(1, math.ceil(writes[0] + self.WINDOW_SECONDS - now))
            raise LimitError(
                f"limit reached: at most {self.limit} creates or updates per owner per minute. "
                f"Nothing was changed; retry in {wait} s."
            )
        writes.append(now)


class TaskService:
    """What the task tools call. Every call acts for `current_owner()` (the backend filters
    by it), so anything built on these calls sees only the caller's tasks."""

    def __init__(self, backend: Backend, default_timezone: str, clock: Callable[[], datetime],
                 write_limit: WriteRateLimit | None = None):
        self.backend = backend
        self.default_timezone = default_timezone
        self.clock = clock
        self.write_limit = write_limit or WriteRateLimit()

    def parse_schedule(self, text: str, timezone: str | None) -> Schedule:
        """Natural language or cron -> Schedule, checked against the backend's capabilities."""
        from agentcron.cadence.api import schedule_from_text  # the parser loads at first use

        schedule = schedule_from_text(text, timezone or self.default_timezone, self.clock())
        if schedule.kind == "rrule" and self.backend.name not in RULE_BACKENDS:
            from agentcron.backends.hosted.common import rule_as_cron_schedule

            schedule = rule_as_cron_schedule(schedule, self.backend.name, self.clock())
        self._check_schedule(schedule)
        return schedule

    def _check_schedule(self, schedule: Schedule) -> None:
        caps, name = self.backend.capabilities, self.backend.name
        caps.require(name, "interval schedules", caps.interval or schedule.kind != "interval",
                     "Use a cron cadence (e.g. 'every 2 hours') instead, or the local backend.")
        caps.require(name, "one-off schedules", caps.one_off or schedule.kind != "once",
                     "Use the local backend for one-off reminders.")
        if schedule.kind == "cron" and caps.cron_dialect == "classic":
            from agentcron.cadence.cron import is_portable

            caps.require(name, "L, # or W in cron", is_portable(schedule.cron or ""),
                         "Use a classic 5-field cron (no 'last friday' or 'first monday').")

    def _check_cadence(self, schedule: Schedule) -> None:
        """Refuse schedules that fire more often than the backend allows."""
        minimum = self.backend.capabilities.min_cadence_seconds
        if schedule.kind == "cron" and minimum <= 60:
            return  # no cron fires more often than once a minute
        gap = shortest_gap_seconds(schedule, self.clock())
        if gap is not None and gap < minimum:
            raise CapabilityError(
                f"The {self.backend.name} backend runs a task at most once every "
                f"{minimum // 60} minutes, but this schedule fires {gap // 60 or gap} "
                f"{'minutes' if gap >= 60 else 'seconds'} apart. Choose a slower cadence, "
                f"e.g. 'every {max(1, minimum // 60)} minutes' or more."
            )

    def _check_fields(self, fields: dict[str, bool]) -> None:
        """Refuse, before any request, fields this backend has nowhere to keep."""
        caps, name = self.backend.capabilities, self.backend.name
        supported = {"name": caps.name, "metadata": caps.metadata, "chat_id": caps.chat_id,
                     "catch_up or overlap": caps.policies, "pausing (enabled=false)": caps.pause}
        for field, given in fields.items():
            caps.require(name, field, supported[field] or not given,
                         f"Leave {field.split(' (')[0]} out for this backend.")

    async def create(self, spec: TaskSpec) -> Task:
        self._check_cadence(spec.schedule)
        self._check_fields({
            "name": spec.name is not None,
            "metadata": bool(spec.metadata),
            "chat_id": spec.chat_id is not None,
            "catch_up or overlap": spec.catch_up != "latest" or spec.overlap != "skip",
            "pausing (enabled=false)": not spec.enabled,
        })
        self.write_limit.take(current_owner())
        return await self.backend.create_task(spec)

    async def list(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage:
        return await self.backend.list_tasks(filters, limit, cursor)

    async def get(self, task_id: str) -> Task:
        return await self.backend.get_task(task_id)

    async def update(
        self, task_id: str, patch: TaskPatch, schedule_text: str | None, timezone: str | None
    ) -> Task:
        if patch.chat_id is not None and patch.clear_chat_id:
            raise InvalidRequestError(
                "Pass either chat_id (to set it) or clear_chat_id=true (to remove it), not both."
            )
        caps = self.backend.capabilities
        caps.require(self.backend.name, "updating a task", caps.update,
                     "Delete it and create a new one instead.")
        if schedule_text is not None:
            patch.schedule = self.parse_schedule(schedule_text, timezone)
        elif timezone is not None:
            current = await self.backend.get_task(task_id)
            patch.schedule = self._rezone(current.schedule, timezone)
        if not patch.model_fields_set - {"clear_chat_id"} and not patch.clear_chat_id:
            raise InvalidRequestError(
                "Nothing to update: pass at least one field, e.g. "
                '{"task_id": "...", "enabled": false} to pause the task.'
            )
        given = patch.model_fields_set
        if patch.schedule is not None:
            self._check_cadence(patch.schedule)
        self._check_fields({
            "name": "name" in given,
            "metadata": "metadata" in given,
            "chat_id": "chat_id" in given or patch.clear_chat_id,
            "catch_up or overlap": "catch_up" in given or "overlap" in given,
            "pausing (enabled=false)": "enabled" in given,
        })
        self.write_limit.take(current_owner())
        return await self.backend.update_task(task_id, patch)

    def _rezone(self, schedule: Schedule, timezone: str) -> Schedule:
        """The same schedule evaluated in another zone (a one-off needs its time restated)."""
        if schedule.kind == "once":
            raise ScheduleError(
                "A one-off task's time is a fixed instant; to move it to another zone, pass the "
                "schedule again with the zone, e.g. schedule='tomorrow at 9am', timezone='Asia/Tokyo'."
            )
        tz_name = resolve_zone(timezone)
        update: dict[str, str] = {"timezone": tz_name}
        if schedule.kind == "rrule" and schedule.starts_at:
            # A rule keeps its wall-clock start: 09:00 stays 09:00 in the new zone.
            from agentcron.cadence.rrule.evaluate import format_start, local_wall

            wall = local_wall(schedule.starts_at, zone(schedule.timezone))
            update["starts_at"] = format_start(wall, zone(tz_name))
        moved = schedule.model_copy(update=update)
        self._check_schedule(moved)
        return moved

    async def delete(self, task_id: str) -> None:
        await self.backend.delete_task(task_id)

    async def run_now(self, task_id: str) -> Run:
        caps = self.backend.capabilities
        caps.require(self.backend.name, "running a task now", caps.run_now,
                     "Wait for its next scheduled run.")
        return await self.backend.run_task_now(task_id)

    async def runs(self, task_id: str, limit: int, cursor: str | None) -> RunPage:
        caps = self.backend.capabilities
        caps.require(self.backend.name, "run history", caps.run_history,
                     "Check the backend's own dashboard for run results.")
        return await self.backend.list_runs(task_id, limit, cursor)

    async def assistants(self) -> AssistantList:
        return await self.backend.list_assistants()
