"""SQLite persistence of tasks, runs, runner leases and conversations.

Why it looks the way it does:
* Several processes share one file (every MCP client spawns its own server), so the file is
  opened with a busy timeout *before* anything else and the switch to WAL is retried.
* Each occurrence is claimed by one atomic `INSERT ... ON CONFLICT DO NOTHING` on the unique
  key (task_id, scheduled_for): whoever inserts the row fires it, nobody else can.
* The SQL is portable (row values, ON CONFLICT, no SQLite-only functions in the runner's
  statements) so the same runner could run against PostgreSQL; `BEGIN IMMEDIATE` is the one
  SQLite spelling of "take the write lock now" (PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`).
* Times are stored as fixed-width UTC text (`2026-03-11T09:00:00.000000Z`): readable, and
  text order is time order.
* One connection per Store, guarded by a lock: sync MCP tools run on arbitrary worker threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
NO_NEXT_RUN = "~"  # sorts after every timestamp: tasks without a next run list last
OPEN_RETRIES = 50
UTC = timezone.utc

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE IF NOT EXISTS counters (
               name TEXT PRIMARY KEY,
               value INTEGER NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS tasks (
               id TEXT PRIMARY KEY,
               name TEXT,
               assistant_id TEXT,
               prompt TEXT NOT NULL,
               kind TEXT NOT NULL,
               cron TEXT,
               timezone TEXT NOT NULL,
               interval_seconds INTEGER,
               run_at TEXT,
               anchor_at TEXT NOT NULL,
               enabled INTEGER NOT NULL,
               chat_id TEXT,
               metadata TEXT NOT NULL,
               catch_up TEXT NOT NULL,
               overlap TEXT NOT NULL,
               next_due TEXT,
               sort_key TEXT NOT NULL,
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
               id TEXT PRIMARY KEY,
               task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
               scheduled_for TEXT NOT NULL,
               trigger TEXT NOT NULL,
               status TEXT NOT NULL,
               runner_id TEXT,
               started_at TEXT,
               finished_at TEXT,
               output TEXT,
               error TEXT,
               UNIQUE (task_id, scheduled_for))""",
        "CREATE INDEX IF NOT EXISTS runs_newest ON runs (task_id, scheduled_for, id)",
        "CREATE INDEX IF NOT EXISTS runs_active ON runs (status) "
        "WHERE status IN ('running', 'queued')",
        """CREATE TABLE IF NOT EXISTS runners (
               id TEXT PRIMARY KEY,
               pid INTEGER NOT NULL,
               host TEXT NOT NULL,
               started_at TEXT NOT NULL,
               expires_at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS conversations (
               chat_id TEXT NOT NULL,
               seq INTEGER NOT NULL,
               role TEXT NOT NULL,
               content TEXT NOT NULL,
               PRIMARY KEY (chat_id, seq))""",
        "INSERT INTO counters (name, value) VALUES ('tasks', 0), ('tasks_enabled', 0) "
        "ON CONFLICT (name) DO NOTHING",
    ],
}

TASK_COLUMNS = (
    "id", "name", "assistant_id", "prompt", "kind", "cron", "timezone", "interval_seconds",
    "run_at", "anchor_at", "enabled", "chat_id", "metadata", "catch_up", "overlap", "next_due",
    "sort_key", "last_run_at", "created_at", "updated_at",
)
RUN_COLUMNS = (
    "id", "task_id", "scheduled_for", "trigger", "status", "runner_id", "started_at",
    "finished_at", "output", "error",
)


def to_db(instant: datetime) -> str:
    """Fixed-width UTC text: lexical order equals time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


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

    def as_params(self) -> dict[str, Any]:
        params = {name: getattr(self, name) for name in TASK_COLUMNS}
        params["metadata"] = json.dumps(self.metadata, sort_keys=True)
        params["enabled"] = 1 if self.enabled else 0
        return params


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


@dataclass
class Occurrence:
    """One planned occurrence of a task, decided by the runner's policy, written by a claim."""

    scheduled_for: str
    status: str  # running | queued | skipped | missed
    error: str | None = None
    run_id: str = ""


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
class TaskPageRows:
    rows: list[TaskRow]
    total: int
    has_more: bool = False


def _task_from(row: sqlite3.Row) -> TaskRow:
    values = dict(row)
    values["metadata"] = json.loads(values["metadata"])
    values["enabled"] = bool(values["enabled"])
    return TaskRow(**values)


def _run_from(row: sqlite3.Row) -> RunRow:
    return RunRow(**dict(row))


class Store:
    """All SQL lives here; callers see rows and plain values."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = self._open()
        self._migrate()

    # --- opening --------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 30000")  # first: everything below may wait on a lock
        for attempt in range(OPEN_RETRIES):
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == OPEN_RETRIES - 1:
                    raise
                time.sleep(0.05 + 0.01 * attempt)
        if str(mode).lower() != "wal" and str(self.path) != ":memory:":
            raise sqlite3.OperationalError(f"could not switch {self.path} to WAL (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{self.path} has schema version {current}, newer than this agentcron "
                    f"({SCHEMA_VERSION}); upgrade agentcron."
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front (no upgrade deadlocks)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap cross-process wake-up signal."""
        return int(self._read("PRAGMA data_version")[0][0])

    # --- tasks ----------------------------------------------------------------------------

    def insert_tasks(self, tasks: Sequence[TaskRow]) -> None:
        """Insert tasks in one transaction (one for a tool call, many for an import)."""
        columns = ", ".join(TASK_COLUMNS)
        values = ", ".join(f":{c}" for c in TASK_COLUMNS)
        with self.transaction() as conn:
            conn.executemany(
                f"INSERT INTO tasks ({columns}) VALUES ({values})", [t.as_params() for t in tasks]
            )
            self._bump_counts(conn, total=len(tasks), enabled=sum(t.enabled for t in tasks))

    def get_task(self, task_id: str) -> TaskRow | None:
        rows = self._read("SELECT * FROM tasks WHERE id = ?", (task_id,))
        return _task_from(rows[0]) if rows else None

    def modify_task(self, task_id: str, change: Callable[[TaskRow], TaskRow]) -> TaskRow | None:
        """Read, change and write a task in one transaction; an exception in `change` rolls back.

        Returns the new row, or None when the task does not exist.
        """
        assignments = ", ".join(f"{c} = :{c}" for c in TASK_COLUMNS if c != "id")
        with self.transaction() as conn:
            raw = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
            if raw is None:
                return None
            before = _task_from(raw)
            after = change(_task_from(raw))
            conn.execute(f"UPDATE tasks SET {assignments} WHERE id = :id", after.as_params())
            delta = int(after.enabled) - int(before.enabled)
            if delta:
                self._bump_counts(conn, total=0, enabled=delta)
            return after

    def delete_task(self, task_id: str) -> bool:
        with self.transaction() as conn:
            row = conn.execute("SELECT enabled FROM tasks WHERE id = ?", (task_id,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            self._bump_counts(conn, total=-1, enabled=-int(row[0]))
            return True

    @staticmethod
    def _bump_counts(conn: sqlite3.Connection, total: int, enabled: int) -> None:
        """Maintained counts, so `total` never scans 100,000 rows."""
        conn.execute("UPDATE counters SET value = value + ? WHERE name = 'tasks'", (total,))
        conn.execute(
            "UPDATE counters SET value = value + ? WHERE name = 'tasks_enabled'", (enabled,)
        )

    def list_tasks(
        self,
        *,
        assistant_id: str | None,
        enabled: bool | None,
        chat_id: str | None,
        limit: int,
        after: tuple[str, str] | None,
    ) -> TaskPageRows:
        """Keyset page ordered by (next run, id); `after` is the last key of the previous page."""
        where: list[str] = []
        params: list[Any] = []
        if assistant_id is not None:
            where.append("assistant_id = ?")
            params.append(assistant_id)
        if enabled is not None:
            where.append("enabled = ?")
            params.append(1 if enabled else 0)
        if chat_id is not None:
            where.append("chat_id = ?")
            params.append(chat_id)
        total = self._count(where, params, assistant_id, chat_id, enabled)
        page_where = list(where)
        page_params = list(params)
        if after is not None:
            page_where.append("(sort_key, id) > (?, ?)")
            page_params.extend(after)
        clause = f"WHERE {' AND '.join(page_where)}" if page_where else ""
        rows = self._read(
            f"SELECT * FROM tasks {clause} ORDER BY sort_key, id LIMIT ?",
            [*page_params, limit + 1],
        )
        tasks = [_task_from(r) for r in rows[:limit]]
        return TaskPageRows(rows=tasks, total=total, has_more=len(rows) > limit)

    def _count(
        self,
        where: list[str],
        params: list[Any],
        assistant_id: str | None,
        chat_id: str | None,
        enabled: bool | None,
    ) -> int:
        if assistant_id is None and chat_id is None:
            counts = {r[0]: int(r[1]) for r in self._read("SELECT name, value FROM counters")}
            total, on = counts["tasks"], counts["tasks_enabled"]
            if enabled is None:
                return total
            return on if enabled else total - on
        clause = " AND ".join(where)
        return int(self._read(f"SELECT COUNT(*) FROM tasks WHERE {clause}", params)[0][0])

    def next_due(self) -> str | None:
        """The earliest next_due of any enabled task (an index lookup)."""
        rows = self._read(
            "SELECT next_due FROM tasks WHERE enabled = 1 AND next_due IS NOT NULL "
            "ORDER BY next_due LIMIT 1"
        )
        return rows[0][0] if rows else None

    # --- claims ---------------------------------------------------------------------------

    def claim_due(
        self,
        now: str,
        limit: int,
        runner_id: str,
        plan: Callable[[TaskRow, set[str]], ClaimPlan],
        new_run_id: Callable[[], str],
    ) -> list[Claimed]:
        """Claim up to `limit` due tasks in one write transaction.

        `plan` (the runner's policy) decides each task's occurrences, given the statuses of
        its runs still running or queued (read in this same transaction). Every occurrence is
        inserted with ON CONFLICT DO NOTHING: a row this call did not insert belongs to
        another runner and is not fired here.
        """
        claimed: list[Claimed] = []
        with self.transaction() as conn:
            due = conn.execute(
                "SELECT * FROM tasks WHERE enabled = 1 AND next_due IS NOT NULL "
                "AND next_due <= ? ORDER BY next_due LIMIT ?",
                (now, limit),
            ).fetchall()
            for raw in due:
                task = _task_from(raw)
                decided = plan(task, self._active_statuses(conn, task.id))
                for occurrence in decided.occurrences:
                    occurrence.run_id = new_run_id()
                    run = self._insert_run(conn, task.id, occurrence, "schedule", runner_id, now)
                    if run is not None and run.status == "running":
                        claimed.append(Claimed(task=task, run=run))
                self._advance(conn, task, decided, now)
        return claimed

    def _insert_run(
        self,
        conn: sqlite3.Connection,
        task_id: str,
        occurrence: Occurrence,
        trigger: str,
        runner_id: str,
        now: str,
    ) -> RunRow | None:
        active = occurrence.status == "running"
        finished = occurrence.status in ("skipped", "missed")
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
        )
        params = {c: getattr(run, c) for c in RUN_COLUMNS}
        cursor = conn.execute(
            f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) "
            f"VALUES ({', '.join(':' + c for c in RUN_COLUMNS)}) "
            "ON CONFLICT (task_id, scheduled_for) DO NOTHING",
            params,
        )
        return run if cursor.rowcount == 1 else None

    def _advance(
        self, conn: sqlite3.Connection, task: TaskRow, decided: ClaimPlan, now: str
    ) -> None:
        """Move the task past what was just planned (compare-and-set on next_due)."""
        conn.execute(
            "UPDATE tasks SET next_due = ?, sort_key = ?, enabled = ?, "
            "last_run_at = COALESCE(?, last_run_at) WHERE id = ? AND next_due = ?",
            (
                decided.next_due,
                decided.next_due or NO_NEXT_RUN,
                1 if decided.enabled else 0,
                decided.last_run_at,
                task.id,
                task.next_due,
            ),
        )
        if not decided.enabled and task.enabled:
            self._bump_counts(conn, total=0, enabled=-1)

    @staticmethod
    def _active_statuses(conn: sqlite3.Connection, task_id: str) -> set[str]:
        """Statuses among running/queued runs of a task (inside a claim transaction)."""
        rows = conn.execute(
            "SELECT DISTINCT status FROM runs WHERE task_id = ? "
            "AND status IN ('running', 'queued')",
            (task_id,),
        ).fetchall()
        return {r[0] for r in rows}

    def insert_manual_run(self, task_id: str, scheduled_for: str, run_id: str,
                          runner_id: str, now: str) -> RunRow | None:
        """A run_scheduled_task_now occurrence; None if the task is gone."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM tasks WHERE id = ?", (task_id,)).fetchone() is None:
                return None
            occurrence = Occurrence(scheduled_for=scheduled_for, status="running", run_id=run_id)
            run = self._insert_run(conn, task_id, occurrence, "manual", runner_id, now)
            conn.execute("UPDATE tasks SET last_run_at = ? WHERE id = ?", (scheduled_for, task_id))
            return run

    def has_queued_runs(self) -> bool:
        """A read-only check, so idle ticks take no write lock."""
        return bool(self._read("SELECT 1 FROM runs WHERE status = 'queued' LIMIT 1"))

    def start_queued(self, runner_id: str, now: str, limit: int) -> list[Claimed]:
        """Start the oldest queued run of each task that has nothing running (CAS per run)."""
        started: list[Claimed] = []
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM runs AS q WHERE q.status = 'queued' AND NOT EXISTS ("
                "  SELECT 1 FROM runs AS r WHERE r.task_id = q.task_id AND r.status = 'running')"
                " ORDER BY q.scheduled_for LIMIT ?",
                (limit,),
            ).fetchall()
            seen: set[str] = set()
            for raw in rows:
                run = _run_from(raw)
                if run.task_id in seen:
                    continue
                cursor = conn.execute(
                    "UPDATE runs SET status = 'running', runner_id = ?, started_at = ? "
                    "WHERE id = ? AND status = 'queued'",
                    (runner_id, now, run.id),
                )
                task_row = conn.execute("SELECT * FROM tasks WHERE id = ?", (run.task_id,)).fetchone()
                if cursor.rowcount == 1 and task_row is not None:
                    seen.add(run.task_id)
                    run.status, run.runner_id, run.started_at = "running", runner_id, now
                    started.append(Claimed(task=_task_from(task_row), run=run))
        return started

    def finish_runs(self, outcomes: Sequence[tuple[str, str, str | None, str | None, str]]) -> None:
        """Record outcomes `(run_id, status, output, error, finished_at)` in one transaction,
        skipping runs something (a reaper) already closed."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE runs SET status = ?, output = ?, error = ?, finished_at = ? "
                "WHERE id = ? AND status = 'running'",
                [(status, output, error, at, run_id) for run_id, status, output, error, at in outcomes],
            )

    def get_run(self, run_id: str) -> RunRow | None:
        rows = self._read("SELECT * FROM runs WHERE id = ?", (run_id,))
        return _run_from(rows[0]) if rows else None

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
        return [_run_from(r) for r in rows[:limit]], len(rows) > limit

    # --- runner leases --------------------------------------------------------------------

    def register_runner(self, runner_id: str, pid: int, host: str, now: str, expires: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO runners (id, pid, host, started_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = ?",
                (runner_id, pid, host, now, expires, expires),
            )

    def heartbeat(self, runner_id: str, expires: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE runners SET expires_at = ? WHERE id = ?", (expires, runner_id))

    def remove_runner(self, runner_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM runners WHERE id = ?", (runner_id,))

    def reap_interrupted(self, now: str) -> int:
        """Mark failed every running run whose runner's lease has expired (or vanished)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = 'failed', finished_at = ?, "
                "error = 'interrupted: the runner executing this run stopped (lease expired) "
                "before it finished; not retried, because its side effect may have happened' "
                "WHERE status = 'running' AND (runner_id IS NULL OR runner_id NOT IN ("
                "  SELECT id FROM runners WHERE expires_at > ?))",
                (now, now),
            )
            conn.execute("DELETE FROM runners WHERE expires_at <= ?", (now,))
            return cursor.rowcount

    # --- conversations (openai assistant's chat_id) ---------------------------------------

    def load(self, chat_id: str) -> list[dict[str, str]]:
        rows = self._read(
            "SELECT role, content FROM conversations WHERE chat_id = ? ORDER BY seq", (chat_id,)
        )
        return [{"role": r[0], "content": r[1]} for r in rows]

    def append(self, chat_id: str, messages: list[dict[str, str]]) -> None:
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM conversations WHERE chat_id = ?", (chat_id,)
            ).fetchone()
            seq = int(row[0])
            for message in messages:
                seq += 1
                conn.execute(
                    "INSERT INTO conversations (chat_id, seq, role, content) VALUES (?, ?, ?, ?)",
                    (chat_id, seq, message["role"], message["content"]),
                )
