"""Unique scheduled-tasks adapter (contract: shared/backends.md sections 0 and 4).

Wire facts this module relies on, and why:
* the URL setting is the API base *including* `/public/chat-gen2` (like unique_sdk's
  `api_base`); resources are `/scheduled-tasks` and `/scheduled-tasks/{id}` (id quote_plus'd).
* every request carries `x-company-id`, `x-user-id` and `x-api-version: 2023-12-06`;
  `Authorization: Bearer <key>` and `x-app-id` are sent only when set to something non-empty,
  exactly like the SDK (an explicitly empty value is how a secured in-cluster setup omits them).
* camelCase fields. On create, `name`, `chatId` and `timezone` are left out rather than sent
  as null (older gateways reject null); a UTC schedule omits `timezone`, which means UTC.
* PATCH sends only the changed fields; `clear_chat_id` sends `"chatId": null`.
* cron only (no interval, no one-off), evaluated in `timezone`; no run-now, no history.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from agentcron.backends.base import Capabilities, TaskFilters
from agentcron.backends.hosted.common import (
    HostedBackend,
    build_task,
    cron_schedule,
    not_found,
    not_found_answer,
    require_http_url,
    require_settings,
    same_cron,
    secret,
    task_page,
    unwrap,
)
from agentcron.backends.hosted.http import BackendHttp, BackendStatusError
from agentcron.cadence.zones import resolve_zone
from agentcron.config import Settings
from agentcron.errors import CapabilityError, InvalidRequestError, ScheduleError
from agentcron.models import (
    AssistantList,
    Schedule,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)

NAME = "unique"
API_VERSION = "2023-12-06"  # unique_sdk ApiVersion.CURRENT
RESOURCE = "/scheduled-tasks"
MAX_NAME_CHARS = 128  # Unique's limit (SKILL.md), stricter than agentcron's 200
ASSISTANT_HELP = (
    "For Unique, assistant_id is the id of the Unique assistant (space) that answers the "
    "prompt, e.g. assistant_id='assistant_abc123'."
)



class UniqueBackend(HostedBackend):
    """Tasks as Unique scheduled tasks: a cron in a zone, an assistant, a prompt, maybe a chat."""

    name = NAME
    capabilities = Capabilities(
        interval=False,
        one_off=False,
        run_now=False,
        run_history=False,
        metadata=False,
        policies=False,
        min_cadence_seconds=60,  # Unique's CronJob evaluates tasks once a minute
        cron_dialect="classic",
        pagination="offset",
    )

    # --- mapping ---------------------------------------------------------------------------

    def _view(self, item: dict[str, Any]) -> Task:
        zone_name = _zone_of(item.get("timezone"))
        schedule, unreadable = cron_schedule(str(item.get("cronExpression") or ""), zone_name)
        return build_task(
            backend=NAME,
            task_id=str(item.get("id")),
            prompt=str(item.get("prompt") or ""),
            schedule=schedule,
            unreadable=unreadable,
            enabled=bool(item.get("enabled", True)),
            now=self.clock(),
            name=item.get("name"),
            assistant_id=item.get("assistantId"),
            chat_id=item.get("chatId"),
            last_run_at=item.get("lastRunAt"),
            created_at=item.get("createdAt"),
            updated_at=item.get("updatedAt"),
        )

    @staticmethod
    def _cron(schedule: Schedule) -> str:
        assert schedule.kind == "cron" and schedule.cron is not None  # TaskService refuses others
        return schedule.cron

    @staticmethod
    def _check_name(name: str | None) -> None:
        if name is not None and len(name) > MAX_NAME_CHARS:
            raise InvalidRequestError(
                f"The unique backend allows names up to {MAX_NAME_CHARS} characters; this one "
                f"has {len(name)}. Shorten it."
            )

    def _path(self, task_id: str) -> str:
        return f"{RESOURCE}/{quote_plus(task_id)}"

    async def _call(self, method: str, task_id: str, body: Any = None) -> tuple[int, Any]:
        """One request on a task's own URL: (status, body); a 404 is NotFoundError."""
        try:
            return await self.http.answer(method, self._path(task_id), json_body=body)
        except BackendStatusError as exc:
            if exc.status == 404:
                raise not_found_answer(task_id, exc) from None
            raise

    def _task_of(self, method: str, path: str, answer: tuple[int, Any],
                 hint: str = "The URL setting may point at the wrong service.") -> Task:
        status, body = answer
        item = unwrap(body)
        if not isinstance(item, dict) or not item.get("id"):
            raise self.http.unexpected(method, path, status, body, "a scheduled task", hint)
        return self._view(item)

    # --- Backend protocol ------------------------------------------------------------------

    async def create_task(self, spec: TaskSpec) -> Task:
        if spec.assistant_id is None:
            raise InvalidRequestError(f"The unique backend needs assistant_id. {ASSISTANT_HELP}")
        self._check_name(spec.name)
        body: dict[str, Any] = {
            "cronExpression": self._cron(spec.schedule),
            "assistantId": spec.assistant_id,
            "prompt": spec.prompt,
            "enabled": spec.enabled,
        }
        if spec.name is not None:
            body["name"] = spec.name
        if spec.chat_id is not None:
            body["chatId"] = spec.chat_id
        if spec.schedule.timezone != "UTC":
            body["timezone"] = spec.schedule.timezone
        answer = await self.http.answer("POST", RESOURCE, json_body=body)
        return self._task_of(
            "POST", RESOURCE, answer,
            "It may have been created: call list_scheduled_tasks before trying again, so it is "
            "not created twice.")

    async def list_tasks(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage:
        status, answer = await self.http.answer("GET", RESOURCE)
        body = unwrap(answer)
        if not isinstance(body, list):
            raise self.http.unexpected("GET", RESOURCE, status, answer, "a task list")
        tasks = [self._view(item) for item in body if isinstance(item, dict)]
        return task_page(tasks, filters, limit, cursor)

    async def get_task(self, task_id: str) -> Task:
        return self._task_of("GET", self._path(task_id), await self._call("GET", task_id))

    async def update_task(self, task_id: str, patch: TaskPatch) -> Task:
        given = patch.model_fields_set
        self._check_name(patch.name)
        body: dict[str, Any] = {}
        current: dict[str, Any] | None = None
        if patch.prompt is not None:
            body["prompt"] = patch.prompt
        if patch.schedule is not None:
            # A schedule restated for a zone change must not rewrite the stored cron text, nor
            # turn a legacy null zone into "UTC": send only the parts that really change.
            status, read = await self._call("GET", task_id)
            current = unwrap(read)
            if not isinstance(current, dict):
                raise self.http.unexpected("GET", self._path(task_id), status, read,
                                           "a scheduled task")
            cron = self._cron(patch.schedule)
            if not same_cron(current.get("cronExpression"), cron):
                body["cronExpression"] = cron
            if (current.get("timezone") or "UTC") != patch.schedule.timezone:
                body["timezone"] = patch.schedule.timezone
        if "assistant_id" in given and patch.assistant_id is not None:
            body["assistantId"] = patch.assistant_id
        if "name" in given and patch.name is not None:
            body["name"] = patch.name
        if patch.enabled is not None:
            body["enabled"] = patch.enabled
        if patch.clear_chat_id:
            body["chatId"] = None
        elif patch.chat_id is not None:
            body["chatId"] = patch.chat_id
        if not body:  # nothing really changes (a schedule restated as it is): send nothing
            return self._view(current) if current is not None else await self.get_task(task_id)
        return self._task_of("PATCH", self._path(task_id), await self._call("PATCH", task_id, body))

    async def delete_task(self, task_id: str) -> None:
        status, answer = await self._call("DELETE", task_id)
        if isinstance(answer, dict) and answer.get("deleted") is False:
            said = self.http.said("DELETE", self._path(task_id), status, answer)
            raise not_found(NAME, task_id, f"it answered {said}")

    async def list_assistants(self) -> AssistantList:
        raise CapabilityError(
            f"The unique backend has no list of assistants here: each task names its Unique "
            f"assistant. {ASSISTANT_HELP}"
        )


def _zone_of(value: Any) -> str:
    """The task's zone: null (legacy tasks) means UTC; an unknown name is shown as UTC too."""
    if not isinstance(value, str) or not value:
        return "UTC"
    try:
        return resolve_zone(value)
    except ScheduleError:
        return "UTC"


def build(settings: Settings, **http_options: Any) -> UniqueBackend:
    """The adapter from AGENTCRON_UNIQUE_*; `http_options` tune BackendHttp (tests).

    The API key and app id must be set; set them to an empty string to leave the header out
    (a secured in-cluster gateway, as the Unique CLI does). Company and user are always needed.
    """
    key = secret(settings.unique_api_key)

    def given(value: str | None) -> str | None:
        return None if value is None else "given"  # "" is an explicit "send no header"

    require_settings(NAME, {
        "AGENTCRON_UNIQUE_API_KEY": (given(key), "your Unique API key, ukey_...; "
                                                 "empty to send none"),
        "AGENTCRON_UNIQUE_COMPANY_ID": (settings.unique_company_id, "your Unique company id"),
        "AGENTCRON_UNIQUE_USER_ID": (settings.unique_user_id, "the Unique user who owns the tasks"),
        "AGENTCRON_UNIQUE_APP_ID": (given(settings.unique_app_id),
                                    "your Unique app id, app_...; empty to send none"),
    })
    assert settings.unique_company_id and settings.unique_user_id
    url = require_http_url("AGENTCRON_UNIQUE_URL", settings.unique_url)
    headers = {
        "x-company-id": settings.unique_company_id,
        "x-user-id": settings.unique_user_id,
        "x-api-version": API_VERSION,
        "Accept": "application/json",
    }
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if settings.unique_app_id:
        headers["x-app-id"] = settings.unique_app_id
    http = BackendHttp(NAME, url, headers=headers, secrets=[key], **http_options)
    return UniqueBackend(http)
