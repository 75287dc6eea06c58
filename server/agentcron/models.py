"""Pydantic models shared by every layer (cadence engine, tools, backends)."""

from __future__ import annotations

from typing import Literal

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ScheduleKind = Literal["cron", "interval", "once", "rrule"]


def _compact_nullable(schema: dict[str, Any]) -> None:
    """Write `X | None` fields as `"type": [X, "null"]` instead of pydantic's `anyOf`.

    Same meaning, a smaller schema for models to read, and several times cheaper for clients
    that validate every structured result against the output schema (a page of 20 tasks).
    """
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if not options or len(options) != 2 or {"type": "null"} not in options:
            continue
        (other,) = [o for o in options if o != {"type": "null"}]
        if not isinstance(other.get("type"), str) or not set(other) <= {"type", "enum"}:
            continue
        del prop["anyOf"]
        prop["type"] = [other["type"], "null"]
        if "enum" in other:
            prop["enum"] = [*other["enum"], None]


class WireModel(BaseModel):
    """Base of every model that crosses the MCP boundary."""

    model_config = ConfigDict(json_schema_extra=_compact_nullable)


class Schedule(WireModel):
    """A validated schedule: exactly one of `cron`, `interval_seconds`, `run_at`, `rrule` is set
    (`starts_at` goes with `rrule`)."""

    kind: ScheduleKind = Field(description="'cron', 'interval', 'once' or 'rrule'.")
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
    rrule: str | None = Field(
        default=None,
        description="RFC 5545 RRULE value on local wall time, for kind 'rrule', e.g. "
        "'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0' (an end as UNTIL in UTC or COUNT).",
    )
    starts_at: str | None = Field(
        default=None,
        description="The rule's DTSTART (fixes its phase), ISO 8601 with offset, for kind 'rrule'.",
    )


class CronTranslation(WireModel):
    """What `text_to_cron` returns: the schedule, in words, with its next runs."""

    kind: ScheduleKind = Field(
        description="What the text means: 'cron', 'interval', 'once' or 'rrule' (a calendar "
        "rule: every N weeks/days/months, or a schedule with a start or an end)."
    )
    cron: str | None = Field(description="5-field cron with numeric fields (kind 'cron').")
    timezone: str = Field(description="IANA time zone the schedule is evaluated in.")
    interval_seconds: int | None = Field(
        description="Seconds between runs (kind 'interval': cadences cron cannot express)."
    )
    run_at: str | None = Field(description="ISO 8601 instant with offset (kind 'once').")
    rrule: str | None = Field(
        description="RFC 5545 RRULE value on local wall time (kind 'rrule'); an end is UNTIL "
        "(UTC, 'Z') or COUNT.",
    )
    starts_at: str | None = Field(
        description="DTSTART of the rule, ISO 8601 with offset in the schedule's zone "
        "(kind 'rrule').",
    )
    description: str = Field(description="Plain English, 24-hour clock, names the time zone.")
    next_runs: list[str] = Field(
        description="Next fire instants, ISO 8601 with offset, in the schedule's zone."
    )
    portable: bool = Field(
        description="True when the schedule is classic 5-field cron every backend accepts "
        "(no L, #, W); interval, one-off and rule schedules are not portable cron."
    )


class CronDescription(WireModel):
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


# --- tasks and runs -------------------------------------------------------------------------

CatchUp = Literal["latest", "skip", "all"]
Overlap = Literal["skip", "queue", "allow"]
RunStatus = Literal[
    "succeeded", "failed", "timed_out", "skipped", "missed", "running", "queued", "retrying"
]

MAX_PROMPT_CHARS = 20_000
MAX_NAME_CHARS = 200
MAX_METADATA_KEYS = 32
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 1_024
MAX_OUTPUT_BYTES = 64 * 1024


class Task(WireModel):
    """A scheduled task as every backend reports it."""

    id: str
    name: str | None
    assistant_id: str | None
    prompt: str
    schedule: Schedule
    description: str = Field(description="The schedule in plain English, naming the time zone.")
    enabled: bool
    chat_id: str | None
    metadata: dict[str, str]
    catch_up: CatchUp | None = Field(
        description="Missed-run policy; null when the backend applies its own."
    )
    overlap: Overlap | None = Field(
        description="Overlapping-run policy; null when the backend applies its own."
    )
    next_run_at: str | None = Field(description="Next fire instant, ISO 8601 with offset.")
    last_run_at: str | None
    created_at: str | None = Field(description="Null when the backend does not report it.")
    updated_at: str | None = Field(description="Null when the backend does not report it.")
    backend: str = Field(description="Which backend holds the task (AGENTCRON_BACKEND).")


class PausedAll(WireModel):
    """The global pause (`agentcron pause-all`): while set, nothing fires."""

    reason: str | None = Field(description="Why, as the person who paused said.")
    since: str = Field(description="When it was set, ISO 8601 UTC.")


class TaskPage(WireModel):
    """One page of `list_scheduled_tasks`, sorted by next run."""

    tasks: list[Task]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")
    total: int = Field(description="Tasks matching the filters, across all pages.")
    paused_all: PausedAll | None = Field(
        default=None,
        description="Set while every task is paused by `agentcron pause-all`: due runs are "
        "recorded 'skipped' and nothing fires until a person runs `agentcron resume-all`.",
    )


class DeletedTask(WireModel):
    """What `delete_scheduled_task` returns."""

    task_id: str
    deleted: bool


class RunAlert(WireModel):
    """The failure alert of a run that ended failed, timed out or missed."""

    assistant: str = Field(description="The assistant alerted (on_failure in the assistants file).")
    status: Literal["pending", "sending", "sent", "failed"]
    output: str | None = Field(description="What the alert produced (an inbox alert's text), "
                               "or why it failed.")


class AgentToolCall(WireModel):
    """One tool call an agent run's model asked for; `allowed` false: never executed."""

    server: str | None = Field(description="The MCP server it names (null: none configured).")
    tool: str
    arguments: str = Field(description="The arguments (JSON text), at most 2 KiB.")
    result: str = Field(description="The tool's answer or the error given instead, at most 2 KiB.")
    is_error: bool
    allowed: bool
    duration_ms: int


class AgentUsage(WireModel):
    input_tokens: int
    output_tokens: int


class AgentRun(WireModel):
    """The record of an agent run (DESIGN.md §12), kept for failed and timed-out runs too."""

    model: str
    api: Literal["openai", "anthropic"]
    stop_reason: str | None = Field(
        description="The model's last stop reason, or max_turns, max_tool_calls, timeout, error."
    )
    turns: int = Field(description="Model calls made.")
    tool_calls: list[AgentToolCall]
    usage: AgentUsage
class RunDelivery(WireModel):
    """Where a succeeded run's output went (on_success in the assistants file, DESIGN.md §12)."""

    target: str = Field(description="The webhook or inbox assistant receiving the output.")
    status: Literal["pending", "delivered", "failed"] = Field(
        description="'failed' once the target's own retries are used up; the run's status and "
        "output are unchanged either way.")
    attempts: int = Field(description="Delivery attempts started so far.")
    error: str | None = Field(description="Why the last attempt failed, if it did.")


class Run(WireModel):
    """One occurrence of a task: fired, skipped or missed."""

    id: str
    task_id: str
    scheduled_for: str = Field(description="The occurrence this run is for (ISO 8601 UTC).")
    started_at: str | None
    finished_at: str | None
    status: RunStatus
    output: str | None = Field(description="Output, truncated to 64 KiB.")
    error: str | None
    attempts: int = Field(default=1, description="Attempts made so far (1-based).")
    next_attempt_at: str | None = Field(
        default=None, description="When the next attempt starts (status 'retrying')."
    )
    alert: RunAlert | None = Field(default=None, description="Its failure alert, if one fired.")
    agent: AgentRun | None = Field(
        default=None, description="What an agent run did (assistant type 'agent'); null otherwise."
    )
    delivery: RunDelivery | None = Field(
        default=None, description="The delivery of its output (null without an on_success target).")


class RunPage(WireModel):
    """One page of `list_task_runs`, newest first."""

    runs: list[Run]
    next_cursor: str | None


class AgentServerInfo(WireModel):
    """One MCP server of an agent assistant: never its command, environment or headers."""

    name: str
    transport: Literal["stdio", "http"]
    allow_tools: list[str] = Field(description='Tools the agent may call; ["*"] means all.')


class AgentSummary(WireModel):
    """What an `agent` assistant runs, without any secret."""

    api: Literal["openai", "anthropic"]
    model: str
    servers: list[AgentServerInfo]
    max_turns: int
    max_tool_calls: int


class AssistantInfo(WireModel):
    """A configured assistant (what a fire does); secrets are never shown."""

    name: str
    type: Literal["inbox", "webhook", "command", "openai", "agent", "langgraph"] = Field(
        description="Local assistant types, or 'langgraph' for a LangGraph graph/assistant."
    )
    is_default: bool
    summary: str = Field(description="What firing it does, e.g. 'POST to hooks.example.com'.")
    retries: int | None = Field(
        default=None, description="Extra attempts after a failed or timed-out run (local backend)."
    )
    retry_backoff_seconds: float | None = Field(
        default=None, description="Wait before the first retry; doubled for each further one."
    )
    on_failure: str | None = Field(
        default=None, description="Assistant alerted once when a run ends failed, timed out or missed."
    )
    on_success: str | None = Field(
        default=None, description="Assistant receiving each succeeded run's output, once."
    )
    agent: AgentSummary | None = Field(
        default=None, description="For type 'agent': its API, model, MCP servers, allowed tools."
    )


class AssistantList(WireModel):
    """What `list_assistants` returns."""

    assistants: list[AssistantInfo]
    default: str | None = Field(
        description="Used when a task names none; null when the default is not available to "
        "you (then pass assistant_id)."
    )


class TaskSpec(WireModel):
    """A validated request to create a task (the schedule is already parsed)."""

    prompt: str
    schedule: Schedule
    assistant_id: str | None = None
    name: str | None = None
    enabled: bool = True
    chat_id: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    catch_up: CatchUp = "latest"
    overlap: Overlap = "skip"


class TaskPatch(WireModel):
    """A partial update: only the fields that are set change (`model_fields_set`)."""

    prompt: str | None = None
    schedule: Schedule | None = None
    assistant_id: str | None = None
    name: str | None = None
    enabled: bool | None = None
    chat_id: str | None = None
    clear_chat_id: bool = False
    metadata: dict[str, str] | None = None
    catch_up: CatchUp | None = None
    overlap: Overlap | None = None
