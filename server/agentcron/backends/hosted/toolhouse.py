"""Toolhouse Scheduled Runs adapter (contract: shared/backends.md sections 0 and 2).

Wire facts this module relies on, and why:
* schedules live under `/v1/schedules` (list, create, get, PUT, DELETE). Some Toolhouse docs
  tabs POST/PUT/DELETE schedules on `/v1/agent-runs`; that path starts a run instead.
* `/v1/agent-runs` is only used for running now (POST) and history (GET, filtered here by
  `schedule_id`: the API has no filter).
* PUT requires `cadence` and defaults the rest (`active` to true), so every update reads the
  record and PUTs all of it back exactly as read, changing only the fields asked for: a cadence
  change never re-activates a paused schedule, and a pause never touches `vars` (a record
  without a prompt var keeps having none). Fields we do not know are sent back too, so a PUT
  can never reset them to a default.
* The cadence is UTC cron with a 10-minute floor; zones are converted only when exact
  (backends/hosted/utc.py). DELETE of an unknown id is a 400, not a 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from agentcron.backends.base import Capabilities, TaskFilters
from agentcron.backends.hosted.common import (
    HostedBackend,
    build_task,
    cron_schedule,
    not_found,
    not_found_answer,
    page,
    parse_instant,
    require_http_url,
    require_settings,
    same_cron,
    secret,
    task_page,
    unwrap,
    utc_z,
)
from agentcron.backends.hosted.http import BackendHttp, BackendStatusError
from agentcron.backends.hosted.utc import to_utc
from agentcron.config import Settings
from agentcron.errors import BackendError, CapabilityError, InvalidRequestError
from agentcron.models import (
    MAX_OUTPUT_BYTES,
    AssistantList,
    Run,
    RunPage,
    RunStatus,
    Schedule,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)

NAME = "toolhouse"
PROMPT_VAR = "prompt"
# ScheduleUpdateRequest (backends.md §2.3): PUT replaces these, so each is sent back as read;
# fields outside it (id, user_id, title, ...) are the server's and are not sent.
PUT_FIELDS = ("active", "cadence", "bundle", "toolhouse_id", "vars", "chat_id", "callback_url")
# What a field ScheduleUpdateRequest takes means when the record lacks it (the create answer
# has only some of them); a PUT sends every field of the record (full replacement).
PUT_DEFAULTS: dict[str, Any] = {"active": True, "bundle": "default", "toolhouse_id": "default",
                                "vars": None, "callback_url": None}
RUN_STATUS: dict[str, RunStatus] = {
    "queued": "queued", "in_progress": "running", "completed": "succeeded", "failed": "failed",
}
ASSISTANT_HELP = (
    "For Toolhouse, assistant_id is the Agent Studio chat id of the agent to run (a UUID: in "
    "Agent Studio use Share -> copy Chat ID), "
    "e.g. assistant_id='0b3c2f4e-8d1a-4c5b-9e7f-1a2b3c4d5e6f'."
)



def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class ToolhouseBackend(HostedBackend):
    """Tasks as Toolhouse schedules; the agent is the Agent Studio chat (`chat_id`)."""

    name = NAME
    capabilities = Capabilities(
        time_zones=False,  # UTC only; exact conversions happen in backends/hosted/utc.py
        interval=False,
        one_off=False,
        chat_id=False,  # Toolhouse's chat_id is the agent: our assistant_id
        name=False,
        policies=False,
        min_cadence_seconds=600,
        cron_dialect="classic",
        pagination="offset",
    )

    # --- mapping ---------------------------------------------------------------------------

    def _view(self, record: dict[str, Any]) -> Task:
        variables = {str(k): str(v) for k, v in (record.get("vars") or {}).items()}
        prompt = variables.pop(PROMPT_VAR, "")
        schedule, unreadable = cron_schedule(str(record.get("cadence") or ""), "UTC")
        return build_task(
            backend=NAME,
            task_id=str(record.get("id")),
            prompt=prompt,
            schedule=schedule,
            unreadable=unreadable,
            enabled=bool(record.get("active", True)),
            now=self.clock(),
            name=record.get("title"),
            assistant_id=record.get("chat_id"),
            metadata=variables,
            last_run_at=record.get("last_ran_at"),
            created_at=record.get("created_at"),
            updated_at=record.get("updated_at"),
        )

    @staticmethod
    def _vars(prompt: str, metadata: dict[str, str]) -> dict[str, str]:
        if PROMPT_VAR in metadata:
            raise InvalidRequestError(
                f"The toolhouse backend sends the prompt as the '{PROMPT_VAR}' var, so metadata "
                f"cannot have a '{PROMPT_VAR}' key. Rename that key."
            )
        return {PROMPT_VAR: prompt, **metadata}

    @staticmethod
    def _check_assistant(assistant_id: str | None) -> str:
        if assistant_id is None:
            raise InvalidRequestError(f"The toolhouse backend needs assistant_id. {ASSISTANT_HELP}")
        if not _is_uuid(assistant_id):
            raise InvalidRequestError(
                f"assistant_id {assistant_id!r} is not a Toolhouse chat id. {ASSISTANT_HELP}"
            )
        return assistant_id

    def _cadence(self, schedule: Schedule) -> str:
        converted = to_utc(schedule, NAME, self.clock())
        assert converted.cron is not None
        return converted.cron

    # --- requests --------------------------------------------------------------------------

    def _path(self, task_id: str) -> str:
        if not _is_uuid(task_id):
            raise not_found(NAME, task_id, "Toolhouse schedule ids are UUIDs, so no request "
                                           "was sent")
        return f"/v1/schedules/{task_id}"

    async def _record(self, task_id: str) -> dict[str, Any]:
        path = self._path(task_id)
        try:
            status, body = await self.http.answer("GET", path)
        except BackendStatusError as exc:
            if exc.status == 404:
                raise not_found_answer(task_id, exc) from None
            raise
        record = unwrap(body)
        if not isinstance(record, dict):
            raise self.http.unexpected("GET", path, status, body, "a schedule")
        return record

    async def _put(self, task_id: str, record: dict[str, Any]) -> dict[str, Any]:
        """PUT the whole record as given; Toolhouse's answer (if it has one) wins over it."""
        try:
            answer = unwrap(await self.http.json("PUT", self._path(task_id), json_body=record))
        except BackendStatusError as exc:
            if exc.status == 404:
                raise not_found_answer(task_id, exc) from None
            raise
        return {**record, **(answer if isinstance(answer, dict) else {})}

    # --- Backend protocol ------------------------------------------------------------------

    async def create_task(self, spec: TaskSpec) -> Task:
        chat_id = self._check_assistant(spec.assistant_id)
        body = {"chat_id": chat_id, "cadence": self._cadence(spec.schedule),
                "vars": self._vars(spec.prompt, spec.metadata)}
        status, created = await self.http.answer("POST", "/v1/schedules", json_body=body)
        answer = unwrap(created)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise self.http.unexpected(
                "POST", "/v1/schedules", status, created, "the new schedule's id",
                "It may have been created: call list_scheduled_tasks before trying again, so "
                "it is not created twice.")
        record = {**PUT_DEFAULTS, **body, **answer}
        if not spec.enabled:
            # ScheduleRequest has no `active`: create, then pause with a full PUT.
            try:
                record = await self._put(str(answer["id"]), {**record, "active": False})
            except BackendError as exc:
                raise BackendError(
                    f"The toolhouse backend created task {answer['id']} but it could not be "
                    "paused, so it is active. Pause it with update_scheduled_task enabled=false. "
                    f"{exc}"
                ) from None
        return self._view(record)

    async def list_tasks(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage:
        body = await self.http.json("GET", "/v1/schedules")
        records = unwrap(body) or []
        tasks = [self._view(r) for r in records if isinstance(r, dict) and not r.get("archived")]
        return task_page(tasks, filters, limit, cursor)

    async def get_task(self, task_id: str) -> Task:
        return self._view(await self._record(task_id))

    async def update_task(self, task_id: str, patch: TaskPatch) -> Task:
        given = patch.model_fields_set
        changes: dict[str, Any] = {}
        # Everything that can be refused is checked before the first request.
        if patch.schedule is not None:
            changes["cadence"] = self._cadence(patch.schedule)
        if "assistant_id" in given:
            changes["chat_id"] = self._check_assistant(patch.assistant_id)
        if patch.enabled is not None:
            changes["active"] = patch.enabled
        if "metadata" in given and patch.metadata is not None:
            self._vars("", patch.metadata)
        record = await self._record(task_id)
        if "cadence" in changes and same_cron(record.get("cadence"), changes["cadence"]):
            del changes["cadence"]  # the same cron, maybe written differently: keep its text
        if patch.prompt is not None or patch.metadata is not None:
            changes["vars"] = _changed_vars(record.get("vars"), patch.prompt, patch.metadata)
        as_read = {field: record[field] for field in PUT_FIELDS if field in record}
        return self._view(await self._put(task_id, {**as_read, **changes}))

    async def delete_task(self, task_id: str) -> None:
        try:
            await self.http.request("DELETE", self._path(task_id))
        except BackendStatusError as exc:
            # Toolhouse answers 400 "Schedule not found" (not 404) for an unknown id.
            if exc.status == 404 or (exc.status == 400 and "not found" in exc.detail.lower()):
                raise not_found_answer(task_id, exc) from None
            raise

    async def run_task_now(self, task_id: str) -> Run:
        record = await self._record(task_id)
        body: dict[str, Any] = {
            "chat_id": record.get("chat_id"),
            "schedule_id": task_id,
            "vars": record.get("vars"),
            "bundle": record.get("bundle") or "default",
            "toolhouse_id": record.get("toolhouse_id") or "default",
        }
        if record.get("callback_url"):
            body["callback_url"] = record["callback_url"]
        status, started_run = await self.http.answer("POST", "/v1/agent-runs", json_body=body)
        run = unwrap(started_run)
        if not isinstance(run, dict) or not run.get("id"):
            raise self.http.unexpected(
                "POST", "/v1/agent-runs", status, started_run, "the new run's id",
                "It may have started: check list_task_runs in a moment before running it again.")
        started = {"schedule_id": task_id, "created_at": self.clock().isoformat()}
        return self._run_view({**started, **run}, task_id)

    async def list_runs(self, task_id: str, limit: int, cursor: str | None) -> RunPage:
        await self._record(task_id)  # an unknown task is NotFoundError, not an empty history
        runs = unwrap(await self.http.json("GET", "/v1/agent-runs")) or []
        mine = [r for r in runs if isinstance(r, dict) and str(r.get("schedule_id")) == task_id]
        mine.sort(key=lambda r: (parse_instant(r.get("created_at")) or datetime.min.replace(
            tzinfo=timezone.utc), str(r.get("id"))), reverse=True)
        shown, next_cursor = page(mine, limit, cursor)
        return RunPage(runs=[self._run_view(r, task_id) for r in shown], next_cursor=next_cursor)

    async def list_assistants(self) -> AssistantList:
        raise CapabilityError(
            "The toolhouse backend has no list of assistants to show: each task names its agent "
            f"directly. {ASSISTANT_HELP}"
        )

    # --- runs ------------------------------------------------------------------------------

    @staticmethod
    def _run_view(run: dict[str, Any], task_id: str) -> Run:
        status = RUN_STATUS.get(str(run.get("status")), "queued")
        created = utc_z(run.get("created_at"))
        done = status in ("succeeded", "failed")
        return Run(
            id=str(run["id"]),
            task_id=str(run.get("schedule_id") or task_id),
            scheduled_for=created or "unknown",
            started_at=created if status != "queued" else None,
            finished_at=utc_z(run.get("updated_at")) if done else None,
            status=status,
            output=_run_output(run),
            error=_text(run.get("error")) or None,
        )


def _changed_vars(current: Any, prompt: str | None,
                  metadata: dict[str, str] | None) -> Any:
    """The record's `vars` with only the prompt and/or the metadata replaced.

    Every other var is kept as read, and a record without a prompt var gets one only when a
    prompt is given; with nothing actually changing, `vars` comes back as read (even null).
    """
    old = dict(current) if isinstance(current, dict) else {}
    if metadata is None:
        new = dict(old)
    else:
        new = {PROMPT_VAR: old[PROMPT_VAR]} if PROMPT_VAR in old else {}
        new.update(metadata)
    if prompt is not None:
        new[PROMPT_VAR] = prompt
    return current if new == old else new


def _text(value: Any) -> str:
    if value is None or value == [] or value == "":
        return ""
    return value if isinstance(value, str) else str(value)


def _run_output(run: dict[str, Any]) -> str | None:
    """The agent's last message: `last_agent_message`, else the last assistant result."""
    text = _text(run.get("last_agent_message"))
    if not text:
        for message in reversed(run.get("results") or []):
            if isinstance(message, dict) and message.get("role") == "assistant":
                text = _text(message.get("content"))
                if text:
                    break
    if not text:
        return None
    encoded = text.encode()
    if len(encoded) <= MAX_OUTPUT_BYTES:
        return text
    return encoded[:MAX_OUTPUT_BYTES].decode(errors="ignore")


def build(settings: Settings, **http_options: Any) -> ToolhouseBackend:
    """The adapter from AGENTCRON_TOOLHOUSE_*; `http_options` tune BackendHttp (tests)."""
    key = secret(settings.toolhouse_api_key)
    require_settings(NAME, {"AGENTCRON_TOOLHOUSE_API_KEY": (key, "your Toolhouse API key")})
    assert key is not None
    url = require_http_url("AGENTCRON_TOOLHOUSE_URL", settings.toolhouse_url)
    http = BackendHttp(
        NAME, url, headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
        secrets=[key], **http_options,
    )
    return ToolhouseBackend(http)
