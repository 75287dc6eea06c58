"""Rows as the store hands them out, and the one text format for stored times."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

UTC = timezone.utc
NO_NEXT_RUN = "~"  # sorts after every timestamp (binary collation): tasks without a next run list last

TASK_COLUMNS = (
    "id", "name", "assistant_id", "prompt", "kind", "cron", "timezone", "interval_seconds",
    "run_at", "rrule", "starts_at", "anchor_at", "enabled", "chat_id", "metadata", "catch_up",
    "overlap", "next_due", "sort_key", "last_run_at", "created_at", "updated_at", "owner",
)
RUN_COLUMNS = (
    "id", "task_id", "scheduled_for", "trigger", "status", "runner_id", "started_at",
    "finished_at", "output", "error", "attempts", "next_attempt_at", "alert_to", "alert_status",
    "alert_output", "agent", "delivery_to", "delivery_status", "delivery_attempts",
    "delivery_error", "delivery_next_at", "delivery_runner", "owner",
)


def to_db(instant: datetime) -> str:
    """Fixed-width UTC text: lexical order equals time order, in every dialect."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)  # the 'Z' form (Python 3.11+): C speed, no strptime


@dataclass
class TaskRow:
    """A task as stored; `metadata` is decoded, times are DB text (see to_db)."""

    id: str
    name: str | None
    assistant_id: str | None
    prompt: str
    kind: str
    cron: str | None
    timezone: str
    interval_seconds: int | None
    run_at: str | None
    anchor_at: str
    enabled: bool
    chat_id: str | None
    metadata: dict[str, str]
    catch_up: str
    overlap: str
    next_due: str | None
    sort_key: str
    last_run_at: str | None
    created_at: str
    updated_at: str
    rrule: str | None = None
    starts_at: str | None = None
    owner: str = "local"  # the principal it belongs to: `local` or `<issuer>#<sub>`

    def as_params(self) -> dict[str, Any]:
        params = {name: getattr(self, name) for name in TASK_COLUMNS}
        params["metadata"] = json.dumps(self.metadata, sort_keys=True)
        params["enabled"] = 1 if self.enabled else 0
        return params

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TaskRow:
        values = dict(record)
        values["metadata"] = json.loads(values["metadata"])
        values["enabled"] = bool(values["enabled"])
        return cls(**values)


@dataclass
class RunRow:
    """A run as stored."""

    id: str
    task_id: str
    scheduled_for: str
    trigger: str
    status: str
    runner_id: str | None
    started_at: str | None
    finished_at: str | None
    output: str | None
    error: str | None
    attempts: int = 1
    next_attempt_at: str | None = None
    alert_to: str | None = None  # the assistant alerted when this run ended failed/missed
    alert_status: str | None = None  # pending | sending | sent | failed
    alert_output: str | None = None
    agent: str | None = None  # an agent run's record, JSON (DESIGN.md §12)
    delivery_to: str | None = None  # on_success: the assistant its output goes to (§12)
    delivery_status: str | None = None  # pending | sending | delivered | failed
    delivery_attempts: int = 0
    delivery_error: str | None = None  # the last failed attempt's error
    delivery_next_at: str | None = None  # pending: when the next attempt may start
    delivery_runner: str | None = None  # sending: the runner sending it
    owner: str = "local"  # its task's owner, kept on the run too (DESIGN.md §13)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> RunRow:
        return cls(**{name: record[name] for name in RUN_COLUMNS})


@dataclass
class Occurrence:
    """One planned occurrence of a task, decided by the runner's policy, written by a claim."""

    scheduled_for: str
    status: str  # running | queued | skipped | missed
    error: str | None = None
    run_id: str = ""
    alert_to: str | None = None  # a missed occurrence's failure alert (DESIGN.md §9)


@dataclass
class ClaimPlan:
    """What the runner decided for one due task: occurrences to record and the task's new state."""

    occurrences: list[Occurrence]
    next_due: str | None
    enabled: bool = True
    last_run_at: str | None = None


@dataclass
class Claimed:
    """An occurrence this process won and must now fire."""

    task: TaskRow
    run: RunRow


@dataclass
class Outcome:
    """How one attempt of a run ended, as the runner records it."""

    run_id: str
    status: str  # succeeded | failed | timed_out | retrying
    output: str | None
    error: str | None
    at: str
    next_attempt_at: str | None = None  # status retrying: when the next attempt starts
    alert_to: str | None = None  # a final failure: who is alerted
    agent: str | None = None  # an agent run's record, JSON
    deliver_to: str | None = None  # a success: who receives its output (on_success)


@dataclass(frozen=True)
class DeliveryResult:
    """How one delivery attempt ended: delivered, failed for good, or pending again."""

    run_id: str
    status: str  # delivered | failed | pending
    error: str | None = None
    next_at: str | None = None  # pending: when the next attempt may start


@dataclass(frozen=True)
class PauseState:
    """The global pause flag (`agentcron pause-all`)."""

    reason: str | None
    since: str

    def describe(self) -> str:
        """`since <when>[: <reason>]`, as errors and messages quote it."""
        return f"since {self.since}" + (f": {self.reason}" if self.reason else "")


@dataclass
class TaskPageRows:
    rows: list[TaskRow]
    total: int
    has_more: bool = False
    paused: PauseState | None = None  # read with the page: one trip for list_scheduled_tasks
