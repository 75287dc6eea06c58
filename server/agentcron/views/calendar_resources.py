"""The calendar export as MCP resources (imported by app.py only: the CLI stays SDK-free)."""

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from agentcron.errors import NotFoundError

DAYS_HINT = "days must be a whole number from 1 to 366, e.g. agentcron://calendar.ics?days=7"


def _days(days: str | None) -> int:
    from agentcron.views.calendar_export import DEFAULT_DAYS, MAX_DAYS

    if days is None or days == "":
        return DEFAULT_DAYS
    if not days.isdigit() or not 1 <= int(days) <= MAX_DAYS:
        raise ResourceError(f"{DAYS_HINT}; got {days!r}.")
    return int(days)


def register_calendar(server: MCPServer) -> None:
    """`agentcron://calendar.ics` (every enabled task, next 30 days) and
    `agentcron://tasks/{task_id}/calendar.ics` (one task), as text/calendar; both take an
    optional `?days=N` (1-366). Templates rather than static resources: only templates are
    handed the request context (and so the task service of this server)."""

    @server.resource(
        "agentcron://calendar.ics{?days}", title="Calendar of next runs",
        description="Every enabled task's runs in the next 30 days (or ?days=N, 1-366) as "
        "iCalendar (RFC 5545); import it into a calendar program.",
        mime_type="text/calendar",
    )
    async def calendar_resource(ctx: Context, days: str | None = None) -> str:
        from agentcron.views.calendar_export import build_calendar, enabled_tasks

        window = _days(days)
        service = ctx.request_context.lifespan_context.tasks
        return build_calendar(await enabled_tasks(service.backend), service.clock(), window)

    @server.resource(
        "agentcron://tasks/{task_id}/calendar.ics{?days}", title="Task calendar",
        description="One task's runs in the next 30 days (or ?days=N, 1-366) as iCalendar.",
        mime_type="text/calendar",
    )
    async def task_calendar_resource(task_id: str, ctx: Context, days: str | None = None) -> str:
        from agentcron.views.calendar_export import build_calendar, tasks_calendar_name

        window = _days(days)
        service = ctx.request_context.lifespan_context.tasks
        try:
            task = await service.get(task_id)
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
        return build_calendar([task], service.clock(), window, tasks_calendar_name([task]))
