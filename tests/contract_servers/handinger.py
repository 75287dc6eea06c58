"""A Handinger stand-in that enforces the documented contract (shared/backends.md section 3).

* `Authorization: Bearer <key>`; missing or wrong -> 401, another worker -> 403, every error
  as {"error": "<human-readable string>"}.
* only three routes: GET/POST /api/workers/{workerId}/schedules and
  DELETE /api/workers/{workerId}/schedules/{scheduleId}; anything else is 404/405.
* strict camelCase bodies (zod-style): an unknown key such as `interval_seconds` or a `when`
  without its discriminated fields is 400, with the path of the offending key.
* answers are flat WorkerSchedule objects; a `scheduled` one has no `date`, only `nextRunAt`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from croniter import croniter

from tests.contract_servers.base import ContractServer, Reply, Request, unknown_keys

BUDGETS = {"low", "standard", "high", "unlimited"}
MAX_SECONDS = 31_536_000
WHEN_FIELDS = {
    "scheduled": {"type", "date"},
    "delayed": {"type", "delayInSeconds"},
    "cron": {"type", "cron"},
    "interval": {"type", "intervalSeconds"},
}


def _stamp(instant: datetime) -> str:
    """'2019-12-27T18:11:19.117Z', the docs' format."""
    return instant.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class HandingerAPI(ContractServer):
    name = "handinger"

    def __init__(self, api_key: str, worker_id: str, *, unknown_cancel: str = "404") -> None:
        super().__init__()
        self.api_key = api_key
        self.worker_id = worker_id
        self.unknown_cancel = unknown_cancel  # "404" or "false" ({"cancelled": false})
        self.schedules: dict[str, dict[str, Any]] = {}
        base = "/api/workers/{worker_id}/schedules"
        self.route("GET", base, self.list_schedules)
        self.route("POST", base, self.create_schedule)
        self.route("DELETE", base + "/{schedule_id}", self.cancel_schedule)

    def error(self, status: int, message: str) -> Reply:
        return Reply(status, {"error": message})

    def check(self, request: Request) -> Reply | None:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or token != self.api_key:
            return self.error(401, "The API key is missing, malformed or revoked.")
        return None

    def _worker(self, worker_id: str) -> Reply | None:
        if worker_id != self.worker_id:
            return self.error(403, f"You do not have access to worker {worker_id}.")
        return None

    def add_schedule(self, **fields: Any) -> dict[str, Any]:
        """A schedule made outside agentcron (Handinger's UI or SDK), stored exactly as given;
        a field set to ... is left out."""
        schedule = {"id": f"sch_{uuid.uuid4().hex[:12]}", "budget": "standard", "input": "p",
                    "nextRunAt": _stamp(datetime.now(timezone.utc) + timedelta(hours=1)),
                    "type": "cron", "cron": "0 9 * * *", **fields}
        schedule = {key: value for key, value in schedule.items() if value is not ...}
        with self.lock:
            self.schedules[schedule["id"]] = schedule
        return schedule

    # --- validation ----------------------------------------------------------------------

    def _invalid(self, body: Any) -> str | None:
        """The first problem with a create body, zod-style, or None."""
        if not isinstance(body, dict):
            return "Expected object, received " + type(body).__name__
        if extra := unknown_keys(body, {"input", "when", "budget"}):
            return f"Unrecognized key(s) in object: {', '.join(map(repr, extra))}"
        if not isinstance(body.get("input"), str) or not body["input"]:
            return "input: String must contain at least 1 character(s)"
        if "budget" in body and body["budget"] not in BUDGETS:
            return f"budget: Invalid enum value. Expected {' | '.join(sorted(BUDGETS))}"
        when = body.get("when")
        if not isinstance(when, dict) or when.get("type") not in WHEN_FIELDS:
            return "when: Invalid discriminator value. Expected 'scheduled' | 'delayed' | 'cron' | 'interval'"
        fields = WHEN_FIELDS[when["type"]]
        if extra := unknown_keys(when, fields):
            return f"when: Unrecognized key(s) in object: {', '.join(map(repr, extra))}"
        if missing := sorted(fields - set(when)):
            return f"when.{missing[0]}: Required"
        return self._invalid_when(when)

    @staticmethod
    def _invalid_when(when: dict[str, Any]) -> str | None:
        kind = when["type"]
        if kind == "cron":
            cron = when["cron"]
            if not isinstance(cron, str) or not cron or not croniter.is_valid(cron):
                return "when.cron: Invalid cron expression"
        elif kind in ("interval", "delayed"):
            key = "intervalSeconds" if kind == "interval" else "delayInSeconds"
            value = when[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SECONDS:
                return f"when.{key}: Number must be an integer from 1 to {MAX_SECONDS}"
        else:
            try:
                date = datetime.fromisoformat(str(when["date"]).replace("Z", "+00:00"))
            except ValueError:
                return "when.date: Invalid datetime"
            if date.tzinfo is None:
                return "when.date: Invalid datetime (an offset is required)"
        return None

    # --- routes --------------------------------------------------------------------------

    def list_schedules(self, request: Request, worker_id: str) -> Reply:
        if refused := self._worker(worker_id):
            return refused
        with self.lock:
            return Reply(200, {"schedules": list(self.schedules.values()), "workerId": worker_id})

    def create_schedule(self, request: Request, worker_id: str) -> Reply:
        if refused := self._worker(worker_id):
            return refused
        if problem := self._invalid(request.body):
            return self.error(400, problem)
        when = request.body["when"]
        now = datetime.now(timezone.utc)
        if when["type"] == "cron":
            next_run = croniter(when["cron"], now).get_next(datetime)
        elif when["type"] == "interval":
            next_run = now + timedelta(seconds=when["intervalSeconds"])
        elif when["type"] == "delayed":
            next_run = now + timedelta(seconds=when["delayInSeconds"])
        else:
            next_run = datetime.fromisoformat(when["date"].replace("Z", "+00:00"))
        schedule = {
            "id": f"sch_{uuid.uuid4().hex[:12]}",
            "budget": request.body.get("budget", "standard"),
            "input": request.body["input"],
            "nextRunAt": _stamp(next_run),
            **{k: v for k, v in when.items() if k != "date"},  # flat; `scheduled` has no date
        }
        with self.lock:
            self.schedules[schedule["id"]] = schedule
        return Reply(200, schedule)

    def cancel_schedule(self, request: Request, worker_id: str, schedule_id: str) -> Reply:
        if refused := self._worker(worker_id):
            return refused
        with self.lock:
            found = self.schedules.pop(schedule_id, None) is not None
        if not found and self.unknown_cancel == "404":
            return self.error(404, "Schedule not found")
        return Reply(200, {"cancelled": found})
