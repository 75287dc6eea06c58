"""Task operations shared by every backend: parse the schedule, check capabilities, delegate.

The tools stay thin and the backends stay dumb about natural language: this layer turns
what the agent said into a validated TaskSpec / TaskPatch, and refuses (before any write or
request) what the configured backend cannot do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from agentcron.backends.base import Backend, TaskFilters
from agentcron.cadence.api import schedule_from_text
from agentcron.cadence.cron import is_portable
from agentcron.cadence.zones import resolve_zone
from agentcron.errors import InvalidRequestError, ScheduleError
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


class TaskService:
    """What the task tools call."""

    def __init__(self, backend: Backend, default_timezone: str, clock: Callable[[], datetime]):
        self.backend = backend
        self.default_timezone = default_timezone
        self.clock = clock

    def parse_schedule(self, text: str, timezone: str | None) -> Schedule:
        """Natural language or cron -> Schedule, checked against the backend's capabilities."""
        schedule = schedule_from_text(text, timezone or self.default_timezone, self.clock())
        self._check_schedule(schedule)
        return schedule

    def _check_schedule(self, schedule: Schedule) -> None:
        caps, name = self.backend.capabilities, self.backend.name
        caps.require(name, "interval schedules", caps.interval or schedule.kind != "interval",
                     "Use a cron cadence (e.g. 'every 2 hours') instead.")
        caps.require(name, "one-off schedules", caps.one_off or schedule.kind != "once",
                     "Use the local backend for one-off reminders.")
        if schedule.kind == "cron" and caps.cron_dialect == "classic":
            caps.require(name, "L, # or W in cron", is_portable(schedule.cron or ""),
                         "Use a classic 5-field cron (no 'last friday' or 'first monday').")

    async def create(self, spec: TaskSpec) -> Task:
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
        return await self.backend.update_task(task_id, patch)

    def _rezone(self, schedule: Schedule, timezone: str) -> Schedule:
        """The same schedule evaluated in another zone (a one-off needs its time restated)."""
        if schedule.kind == "once":
            raise ScheduleError(
                "A one-off task's time is a fixed instant; to move it to another zone, pass the "
                "schedule again with the zone, e.g. schedule='tomorrow at 9am', timezone='Asia/Tokyo'."
            )
        moved = schedule.model_copy(update={"timezone": resolve_zone(timezone)})
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
