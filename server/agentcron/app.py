"""Builds the MCPServer. Tools are thin: validate -> call a service -> shape the result."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import Context, ElicitationResult, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, StringConstraints

from agentcron import __version__
from agentcron.backends.base import RUN_NOW_WAIT_SECONDS, Backend, TaskFilters
from agentcron.backends.factory import build_backend
from agentcron.client_features.completions import register_completions
from agentcron.client_features.icons import ICONS
from agentcron.client_features.progress import wait_with_progress
from agentcron.client_features.questions import (
    DeleteConfirmation,
    ZoneAnswer,
    answered_zone,
    ask_for_zone,
    confirm_delete,
    delete_confirmed,
    zone_note,
)
from agentcron.views.calendar_resources import register_calendar
from agentcron.config import Settings
from agentcron.errors import AgentcronError, NotFoundError
from agentcron.views.live_runs import register_live_runs
from agentcron.models import (
    MAX_METADATA_KEY_CHARS,
    MAX_METADATA_KEYS,
    MAX_METADATA_VALUE_CHARS,
    MAX_NAME_CHARS,
    MAX_PROMPT_CHARS,
    AssistantList,
    CronDescription,
    CronTranslation,
    DeletedTask,
    Run,
    RunPage,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)
from agentcron.tasks import TaskService

if TYPE_CHECKING:
    from agentcron.oauth import JwtVerifier
from agentcron.views.apps import apps_extension, ui_meta

logger = logging.getLogger("agentcron.tools")
_Tool = TypeVar("_Tool", bound=Callable[..., Any])

INSTRUCTIONS = """\
agentcron is a scheduler: it runs a prompt on a cadence (cron), an interval, or once, in the
user's time zone, and keeps a history of every run.

Which tool when:
- text_to_cron: turn the user's wording ("every weekday at 9am") into a schedule and show its
  plain-English description and next runs. Read-only; call it before creating anything.
- describe_cron: explain a cron expression someone gave you, with next runs and warnings.
- create_scheduled_task: schedule a prompt. list_assistants shows what a run can do (the
  default 'inbox' just records the prompt; the user configures webhooks, commands, chat models).
- list_scheduled_tasks / get_scheduled_task: what is scheduled and when it runs next.
- update_scheduled_task: change only the fields you pass; pause with enabled=false.
- delete_scheduled_task: remove for good (prefer pausing when unsure).
- run_scheduled_task_now / list_task_runs: fire once now; read what runs did (output, errors,
  missed and skipped runs).

Paused everywhere: when list_scheduled_tasks returns `paused_all` (not null), the user has
paused every task (`agentcron pause-all`): nothing fires, due runs are recorded 'skipped' and are
not caught up later. You cannot lift it; tell the user, who runs `agentcron resume-all`.

Always:
- Ask for the user's time zone when you do not know it, and pass it as `timezone` (an IANA name
  such as 'Europe/Berlin'); schedules are evaluated in that zone, DST included.
- Before creating or changing a schedule, read its description, time zone and first next runs
  back to the user and get a yes.
- If a tool returns an error, read it: it says what was wrong and shows a call that works.
"""

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
CREATES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
UPDATES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
DELETES = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)
FIRES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)

# Argument types shared by create and update (limits: DESIGN.md §7).
Prompt = Annotated[
    str,
    Field(min_length=1, max_length=MAX_PROMPT_CHARS,
          description="What the assistant should do at each run (1-20,000 characters)."),
]
ScheduleText = Annotated[
    str,
    Field(min_length=1, max_length=500,
          description="When: plain words or cron, anything text_to_cron accepts, e.g. "
          "'every weekday at 9am', 'every 90 minutes', 'tomorrow at 3pm', '0 9 * * 1-5'."),
]
ZoneName = Annotated[
    str, Field(description="IANA time zone, e.g. 'Europe/Berlin'. A zone in the schedule text wins.")
]
AssistantId = Annotated[
    str, Field(min_length=1, description="Which configured assistant runs it (see list_assistants).")
]
TaskName = Annotated[str, Field(max_length=MAX_NAME_CHARS, description="A short label (max 200).")]
ChatId = Annotated[str, Field(min_length=1, description="A conversation to continue at each run.")]
MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_METADATA_KEY_CHARS)]
MetadataValue = Annotated[str, StringConstraints(max_length=MAX_METADATA_VALUE_CHARS)]
Metadata = Annotated[
    dict[MetadataKey, MetadataValue],
    Field(max_length=MAX_METADATA_KEYS,
          description="String labels (at most 32 keys; key 64, value 1,024 characters)."),
]
CatchUpArg = Annotated[
    Literal["latest", "skip", "all"],
    Field(description="After downtime: 'latest' fires the newest missed run if under 1 hour "
          "old, 'skip' fires none, 'all' fires every missed run (at most 100)."),
]
OverlapArg = Annotated[
    Literal["skip", "queue", "allow"],
    Field(description="If the previous run is still going: 'skip' this one, 'queue' it (one "
          "waiting at most) or 'allow' both."),
]
TaskId = Annotated[str, Field(min_length=1, description="The task's id, e.g. 'task_3f2a...'.")]
PageLimit = Annotated[int, Field(ge=1, le=100, description="Page size, 1-100.")]
Cursor = Annotated[
    str | None, Field(description="`next_cursor` from the previous page; omit for the first.")
]


# Backends open in this process (one per lifespan), so that a SIGTERM can stop their runners
# gracefully (DESIGN.md §3) before the server itself is torn down.
OPEN_BACKENDS: set[Backend] = set()


async def close_open_backends() -> None:
    """Stop claiming, give in-flight runs their grace, record the rest interrupted."""
    await asyncio.gather(*(backend.close() for backend in list(OPEN_BACKENDS)))


@dataclass
class AppState:
    """What every tool call shares: the task service over the configured backend."""

    tasks: TaskService
    # AGENTCRON_TIMEZONE was set: a schedule without a zone uses it without asking the user.
    timezone_configured: bool = False


def model_tool(
    server: MCPServer, *, title: str, annotations: ToolAnnotations
) -> Callable[[_Tool], _Tool]:
    """Register a tool with its docstring dedented: the SDK sends `__doc__` verbatim, and
    nested functions' docstrings would reach the model with 8 spaces of indentation."""

    def register(fn: _Tool) -> _Tool:
        description = inspect.cleandoc(fn.__doc__ or "")
        return server.tool(title=title, annotations=annotations, description=description,
                           icons=ICONS, meta=ui_meta(fn.__name__))(fn)

    return register


def current_time() -> datetime:
    """The one clock read of the tool layer (the cadence engine never reads the clock)."""
    return datetime.now(timezone.utc)


@contextmanager
def tool_call(name: str) -> Iterator[None]:
    """Log one line per tool call (duration, outcome) and turn domain errors into ToolError."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except AgentcronError as exc:
        outcome = f"refused ({type(exc).__name__})"
        raise ToolError(str(exc)) from exc
    except Exception:
        outcome = "crashed"
        raise
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info("tool %s %s in %.1f ms", name, outcome, elapsed_ms)


def respond(result: BaseModel, summary: str) -> CallToolResult:
    """Structured content for programs, plus a short human line and the JSON for the model."""
    return CallToolResult(
        content=[
            TextContent(type="text", text=summary),
            TextContent(type="text", text=result.model_dump_json(indent=2)),
        ],
        structured_content=result.model_dump(mode="json"),
    )


def _runs_phrase(runs: list[str]) -> str:
    return f"next: {', '.join(runs[:3])}" if runs else "no upcoming run"


def task_summary(verb: str, task: Task) -> str:
    nxt = task.next_run_at or ("paused" if not task.enabled else "no upcoming run")
    label = f" '{task.name}'" if task.name else ""
    return f"{verb} task {task.id}{label}: {task.description}; next run: {nxt}"


def build_server(settings: Settings | None = None, verifier: JwtVerifier | None = None) -> MCPServer:
    """Create the MCP server with every tool registered; with a verifier, as an OAuth resource
    server (the SDK's AuthSettings: its token check and protected-resource metadata route)."""
    settings = settings or Settings()
    auth_options: dict[str, Any] = {}
    if verifier is not None:
        from mcp.server.auth.settings import AuthSettings

        oauth = verifier.settings
        auth_options = {
            "auth": AuthSettings(
                issuer_url=oauth.issuer, resource_server_url=oauth.audience,
                required_scopes=list(oauth.scopes),
                validate_token_resource=False,  # the verifier checks `aud` itself (RFC 8707)
            ),
            "token_verifier": verifier,
        }

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[AppState]:
        backend = build_backend(settings)
        await backend.start()
        OPEN_BACKENDS.add(backend)
        try:
            yield AppState(tasks=TaskService(backend, settings.timezone, current_time),
                           timezone_configured="timezone" in settings.model_fields_set)
        finally:
            OPEN_BACKENDS.discard(backend)
            await backend.close()

    bus = InMemorySubscriptionBus()  # subscriptions/listen fan-out; live runs publish on it
    server: MCPServer = MCPServer(
        "agentcron",
        title="agentcron scheduler",
        version=__version__,
        instructions=INSTRUCTIONS,
        icons=ICONS,
        log_level=settings.log_level,
        lifespan=lifespan,
        extensions=[apps_extension()],
        subscriptions=bus,
        **auth_options,
    )


    @model_tool(server, title="Natural language to schedule", annotations=READ_ONLY)
    def text_to_cron(
        text: Annotated[
            str,
            Field(
                description="The cadence in plain words, a 5-field cron, a macro or an "
                "'RRULE:' line, e.g. 'every weekday at 9am', 'every 90 minutes', 'tomorrow at "
                "3pm', 'every other monday at 9am until december 15', '0 9 * * 1-5', '@daily'. "
                "At most 500 characters.",
            ),
        ],
        timezone: Annotated[
            str | None,
            Field(
                description="IANA zone the schedule runs in, e.g. 'Europe/Berlin'. A zone "
                "named in the text wins. Default: the server's default zone (UTC unless set)."
            ),
        ] = None,
        reference_time: Annotated[
            str | None,
            Field(
                description="ISO 8601 instant that relative phrases ('tomorrow', 'in 2 hours') "
                "resolve against; default now."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, CronTranslation]:
        """Turn a cadence in plain words (or cron) into a validated schedule.

        Returns kind ('cron' | 'interval' | 'once' | 'rrule'), the 5-field numeric cron (kind
        cron), interval_seconds (cadences cron cannot express, e.g. every 90 minutes), run_at
        (one-offs), rrule + starts_at (calendar rules: every N weeks/days, or a start or an
        end), a plain-English description naming the time zone, the next 5 runs and whether
        the cron is portable (classic cron, no L/#). Read the description and next runs
        back to the user before scheduling anything.

        Example: {"text": "every weekday at 9am", "timezone": "Europe/Berlin"}
        """
        with tool_call("text_to_cron"):
            from agentcron.cadence.api import translate_text  # off the start-up path

            result = translate_text(
                text, timezone or settings.timezone, current_time(), reference_time
            )
            what = result.cron or result.rrule or (
                f"every {result.interval_seconds}s" if result.kind == "interval" else result.run_at
            )
            summary = f"{result.description} [{result.kind}: {what}]; {_runs_phrase(result.next_runs)}"
            return respond(result, summary)

    @model_tool(server, title="Explain a cron expression", annotations=READ_ONLY)
    def describe_cron(
        cron: Annotated[
            str,
            Field(
                description="A 5-field cron expression (names like MON or JAN allowed) or a "
                "macro such as '@daily', e.g. '0 9 * * 1-5'."
            ),
        ],
        timezone: Annotated[
            str | None,
            Field(description="IANA zone to evaluate it in, e.g. 'Asia/Tokyo'. Default UTC."),
        ] = None,
        count: Annotated[
            int, Field(ge=1, le=50, description="How many upcoming runs to list (1-50).")
        ] = 5,
        reference_time: Annotated[
            str | None,
            Field(description="ISO 8601 instant to list runs after; default now."),
        ] = None,
    ) -> Annotated[CallToolResult, CronDescription]:
        """Explain a cron expression in plain English, with its next runs in a time zone.

        Returns the normalised cron (numeric fields), the description (24-hour clock, names the
        zone), the next `count` runs, whether it is portable (no L/#), and warnings worth
        telling the user: DST gaps or repeats among the listed runs, and day-of-month OR
        day-of-week semantics. Expressions that can never fire are refused.

        Example: {"cron": "30 2 * * *", "timezone": "Europe/Berlin", "count": 10}
        """
        with tool_call("describe_cron"):
            from agentcron.cadence.api import explain_cron  # off the start-up path

            result = explain_cron(
                cron, timezone or settings.timezone, count, current_time(), reference_time
            )
            warned = f"; {len(result.warnings)} warning(s)" if result.warnings else ""
            summary = f"{result.description} [{result.cron}]; {_runs_phrase(result.next_runs)}{warned}"
            return respond(result, summary)

    register_task_tools(server)
    register_resources_and_prompts(server)
    register_calendar(server)
    register_live_runs(server, bus)
    register_completions(server)
    return server


def register_resources_and_prompts(server: MCPServer) -> None:
    """Each task as a JSON resource (and its runs), and a prompt that walks through scheduling."""

    @server.resource("agentcron://tasks/{task_id}", title="Scheduled task",
                     description="One scheduled task as JSON.", mime_type="application/json")
    async def task_resource(task_id: str, ctx: Context) -> str:
        try:
            task = await ctx.request_context.lifespan_context.tasks.get(task_id)
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
        return task.model_dump_json(indent=2)

    @server.resource("agentcron://tasks/{task_id}/runs", title="Task runs",
                     description="The newest 50 runs of a task as JSON, newest first.",
                     mime_type="application/json")
    async def task_runs_resource(task_id: str, ctx: Context) -> str:
        try:
            page = await ctx.request_context.lifespan_context.tasks.runs(task_id, 50, None)
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
        return page.model_dump_json(indent=2)

    @server.prompt(title="Schedule a task", icons=ICONS)
    def schedule_task(
        request: str, timezone: str | None = None, assistant_id: str | None = None
    ) -> str:
        """Turn a user's request into a confirmed scheduled task, step by step."""
        zone_line = (f"The user's time zone is {timezone}." if timezone else
                     "You do not know the user's time zone yet: ask for it (an IANA name such as "
                     "Europe/Berlin) before scheduling anything time-of-day based.")
        assistant_line = (f"Run it with the assistant {assistant_id!r} (pass assistant_id).\n"
                          if assistant_id else "")
        return (
            f"The user wants this scheduled: {request!r}\n{zone_line}\n{assistant_line}"
            "1. Split the request into WHAT to do (the prompt) and WHEN (the cadence).\n"
            "2. Call text_to_cron with the cadence and the time zone. If it fails, read the "
            "error, rephrase, or ask the user.\n"
            "3. Tell the user the description, the time zone and the first next_runs, and ask "
            "for a yes. Mention any warnings (DST, day-of-month OR day-of-week).\n"
            "4. If the run should go somewhere other than the inbox, call list_assistants and "
            "let the user pick one.\n"
            "5. Only after the yes, call create_scheduled_task with the prompt, the cadence "
            "and the time zone, then confirm the task id and next_run_at."
        )


def tasks_of(ctx: Context[AppState]) -> TaskService:
    """The task service of this server process (built in the lifespan)."""
    return ctx.request_context.lifespan_context.tasks


def register_task_tools(server: MCPServer) -> None:
    """The task tools: create, list, get, update, delete, run now, runs, assistants."""

    @model_tool(server, title="Create a scheduled task", annotations=CREATES)
    async def create_scheduled_task(
        prompt: Prompt,
        schedule: ScheduleText,
        ctx: Context[AppState],
        zone_reply: Annotated[ElicitationResult[ZoneAnswer], Resolve(ask_for_zone)],
        timezone: ZoneName | None = None,
        assistant_id: AssistantId | None = None,
        name: TaskName | None = None,
        enabled: Annotated[bool, Field(description="False creates it paused.")] = True,
        chat_id: ChatId | None = None,
        metadata: Metadata | None = None,
        catch_up: CatchUpArg = "latest",
        overlap: OverlapArg = "skip",
    ) -> Annotated[CallToolResult, Task]:
        """Schedule a prompt to run on a cadence (cron), an interval, or once.

        Confirm the schedule's description, time zone and first runs with the user first
        (text_to_cron shows them). Returns the task with its description and next_run_at.

        Example: {"prompt": "Summarise my inbox", "schedule": "every weekday at 9am",
        "timezone": "Europe/Berlin"}
        """
        with tool_call("create_scheduled_task"):
            svc = tasks_of(ctx)
            spec = TaskSpec(
                prompt=prompt,
                schedule=svc.parse_schedule(schedule, timezone or answered_zone(zone_reply)),
                assistant_id=assistant_id,
                name=name,
                enabled=enabled,
                chat_id=chat_id,
                metadata=metadata or {},
                catch_up=catch_up,
                overlap=overlap,
            )
            task = await svc.create(spec)
            note = zone_note(zone_reply, task.schedule.timezone)
            return respond(task, task_summary("Created", task) + note)

    @model_tool(server, title="List scheduled tasks", annotations=READ_ONLY)
    async def list_scheduled_tasks(
        ctx: Context[AppState],
        assistant_id: Annotated[str | None, Field(description="Only this assistant's tasks.")] = None,
        enabled: Annotated[bool | None, Field(description="Only enabled (true) or paused (false).")] = None,
        chat_id: Annotated[str | None, Field(description="Only tasks continuing this chat.")] = None,
        limit: PageLimit = 20,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, TaskPage]:
        """List tasks, soonest next run first (paused ones last), a page at a time.

        Returns {tasks, next_cursor, total}; pass next_cursor back as `cursor` for more.

        Example: {"enabled": true, "limit": 10}
        """
        with tool_call("list_scheduled_tasks"):
            filters = TaskFilters(assistant_id=assistant_id, enabled=enabled, chat_id=chat_id)
            page = await tasks_of(ctx).list(filters, limit, cursor)
            more = f"; more with cursor={page.next_cursor}" if page.next_cursor else ""
            lines = [f"{len(page.tasks)} of {page.total} task(s){more}"]
            lines += [f"- {t.id} {t.name or ''}: {t.description}; next {t.next_run_at}"
                      for t in page.tasks]
            return respond(page, "\n".join(lines))

    @model_tool(server, title="Get a scheduled task", annotations=READ_ONLY)
    async def get_scheduled_task(task_id: TaskId, ctx: Context[AppState]) -> Annotated[CallToolResult, Task]:
        """Get one task: its schedule, description, next and last run, settings.

        Example: {"task_id": "task_3f2a9c..."}
        """
        with tool_call("get_scheduled_task"):
            task = await tasks_of(ctx).get(task_id)
            return respond(task, task_summary("Scheduled", task))

    @model_tool(server, title="Update a scheduled task", annotations=UPDATES)
    async def update_scheduled_task(
        task_id: TaskId,
        ctx: Context[AppState],
        prompt: Prompt | None = None,
        schedule: ScheduleText | None = None,
        timezone: ZoneName | None = None,
        assistant_id: AssistantId | None = None,
        name: TaskName | None = None,
        enabled: Annotated[bool | None, Field(description="false pauses, true resumes.")] = None,
        chat_id: ChatId | None = None,
        clear_chat_id: Annotated[bool, Field(description="true removes the chat_id.")] = False,
        metadata: Metadata | None = None,
        catch_up: CatchUpArg | None = None,
        overlap: OverlapArg | None = None,
    ) -> Annotated[CallToolResult, Task]:
        """Change a task; only the fields you pass change. Pause with enabled=false.

        A new `schedule` is parsed like text_to_cron; `timezone` alone re-evaluates the
        current schedule in that zone. chat_id and clear_chat_id=true together are an error.

        Example: {"task_id": "task_3f2a9c...", "schedule": "every weekday at 8am"}
        """
        with tool_call("update_scheduled_task"):
            given = {
                "prompt": prompt, "assistant_id": assistant_id, "name": name,
                "enabled": enabled, "chat_id": chat_id, "metadata": metadata,
                "catch_up": catch_up, "overlap": overlap,
            }
            patch = TaskPatch(clear_chat_id=clear_chat_id,
                              **{k: v for k, v in given.items() if v is not None})
            task = await tasks_of(ctx).update(task_id, patch, schedule, timezone)
            return respond(task, task_summary("Updated", task))

    @model_tool(server, title="Delete a scheduled task", annotations=DELETES)
    async def delete_scheduled_task(
        task_id: TaskId,
        ctx: Context[AppState],
        confirmation: Annotated[ElicitationResult[DeleteConfirmation], Resolve(confirm_delete)],
    ) -> Annotated[CallToolResult, DeletedTask]:
        """Delete a task and its run history for good. To stop it for a while, pause it instead
        (update_scheduled_task with enabled=false). The user may be asked to confirm; if they
        do not, nothing is deleted and `deleted` is false.

        Example: {"task_id": "task_3f2a9c..."}
        """
        with tool_call("delete_scheduled_task"):
            go_ahead, why_not = delete_confirmed(confirmation)
            if not go_ahead:
                kept = DeletedTask(task_id=task_id, deleted=False)
                return respond(kept, f"Not deleted: {why_not}. Task {task_id} is unchanged.")
            await tasks_of(ctx).delete(task_id)
            result = DeletedTask(task_id=task_id, deleted=True)
            return respond(result, f"Deleted task {task_id}.")

    @model_tool(server, title="Run a task now", annotations=FIRES)
    async def run_scheduled_task_now(
        task_id: TaskId, ctx: Context[AppState]
    ) -> Annotated[CallToolResult, Run]:
        """Fire a task once, now, outside its schedule; its schedule is unchanged.

        Waits up to 30 s for the run to finish, then returns it (status 'running' if it is
        still going; check later with list_task_runs).

        Example: {"task_id": "task_3f2a9c..."}
        """
        with tool_call("run_scheduled_task_now"):
            run = await wait_with_progress(
                ctx, tasks_of(ctx).run_now(task_id), RUN_NOW_WAIT_SECONDS,
                f"the run of task {task_id}", lambda run: f"run {run.id}: {run.status}",
            )
            detail = run.error or (run.output or "")[:200]
            return respond(run, f"Run {run.id} of task {task_id}: {run.status}. {detail}".strip())

    @model_tool(server, title="List a task's runs", annotations=READ_ONLY)
    async def list_task_runs(
        task_id: TaskId,
        ctx: Context[AppState],
        limit: PageLimit = 20,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, RunPage]:
        """A task's run history, newest first: status (succeeded, failed, timed_out, skipped,
        missed, running, queued), times, output (up to 64 KiB) or error, and `delivery`: where
        a succeeded run's output was sent (on_success) and whether it got there.

        Example: {"task_id": "task_3f2a9c...", "limit": 5}
        """
        with tool_call("list_task_runs"):
            page = await tasks_of(ctx).runs(task_id, limit, cursor)
            lines = [f"{len(page.runs)} run(s) of task {task_id}"]
            lines += [f"- {r.scheduled_for} {r.status}" + (f": {r.error}" if r.error else "")
                      + (f" (delivery to {r.delivery.target}: {r.delivery.status})"
                         if r.delivery else "")
                      for r in page.runs]
            return respond(page, "\n".join(lines))

    @model_tool(server, title="List assistants", annotations=READ_ONLY)
    async def list_assistants(ctx: Context[AppState]) -> Annotated[CallToolResult, AssistantList]:
        """The assistants a task can name (what a run does), as the user configured them.
        An agent cannot add assistants: the user edits the assistants file.

        Example: {}
        """
        with tool_call("list_assistants"):
            result = await tasks_of(ctx).assistants()
            names = ", ".join(f"{a.name} ({a.type})" for a in result.assistants)
            return respond(result, f"Assistants: {names}; default: {result.default}")
