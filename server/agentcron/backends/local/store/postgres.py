"""The PostgreSQL dialect (DESIGN.md §8): many runners on many hosts, one database.

* Connections come from a small psycopg pool (thread-safe: tools and the runner use worker
  threads); the lease keeper has a pool of its own, so its heartbeat never waits for one.
* The schema is created or migrated by whichever process comes first, under an advisory lock.
* Due tasks are picked with `FOR UPDATE SKIP LOCKED`: runners take disjoint batches instead of
  queueing behind each other; the occurrence insert stays `ON CONFLICT DO NOTHING`.
* Leases and "interrupted" decisions use the database's clock, so hosts whose clocks differ by
  a few seconds never expire a live runner nor hide a dead one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from agentcron.backends.local.store.base import (
    ADVANCE_TASK,
    DUE_TASKS,
    INSERT_RUN,
    Plan,
    Store,
    store_error,
)
from agentcron.backends.local.store.rows import RUN_COLUMNS, Claimed, ClaimPlan, RunRow, TaskRow
from agentcron.backends.local.store.urls import redact_url
from agentcron.errors import ConfigError

POOL_SIZE = 8
SCHEMA_LOCK = 0x61676E7463726F6E  # "agntcron": the advisory lock migrations run under
CONNECT_TIMEOUT_SECONDS = 10
# The database clock in the stored time format (see rows.to_db).
_FORMAT = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"
DB_NOW = f"to_char(clock_timestamp() AT TIME ZONE 'UTC', {_FORMAT})"
DB_NOW_PLUS = f"to_char((clock_timestamp() + make_interval(secs => ?)) AT TIME ZONE 'UTC', {_FORMAT})"


@lru_cache(maxsize=512)
def _native(sql: str) -> str:
    """psycopg's placeholders: `?` becomes `%s` (the shared SQL holds no literal % or ?)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresTx:
    """A psycopg connection answering with dicts, taking the shared `?` placeholders."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor() as cursor:
            cursor.execute(_native(sql), params)
            return cursor.fetchall() if cursor.description else []

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.conn.cursor() as cursor:
            cursor.execute(_native(sql), params)
            return cursor.rowcount

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(_native(sql), params)

    def run_batch(self, sql: str, params: Sequence[Sequence[Any]]) -> int:
        """One pipelined batch; the number of rows changed in all."""
        with self.conn.cursor() as cursor:
            cursor.executemany(_native(sql), params)
            return cursor.rowcount

    def inserted_each(self, sql: str, params: Sequence[Sequence[Any]]) -> list[bool]:
        """One pipelined batch of `INSERT ... ON CONFLICT DO NOTHING RETURNING`: whether each
        row went in."""
        with self.conn.cursor() as cursor:
            cursor.executemany(_native(sql), params, returning=True)
            inserted: list[bool] = []
            while True:
                inserted.append(cursor.fetchone() is not None)
                if not cursor.nextset():
                    return inserted


class PostgresStore(Store):
    dialect = "postgresql"
    lock_rows = " FOR UPDATE"
    lock_rows_skip = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, *, migrate: bool = True, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.location = redact_url(url)
        self._pool: ConnectionPool[psycopg.Connection[dict[str, Any]]] = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": dict_row,
                    "connect_timeout": CONNECT_TIMEOUT_SECONDS},
            open=False,
            name="agentcron",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        except Exception as exc:
            self._pool.close()
            raise ConfigError(
                f"cannot connect to PostgreSQL at {self.location}: "
                f"{str(exc).replace(url, self.location)}"
            ) from None
        if migrate and not self._schema_is_current():
            with self.transaction() as tx:
                tx.rows("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
                self._apply_migrations(tx, 'TEXT COLLATE "C"')

    @contextmanager
    def transaction(self) -> Iterator[PostgresTx]:
        with self._translated(), self._pool.connection() as conn, conn.transaction():
            yield PostgresTx(conn)

    @contextmanager
    def reading(self) -> Iterator[PostgresTx]:
        with self._translated(), self._pool.connection() as conn:
            yield PostgresTx(conn)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """psycopg's operational errors (and a pool timeout) become one StoreError naming
        the database (its password shown as ***) and the cause."""
        try:
            yield
        except (psycopg.OperationalError, PoolTimeout) as exc:
            cause = RuntimeError(str(exc).replace(self.url, self.location))
            raise store_error(self.location, cause) from exc

    def sibling(self) -> PostgresStore:
        return PostgresStore(self.url, migrate=False, pool_size=1)

    def close(self) -> None:
        self._pool.close()

    def change_token(self) -> object:
        """What the runner sleeps on: the earliest due task and retry, whether runs wait in a
        queue or alerts to be sent, the earliest pending delivery, and the global pause."""
        row = self._read(
            "SELECT (SELECT next_due FROM tasks WHERE enabled = 1 AND next_due IS NOT NULL "
            "        ORDER BY next_due LIMIT 1) AS due, "
            "       (SELECT next_attempt_at FROM runs WHERE status = 'retrying' "
            "        ORDER BY next_attempt_at LIMIT 1) AS retry, "
            "       EXISTS (SELECT 1 FROM runs WHERE status = 'queued') AS queued, "
            "       EXISTS (SELECT 1 FROM runs WHERE alert_status = 'pending') AS alerts, "
            "       (SELECT delivery_next_at FROM runs WHERE delivery_status = 'pending' "
            "        ORDER BY delivery_next_at LIMIT 1) AS delivery, "
            "       (SELECT since FROM flags WHERE name = 'paused_all') AS paused"
        )[0]
        return tuple(row.values())

    # --- claims ---------------------------------------------------------------------------

    def claim_due(self, now: str, limit: int, runner_id: str, plan: Plan,
                  new_run_id: Callable[[], str]) -> list[Claimed]:
        with self.transaction() as tx:
            rows = tx.rows(DUE_TASKS + " FOR UPDATE SKIP LOCKED", (now, limit))
            tasks = [TaskRow.from_record(r) for r in rows]
            active = self._active_statuses(tx, [t.id for t in tasks])
            planned = self._plan_all(tasks, active, self._pause_state(tx.rows), plan)
            return self._record_claims_batched(tx, planned, runner_id, now, new_run_id)

    def _record_claims_batched(self, tx: PostgresTx, planned: list[tuple[TaskRow, ClaimPlan]],
                               runner_id: str, now: str,
                               new_run_id: Callable[[], str]) -> list[Claimed]:
        """`_record_claims` in two round trips instead of two per task. The due rows are
        locked (FOR UPDATE) in this same transaction, so every compare-and-set on next_due wins;
        if one ever did not, the whole claim rolls back rather than fire what is not ours."""
        if not planned:
            return []
        advanced = tx.run_batch(ADVANCE_TASK, [self._advance_params(t, d) for t, d in planned])
        if advanced != len(planned):
            raise RuntimeError(f"claim lost {len(planned) - advanced} locked task(s); rolled back")
        runs: list[tuple[TaskRow, RunRow]] = []
        for task, decided in planned:
            for occurrence in decided.occurrences:
                occurrence.run_id = new_run_id()
                runs.append((task, self._new_run(task.id, occurrence, "schedule", runner_id,
                                                 now, task.owner)))
        inserted = tx.inserted_each(
            INSERT_RUN + " RETURNING id",
            [[getattr(run, c) for c in RUN_COLUMNS] for _, run in runs]) if runs else []
        self._count_disabled(tx, planned)
        return [Claimed(task=task, run=run) for (task, run), went_in in zip(runs, inserted)
                if went_in and run.status == "running"]

    # --- leases: the database's clock -------------------------------------------------------

    def register_runner(self, runner_id: str, pid: int, host: str, now: str,
                        lease_seconds: float) -> None:
        with self.transaction() as tx:
            tx.run(
                f"INSERT INTO runners (id, pid, host, started_at, expires_at) "
                f"VALUES (?, ?, ?, {DB_NOW}, {DB_NOW_PLUS}) "
                f"ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at",
                (runner_id, pid, host, float(lease_seconds)),
            )

    def renew_lease(self, runner_id: str, now: str, lease_seconds: float) -> bool:
        with self.transaction() as tx:
            return tx.run(
                f"UPDATE runners SET expires_at = {DB_NOW_PLUS} "
                f"WHERE id = ? AND expires_at > {DB_NOW}",
                (float(lease_seconds), runner_id),
            ) == 1

    def _lease_clock(self, now: str) -> tuple[str, tuple[Any, ...]]:
        return DB_NOW, ()
