"""The Backend protocol every store of tasks implements, and what each one can do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from agentcron.errors import CapabilityError
from agentcron.models import AssistantList, Run, RunPage, Task, TaskPage, TaskPatch, TaskSpec

# run_scheduled_task_now waits this long for the run to finish before returning it as it
# stands ("running"); the tool's progress notifications count towards it.
RUN_NOW_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Capabilities:
    """What a backend supports; tools check these before any request is made."""

    time_zones: bool = True
    interval: bool = True
    one_off: bool = True
    pause: bool = True
    update: bool = True
    get_one: bool = True
    run_now: bool = True
    run_history: bool = True
    chat_id: bool = True
    name: bool = True
    metadata: bool = True
    policies: bool = True  # per-task catch_up / overlap
    min_cadence_seconds: int = 60
    cron_dialect: Literal["croniter", "classic"] = "croniter"
    pagination: Literal["cursor", "offset", "none"] = "cursor"

    def require(self, backend: str, capability: str, available: bool, instead: str) -> None:
        """Raise a CapabilityError naming the backend, what it lacks and what to do instead."""
        if not available:
            raise CapabilityError(f"The {backend} backend does not support {capability}. {instead}")


@dataclass(frozen=True)
class TaskFilters:
    """Filters of `list_scheduled_tasks`; None means 'any'."""

    assistant_id: str | None = None
    enabled: bool | None = None
    chat_id: str | None = None


class Backend(Protocol):
    """Where tasks live and how they fire. Every method raises AgentcronError subclasses."""

    name: str
    capabilities: Capabilities

    async def create_task(self, spec: TaskSpec) -> Task: ...

    async def list_tasks(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage: ...

    async def get_task(self, task_id: str) -> Task: ...

    async def update_task(self, task_id: str, patch: TaskPatch) -> Task: ...

    async def delete_task(self, task_id: str) -> None: ...

    async def run_task_now(self, task_id: str) -> Run: ...

    async def list_runs(self, task_id: str, limit: int, cursor: str | None) -> RunPage: ...

    async def list_assistants(self) -> AssistantList: ...

    async def start(self) -> None:
        """Open connections, start background work (the local runner)."""

    async def close(self) -> None:
        """Stop background work and release resources."""
