"""`completion/complete`: what a client offers while the user types an argument (DESIGN.md §13).

- a `timezone` argument (the schedule_task prompt): IANA zone names;
- an `assistant_id` argument: the assistants the caller may use;
- `{task_id}` in an agentcron://tasks/... resource template: the caller's task ids, matched
  on the id or on the task's name.

Task ids and assistants come through the same TaskService calls the tools make, so whatever
those calls filter (the caller's own tasks) completions filter too.

The handler is registered on the low-level server because the SDK's `@completion()` decorator
hands its function only (ref, argument, context): no request context, hence no task service
of this connection and no caller. The wire types and the capability advertisement are the SDK's.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.types import (
    CompleteRequestParams,
    CompleteResult,
    Completion,
    PromptReference,
    ResourceTemplateReference,
)

from agentcron.backends.base import TaskFilters
from agentcron.cadence.zones import zones_starting_with
from agentcron.errors import AgentcronError
from agentcron.tasks import TaskService

MAX_VALUES = 100  # the MCP spec's cap on values in one completion
TASK_PAGE = 100
MAX_TASKS_SCANNED = 1_000  # completions answer while the user types: bound the work
TASK_TEMPLATE_PREFIX = "agentcron://tasks/{task_id}"

logger = logging.getLogger("agentcron.completions")


def completion_of(matches: list[str]) -> Completion:
    """The first MAX_VALUES matches, with the total and whether more were left out."""
    return Completion(values=matches[:MAX_VALUES], total=len(matches),
                      has_more=len(matches) > MAX_VALUES)


async def task_ids_starting_with(tasks: TaskService, typed: str) -> list[str]:
    """Ids of the caller's tasks whose id, or name, starts with what was typed."""
    typed_lower = typed.strip().lower()
    by_id: list[str] = []
    by_name: list[str] = []
    cursor: str | None = None
    scanned = 0
    while scanned < MAX_TASKS_SCANNED:
        page = await tasks.list(TaskFilters(), TASK_PAGE, cursor)
        for task in page.tasks:
            if task.id.lower().startswith(typed_lower):
                by_id.append(task.id)
            elif task.name and task.name.lower().startswith(typed_lower):
                by_name.append(task.id)
        scanned += len(page.tasks)
        cursor = page.next_cursor
        if cursor is None:
            break
    return sorted(by_id) + by_name


async def assistants_starting_with(tasks: TaskService, typed: str) -> list[str]:
    """Names of the assistants the caller may pick, default first."""
    listing = await tasks.assistants()
    names = sorted((a.name for a in listing.assistants), key=lambda n: (n != listing.default, n))
    return [name for name in names if name.lower().startswith(typed.strip().lower())]


async def complete(tasks: TaskService, params: CompleteRequestParams) -> Completion:
    """Values for one argument of a prompt or resource template; none for anything else."""
    name, typed = params.argument.name, params.argument.value
    if isinstance(params.ref, ResourceTemplateReference):
        if name == "task_id" and params.ref.uri.startswith(TASK_TEMPLATE_PREFIX):
            return completion_of(await task_ids_starting_with(tasks, typed))
    elif isinstance(params.ref, PromptReference):
        if name == "timezone":
            return completion_of(zones_starting_with(typed))
        if name == "assistant_id":
            return completion_of(await assistants_starting_with(tasks, typed))
    return completion_of([])


def register_completions(server: MCPServer) -> None:
    """Answer `completion/complete` (which also advertises the `completions` capability)."""

    async def handle(
        ctx: ServerRequestContext[Any], params: CompleteRequestParams
    ) -> CompleteResult:
        try:
            completion = await complete(ctx.lifespan_context.tasks, params)
        except AgentcronError as exc:  # e.g. a hosted backend that is down: offer nothing
            logger.warning("no completions for %s: %s", params.argument.name, exc)
            completion = completion_of([])
        return CompleteResult(completion=completion)

    server._lowlevel_server.add_request_handler(  # see the module docstring for why
        "completion/complete", CompleteRequestParams, handle
    )
