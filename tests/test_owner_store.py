"""Owners below the MCP layer (DESIGN.md §13): the schema 6 migration on both dialects, the
per-owner counts and limits, who may use which assistant, and what a run carries for its owner
(webhook body, command environment, conversation)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agentcron.backends.base import TaskFilters
from agentcron.backends.local.assistants import AssistantRegistry, load_assistants
from agentcron.backends.local.assistants.base import FireRequest
from agentcron.backends.local.assistants.webhook import payload
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import base as store_base
from agentcron.backends.local.store import open_store
from agentcron.backends.local.store.rows import TASK_COLUMNS
from agentcron.errors import LimitError, NotFoundError
from agentcron.models import Schedule, TaskPatch, TaskSpec
from agentcron.principal import LOCAL_OWNER, acting_as, owner_of
from agentcron.tasks import TaskService, WriteRateLimit
from tests.conftest import Database, write_assistants

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 3, 11, 8, 0, tzinfo=timezone.utc)
ALICE = owner_of("https://id.example", "alice")
BOB = owner_of("https://id.example", "bob")
DAILY = Schedule(kind="cron", cron="0 9 * * *", timezone="UTC")


def spec(prompt: str = "p", assistant_id: str | None = None) -> TaskSpec:
    return TaskSpec(prompt=prompt, schedule=DAILY, assistant_id=assistant_id)


def test_schema_6_makes_existing_rows_local_and_counts_them(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database written by a version before owners: its tasks become `local`, their counts
    `local`'s, and paging by owner uses an index."""
    monkeypatch.setattr(store_base, "SCHEMA_VERSION", 3)
    old = open_store(database.url)
    backend = LocalBackend(old, AssistantRegistry(), scheduling=False, clock=lambda: NOW)
    rows = [backend.new_task_row(spec(f"old {i}"), NOW) for i in range(3)]
    rows[2].enabled = False
    columns = [c for c in TASK_COLUMNS if c != "owner"]  # schema 3 has no owner column
    with old.transaction() as tx:
        tx.run_many(f"INSERT INTO tasks ({', '.join(columns)}) VALUES "
                    f"({', '.join('?' for _ in columns)})",
                    [[r.as_params()[c] for c in columns] for r in rows])
        tx.run("UPDATE counters SET value = 3 WHERE name = 'tasks'")
        tx.run("UPDATE counters SET value = 2 WHERE name = 'tasks_enabled'")
    old.close()
    monkeypatch.setattr(store_base, "SCHEMA_VERSION", 6)

    store = open_store(database.url)
    try:
        assert {r["owner"] for r in store._read("SELECT owner FROM tasks")} == {"local"}
        assert store._read("SELECT COUNT(*) AS n FROM runs WHERE owner <> 'local'")[0]["n"] == 0
        page = store.list_tasks(assistant_id=None, enabled=None, chat_id=None, limit=10,
                                after=None, owner="local")
        assert page.total == 3 and len(page.rows) == 3
        enabled = store.list_tasks(assistant_id=None, enabled=True, chat_id=None, limit=10,
                                   after=None, owner="local")
        assert enabled.total == 2
        stranger = store.list_tasks(assistant_id=None, enabled=None, chat_id=None, limit=10,
                                    after=None, owner=ALICE)
        assert stranger.total == 0 and stranger.rows == []
        assert store._read("SELECT MAX(version) AS v FROM schema_version")[0]["v"] == 6
    finally:
        store.close()
    if database.dialect == "sqlite":
        plan = database.rows("EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE owner = ? "
                             "ORDER BY sort_key, id LIMIT 21", ("x",))
        assert any("tasks_by_owner" in str(row["detail"]) for row in plan), plan


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    store = open_store(tmp_path / "agentcron.db")
    return LocalBackend(store, AssistantRegistry(), scheduling=False, clock=lambda: NOW,
                        max_tasks_per_owner=2)


async def test_tasks_per_owner_limit_names_itself_and_creates_nothing(backend: LocalBackend) -> None:
    with acting_as(ALICE):
        await backend.create_task(spec())
        await backend.create_task(spec())
        with pytest.raises(LimitError) as refused:
            await backend.create_task(spec("one too many"))
        page = await backend.list_tasks(TaskFilters(), 10, None)
    assert "at most 2 tasks per owner (AGENTCRON_MAX_TASKS_PER_OWNER)" in str(refused.value)
    assert "delete" in str(refused.value).lower()
    assert page.total == 2 and "one too many" not in [t.prompt for t in page.tasks]
    with acting_as(BOB):  # another owner's allowance is untouched
        await backend.create_task(spec())
        assert (await backend.list_tasks(TaskFilters(), 10, None)).total == 1


async def test_another_owners_task_is_unknown_and_unchanged(backend: LocalBackend) -> None:
    with acting_as(ALICE):
        task = await backend.create_task(spec("alice's"))
        run = await asyncio.to_thread(backend.store.insert_manual_run, task.id,
                                      "2026-03-11T08:00:00.000000Z", "run_a", "r1",
                                      "2026-03-11T08:00:00.000000Z", ALICE)
        assert run is not None and run.owner == ALICE  # a run belongs to its task's owner
        assert backend.store.insert_manual_run(task.id, "2026-03-11T08:01:00.000000Z", "run_b",
                                               "r1", "2026-03-11T08:01:00.000000Z", BOB) is None
        task = await backend.get_task(task.id)
    with acting_as(BOB):
        for call in (backend.get_task(task.id), backend.delete_task(task.id),
                     backend.update_task(task.id, TaskPatch(name="mine now")),
                     backend.list_runs(task.id, 10, None)):
            with pytest.raises(NotFoundError, match=f"No task with id '{task.id}'"):
                await call
    with acting_as(ALICE):
        assert await backend.get_task(task.id) == task
    assert (await backend.list_tasks(TaskFilters(), 10, None)).total == 0  # nor does `local`


def test_write_rate_limit_says_when_to_retry() -> None:
    clock = [100.0]
    limit = WriteRateLimit(monotonic=lambda: clock[0])
    for _ in range(60):
        limit.take(ALICE)
        clock[0] += 0.5  # 60 writes in 30 s
    with pytest.raises(LimitError) as refused:
        limit.take(ALICE)
    assert "at most 60 creates or updates per owner per minute" in str(refused.value)
    assert "retry in 30 s" in str(refused.value)
    limit.take(BOB)  # per owner
    clock[0] += 30
    limit.take(ALICE)


def test_the_local_user_is_never_rate_limited() -> None:
    """stdio, the static token and the CLI act as `local`: one person may create thousands."""
    limit = WriteRateLimit(limit=1, monotonic=lambda: 0.0)
    for _ in range(500):
        limit.take(LOCAL_OWNER)
    limit.take(ALICE)
    with pytest.raises(LimitError):
        limit.take(ALICE)


async def test_the_local_user_has_no_task_limit(backend: LocalBackend) -> None:
    """The backend fixture allows 2 tasks per owner; `local` (no OAuth) creates more."""
    for number in range(4):
        await backend.create_task(spec(f"local {number}"))
    assert (await backend.list_tasks(TaskFilters(), 10, None)).total == 4


async def test_a_write_refused_by_the_rate_limit_changes_nothing(backend: LocalBackend) -> None:
    service = TaskService(backend, "UTC", lambda: NOW, WriteRateLimit(limit=1))
    with acting_as(ALICE):
        task = await service.create(spec("first"))
        with pytest.raises(LimitError):
            await service.update(task.id, TaskPatch(name="renamed"), None, None)
        assert (await service.get(task.id)).name is None


ASSISTANTS = """
[assistants.hook]
type = "webhook"
url = "https://hooks.example.com/x"
users = ["alice"]

[assistants.shared]
type = "inbox"
users = ["*"]

[assistants.admin]
type = "command"
argv = ["true"]
"""


def test_assistants_are_available_by_users(tmp_path: Path) -> None:
    registry = load_assistants(write_assistants(tmp_path / "a.toml", ASSISTANTS))
    assert registry.names("local") == ["admin", "hook", "inbox", "shared"]
    assert registry.names(ALICE) == ["hook", "inbox", "shared"]
    assert registry.names(BOB) == ["inbox", "shared"]
    with pytest.raises(NotFoundError, match="Unknown assistant 'hook'"):
        registry.get("hook", BOB)
    assert [i.name for i in registry.infos(BOB)] == ["inbox", "shared"]


def test_users_must_be_a_list_of_names(tmp_path: Path) -> None:
    from agentcron.errors import ConfigError

    path = write_assistants(tmp_path / "a.toml", '[assistants.x]\ntype = "inbox"\nusers = "bob"\n')
    with pytest.raises(ConfigError, match="users"):
        load_assistants(path)


def test_a_run_carries_its_owner() -> None:
    request = FireRequest(task_id="task_1", run_id="run_1", scheduled_for=NOW, prompt="p",
                          metadata={}, chat_id="standup", task_name=None, owner=ALICE)
    assert json.loads(payload(request))["owner"] == ALICE
    # Two people picking the same chat_id keep separate conversations.
    other = FireRequest(task_id="task_2", run_id="run_2", scheduled_for=NOW, prompt="p",
                        metadata={}, chat_id="standup", task_name=None, owner=BOB)
    assert request.conversation_key != other.conversation_key
    local = FireRequest(task_id="task_3", run_id="run_3", scheduled_for=NOW, prompt="p",
                        metadata={}, chat_id="standup", task_name=None)
    assert local.conversation_key == "standup"  # existing conversations stay where they are
