"""The embedded default backend: tasks in SQLite, fired by this process's runner."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from agentcron.backends.base import RUN_NOW_WAIT_SECONDS, Capabilities, TaskFilters
from agentcron.backends.local.assistants import AssistantRegistry, format_utc
from agentcron.backends.local.plan import first_due_after, schedule_of
from agentcron.backends.local.runner import Runner, new_id, utc_now
from agentcron.backends.local.store import NO_NEXT_RUN, RunRow, Store, TaskRow, from_db, to_db
from agentcron.cadence.timeline import iso
from agentcron.cadence.zones import zone
from agentcron.errors import InvalidRequestError, NotFoundError, ScheduleError
from agentcron.principal import current_owner, has_limits
from agentcron.models import (
    AgentRun,
    AssistantList,
    PausedAll,
    RunAlert,
    Run,
    RunDelivery,
    RunPage,
    Schedule,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)

if TYPE_CHECKING:
    import httpx



def encode_cursor(*key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple[str, ...]:
    """Decode a cursor this backend made; anything else is a clear error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(key, list) and len(key) == size and all(isinstance(k, str) for k in key):
            return tuple(key)
    except (ValueError, binascii.Error):
        pass
    raise InvalidRequestError(
        f"cursor {cursor!r} is not valid. Pass the `next_cursor` of the previous page, "
        "or leave cursor out to start from the first page."
    )


def _run_view(row: RunRow) -> Run:
    def utc(value: str | None) -> str | None:
        return iso(from_db(value)) if value else None

    return Run(
        id=row.id,
        task_id=row.task_id,
        # The same string the webhook's body and Idempotency-Key carry.
        scheduled_for=format_utc(from_db(row.scheduled_for)),
        started_at=utc(row.started_at),
        finished_at=utc(row.finished_at),
        status=row.status,  # type: ignore[arg-type]
        output=row.output,
        error=row.error,
        attempts=row.attempts,
        next_attempt_at=utc(row.next_attempt_at),
        alert=RunAlert(assistant=row.alert_to, status=row.alert_status,  # type: ignore[arg-type]
                       output=row.alert_output) if row.alert_to and row.alert_status else None,
        agent=AgentRun.model_validate_json(row.agent) if row.agent else None,
        delivery=_delivery_view(row),
    )


def _delivery_view(row: RunRow) -> RunDelivery | None:
    """The run's delivery as §12 shows it: one being sent right now is still `pending`."""
    if not row.delivery_to or not row.delivery_status:
        return None
    status = "pending" if row.delivery_status == "sending" else row.delivery_status
    return RunDelivery(target=row.delivery_to, status=status,  # type: ignore[arg-type]
                       attempts=row.delivery_attempts, error=row.delivery_error)


class LocalBackend:
    """Backend protocol over the SQLite store; the runner fires what is due."""

    name = "local"
    capabilities = Capabilities(min_cadence_seconds=1, cron_dialect="croniter")

    def __init__(
        self,
        store: Store,
        assistants: AssistantRegistry,
        *,
        scheduling: bool = True,
        clock: Callable[[], datetime] = utc_now,
        lease_seconds: float = 30.0,
        http_client: httpx.AsyncClient | None = None,
        max_tasks_per_owner: int | None = None,
    ) -> None:
        self.store = store
        self.max_tasks_per_owner = max_tasks_per_owner
        self.http_client = http_client
        self.assistants = assistants
        self.clock = clock
        self.runner = Runner(
            store, assistants, scheduling=scheduling, clock=clock, lease_seconds=lease_seconds
        )

    async def start(self) -> None:
        await self.runner.start()

    async def close(self) -> None:
        await self.runner.stop()
        if self.http_client is not None:
            await self.http_client.aclose()
        self.store.close()

    # --- views ----------------------------------------------------------------------------

    def _task_view(self, row: TaskRow) -> Task:
        tz = zone(row.timezone)

        def local(value: str | None) -> str | None:
            return iso(from_db(value).astimezone(tz)) if value else None

        from agentcron.cadence.describe import describe_schedule  # cron-descriptor: at first use

        schedule = schedule_of(row)
        return Task(
            id=row.id,
            name=row.name,
            assistant_id=row.assistant_id,
            prompt=row.prompt,
            schedule=schedule,
            description=describe_schedule(schedule),
            enabled=row.enabled,
            chat_id=row.chat_id,
            metadata=row.metadata,
            catch_up=row.catch_up,  # type: ignore[arg-type]
            overlap=row.overlap,  # type: ignore[arg-type]
            next_run_at=local(row.next_due) if row.enabled else None,
            last_run_at=local(row.last_run_at),
            created_at=iso(from_db(row.created_at)),
            updated_at=iso(from_db(row.updated_at)),
            backend=self.name,
        )

    def _require(self, row: TaskRow | None, task_id: str) -> TaskRow:
        if row is None:
            raise NotFoundError(
                f"No task with id {task_id!r}. Call list_scheduled_tasks to see the ids."
            )
        return row

    def _check_assistant(self, assistant_id: str | None, owner: str) -> None:
        """The named assistant (or, for none, the default) must be one `owner` may use."""
        if assistant_id is not None:
            self.assistants.get(assistant_id, owner)  # NotFoundError listing the owner's ones
        elif not self.assistants.usable_by(self.assistants.default, owner):
            raise NotFoundError(
                f"The default assistant is not available to you, so name one: pass "
                f"assistant_id, one of {', '.join(self.assistants.names(owner))} "
                "(see list_assistants)."
            )

    @staticmethod
    def _schedule_due(row: TaskRow, now: datetime) -> None:
        """Set next_due (and its sort key) from the schedule, counting from `now`."""
        due = first_due_after(row, now) if row.enabled else None
        if row.enabled and due is None:
            if row.kind == "rrule":
                raise ScheduleError(
                    f"The calendar rule {row.rrule} has no run left after now (its end has "
                    "passed), so the task would never run. Give a new schedule, e.g. 'every "
                    "other monday at 9am until march 1'."
                )
            raise ScheduleError(
                f"The one-off time {row.run_at} is already past, so the task would never run. "
                "Give a new schedule, e.g. 'tomorrow at 9am' or 'in 2 hours'."
            )
        row.next_due = to_db(due) if due else None
        row.sort_key = row.next_due or NO_NEXT_RUN

    # --- tasks ----------------------------------------------------------------------------

    def new_task_row(self, spec: TaskSpec, now: datetime, owner: str = "local") -> TaskRow:
        """A validated row for a new task of `owner`, due from `now` (not yet stored)."""
        self._check_assistant(spec.assistant_id, owner)
        stamp = to_db(now)
        row = TaskRow(
            id=new_id("task"),
            name=spec.name,
            assistant_id=spec.assistant_id,
            prompt=spec.prompt,
            kind=spec.schedule.kind,
            cron=spec.schedule.cron,
            timezone=spec.schedule.timezone,
            interval_seconds=spec.schedule.interval_seconds,
            run_at=spec.schedule.run_at,
            rrule=spec.schedule.rrule,
            starts_at=spec.schedule.starts_at,
            anchor_at=stamp,
            enabled=spec.enabled,
            chat_id=spec.chat_id,
            metadata=dict(spec.metadata),
            catch_up=spec.catch_up,
            overlap=spec.overlap,
            next_due=None,
            sort_key=NO_NEXT_RUN,
            last_run_at=None,
            created_at=stamp,
            updated_at=stamp,
            owner=owner,
        )
        self._schedule_due(row, now)
        return row

    async def create_task(self, spec: TaskSpec) -> Task:
        owner = current_owner()
        row = self.new_task_row(spec, self.clock(), owner)
        limit = self.max_tasks_per_owner if has_limits(owner) else None
        await asyncio.to_thread(self.store.insert_tasks, [row], limit)
        self.runner.wake()
        return self._task_view(row)

    async def list_tasks(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage:
        after = decode_cursor(cursor, 2) if cursor else None
        owner = current_owner()
        page = await asyncio.to_thread(
            lambda: self.store.list_tasks(
                assistant_id=filters.assistant_id,
                enabled=filters.enabled,
                chat_id=filters.chat_id,
                limit=limit,
                after=after,  # type: ignore[arg-type]
                owner=owner,
            )
        )
        next_cursor = None
        if page.has_more and page.rows:
            last = page.rows[-1]
            next_cursor = encode_cursor(last.sort_key, last.id)
        paused = page.paused
        return TaskPage(
            tasks=[self._task_view(r) for r in page.rows], next_cursor=next_cursor,
            total=page.total,
            paused_all=PausedAll(reason=paused.reason, since=iso(from_db(paused.since)))
            if paused else None,
        )

    async def get_task(self, task_id: str) -> Task:
        row = await asyncio.to_thread(self.store.get_task, task_id, current_owner())
        return self._task_view(self._require(row, task_id))

    async def update_task(self, task_id: str, patch: TaskPatch) -> Task:
        given = patch.model_fields_set
        owner = current_owner()
        if "assistant_id" in given:
            self._check_assistant(patch.assistant_id, owner)
        now = self.clock()

        def change(row: TaskRow) -> TaskRow:
            reschedule = False
            for name in ("prompt", "name", "assistant_id", "catch_up", "overlap", "metadata"):
                if name in given and getattr(patch, name) is not None:
                    setattr(row, name, getattr(patch, name))
            if "name" in given and patch.name is None:
                row.name = None
            if patch.clear_chat_id:
                row.chat_id = None
            elif "chat_id" in given:
                row.chat_id = patch.chat_id
            if patch.schedule is not None:
                _set_schedule(row, patch.schedule)
                row.anchor_at = to_db(now)
                reschedule = True
            if patch.enabled is not None and patch.enabled != row.enabled:
                row.enabled = patch.enabled
                reschedule = True
            if reschedule:
                self._schedule_due(row, now)
            row.updated_at = to_db(now)
            return row

        row = await asyncio.to_thread(self.store.modify_task, task_id, change, owner)
        self.runner.wake()
        return self._task_view(self._require(row, task_id))

    async def delete_task(self, task_id: str) -> None:
        if not await asyncio.to_thread(self.store.delete_task, task_id, current_owner()):
            self._require(None, task_id)
        self.runner.wake()

    # --- runs -----------------------------------------------------------------------------

    async def run_task_now(self, task_id: str) -> Run:
        await self.runner.ready()  # a run is only fired under a lease
        owner = current_owner()
        row = self._require(await asyncio.to_thread(self.store.get_task, task_id, owner), task_id)
        paused = await asyncio.to_thread(self.store.pause_state)
        if paused is not None:
            raise InvalidRequestError(
                f"Every task is paused (agentcron pause-all, {paused.describe()}), so nothing "
                "fires, not even "
                "run_scheduled_task_now. Only the user can lift it, with `agentcron resume-all`; "
                "tell them."
            )
        now = self.clock()
        run = await asyncio.to_thread(
            self.store.insert_manual_run, task_id, to_db(now), new_id("run"),
            self.runner.id, to_db(now), owner,
        )
        if run is None:
            self._require(None, task_id)
        assert run is not None
        fired = self.runner.launch_manual(row, run)
        await asyncio.wait([fired], timeout=RUN_NOW_WAIT_SECONDS)
        latest = await asyncio.to_thread(self.store.get_run, run.id)
        return _run_view(latest or run)

    async def list_runs(self, task_id: str, limit: int, cursor: str | None) -> RunPage:
        self._require(await asyncio.to_thread(self.store.get_task, task_id, current_owner()),
                      task_id)
        before = decode_cursor(cursor, 2) if cursor else None
        rows, has_more = await asyncio.to_thread(
            self.store.list_runs, task_id, limit, before  # type: ignore[arg-type]
        )
        next_cursor = encode_cursor(rows[-1].scheduled_for, rows[-1].id) if has_more else None
        return RunPage(runs=[_run_view(r) for r in rows], next_cursor=next_cursor)

    async def list_assistants(self) -> AssistantList:
        owner = current_owner()
        default = self.assistants.default
        return AssistantList(assistants=self.assistants.infos(owner),
                             default=default if self.assistants.usable_by(default, owner) else None)


def _set_schedule(row: TaskRow, schedule: Schedule) -> None:
    row.kind = schedule.kind
    row.cron = schedule.cron
    row.timezone = schedule.timezone
    row.interval_seconds = schedule.interval_seconds
    row.run_at = schedule.run_at
    row.rrule = schedule.rrule
    row.starts_at = schedule.starts_at

