"""Questions the server puts to the user through the client (MCP elicitation, form mode).

Two, per DESIGN.md §13: confirm a delete, and ask for a time zone when a schedule needs one
and none is known. Each is a `Resolve` resolver: it runs before the tool body and either
answers itself (nothing to ask, or the client cannot be asked) or returns an `Elicit`, which
the SDK sends as an `elicitation/create` request (2025-11-25) or an input-required round
(2026-07-28). A client that did not declare elicitation is never asked anything, and gets
exactly the behaviour it got before these questions existed.

A resolver that asks nothing returns None, which the SDK hands the tool as an accepted outcome
whose data is None: "not asked" below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mcp.server.elicitation import AcceptedElicitation
from mcp.server.mcpserver import Context, Elicit, ElicitationResult
from pydantic import BaseModel, Field

from agentcron.errors import AgentcronError
from agentcron.tasks import TaskService

# A zone with a 5:45 offset and no DST: a schedule whose runs are the same here as in the
# default zone does not depend on the zone (intervals, 'in 2 hours', '*/15 * * * *').
PROBE_ZONE = "Asia/Kathmandu"
PROBE_RUNS = 3


class DeleteConfirmation(BaseModel):
    """The form shown before a delete."""

    confirm: bool = Field(default=False, title="Delete it",
                          description="Yes, delete this task and its run history for good.")


class ZoneAnswer(BaseModel):
    """The form shown when a schedule needs a time zone and none is known."""

    timezone: str = Field(
        title="Time zone",
        description="An IANA time zone name, e.g. Europe/Berlin or America/New_York.",
    )


def client_can_elicit(ctx: Context) -> bool:
    """Whether the client declared form elicitation (a bare `elicitation: {}` means form)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def _tasks(ctx: Context) -> TaskService:
    return ctx.request_context.lifespan_context.tasks


async def confirm_delete(task_id: str, ctx: Context) -> Elicit[DeleteConfirmation] | None:
    """Ask the user to confirm deleting this task; None (delete without asking) when the
    client cannot be asked or the task is unknown (the tool then reports the unknown id)."""
    if not client_can_elicit(ctx):
        return None
    try:
        task = await _tasks(ctx).get(task_id)
    except AgentcronError:
        return None
    label = f" '{task.name}'" if task.name else ""
    # No next run in the text: the question must read the same on every round (2026-07-28).
    return Elicit(
        f"Delete task {task.id}{label} ({task.description}) and its run history for good? "
        "To stop it for a while, pause it instead.",
        DeleteConfirmation,
    )


def _past(action: str) -> str:
    return {"decline": "declined", "cancel": "cancelled"}.get(action, action)


def delete_confirmed(reply: ElicitationResult[DeleteConfirmation]) -> tuple[bool, str]:
    """(go ahead?, why not) from the confirmation outcome; not asked means go ahead."""
    if not isinstance(reply, AcceptedElicitation):
        return False, f"the user {_past(reply.action)} the confirmation"
    if reply.data is not None and not reply.data.confirm:
        return False, "the user did not tick 'Delete it'"
    return True, ""


def schedule_depends_on_zone(tasks: TaskService, text: str, now: datetime) -> bool:
    """True when the text names no zone and its runs move with the zone; False also when the
    text does not parse (the tool body then reports why, without a question first)."""
    from agentcron.cadence.api import schedule_from_text  # the parser loads at first use
    from agentcron.cadence.timeline import next_runs

    default = tasks.default_timezone
    try:
        here = schedule_from_text(text, default, now)
        there = schedule_from_text(text, PROBE_ZONE, now)
    except AgentcronError:
        return False
    if here.timezone != default or there.timezone != PROBE_ZONE:
        return False  # the text names its zone, which wins
    return next_runs(here, now, PROBE_RUNS) != next_runs(there, now, PROBE_RUNS)


async def ask_for_zone(
    schedule: str, timezone: str | None, ctx: Context
) -> Elicit[ZoneAnswer] | None:
    """Ask for a time zone when none was passed, none is configured (AGENTCRON_TIMEZONE) and
    the schedule's runs depend on it; None (use the default zone) otherwise."""
    state: Any = ctx.request_context.lifespan_context
    if timezone is not None or state.timezone_configured or not client_can_elicit(ctx):
        return None
    tasks = _tasks(ctx)
    if not schedule_depends_on_zone(tasks, schedule, tasks.clock()):
        return None
    return Elicit(
        f"Which time zone should '{schedule}' run in? No time zone was given and none is "
        f"configured; if you decline, it runs in {tasks.default_timezone}.",
        ZoneAnswer,
    )


def answered_zone(reply: ElicitationResult[ZoneAnswer]) -> str | None:
    """The zone the user typed, or None when not asked, declined or cancelled."""
    if isinstance(reply, AcceptedElicitation) and reply.data is not None:
        return reply.data.timezone
    return None


def zone_note(reply: ElicitationResult[ZoneAnswer], used_zone: str) -> str:
    """What the result says about the zone question: nothing when it was not asked."""
    if isinstance(reply, AcceptedElicitation):
        return "" if reply.data is None else f"; time zone {used_zone}, as the user answered"
    return (f"; no time zone given (the user {_past(reply.action)} the question), so it runs "
            f"in {used_zone}, the server's default")
