"""What the hosted-backend adapters share: settings checks, Task views, client-side paging.

Why one module: the three hosted APIs differ on the wire but agree on what agentcron has to
add on top of them (none of them pages, filters or sorts by next run; some give no next run
or timestamps; tasks made in their own UIs may carry crons agentcron can't read). Doing that
once keeps the three adapters to their wire mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

from pydantic import SecretStr

from agentcron.backends.base import TaskFilters
from agentcron.cadence.cron import normalise_cron
from agentcron.cadence.describe import describe_schedule
from agentcron.cadence.rrule.cron_bridge import rule_as_cron
from agentcron.cadence.timeline import iso, next_runs
from agentcron.cadence.zones import zone
from agentcron.backends.hosted.http import BackendHttp, BackendStatusError
from agentcron.errors import (
    CapabilityError,
    ConfigError,
    InvalidRequestError,
    NotFoundError,
    ScheduleError,
)
from agentcron.models import Run, RunPage, Schedule, Task, TaskPage

T = TypeVar("T")


# --- settings --------------------------------------------------------------------------------


def require_settings(backend: str, needed: Mapping[str, tuple[object, str]]) -> None:
    """Raise one ConfigError naming every missing variable, each with what to put in it.

    `needed` maps an environment variable to (its value, what it is). None and "" are missing.
    """
    missing = [f"{var} ({what})" for var, (value, what) in needed.items()
               if value is None or value == ""]
    if missing:
        raise ConfigError(
            f"AGENTCRON_BACKEND={backend} needs {', '.join(missing)}. Set "
            f"{'it' if len(missing) == 1 else 'them'} in the environment or a .env file."
        )


def require_http_url(var: str, url: str) -> str:
    """The URL setting without a trailing slash, or ConfigError naming the variable."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{var}={url!r} is not an http(s) URL, e.g. 'https://api.example.com'.")
    return url.rstrip("/")


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


# --- wire values -----------------------------------------------------------------------------


def unwrap(body: Any, key: str = "data") -> Any:
    """`{"data": X}` -> X; anything else unchanged (APIs that may or may not wrap)."""
    if isinstance(body, dict) and key in body:
        return body[key]
    return body


def parse_instant(value: Any) -> datetime | None:
    """An API timestamp as an aware datetime; a naive one is UTC (Toolhouse sends those)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def instant_text(value: Any, timezone_name: str = "UTC") -> str | None:
    """An API timestamp as ISO 8601 with offset in the task's zone (None if absent or bad)."""
    parsed = parse_instant(value)
    return iso(parsed.astimezone(zone(timezone_name))) if parsed else None


def utc_z(value: Any) -> str | None:
    """An API timestamp as ISO 8601 UTC with 'Z' (Run.scheduled_for's format)."""
    parsed = parse_instant(value)
    return iso(parsed.astimezone(timezone.utc)).replace("+00:00", "Z") if parsed else None


def not_found(backend: str, task_id: str, why: str) -> NotFoundError:
    """'No task' naming the backend and how we know: its status and words, or why no request.

    A bare "No task with id ..." hid the backend's answer (issue 11); `why` keeps it.
    """
    return NotFoundError(
        f"No task with id {task_id!r} on the {backend} backend: {why}. "
        "Call list_scheduled_tasks to see the ids."
    )


def not_found_answer(task_id: str, error: BackendStatusError) -> NotFoundError:
    """A backend's own not-found answer (a 404, or Toolhouse's 400) as NotFoundError."""
    return not_found(error.backend, task_id, f"it answered {error.answer}")


def same_cron(stored: Any, cron: str) -> bool:
    """Whether the backend's cron text already means `cron`, however each is written.

    An update that restates the schedule (a zone change, a resume) then leaves the stored
    text alone: 'MON-FRI' written in a backend's UI is not rewritten as '1-5' unasked.
    """
    if not isinstance(stored, str):
        return False
    if stored == cron:
        return True
    try:
        return normalise_cron(stored) == normalise_cron(cron)
    except ScheduleError:
        return False


# --- calendar rules --------------------------------------------------------------------------


def rule_as_cron_schedule(schedule: Schedule, backend: str, now: datetime) -> Schedule:
    """A calendar rule restated as the cron it exactly is (DESIGN.md §11), for backends that
    run cron only; otherwise a CapabilityError naming the backend, raised before any request."""
    assert schedule.kind == "rrule" and schedule.rrule and schedule.starts_at
    expr = rule_as_cron(schedule.rrule, schedule.starts_at, schedule.timezone, now)
    if expr is None:
        raise CapabilityError(
            f"The {backend} backend does not support calendar rules (every N weeks or days, "
            f"or a start or an end): '{schedule.rrule}' is not one cron. Use a weekly or daily "
            "cadence without dates, e.g. 'every monday at 9am', and pause or delete the task "
            "when it should stop; or use the local backend (AGENTCRON_BACKEND=local)."
        )
    return Schedule(kind="cron", cron=expr, timezone=schedule.timezone)


# --- task views ------------------------------------------------------------------------------


def cron_schedule(expr: str, timezone_name: str) -> tuple[Schedule, str | None]:
    """A cron Schedule from the API, and the raw text when agentcron cannot read it.

    Tasks made in a backend's own UI may carry crons we don't parse (seconds, Quartz); those
    are shown as-is instead of failing the whole list.
    """
    try:
        return Schedule(kind="cron", cron=normalise_cron(expr), timezone=timezone_name), None
    except ScheduleError:
        return Schedule(kind="cron", cron=expr, timezone=timezone_name), expr


def build_task(
    *,
    backend: str,
    task_id: str,
    prompt: str,
    schedule: Schedule,
    enabled: bool,
    now: datetime,
    unreadable: str | None = None,
    name: str | None = None,
    assistant_id: str | None = None,
    chat_id: str | None = None,
    metadata: Mapping[str, str] | None = None,
    next_run_at: Any = None,
    last_run_at: Any = None,
    created_at: Any = None,
    updated_at: Any = None,
) -> Task:
    """A Task view: description from the schedule; next run from the API, else computed.

    `unreadable` is the backend's own schedule text when agentcron cannot interpret it: the
    description then quotes it, and no next run is computed.
    """
    tz_name = schedule.timezone
    if schedule.kind == "once" and not schedule.run_at and unreadable is None:
        unreadable = "one-off, time not reported"
    if unreadable is None:
        description = describe_schedule(schedule)
    else:
        description = f"On the backend's own schedule {unreadable!r} ({tz_name} time)"
    next_run = instant_text(next_run_at, tz_name) if next_run_at else None
    if next_run is None and enabled and unreadable is None:
        upcoming = next_runs(schedule, now, 1)
        next_run = iso(upcoming[0]) if upcoming else None
    return Task(
        id=task_id,
        name=name,
        assistant_id=assistant_id,
        prompt=prompt,
        schedule=schedule,
        description=description,
        enabled=enabled,
        chat_id=chat_id,
        metadata=dict(metadata or {}),
        catch_up=None,
        overlap=None,
        next_run_at=next_run if enabled else None,
        last_run_at=instant_text(last_run_at, tz_name),
        created_at=instant_text(created_at, tz_name),
        updated_at=instant_text(updated_at, tz_name),
        backend=backend,
    )


# --- paging ----------------------------------------------------------------------------------


def decode_offset(cursor: str | None) -> int:
    """The offset a hosted backend's cursor stands for (these APIs return whole lists)."""
    if cursor is None:
        return 0
    if cursor.isdigit():
        return int(cursor)
    raise InvalidRequestError(
        f"cursor {cursor!r} is not valid. Pass the `next_cursor` of the previous page, "
        "or leave cursor out to start from the first page."
    )


def page(items: Sequence[T], limit: int, cursor: str | None) -> tuple[list[T], str | None]:
    """One page of `items` from the cursor's offset, and the next cursor (None at the end)."""
    start = decode_offset(cursor)
    end = start + limit
    return list(items[start:end]), (str(end) if end < len(items) else None)


def matches(task: Task, filters: TaskFilters) -> bool:
    return (
        (filters.assistant_id is None or task.assistant_id == filters.assistant_id)
        and (filters.enabled is None or task.enabled == filters.enabled)
        and (filters.chat_id is None or task.chat_id == filters.chat_id)
    )


def _next_run_key(task: Task) -> tuple[int, float, str]:
    """Soonest next run first; tasks without one (paused, finished one-offs) last, by id."""
    instant = parse_instant(task.next_run_at)
    if instant is None:
        return (1, 0.0, task.id)
    return (0, instant.timestamp(), task.id)


def task_page(
    tasks: Iterable[Task], filters: TaskFilters, limit: int, cursor: str | None
) -> TaskPage:
    """Filter, sort by next run and page a backend's whole task list, as the local backend does."""
    chosen = sorted((t for t in tasks if matches(t, filters)), key=_next_run_key)
    shown, next_cursor = page(chosen, limit, cursor)
    return TaskPage(tasks=shown, next_cursor=next_cursor, total=len(chosen))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class HostedBackend:
    """What the plain-HTTP adapters share: their HTTP layer, a clock, and the refusals of what
    most hosted APIs lack (an adapter that has run-now or history overrides them)."""

    name: str

    def __init__(self, http: BackendHttp, clock: Callable[[], datetime] = utc_now) -> None:
        self.http = http
        self.clock = clock

    async def start(self) -> None:
        """Nothing to open: the HTTP client connects on first use."""

    async def close(self) -> None:
        await self.http.aclose()

    async def run_task_now(self, task_id: str) -> Run:
        raise CapabilityError(f"The {self.name} backend does not support running a task now.")

    async def list_runs(self, task_id: str, limit: int, cursor: str | None) -> RunPage:
        raise CapabilityError(f"The {self.name} backend does not support run history.")
