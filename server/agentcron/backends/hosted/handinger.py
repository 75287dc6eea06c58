"""Handinger worker-schedules adapter (contract: shared/backends.md sections 0 and 3).

Wire facts this module relies on, and why:
* three endpoints only, all under one worker (AGENTCRON_HANDINGER_WORKER_ID):
  GET/POST `/api/workers/{workerId}/schedules`, DELETE `.../schedules/{scheduleId}`. There is
  no update, pause or get-one: get is answered from the list (one GET), the rest is refused.
* camelCase everywhere; `when` is a union on `type`: `cron`, `interval` (`intervalSeconds`) and
  `scheduled` (`date`, an ISO instant). `delayed` schedules made elsewhere are shown as one-offs.
* no time zone field: crons are sent in UTC, converted only when exact (backends/hosted/utc.py).
* `budget` is optional; agentcron sends none, so Handinger's default budget applies.
* the worker is what runs, so `assistant_id` is refused unless it names that worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from agentcron.backends.base import Capabilities, TaskFilters
from agentcron.backends.hosted.common import (
    HostedBackend,
    utc_now,
    build_task,
    cron_schedule,
    instant_text,
    not_found,
    not_found_answer,
    require_http_url,
    require_settings,
    secret,
    task_page,
)
from agentcron.backends.hosted.http import BackendHttp, BackendStatusError
from agentcron.backends.hosted.utc import to_utc
from agentcron.config import Settings
from agentcron.errors import CapabilityError, InvalidRequestError
from agentcron.models import (
    AssistantList,
    Schedule,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)

NAME = "handinger"
MAX_INTERVAL_SECONDS = 31_536_000  # the API's documented maximum (one year)



class HandingerBackend(HostedBackend):
    """Tasks as schedules of one Handinger worker; create, list, get (from the list), delete."""

    name = NAME
    capabilities = Capabilities(
        time_zones=False,  # UTC only; exact conversions happen in backends/hosted/utc.py
        pause=False,
        update=False,
        get_one=True,  # emulated: found in the worker's schedule list
        run_now=False,
        run_history=False,
        chat_id=False,
        name=False,
        metadata=False,
        policies=False,
        min_cadence_seconds=60,
        cron_dialect="classic",
        pagination="offset",
    )

    def __init__(self, http: BackendHttp, worker_id: str,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(http, clock)
        self.worker_id = worker_id
        self.path = f"/api/workers/{quote(worker_id, safe='')}/schedules"

    # --- mapping ---------------------------------------------------------------------------

    def _when(self, schedule: Schedule) -> dict[str, Any]:
        """Our schedule as Handinger's `when`, in UTC; refusals raise before any request."""
        utc = to_utc(schedule, NAME, self.clock())
        if utc.kind == "cron":
            return {"type": "cron", "cron": utc.cron}
        if utc.kind == "interval":
            assert utc.interval_seconds is not None
            if utc.interval_seconds > MAX_INTERVAL_SECONDS:
                raise InvalidRequestError(
                    "The handinger backend allows intervals up to one year (31,536,000 s). "
                    "Use a cron cadence such as 'every January 1st at 9am' instead."
                )
            return {"type": "interval", "intervalSeconds": utc.interval_seconds}
        return {"type": "scheduled", "date": utc.run_at}

    def _view(self, item: dict[str, Any], sent: Schedule | None = None) -> Task:
        kind = item.get("type")
        unreadable: str | None = None
        seconds = item.get("intervalSeconds")
        if kind == "cron":
            schedule, unreadable = cron_schedule(str(item.get("cron") or ""), "UTC")
        elif kind == "interval" and isinstance(seconds, int) and seconds > 0:
            schedule = Schedule(kind="interval", interval_seconds=seconds)
        else:  # "scheduled" (no `date` in the answer) or "delayed": a one-off at nextRunAt
            run_at = instant_text(item.get("nextRunAt")) or (sent.run_at if sent else None)
            schedule = Schedule(kind="once", run_at=run_at)
            if kind not in ("scheduled", "delayed"):
                unreadable = str(kind)
        return build_task(
            backend=NAME,
            task_id=str(item.get("id")),
            prompt=str(item.get("input") or ""),
            schedule=schedule,
            unreadable=unreadable,
            enabled=True,
            now=self.clock(),
            assistant_id=self.worker_id,
            next_run_at=item.get("nextRunAt"),
        )

    def _check_assistant(self, assistant_id: str | None) -> None:
        if assistant_id is not None and assistant_id != self.worker_id:
            raise CapabilityError(
                f"The handinger backend runs every task on the worker set in "
                f"AGENTCRON_HANDINGER_WORKER_ID ({self.worker_id}); it cannot choose another "
                "assistant. Leave assistant_id out."
            )

    async def _schedules(self) -> tuple[int, list[dict[str, Any]]]:
        """The worker's schedules, with the list call's HTTP status (a not-found quotes it)."""
        status, body = await self.http.answer("GET", self.path)
        items = body.get("schedules") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise self.http.unexpected("GET", self.path, status, body, "a schedule list")
        return status, [item for item in items if isinstance(item, dict)]

    # --- Backend protocol ------------------------------------------------------------------

    async def create_task(self, spec: TaskSpec) -> Task:
        self._check_assistant(spec.assistant_id)
        when = self._when(spec.schedule)
        body = {"input": spec.prompt, "when": when}
        status, answer = await self.http.answer("POST", self.path, json_body=body)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise self.http.unexpected(
                "POST", self.path, status, answer, "the new schedule's id",
                "It may have been created: call list_scheduled_tasks before trying again, so "
                "it is not created twice.")
        sent = to_utc(spec.schedule, NAME, self.clock())
        return self._view({"input": spec.prompt, **_flat_when(when), **answer}, sent)

    async def list_tasks(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage:
        tasks = [self._view(item) for item in (await self._schedules())[1]]
        return task_page(tasks, filters, limit, cursor)

    async def get_task(self, task_id: str) -> Task:
        status, items = await self._schedules()
        for item in items:
            if str(item.get("id")) == task_id:
                return self._view(item)
        # Handinger has no get-one endpoint, so there is no 404 to quote: say what we saw.
        raise not_found(NAME, task_id, (
            f"Handinger has no endpoint to get one schedule, and the list call GET {self.path} "
            f"answered HTTP {status} with {len(items)} schedule{'' if len(items) == 1 else 's'}, "
            "none with this id"))

    async def update_task(self, task_id: str, patch: TaskPatch) -> Task:
        raise CapabilityError(
            "The handinger backend does not support updating a task. "
            "Delete it and create a new one instead."
        )

    async def delete_task(self, task_id: str) -> None:
        path = f"{self.path}/{quote(task_id, safe='')}"
        try:
            status, answer = await self.http.answer("DELETE", path)
        except BackendStatusError as exc:
            if exc.status == 404:
                raise not_found_answer(task_id, exc) from None
            raise
        if isinstance(answer, dict) and answer.get("cancelled") is False:
            said = self.http.said("DELETE", path, status, answer)
            raise not_found(NAME, task_id, f"it answered {said}")

    async def list_assistants(self) -> AssistantList:
        raise CapabilityError(
            f"The handinger backend has no list of assistants: every task runs on the worker set "
            f"in AGENTCRON_HANDINGER_WORKER_ID ({self.worker_id}). Leave assistant_id out."
        )


def _flat_when(when: dict[str, Any]) -> dict[str, Any]:
    """What we sent as `when`, in the flat shape of a WorkerSchedule (fills gaps in an answer)."""
    return {key: value for key, value in when.items() if key != "date"}


def build(settings: Settings, **http_options: Any) -> HandingerBackend:
    """The adapter from AGENTCRON_HANDINGER_*; `http_options` tune BackendHttp (tests)."""
    key = secret(settings.handinger_api_key)
    require_settings(NAME, {
        "AGENTCRON_HANDINGER_API_KEY": (key, "your Handinger API key, hdg_live_..."),
        "AGENTCRON_HANDINGER_WORKER_ID": (
            settings.handinger_worker_id, "the worker that runs the tasks, e.g. t_org_123_w_01HZ..."
        ),
    })
    assert key is not None and settings.handinger_worker_id is not None
    url = require_http_url("AGENTCRON_HANDINGER_URL", settings.handinger_url)
    http = BackendHttp(
        NAME, url, headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
        secrets=[key], **http_options,
    )
    return HandingerBackend(http, settings.handinger_worker_id)
