"""A runner's lease is kept from its own thread and connection (DESIGN.md §8): a runner whose
event loop is kept busy past its lease period by a burst still holds its lease, and its runs
in flight are not declared interrupted by another runner."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store, to_db
from agentcron.models import Schedule, TaskSpec
from tests.conftest import Database

pytestmark = pytest.mark.anyio
LEASE_SECONDS = 3.0


@pytest.fixture
async def backend(tmp_path: Path, database: Database) -> AsyncIterator[LocalBackend]:
    store = open_store(database.url)
    local = LocalBackend(store, load_assistants(tmp_path / "none.toml"), scheduling=False,
                         lease_seconds=LEASE_SECONDS)
    await local.start()
    await local.runner.ready()  # the lease is taken in the background: wait until it is held
    try:
        yield local
    finally:
        await local.close()


async def test_a_runner_busy_past_its_lease_period_still_holds_its_lease(
    backend: LocalBackend, database: Database
) -> None:
    task = await backend.create_task(TaskSpec(prompt="p", schedule=Schedule(kind="cron", cron="0 * * * *")))
    now = datetime.now(timezone.utc)
    run = backend.store.insert_manual_run(task.id, to_db(now), "run_busy", backend.runner.id,
                                          to_db(now))
    assert run is not None

    time.sleep(LEASE_SECONDS * 2.5)  # the event loop does nothing else meanwhile: a burst

    other_runner = open_store(database.url)
    try:
        reaped = other_runner.reap_interrupted(to_db(datetime.now(timezone.utc)))
    finally:
        other_runner.close()
    assert reaped == 0
    assert backend.store.get_run("run_busy").status == "running"  # type: ignore[union-attr]
    (lease,) = database.rows("SELECT expires_at FROM runners WHERE id = ?", (backend.runner.id,))
    expires = datetime.strptime(str(lease["expires_at"]), "%Y-%m-%dT%H:%M:%S.%fZ")
    assert expires.replace(tzinfo=timezone.utc) > datetime.now(timezone.utc)
    assert backend.runner.lease.lost_count == 0


async def test_a_lost_lease_is_noticed_and_taken_again_before_claiming(
    backend: LocalBackend, database: Database
) -> None:
    """What a frozen process finds on resume: its lease row expired and was reaped."""
    runner = backend.runner
    expired = to_db(datetime.now(timezone.utc) - timedelta(seconds=60))
    other = open_store(database.url)
    try:
        with other.transaction() as tx:
            tx.run("UPDATE runners SET expires_at = ? WHERE id = ?", (expired, runner.id))
        other.reap_interrupted(to_db(datetime.now(timezone.utc)))  # removes the expired row
    finally:
        other.close()
    assert database.rows("SELECT id FROM runners WHERE id = ?", (runner.id,)) == []

    runner.lease.renew()

    assert runner.lease.lost_count == 1
    assert len(database.rows("SELECT id FROM runners WHERE id = ?", (runner.id,))) == 1
