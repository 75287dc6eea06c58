"""The store interface and the SQL both dialects share (SQLite and PostgreSQL).

Why it looks the way it does:
* Each occurrence is claimed by one atomic `INSERT ... ON CONFLICT DO NOTHING` on the unique
  key (task_id, scheduled_for): whoever inserts the row fires it, nobody else can.
* Everything a dialect does not decide is written once here, in portable SQL with `?`
  placeholders (row values, ON CONFLICT, partial indexes). A dialect supplies how to open a
  transaction, how due tasks are picked (SQLite: read, plan, then compare-and-set under the
  write lock; PostgreSQL: `FOR UPDATE SKIP LOCKED`), its change signal, and whose clock the
  leases use (PostgreSQL: the database's `now()`).
* Times are stored as fixed-width UTC text (`2026-03-11T09:00:00.000000Z`): readable, and
  text order is time order (PostgreSQL's key columns use the "C" collation for that).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from agentcron.backends.local.store.rows import (
    NO_NEXT_RUN,
    RUN_COLUMNS,
    TASK_COLUMNS,
    ClaimPlan,
    Claimed,
    DeliveryResult,
    Occurrence,
    Outcome,
    PauseState,
    RunRow,
    TaskPageRows,
    TaskRow,
)
from agentcron.errors import LimitError, StoreError

SCHEMA_VERSION = 6
# `{key}` in the statements below: a text column compared or sorted as a key. SQLite's TEXT
# compares bytes; PostgreSQL spells that `TEXT COLLATE "C"`.

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE IF NOT EXISTS counters (
               name {key} PRIMARY KEY,
               value INTEGER NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS tasks (
               id {key} PRIMARY KEY,
               name TEXT,
               assistant_id {key},
               prompt TEXT NOT NULL,
               kind TEXT NOT NULL,
               cron TEXT,
               timezone TEXT NOT NULL,
               interval_seconds BIGINT,
               run_at TEXT,
               anchor_at TEXT NOT NULL,
               enabled INTEGER NOT NULL,
               chat_id {key},
               metadata TEXT NOT NULL,
               catch_up TEXT NOT NULL,
               overlap TEXT NOT NULL,
               next_due {key},
               sort_key {key} NOT NULL,
               last_run_at TEXT,
               created_at TEXT NOT NULL,
               updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS tasks_due ON tasks (enabled, next_due)",
        # Keyset pages ordered by (sort_key, id), unfiltered or under one equality filter.
        "CREATE INDEX IF NOT EXISTS tasks_by_next_run ON tasks (sort_key, id)",
        "CREATE INDEX IF NOT EXISTS tasks_enabled_by_next_run ON tasks (enabled, sort_key, id)",
        "CREATE INDEX IF NOT EXISTS tasks_by_assistant ON tasks (assistant_id, sort_key, id)",
        "CREATE INDEX IF NOT EXISTS tasks_by_chat ON tasks (chat_id, sort_key, id)",
        """CREATE TABLE IF NOT EXISTS runs (
               id {key} PRIMARY KEY,
               task_id {key} NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
               scheduled_for {key} NOT NULL,
               trigger TEXT NOT NULL,
               status TEXT NOT NULL,
               runner_id {key},
               started_at TEXT,
               finished_at TEXT,
               output TEXT,
               error TEXT,
               UNIQUE (task_id, scheduled_for))""",
        "CREATE INDEX IF NOT EXISTS runs_newest ON runs (task_id, scheduled_for, id)",
        "CREATE INDEX IF NOT EXISTS runs_active ON runs (status) "
        "WHERE status IN ('running', 'queued')",
        """CREATE TABLE IF NOT EXISTS runners (
               id {key} PRIMARY KEY,
               pid INTEGER NOT NULL,
               host TEXT NOT NULL,
               started_at TEXT NOT NULL,
               expires_at {key} NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS conversations (
               chat_id {key} NOT NULL,
               seq INTEGER NOT NULL,
               role TEXT NOT NULL,
               content TEXT NOT NULL,
               PRIMARY KEY (chat_id, seq))""",
        "INSERT INTO counters (name, value) VALUES ('tasks', 0), ('tasks_enabled', 0) "
        "ON CONFLICT (name) DO NOTHING",
    ],
    2: [
        # Calendar rules (DESIGN.md §11).
        "ALTER TABLE tasks ADD COLUMN rrule TEXT",
        "ALTER TABLE tasks ADD COLUMN starts_at TEXT",
        # Overlap checks look up one task's active runs, under 10,000 running at once.
        "CREATE INDEX IF NOT EXISTS runs_active_by_task ON runs (task_id, status) "
        "WHERE status IN ('running', 'queued')",
    ],
    3: [
        # Retries and failure alerts (DESIGN.md §9).
        "ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE runs ADD COLUMN next_attempt_at {key}",
        "ALTER TABLE runs ADD COLUMN alert_to TEXT",
        "ALTER TABLE runs ADD COLUMN alert_status {key}",
        "ALTER TABLE runs ADD COLUMN alert_output TEXT",
        "CREATE INDEX IF NOT EXISTS runs_retry_due ON runs (next_attempt_at) "
        "WHERE status = 'retrying'",
        "CREATE INDEX IF NOT EXISTS runs_alert_pending ON runs (alert_status) "
        "WHERE alert_status = 'pending'",
        "DROP INDEX IF EXISTS runs_active_by_task",
        "CREATE INDEX IF NOT EXISTS runs_active_by_task ON runs (task_id, status) "
        "WHERE status IN ('running', 'queued', 'retrying')",
        # Switches every runner obeys, e.g. the global pause.
        """CREATE TABLE IF NOT EXISTS flags (
               name {key} PRIMARY KEY,
               value TEXT,
               since TEXT NOT NULL)""",
    ],
    4: [
        # What an agent run did (DESIGN.md §12): JSON, null for other assistant types.
        "ALTER TABLE runs ADD COLUMN agent TEXT",
    ],
    5: [
        # on_success deliveries (DESIGN.md §12): where a succeeded run's output goes, whether it
        # got there, and who is sending it (reaped like a run when that runner dies).
        "ALTER TABLE runs ADD COLUMN delivery_to TEXT",
        "ALTER TABLE runs ADD COLUMN delivery_status {key}",
        "ALTER TABLE runs ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE runs ADD COLUMN delivery_error TEXT",
        "ALTER TABLE runs ADD COLUMN delivery_next_at {key}",
        "ALTER TABLE runs ADD COLUMN delivery_runner {key}",
        "CREATE INDEX IF NOT EXISTS runs_delivery_due ON runs (delivery_next_at) "
        "WHERE delivery_status = 'pending'",
        "CREATE INDEX IF NOT EXISTS runs_delivery_sending ON runs (delivery_runner) "
        "WHERE delivery_status = 'sending'",
    ],
    6: [
        # Owners (DESIGN.md §13): every task belongs to a principal, and each run to its
        # task's. Rows from before are the single user's: `local`.
        "ALTER TABLE tasks ADD COLUMN owner {key} NOT NULL DEFAULT 'local'",
        "ALTER TABLE runs ADD COLUMN owner {key} NOT NULL DEFAULT 'local'",
        # Every page is one owner's: the keyset indexes lead with the owner.
        "DROP INDEX IF EXISTS tasks_by_next_run",
        "DROP INDEX IF EXISTS tasks_enabled_by_next_run",
        "DROP INDEX IF EXISTS tasks_by_assistant",
        "DROP INDEX IF EXISTS tasks_by_chat",
        "CREATE INDEX IF NOT EXISTS tasks_by_owner ON tasks (owner, sort_key, id)",
        "CREATE INDEX IF NOT EXISTS tasks_by_owner_enabled ON tasks (owner, enabled, sort_key, id)",
        "CREATE INDEX IF NOT EXISTS tasks_by_owner_assistant "
        "ON tasks (owner, assistant_id, sort_key, id)",
        "CREATE INDEX IF NOT EXISTS tasks_by_owner_chat ON tasks (owner, chat_id, sort_key, id)",
        # The maintained counts become per owner: `tasks:<owner>`, `tasks_enabled:<owner>`.
        "INSERT INTO counters (name, value) SELECT 'tasks:local', value FROM counters "
        "WHERE name = 'tasks' ON CONFLICT (name) DO NOTHING",
        "INSERT INTO counters (name, value) SELECT 'tasks_enabled:local', value FROM counters "
        "WHERE name = 'tasks_enabled' ON CONFLICT (name) DO NOTHING",
        "DELETE FROM counters WHERE name IN ('tasks', 'tasks_enabled')",
    ],
}
PAUSE_FLAG = "paused_all"

DUE_TASKS = (
    "SELECT * FROM tasks WHERE enabled = 1 AND next_due IS NOT NULL AND next_due <= ? "
    "ORDER BY next_due LIMIT ?"
)
NEXT_DELIVERY = (
    "SELECT delivery_next_at AS at FROM runs WHERE delivery_status = 'pending' "
    "ORDER BY delivery_next_at LIMIT 1"
)
NEXT_DUE_TASK = (
    "SELECT next_due AS at FROM tasks WHERE enabled = 1 AND next_due IS NOT NULL "
    "ORDER BY next_due LIMIT 1"
)
DELIVERY_INTERRUPTED = (
    "interrupted: the runner sending this delivery stopped before it finished; it is sent "
    "again with the same Idempotency-Key"
)
INTERRUPTED_BY_LEASE = (
    "interrupted: the runner executing this run stopped (lease expired) before it finished; "
    "not retried, because its side effect may have happened"
)
# A claim moves the task past what was planned, compare-and-set on the next_due it read.
ADVANCE_TASK = (
    "UPDATE tasks SET next_due = ?, sort_key = ?, enabled = ?, "
    "last_run_at = COALESCE(?, last_run_at) WHERE id = ? AND next_due = ?"
)
INSERT_RUN = (
    f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' for _ in RUN_COLUMNS)}) "
    "ON CONFLICT (task_id, scheduled_for) DO NOTHING"
)
# SQLite claims read candidates without the write lock, then take a random part of them, so
# runners reading at the same moment mostly plan different tasks.
CANDIDATES_PER_SLOT = 4


STORE_HINTS = {
    "full": "the disk holding it is full: free some space",
    "locked": "another process holds its lock longer than the busy timeout: try again shortly",
    "readonly": "it is read-only for this process: check the file's permissions",
}


def store_error(location: str, cause: BaseException) -> StoreError:
    """One clear error naming the database and the cause; nothing was changed."""
    text = " ".join(str(cause).split()) or type(cause).__name__
    hint = next((h for key, h in STORE_HINTS.items() if key in text.lower().replace("-", "")),
                "check that it is reachable and writable")
    return StoreError(
        f"The task database {location} could not be used: {text} ({hint}). Nothing was changed; "
        "call the tool again once that is fixed."
    )


class TaskLimitReached(LimitError):
    """An owner already holds the most tasks allowed (AGENTCRON_MAX_TASKS_PER_OWNER)."""

    def __init__(self, owner: str, held: int, limit: int) -> None:
        super().__init__(
            f"limit reached: at most {limit} tasks per owner (AGENTCRON_MAX_TASKS_PER_OWNER), "
            f"and you have {held}. Nothing was created. Delete tasks you no longer need "
            "(delete_scheduled_task), then retry; the limit does not reset with time."
        )
        self.owner, self.held, self.limit = owner, held, limit


class Tx(Protocol):
    """A connection inside one transaction (or one read), answering with plain dicts."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute; return the number of rows changed."""
        ...

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None: ...


# The runner's policy for one due task: its active run statuses and the global pause in,
# the occurrences to record and the task's new state out.
Plan = Callable[[TaskRow, set[str], PauseState | None], ClaimPlan]


class Store(ABC):
    """Tasks, runs, runner leases and conversations; callers see rows and plain values."""

    dialect: str
    # Where the data lives, fit for messages and logs (a database URL's password is ***).
    location: str
    lock_rows = ""  # " FOR UPDATE" where rows read for a change must be locked
    lock_rows_skip = ""  # " FOR UPDATE SKIP LOCKED" where runners should take disjoint rows

    # --- what a dialect provides -----------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Tx]:
        """One write transaction."""

    @abstractmethod
    def reading(self) -> AbstractContextManager[Tx]:
        """A connection for reads (no write lock taken)."""

    @abstractmethod
    def claim_due(self, now: str, limit: int, runner_id: str, plan: Plan,
                  new_run_id: Callable[[], str]) -> list[Claimed]:
        """Claim up to `limit` due tasks; `plan` decides each task's occurrences given the
        statuses of its runs still running or queued."""

    @abstractmethod
    def change_token(self) -> object:
        """Changes whenever another process changed something the runner acts on."""

    @abstractmethod
    def register_runner(self, runner_id: str, pid: int, host: str, now: str,
                        lease_seconds: float) -> None:
        """Take (or retake) a lease expiring `lease_seconds` from now."""

    @abstractmethod
    def renew_lease(self, runner_id: str, now: str, lease_seconds: float) -> bool:
        """Extend a lease still held; False when it expired or was taken away meanwhile."""

    def reap_interrupted(self, now: str,
                         alert_for: Callable[[str | None], str | None] | None = None) -> int:
        """Mark failed every running run whose runner's lease has expired (or vanished), and
        forget expired leases. `alert_for` names the failure alert of a task's assistant."""
        clock, clock_params = self._lease_clock(now)
        with self.transaction() as tx:
            orphans = tx.rows(
                "SELECT r.id, t.assistant_id FROM runs AS r JOIN tasks AS t ON t.id = r.task_id "
                "WHERE r.status = 'running' AND (r.runner_id IS NULL OR r.runner_id NOT IN ("
                f"  SELECT id FROM runners WHERE expires_at > {clock}))",
                clock_params,
            )
            updates = []
            for orphan in orphans:
                target = alert_for(orphan["assistant_id"]) if alert_for else None
                updates.append((now, INTERRUPTED_BY_LEASE, target,
                                "pending" if target else None, orphan["id"]))
            if updates:
                tx.run_many(
                    "UPDATE runs SET status = 'failed', finished_at = ?, error = ?, "
                    "alert_to = ?, alert_status = ? WHERE id = ? AND status = 'running'",
                    updates,
                )
            self._requeue_deliveries(tx, now, clock, clock_params)
            tx.run(f"DELETE FROM runners WHERE expires_at <= {clock}", clock_params)
            return len(updates)

    @abstractmethod
    def _lease_clock(self, now: str) -> tuple[str, tuple[Any, ...]]:
        """The SQL for "now" in lease decisions, and its parameters."""

    @abstractmethod
    def sibling(self) -> Store:
        """A store on the same database with its own connection (the lease keeper's)."""

    @abstractmethod
    def close(self) -> None: ...

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.reading() as tx:
            return tx.rows(sql, params)

    # --- schema ---------------------------------------------------------------------------

    def _schema_is_current(self) -> bool:
        """A read: most starts find the schema up to date and take no write lock at all."""
        try:
            rows = self._read("SELECT MAX(version) AS v FROM schema_version")
        except Exception:  # no schema_version table yet (a new database): migrate, under a lock
            return False
        return rows[0]["v"] == SCHEMA_VERSION

    def _apply_migrations(self, tx: Tx, key_type: str) -> None:
        """Create or upgrade the schema inside the caller's (locked) transaction."""
        tx.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = tx.rows("SELECT MAX(version) AS v FROM schema_version")[0]["v"] or 0
        if current > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.location} has schema version {current}, newer than this agentcron "
                f"({SCHEMA_VERSION}); upgrade agentcron."
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                tx.run(statement.format(key=key_type))
            tx.run("INSERT INTO schema_version (version) VALUES (?)", (version,))

    # --- tasks ----------------------------------------------------------------------------

    def insert_tasks(self, tasks: Sequence[TaskRow], max_per_owner: int | None = None) -> None:
        """Insert tasks in one transaction (one for a tool call, many for an import).

        With `max_per_owner`, refuse (LimitError, nothing inserted) when an owner would hold
        more tasks than that; the check and the insert share the transaction.
        """
        columns = ", ".join(TASK_COLUMNS)
        marks = ", ".join("?" for _ in TASK_COLUMNS)
        adding = Counter(t.owner for t in tasks)
        enabling = Counter(t.owner for t in tasks if t.enabled)
        with self.transaction() as tx:
            if max_per_owner is not None:
                for owner, count in adding.items():
                    held = self._owner_counts(tx, owner, lock=True)[0]
                    if held + count > max_per_owner:
                        raise TaskLimitReached(owner, held, max_per_owner)
            tx.run_many(
                f"INSERT INTO tasks ({columns}) VALUES ({marks})",
                [tuple(t.as_params()[c] for c in TASK_COLUMNS) for t in tasks],
            )
            for owner, count in adding.items():
                self._bump_counts(tx, owner, total=count, enabled=enabling[owner])

    @staticmethod
    def _owned(owner: str | None) -> tuple[str, tuple[Any, ...]]:
        """The SQL (and parameter) restricting a lookup by id to one owner; None: any owner."""
        return ("", ()) if owner is None else (" AND owner = ?", (owner,))

    def get_task(self, task_id: str, owner: str | None = None) -> TaskRow | None:
        """The task, or None when it does not exist or (with `owner`) is someone else's."""
        clause, extra = self._owned(owner)
        rows = self._read(f"SELECT * FROM tasks WHERE id = ?{clause}", (task_id, *extra))
        return TaskRow.from_record(rows[0]) if rows else None

    def modify_task(self, task_id: str, change: Callable[[TaskRow], TaskRow],
                    owner: str | None = None) -> TaskRow | None:
        """Read, change and write a task in one transaction; an exception in `change` rolls back.

        Returns the new row, or None when the task does not exist (or is another owner's).
        """
        assignments = ", ".join(f"{c} = ?" for c in TASK_COLUMNS if c not in ("id", "owner"))
        clause, extra = self._owned(owner)
        with self.transaction() as tx:
            raw = tx.rows(f"SELECT * FROM tasks WHERE id = ?{clause}{self.lock_rows}",
                          (task_id, *extra))
            if not raw:
                return None
            before = TaskRow.from_record(raw[0])
            after = change(TaskRow.from_record(raw[0]))
            after.owner = before.owner  # a task never changes hands
            params = after.as_params()
            tx.run(f"UPDATE tasks SET {assignments} WHERE id = ?",
                   [*(params[c] for c in TASK_COLUMNS if c not in ("id", "owner")), task_id])
            delta = int(after.enabled) - int(before.enabled)
            if delta:
                self._bump_counts(tx, before.owner, total=0, enabled=delta)
            return after

    def delete_task(self, task_id: str, owner: str | None = None) -> bool:
        """False when there is no such task (or, with `owner`, it is someone else's)."""
        clause, extra = self._owned(owner)
        with self.transaction() as tx:
            rows = tx.rows(f"SELECT enabled, owner FROM tasks WHERE id = ?{clause}{self.lock_rows}",
                           (task_id, *extra))
            if not rows:
                return False
            tx.run("DELETE FROM tasks WHERE id = ?", (task_id,))
            self._bump_counts(tx, rows[0]["owner"], total=-1, enabled=-int(rows[0]["enabled"]))
            return True

    @staticmethod
    def _bump_counts(tx: Tx, owner: str, total: int, enabled: int) -> None:
        """Maintained counts per owner, so `total` never scans 100,000 rows."""
        for name, delta in ((f"tasks:{owner}", total), (f"tasks_enabled:{owner}", enabled)):
            if delta:
                tx.run("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) "
                       "DO UPDATE SET value = counters.value + EXCLUDED.value", (name, delta))

    def _owner_counts(self, tx: Tx, owner: str, lock: bool = False) -> tuple[int, int]:
        """(tasks, enabled tasks) of one owner, from the maintained counters."""
        rows = tx.rows(f"SELECT name, value FROM counters WHERE name IN (?, ?)"
                       f"{self.lock_rows if lock else ''}",
                       (f"tasks:{owner}", f"tasks_enabled:{owner}"))
        counts = {r["name"]: int(r["value"]) for r in rows}
        return counts.get(f"tasks:{owner}", 0), counts.get(f"tasks_enabled:{owner}", 0)

    def list_tasks(
        self,
        *,
        assistant_id: str | None,
        enabled: bool | None,
        chat_id: str | None,
        limit: int,
        after: tuple[str, str] | None,
        owner: str = "local",
    ) -> TaskPageRows:
        """One owner's keyset page ordered by (next run, id); `after` is the last key of the
        previous page."""
        where: list[str] = ["owner = ?"]
        params: list[Any] = [owner]
        for column, value in (("assistant_id", assistant_id), ("chat_id", chat_id),
                              ("enabled", None if enabled is None else int(enabled))):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        with self.reading() as tx:
            total = self._count(tx, owner, where, params, assistant_id, chat_id, enabled)
            page_where, page_params = list(where), list(params)
            if after is not None:
                page_where.append("(sort_key, id) > (?, ?)")
                page_params.extend(after)
            clause = f"WHERE {' AND '.join(page_where)}" if page_where else ""
            rows = tx.rows(f"SELECT * FROM tasks {clause} ORDER BY sort_key, id LIMIT ?",
                           [*page_params, limit + 1])
            paused = self._pause_state(tx.rows)
        tasks = [TaskRow.from_record(r) for r in rows[:limit]]
        return TaskPageRows(rows=tasks, total=total, has_more=len(rows) > limit, paused=paused)

    def _count(self, tx: Tx, owner: str, where: list[str], params: list[Any],
               assistant_id: str | None, chat_id: str | None, enabled: bool | None) -> int:
        if assistant_id is None and chat_id is None:
            total, on = self._owner_counts(tx, owner)
            if enabled is None:
                return total
            return on if enabled else total - on
        clause = " AND ".join(where)
        return int(tx.rows(f"SELECT COUNT(*) AS n FROM tasks WHERE {clause}", params)[0]["n"])

    def next_due(self) -> str | None:
        """The earliest next_due of any enabled task (an index lookup)."""
        rows = self._read(NEXT_DUE_TASK)
        return rows[0]["at"] if rows else None

    def next_wakeup(self) -> str | None:
        """When the runner has something to do next: a task due or a retry due (indexed)."""
        with self.reading() as tx:
            found = tx.rows(NEXT_DUE_TASK) + tx.rows(
                "SELECT next_attempt_at AS at FROM runs WHERE status = 'retrying' "
                "ORDER BY next_attempt_at LIMIT 1") + tx.rows(NEXT_DELIVERY)
        return min((row["at"] for row in found), default=None)

    # --- the global pause -----------------------------------------------------------------

    def pause_state(self) -> PauseState | None:
        return self._pause_state(self._read)

    @staticmethod
    def _pause_state(read: Callable[..., list[dict[str, Any]]]) -> PauseState | None:
        rows = read("SELECT value, since FROM flags WHERE name = ?", (PAUSE_FLAG,))
        return PauseState(reason=rows[0]["value"], since=rows[0]["since"]) if rows else None

    def pause_all(self, reason: str | None, since: str) -> PauseState:
        """Set the pause (keeping the first `since` if it is already set)."""
        with self.transaction() as tx:
            tx.run("INSERT INTO flags (name, value, since) VALUES (?, ?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                   (PAUSE_FLAG, reason, since))
            state = self._pause_state(tx.rows)
        assert state is not None
        return state

    def resume_all(self) -> bool:
        """Clear the pause; False when it was not set."""
        with self.transaction() as tx:
            return tx.run("DELETE FROM flags WHERE name = ?", (PAUSE_FLAG,)) == 1
    # --- claims ---------------------------------------------------------------------------

    @staticmethod
    def _active_statuses(tx: Tx, task_ids: Sequence[str]) -> dict[str, set[str]]:
        """Statuses among running/queued/retrying runs of each task (one indexed query for a
        batch): a run between attempts is still going, for the overlap policy."""
        if not task_ids:
            return {}
        marks = ", ".join("?" for _ in task_ids)
        rows = tx.rows(
            f"SELECT task_id, status FROM runs WHERE task_id IN ({marks}) "
            "AND status IN ('running', 'queued', 'retrying')",
            list(task_ids),
        )
        active: dict[str, set[str]] = {}
        for row in rows:
            active.setdefault(row["task_id"], set()).add(row["status"])
        return active

    @staticmethod
    def _plan_all(tasks: list[TaskRow], active: dict[str, set[str]], paused: PauseState | None,
                  plan: Plan) -> list[tuple[TaskRow, ClaimPlan]]:
        return [(task, plan(task, active.get(task.id, set()), paused)) for task in tasks]

    def _record_claims(self, tx: Tx, planned: list[tuple[TaskRow, ClaimPlan]], runner_id: str,
                       now: str, new_run_id: Callable[[], str]) -> list[Claimed]:
        """Move each task past what was planned (compare-and-set on next_due) and, only where
        that succeeded, insert its occurrences; return the runs this runner must fire."""
        claimed: list[Claimed] = []
        advanced: list[tuple[TaskRow, ClaimPlan]] = []
        for task, decided in planned:
            if not self._advance(tx, task, decided):
                continue  # another runner advanced it first: its occurrences are not ours
            advanced.append((task, decided))
            for occurrence in decided.occurrences:
                occurrence.run_id = new_run_id()
                run = self._insert_run(tx, task.id, occurrence, "schedule", runner_id, now,
                                       task.owner)
                if run is not None and run.status == "running":
                    claimed.append(Claimed(task=task, run=run))
        self._count_disabled(tx, advanced)
        return claimed

    @classmethod
    def _count_disabled(cls, tx: Tx, advanced: Sequence[tuple[TaskRow, ClaimPlan]]) -> None:
        """Keep the per-owner enabled counts true for the claimed tasks a plan disabled (a
        one-off that fired, a rule past its end)."""
        disabled = Counter(task.owner for task, decided in advanced
                           if task.enabled and not decided.enabled)
        for owner, count in disabled.items():
            cls._bump_counts(tx, owner, total=0, enabled=-count)

    @staticmethod
    def _advance(tx: Tx, task: TaskRow, decided: ClaimPlan) -> bool:
        return tx.run(ADVANCE_TASK, Store._advance_params(task, decided)) == 1

    @staticmethod
    def _advance_params(task: TaskRow, decided: ClaimPlan) -> tuple[Any, ...]:
        return (decided.next_due, decided.next_due or NO_NEXT_RUN, int(decided.enabled),
                decided.last_run_at, task.id, task.next_due)

    @staticmethod
    def _insert_run(tx: Tx, task_id: str, occurrence: Occurrence, trigger: str,
                    runner_id: str, now: str, owner: str) -> RunRow | None:
        run = Store._new_run(task_id, occurrence, trigger, runner_id, now, owner)
        inserted = tx.run(INSERT_RUN, [getattr(run, c) for c in RUN_COLUMNS])
        return run if inserted == 1 else None

    @staticmethod
    def _new_run(task_id: str, occurrence: Occurrence, trigger: str, runner_id: str,
                 now: str, owner: str) -> RunRow:
        """The run row an occurrence becomes (not yet inserted)."""
        active = occurrence.status == "running"
        finished = occurrence.status in ("skipped", "missed")
        alerted = finished and occurrence.alert_to is not None
        run = RunRow(
            id=occurrence.run_id,
            task_id=task_id,
            scheduled_for=occurrence.scheduled_for,
            trigger=trigger,
            status=occurrence.status,
            runner_id=runner_id if active else None,
            started_at=now if active else None,
            finished_at=now if finished else None,
            output=None,
            error=occurrence.error,
            alert_to=occurrence.alert_to if alerted else None,
            alert_status="pending" if alerted else None,
            owner=owner,
        )
        return run

    @staticmethod
    def _sample(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
        """Up to `limit` of the candidates, at random, kept in due order."""
        if len(rows) <= limit:
            return rows
        picked = sorted(random.sample(range(len(rows)), limit))
        return [rows[i] for i in picked]

    def insert_manual_run(self, task_id: str, scheduled_for: str, run_id: str,
                          runner_id: str, now: str, owner: str | None = None) -> RunRow | None:
        """A run_scheduled_task_now occurrence; None if the task is gone (or another owner's)."""
        clause, extra = self._owned(owner)
        with self.transaction() as tx:
            found = tx.rows(f"SELECT owner FROM tasks WHERE id = ?{clause}", (task_id, *extra))
            if not found:
                return None
            occurrence = Occurrence(scheduled_for=scheduled_for, status="running", run_id=run_id)
            run = self._insert_run(tx, task_id, occurrence, "manual", runner_id, now,
                                   found[0]["owner"])
            tx.run("UPDATE tasks SET last_run_at = ? WHERE id = ?", (scheduled_for, task_id))
            return run

    def has_queued_runs(self) -> bool:
        """A read-only check, so idle ticks take no write lock."""
        return bool(self._read("SELECT 1 AS one FROM runs WHERE status = 'queued' LIMIT 1"))

    def start_queued(self, runner_id: str, now: str, limit: int) -> list[Claimed]:
        """Start the oldest queued run of each task that has nothing running (CAS per run)."""
        with self.transaction() as tx:
            rows = tx.rows(
                "SELECT * FROM runs AS q WHERE q.status = 'queued' AND NOT EXISTS ("
                "  SELECT 1 FROM runs AS r WHERE r.task_id = q.task_id AND r.status = 'running')"
                " ORDER BY q.scheduled_for LIMIT ?",
                (limit,),
            )
            first_per_task = {r["task_id"]: r for r in reversed(rows)}  # the oldest of each
            return self._start(tx, list(first_per_task.values()), "queued", runner_id, now)

    def has_due_retries(self, now: str) -> bool:
        """A read-only check (indexed), so passes without a due retry take no write lock."""
        return bool(self._read("SELECT 1 AS one FROM runs WHERE status = 'retrying' "
                               "AND next_attempt_at <= ? LIMIT 1", (now,)))

    def start_retries(self, runner_id: str, now: str, limit: int) -> list[Claimed]:
        """Take the retries that are due (CAS per run: exactly one runner takes each)."""
        with self.transaction() as tx:
            rows = tx.rows(
                "SELECT * FROM runs WHERE status = 'retrying' AND next_attempt_at <= ? "
                f"ORDER BY next_attempt_at LIMIT ?{self.lock_rows_skip}",
                (now, limit),
            )
            return self._start(tx, rows, "retrying", runner_id, now)

    @staticmethod
    def _start(tx: Tx, rows: list[dict[str, Any]], waiting: str, runner_id: str,
               now: str) -> list[Claimed]:
        """Move waiting runs (queued, or retrying: one more attempt) to running, each by a
        compare-and-set on its status; return those this runner won."""
        started: list[Claimed] = []
        next_attempt = 1 if waiting == "retrying" else 0
        for raw in rows:
            run = RunRow.from_record(raw)
            won = tx.run(
                "UPDATE runs SET status = 'running', runner_id = ?, started_at = ?, "
                "attempts = attempts + ?, next_attempt_at = NULL WHERE id = ? AND status = ?",
                (runner_id, now, next_attempt, run.id, waiting),
            ) == 1
            run.status, run.runner_id, run.started_at = "running", runner_id, now
            run.attempts += next_attempt
            run.next_attempt_at = None
            if won and (claimed := Store._with_task(tx, run)) is not None:
                started.append(claimed)
        return started

    @staticmethod
    def _with_task(tx: Tx, run: RunRow) -> Claimed | None:
        """A run this runner won, with its task (None if the task was deleted meanwhile)."""
        rows = tx.rows("SELECT * FROM tasks WHERE id = ?", (run.task_id,))
        return Claimed(task=TaskRow.from_record(rows[0]), run=run) if rows else None

    def finish_runs(self, outcomes: Sequence[Outcome]) -> None:
        """Record outcomes in one transaction, skipping runs something (a reaper) already
        closed. A failed attempt with retries left waits as `retrying` with no runner; a final
        failure with an alert target leaves its alert pending for any runner to send, a success
        with an on_success target its delivery, due now."""
        retrying = [o for o in outcomes if o.status == "retrying"]
        final = [o for o in outcomes if o.status != "retrying"]
        with self.transaction() as tx:
            if retrying:
                tx.run_many(
                    "UPDATE runs SET status = 'retrying', output = ?, error = ?, agent = ?, "
                    "next_attempt_at = ?, runner_id = NULL WHERE id = ? AND status = 'running'",
                    [(o.output, o.error, o.agent, o.next_attempt_at, o.run_id)
                     for o in retrying],
                )
            if final:
                tx.run_many(
                    "UPDATE runs SET status = ?, output = ?, error = ?, agent = ?, "
                    "finished_at = ?, alert_to = ?, alert_status = ?, delivery_to = ?, "
                    "delivery_status = ?, "
                    "delivery_next_at = ? WHERE id = ? AND status = 'running'",
                    [(o.status, o.output, o.error, o.agent, o.at, o.alert_to,
                      "pending" if o.alert_to else None, o.deliver_to,
                      "pending" if o.deliver_to else None, o.at if o.deliver_to else None,
                      o.run_id) for o in final],
                )

    # --- failure alerts -------------------------------------------------------------------

    def has_pending_alerts(self) -> bool:
        return bool(self._read(
            "SELECT 1 AS one FROM runs WHERE alert_status = 'pending' LIMIT 1"))

    def take_alerts(self, limit: int) -> list[Claimed]:
        """Pending alerts this runner now sends (CAS per run: each alert goes out once)."""
        taken: list[Claimed] = []
        with self.transaction() as tx:
            rows = tx.rows(
                f"SELECT * FROM runs WHERE alert_status = 'pending' LIMIT ?{self.lock_rows_skip}",
                (limit,),
            )
            for raw in rows:
                run = RunRow.from_record(raw)
                won = tx.run("UPDATE runs SET alert_status = 'sending' "
                             "WHERE id = ? AND alert_status = 'pending'", (run.id,)) == 1
                run.alert_status = "sending"
                if won and (claimed := self._with_task(tx, run)) is not None:
                    taken.append(claimed)
        return taken

    def finish_alerts(self, results: Sequence[tuple[str, str, str | None]]) -> None:
        """Record `(run_id, sent | failed, output or error)` of alerts this runner sent."""
        with self.transaction() as tx:
            tx.run_many(
                "UPDATE runs SET alert_status = ?, alert_output = ? "
                "WHERE id = ? AND alert_status = 'sending'",
                [(status, output, run_id) for run_id, status, output in results],
            )

    # --- on_success deliveries (DESIGN.md §12) ----------------------------------------------

    def has_due_deliveries(self, now: str) -> bool:
        """A read-only check (indexed), so passes without a due delivery take no write lock."""
        return bool(self._read("SELECT 1 AS one FROM runs WHERE delivery_status = 'pending' "
                               "AND delivery_next_at <= ? LIMIT 1", (now,)))

    def take_deliveries(self, runner_id: str, now: str, limit: int) -> list[Claimed]:
        """Due deliveries this runner now sends (CAS per run: one sender at a time); taking
        one counts an attempt."""
        taken: list[Claimed] = []
        with self.transaction() as tx:
            rows = tx.rows(
                "SELECT * FROM runs WHERE delivery_status = 'pending' AND delivery_next_at <= ? "
                f"ORDER BY delivery_next_at LIMIT ?{self.lock_rows_skip}",
                (now, limit),
            )
            for raw in rows:
                run = RunRow.from_record(raw)
                won = tx.run(
                    "UPDATE runs SET delivery_status = 'sending', delivery_runner = ?, "
                    "delivery_attempts = delivery_attempts + 1, delivery_next_at = NULL "
                    "WHERE id = ? AND delivery_status = 'pending'", (runner_id, run.id)) == 1
                run.delivery_status, run.delivery_runner = "sending", runner_id
                run.delivery_attempts += 1
                run.delivery_next_at = None
                if won and (claimed := self._with_task(tx, run)) is not None:
                    taken.append(claimed)
        return taken

    def finish_deliveries(self, runner_id: str, results: Sequence[DeliveryResult]) -> None:
        """Record how deliveries this runner sent ended; one it no longer holds (its lease
        expired and another runner requeued it) is left to its new sender."""
        with self.transaction() as tx:
            tx.run_many(
                "UPDATE runs SET delivery_status = ?, delivery_error = ?, delivery_next_at = ?, "
                "delivery_runner = NULL WHERE id = ? AND delivery_status = 'sending' "
                "AND delivery_runner = ?",
                [(r.status, r.error, r.next_at, r.run_id, runner_id) for r in results],
            )

    @staticmethod
    def _requeue_deliveries(tx: Tx, now: str, clock: str,
                            clock_params: tuple[Any, ...]) -> int:
        """Deliveries whose sender's lease expired go back to pending, due now: the receiver
        dedupes on their Idempotency-Key if the interrupted attempt did get through."""
        return tx.run(
            "UPDATE runs SET delivery_status = 'pending', delivery_next_at = ?, "
            "delivery_error = ?, delivery_runner = NULL WHERE delivery_status = 'sending' "
            f"AND delivery_runner NOT IN (SELECT id FROM runners WHERE expires_at > {clock})",
            (now, DELIVERY_INTERRUPTED, *clock_params),
        )

    def get_run(self, run_id: str) -> RunRow | None:
        rows = self._read("SELECT * FROM runs WHERE id = ?", (run_id,))
        return RunRow.from_record(rows[0]) if rows else None

    def list_runs(
        self, task_id: str, limit: int, before: tuple[str, str] | None
    ) -> tuple[list[RunRow], bool]:
        """Newest first, keyset on (scheduled_for, id)."""
        clause = "WHERE task_id = ?"
        params: list[Any] = [task_id]
        if before is not None:
            clause += " AND (scheduled_for, id) < (?, ?)"
            params.extend(before)
        rows = self._read(
            f"SELECT * FROM runs {clause} ORDER BY scheduled_for DESC, id DESC LIMIT ?",
            [*params, limit + 1],
        )
        return [RunRow.from_record(r) for r in rows[:limit]], len(rows) > limit

    def remove_runner(self, runner_id: str) -> None:
        with self.transaction() as tx:
            tx.run("DELETE FROM runners WHERE id = ?", (runner_id,))

    # --- conversations (openai assistant's chat_id) ---------------------------------------

    def load(self, chat_id: str) -> list[dict[str, str]]:
        rows = self._read(
            "SELECT role, content FROM conversations WHERE chat_id = ? ORDER BY seq", (chat_id,)
        )
        return [{"role": r["role"], "content": r["content"]} for r in rows]

    def append(self, chat_id: str, messages: list[dict[str, str]]) -> None:
        with self.transaction() as tx:
            row = tx.rows(
                "SELECT COALESCE(MAX(seq), 0) AS seq FROM conversations WHERE chat_id = ?",
                (chat_id,),
            )[0]
            seq = int(row["seq"])
            for message in messages:
                seq += 1
                tx.run(
                    "INSERT INTO conversations (chat_id, seq, role, content) VALUES (?, ?, ?, ?)",
                    (chat_id, seq, message["role"], message["content"]),
                )
