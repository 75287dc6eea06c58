"""A Toolhouse stand-in that enforces the documented contract (shared/backends.md section 2).

FastAPI semantics, because that is what the OpenAPI shows Toolhouse runs:
* `Authorization: Bearer <key>`; missing -> 403 {"detail": "Not authenticated"} (HTTPBearer),
  a wrong key -> 401.
* bodies are pydantic models: snake_case fields, unknown keys ignored, so a camelCase `chatId`
  is a *missing* `chat_id` -> 422 {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
* PUT /v1/schedules/{id} requires `cadence` and fills every other field from its default
  (`active: true`, `bundle: "default"`, ...): a partial PUT resets the schedule, as documented.
* DELETE of an unknown schedule is 400 "Schedule not found"; GET of one is 404.
* path ids are UUIDs (422 otherwise). The create answer has only the fields of the docs example.
* the agent-runs paths some docs tabs use for schedules behave as agent runs do.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from tests.contract_servers.base import ContractServer, Reply, Request

SCHEDULE_REQUEST: dict[str, tuple[str, bool, Any]] = {  # field: (type, required, default)
    "chat_id": ("uuid", True, None),
    "cadence": ("str", True, None),
    "bundle": ("str", False, "default"),
    "toolhouse_id": ("str", False, "default"),
    "vars": ("vars", False, None),
    "callback_url": ("str|null", False, None),
}
SCHEDULE_UPDATE: dict[str, tuple[str, bool, Any]] = {
    "active": ("bool", False, True),
    "cadence": ("str", True, None),
    "bundle": ("str|null", False, "default"),
    "toolhouse_id": ("str|null", False, "default"),
    "vars": ("vars", False, None),
    "chat_id": ("uuid|null", False, None),
    "callback_url": ("str|null", False, None),
}
AGENT_RUN_REQUEST: dict[str, tuple[str, bool, Any]] = {
    "chat_id": ("uuid", True, None),
    "schedule_id": ("uuid|null", False, None),
    "bundle": ("str", False, "default"),
    "toolhouse_id": ("str", False, "default"),
    "vars": ("vars", False, None),
    "callback_url": ("str|null", False, None),
}


def now_naive() -> str:
    """Toolhouse's timestamps carry no zone suffix (docs examples)."""
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat()


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _type_error(kind: str, value: Any) -> str | None:
    nullable = kind.endswith("|null")
    base = kind.removesuffix("|null")
    if value is None:
        return None if nullable or base == "vars" else f"Input should be a valid {base}"
    if base == "uuid" and not _is_uuid(value):
        return "Input should be a valid UUID"
    if base == "str" and not isinstance(value, str):
        return "Input should be a valid string"
    if base == "bool" and not isinstance(value, bool):
        return "Input should be a valid boolean"
    if base == "vars" and not (isinstance(value, dict)
                               and all(isinstance(v, str) for v in value.values())):
        return "Input should be a valid dictionary of strings"
    return None


Model = dict[str, tuple[str, bool, Any]]


def validate(body: Any, model: Model) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A pydantic model's parse: (values with defaults, FastAPI error items)."""
    if not isinstance(body, dict):
        return {}, [{"type": "model_attributes_type", "loc": ["body"],
                     "msg": "Input should be a valid dictionary or object to extract fields from"}]
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, (kind, required, default) in model.items():
        if name not in body:
            if required:
                errors.append({"type": "missing", "loc": ["body", name], "msg": "Field required"})
            values[name] = default
            continue
        problem = _type_error(kind, body[name])
        if problem:
            errors.append({"type": "invalid", "loc": ["body", name], "msg": problem})
        values[name] = body[name]
    return values, errors


class ToolhouseAPI(ContractServer):
    name = "toolhouse"

    def __init__(self, api_key: str, chats: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.api_key = api_key
        self.chats = set(chats)
        self.user_id = "user_1"
        self.schedules: dict[str, dict[str, Any]] = {}
        self.runs: list[dict[str, Any]] = []
        self.route("GET", "/v1/schedules", self.list_schedules)
        self.route("POST", "/v1/schedules", self.create_schedule)
        self.route("GET", "/v1/schedules/{schedule_id}", self.get_schedule)
        self.route("PUT", "/v1/schedules/{schedule_id}", self.put_schedule)
        self.route("DELETE", "/v1/schedules/{schedule_id}", self.delete_schedule)
        self.route("GET", "/v1/agent-runs", self.list_runs)
        self.route("POST", "/v1/agent-runs", self.create_run)
        self.route("GET", "/v1/agent-runs/{run_id}", self.get_run)
        self.route("PUT", "/v1/agent-runs/{run_id}", self.continue_run)

    def error(self, status: int, message: str) -> Reply:
        return Reply(status, {"detail": message})

    def check(self, request: Request) -> Reply | None:
        auth = request.headers.get("authorization")
        if not auth:
            return self.error(403, "Not authenticated")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return self.error(403, "Invalid authentication credentials")
        if token != self.api_key:
            return self.error(401, "Invalid API key")
        return None

    # --- helpers for tests ---------------------------------------------------------------

    def add_run(self, schedule_id: str | None, status: str = "completed", **fields: Any) -> dict[str, Any]:
        stamp = fields.pop("created_at", now_naive())
        run = {
            "id": str(uuid.uuid4()), "chat_id": next(iter(self.chats), None), "user_id": self.user_id,
            "schedule_id": schedule_id, "status": status, "results": [], "created_at": stamp,
            "updated_at": stamp, "bundle": "default", "toolhouse_id": "default", "vars": None,
            "callback_url": None, "error": None, **fields,
        }
        with self.lock:
            self.runs.append(run)
        return run

    def add_schedule(self, **fields: Any) -> dict[str, Any]:
        """A schedule made outside agentcron (the Toolhouse UI), stored exactly as given.

        Fields override a full record; a field set to ... is left out of it. Tests use this for
        records agentcron would never write: no prompt var, null vars, extra keys.
        """
        stamp = now_naive()
        record = {
            "id": str(uuid.uuid4()), "user_id": self.user_id, "chat_id": next(iter(self.chats)),
            "created_at": stamp, "updated_at": stamp, "last_ran_at": None, "active": True,
            "archived": False, "cadence": "0 9 * * *", "bundle": "default",
            "toolhouse_id": "default", "vars": None, "title": None, "chat_archived": False,
            "callback_url": None, **fields,
        }
        record = {key: value for key, value in record.items() if value is not ...}
        with self.lock:
            self.schedules[record["id"]] = record
        return record

    # --- schedules -----------------------------------------------------------------------

    def _path_id(self, value: str, name: str = "schedule_id") -> Reply | None:
        if _is_uuid(value):
            return None
        return Reply(422, {"detail": [{"type": "uuid_parsing", "loc": ["path", name],
                                       "msg": "Input should be a valid UUID"}]})

    def list_schedules(self, request: Request) -> Reply:
        with self.lock:
            return Reply(200, {"data": list(self.schedules.values())})

    def create_schedule(self, request: Request) -> Reply:
        values, errors = validate(request.body, SCHEDULE_REQUEST)
        if errors:
            return Reply(422, {"detail": errors})
        if values["chat_id"] not in self.chats:
            return self.error(403, "Invalid chat ID or chat does not belong to user")
        stamp = now_naive()
        record = {
            "id": str(uuid.uuid4()), "user_id": self.user_id, "created_at": stamp,
            "updated_at": stamp, "last_ran_at": None, "active": True, "archived": False,
            "title": None, "chat_archived": False, **values,
        }
        with self.lock:
            self.schedules[record["id"]] = record
        shown = ("id", "created_at", "updated_at", "cadence", "active", "bundle", "toolhouse_id")
        return Reply(200, {"data": {k: record[k] for k in shown}})

    def get_schedule(self, request: Request, schedule_id: str) -> Reply:
        if bad := self._path_id(schedule_id):
            return bad
        with self.lock:
            record = self.schedules.get(schedule_id)
        if record is None:
            return self.error(404, "Schedule not found")
        return Reply(200, {"data": record})

    def put_schedule(self, request: Request, schedule_id: str) -> Reply:
        if bad := self._path_id(schedule_id):
            return bad
        values, errors = validate(request.body, SCHEDULE_UPDATE)
        if errors:
            return Reply(422, {"detail": errors})
        with self.lock:
            record = self.schedules.get(schedule_id)
            if record is None:
                return self.error(404, "Schedule not found")
            if values["chat_id"] is None:
                values["chat_id"] = record["chat_id"]
            record.update(values, updated_at=now_naive())  # full replacement, defaults included
            return Reply(200, {"data": dict(record)})

    def delete_schedule(self, request: Request, schedule_id: str) -> Reply:
        if bad := self._path_id(schedule_id):
            return bad
        with self.lock:
            if self.schedules.pop(schedule_id, None) is None:
                return self.error(400, "Schedule not found")  # documented: 400, not 404
        return Reply(200, {"message": "Schedule deleted"})

    # --- agent runs ----------------------------------------------------------------------

    def list_runs(self, request: Request) -> Reply:
        with self.lock:
            return Reply(200, {"data": list(self.runs)})

    def create_run(self, request: Request) -> Reply:
        values, errors = validate(request.body, AGENT_RUN_REQUEST)
        if errors:
            return Reply(422, {"detail": errors})
        if values["chat_id"] not in self.chats:
            return self.error(403, "Chat ID is invalid or does not belong to you")
        run = self.add_run(values.pop("schedule_id"), status="queued", **values)
        return Reply(200, {"data": run})

    def get_run(self, request: Request, run_id: str) -> Reply:
        if bad := self._path_id(run_id, "run_id"):
            return bad
        with self.lock:
            run = next((r for r in self.runs if r["id"] == run_id), None)
        return Reply(200, {"data": run}) if run else self.error(404, "Agent run not found")

    def continue_run(self, request: Request, run_id: str) -> Reply:
        if bad := self._path_id(run_id, "run_id"):
            return bad
        values, errors = validate(request.body, {"message": ("str", True, None)})
        if errors:
            return Reply(422, {"detail": errors})
        return self.error(406, "You can only add messages to completed runs")
