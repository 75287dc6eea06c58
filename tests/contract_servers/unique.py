"""A Unique stand-in that enforces the documented contract (shared/backends.md section 4).

* served under `/public/chat-gen2` (the adapter's URL setting includes it, like unique_sdk's
  api_base): `/scheduled-tasks` and `/scheduled-tasks/{id}`.
* headers per section 4.1: `Authorization: Bearer <key>` (401 when missing or wrong),
  `x-company-id`, `x-user-id`, `x-app-id` and `x-api-version: 2023-12-06` (400 when missing or
  different). A server built with api_key=None / app_id=None is a secured cluster: it wants
  those two headers absent, like the SDK sends when they are empty.
* strict camelCase bodies (NestJS whitelist): `cron_expression` is 400 "property
  cron_expression should not exist". On create, `name` and `timezone` must be strings when
  present (null is 400); on PATCH they may be null (clears them).
* errors as {"error": {"message": ..., "code": ...}}; unknown ids are 404.
* the list answers {"data": [...]} or a bare array (`list_shape`), both seen by the SDK.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from tests.contract_servers.base import ContractServer, Reply, Request, unknown_keys

PREFIX = "/public/chat-gen2"
API_VERSION = "2023-12-06"
CREATE_FIELDS = {"cronExpression", "assistantId", "prompt", "name", "chatId", "timezone", "enabled"}
REQUIRED = ("cronExpression", "assistantId", "prompt")
NULLABLE_ON_CREATE = {"chatId"}
NULLABLE_ON_PATCH = {"name", "chatId", "timezone"}


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class UniqueAPI(ContractServer):
    name = "unique"

    def __init__(self, api_key: str | None, *, company_id: str, user_id: str,
                 app_id: str | None, list_shape: str = "data") -> None:
        super().__init__()
        self.api_key = api_key
        self.company_id = company_id
        self.user_id = user_id
        self.app_id = app_id
        self.list_shape = list_shape
        self.tasks: dict[str, dict[str, Any]] = {}
        self.route("GET", PREFIX + "/scheduled-tasks", self.list_tasks)
        self.route("POST", PREFIX + "/scheduled-tasks", self.create_task)
        self.route("GET", PREFIX + "/scheduled-tasks/{task_id}", self.get_task)
        self.route("PATCH", PREFIX + "/scheduled-tasks/{task_id}", self.patch_task)
        self.route("DELETE", PREFIX + "/scheduled-tasks/{task_id}", self.delete_task)

    @property
    def base_url(self) -> str:
        return self.url + PREFIX

    def error(self, status: int, message: str) -> Reply:
        codes = {400: "VALIDATION_ERROR", 401: "UNAUTHORIZED", 404: "NOT_FOUND"}
        return Reply(status, {"error": {"message": message, "code": codes.get(status, "ERROR")}})

    def check(self, request: Request) -> Reply | None:
        headers = request.headers
        auth = headers.get("authorization")
        if self.api_key is None:
            if auth is not None:
                return self.error(401, "This cluster takes no Authorization header")
        elif auth != f"Bearer {self.api_key}":
            return self.error(401, "Missing or invalid API key")
        if self.app_id is None and "x-app-id" in headers:
            return self.error(400, "This cluster takes no x-app-id header")
        expected = {"x-company-id": self.company_id, "x-user-id": self.user_id,
                    "x-api-version": API_VERSION}
        if self.app_id is not None:
            expected["x-app-id"] = self.app_id
        for header, value in expected.items():
            if header not in headers:
                return self.error(400, f"Missing required header {header}")
            if headers[header] != value:
                return self.error(400, f"Unexpected {header}: {headers[header]!r}")
        return None

    def add_task(self, **fields: Any) -> dict[str, Any]:
        """A task made outside agentcron (Unique's UI or a newer API), stored exactly as given:
        legacy null zone, null name, keys this contract does not list."""
        stamp = _stamp()
        task = {
            "id": f"scheduled_task_{uuid.uuid4().hex[:12]}", "object": "scheduled_task",
            "name": None, "cronExpression": "0 9 * * 1-5", "assistantId": "assistant_ui",
            "assistantName": None, "chatId": None, "timezone": None, "prompt": "p",
            "enabled": True, "lastRunAt": None, "createdAt": stamp, "updatedAt": stamp, **fields,
        }
        with self.lock:
            self.tasks[task["id"]] = task
        return task

    # --- validation ----------------------------------------------------------------------

    def _invalid(self, body: Any, *, creating: bool) -> str | None:
        if not isinstance(body, dict):
            return "Request body must be an object"
        if extra := unknown_keys(body, CREATE_FIELDS):
            return "; ".join(f"property {key} should not exist" for key in extra)
        if creating and (missing := [key for key in REQUIRED if key not in body]):
            return "; ".join(f"{key} must be a string" for key in missing)
        nullable = NULLABLE_ON_CREATE if creating else NULLABLE_ON_PATCH
        for key, value in body.items():
            if value is None and key in nullable:
                continue
            if key == "enabled":
                if not isinstance(value, bool):
                    return "enabled must be a boolean value"
            elif not isinstance(value, str):
                return f"{key} must be a string"
        if "cronExpression" in body and (len(body["cronExpression"].split()) != 5
                                         or not croniter.is_valid(body["cronExpression"])):
            return "cronExpression must be a valid 5-field cron expression"
        if isinstance(body.get("name"), str) and len(body["name"]) > 128:
            return "name must be shorter than or equal to 128 characters"
        if isinstance(body.get("timezone"), str):
            try:
                ZoneInfo(body["timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                return "timezone must be a valid IANA time zone"
        return None

    # --- routes --------------------------------------------------------------------------

    def list_tasks(self, request: Request) -> Reply:
        with self.lock:
            tasks = list(self.tasks.values())
        return Reply(200, {"object": "list", "data": tasks} if self.list_shape == "data" else tasks)

    def create_task(self, request: Request) -> Reply:
        if problem := self._invalid(request.body, creating=True):
            return self.error(400, problem)
        body = request.body
        stamp = _stamp()
        task = {
            "id": f"scheduled_task_{uuid.uuid4().hex[:12]}", "object": "scheduled_task",
            "name": body.get("name"), "cronExpression": body["cronExpression"],
            "assistantId": body["assistantId"], "assistantName": None,
            "chatId": body.get("chatId"), "timezone": body.get("timezone"),
            "prompt": body["prompt"], "enabled": body.get("enabled", True),
            "lastRunAt": None, "createdAt": stamp, "updatedAt": stamp,
        }
        with self.lock:
            self.tasks[task["id"]] = task
        return Reply(201, task)

    def _task(self, task_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self.tasks.get(task_id)

    def get_task(self, request: Request, task_id: str) -> Reply:
        task = self._task(task_id)
        return Reply(200, task) if task else self.error(404, "Scheduled task not found")

    def patch_task(self, request: Request, task_id: str) -> Reply:
        if problem := self._invalid(request.body, creating=False):
            return self.error(400, problem)
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return self.error(404, "Scheduled task not found")
            task.update(request.body, updatedAt=_stamp())
            return Reply(200, dict(task))

    def delete_task(self, request: Request, task_id: str) -> Reply:
        with self.lock:
            found = self.tasks.pop(task_id, None) is not None
        if not found:
            return self.error(404, "Scheduled task not found")
        return Reply(200, {"id": task_id, "object": "scheduled_task", "deleted": True})
