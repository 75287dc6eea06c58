"""The SQLite dialect: one file, WAL, shared by every process on one machine.

* Several processes share one file (every MCP client spawns its own server), so the file is
  opened with a busy timeout *before* anything else and the switch to WAL is retried.
* `BEGIN IMMEDIATE` takes the write lock up front (no upgrade deadlocks). Claims plan outside
  it: due tasks are read and planned first, then one short write transaction advances each
  task with a compare-and-set on next_due and inserts the occurrences of those it won.
* One connection per Store, guarded by a lock: sync MCP tools run on arbitrary worker threads.
  The lease keeper uses a sibling Store with a connection of its own.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from agentcron.backends.local.store.base import (
    CANDIDATES_PER_SLOT,
    DUE_TASKS,
    Plan,
    Store,
    store_error,
)
from agentcron.backends.local.store.rows import Claimed, TaskRow, from_db, to_db

OPEN_RETRIES = 50
BUSY_TIMEOUT_SECONDS = 30.0


class SQLiteTx:
    """A sqlite3 connection answering with dicts."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, params)


class SQLiteStore(Store):
    dialect = "sqlite"

    def __init__(self, path: Path | str, *, migrate: bool = True,
                 busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.busy_timeout_seconds = busy_timeout_seconds
        self.path = Path(path)
        self.location = str(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = self._open()
        self._tx = SQLiteTx(self._conn)
        if migrate and not self._schema_is_current():
            with self.transaction() as tx:
                self._apply_migrations(tx, "TEXT")

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path), timeout=self.busy_timeout_seconds, isolation_level=None,
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        # First: everything below may wait on a lock.
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_seconds * 1000)}")
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

    @contextmanager
    def transaction(self) -> Iterator[SQLiteTx]:
        with self._lock, self._translated():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._tx
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def reading(self) -> Iterator[SQLiteTx]:
        with self._lock, self._translated():
            yield self._tx

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """sqlite3's errors become one StoreError naming the file and the cause."""
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(self.location, exc) from exc

    def sibling(self) -> SQLiteStore:
        return SQLiteStore(self.path, migrate=False,
                           busy_timeout_seconds=self.busy_timeout_seconds)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def change_token(self) -> object:
        """SQLite's data_version: changes whenever another connection commits."""
        return self._read("PRAGMA data_version")[0]["data_version"]

    # --- claims ---------------------------------------------------------------------------

    def claim_due(self, now: str, limit: int, runner_id: str, plan: Plan,
                  new_run_id: Callable[[], str]) -> list[Claimed]:
        with self.reading() as tx:
            candidates = tx.rows(DUE_TASKS, (now, limit * CANDIDATES_PER_SLOT))
            tasks = [TaskRow.from_record(r) for r in self._sample(candidates, limit)]
            active = self._active_statuses(tx, [t.id for t in tasks])
            paused = self._pause_state(tx.rows)
        planned = self._plan_all(tasks, active, paused, plan)  # no lock held while planning
        if not planned:
            return []
        with self.transaction() as tx:
            return self._record_claims(tx, planned, runner_id, now, new_run_id)

    # --- leases: the host clock (every process sharing a file is on this machine) ----------

    def register_runner(self, runner_id: str, pid: int, host: str, now: str,
                        lease_seconds: float) -> None:
        expires = to_db(from_db(now) + timedelta(seconds=lease_seconds))
        with self.transaction() as tx:
            tx.run(
                "INSERT INTO runners (id, pid, host, started_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = ?",
                (runner_id, pid, host, now, expires, expires),
            )

    def renew_lease(self, runner_id: str, now: str, lease_seconds: float) -> bool:
        expires = to_db(from_db(now) + timedelta(seconds=lease_seconds))
        with self.transaction() as tx:
            return tx.run("UPDATE runners SET expires_at = ? WHERE id = ? AND expires_at > ?",
                          (expires, runner_id, now)) == 1

    def _lease_clock(self, now: str) -> tuple[str, tuple[Any, ...]]:
        return "?", (now,)
