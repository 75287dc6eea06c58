"""Every task tool through a real MCP client: success paths, and refusals that change nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from agentcron.app import build_server
from agentcron.config import Settings
from tests.conftest import Sink, write_assistants

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(tmp_path: Path, sink: Sink) -> Settings:
    assistants = write_assistants(tmp_path / "assistants.toml", f"""
[assistants.notify]
type = "webhook"
url = "{sink.url}"
""")
    return Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="on")


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(settings), mode=request.param) as connected:
        yield connected


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def refused(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    return " ".join(getattr(block, "text", "") for block in result.content)


def snapshot(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        tasks = conn.execute("SELECT * FROM tasks ORDER BY id").fetchall()
        runs = conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
    return [*tasks, ("runs",), *runs]


async def test_tools_list_has_every_task_tool_with_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    expected = {
        "create_scheduled_task": (False, False, False),
        "list_scheduled_tasks": (True, False, True),
        "get_scheduled_task": (True, False, True),
        "update_scheduled_task": (False, False, True),
        "delete_scheduled_task": (False, True, True),
        "run_scheduled_task_now": (False, False, False),
        "list_task_runs": (True, False, True),
        "list_assistants": (True, False, True),
    }
    for name, (read_only, destructive, idempotent) in expected.items():
        notes = tools[name].annotations
        assert notes is not None, name
        assert (notes.read_only_hint, notes.destructive_hint, notes.idempotent_hint) == (
            read_only, destructive, idempotent), name
        assert tools[name].output_schema is not None


async def test_create_get_list_update_delete_round_trip(client: Client) -> None:
    task = await call(client, "create_scheduled_task", prompt="Summarise my inbox",
                      schedule="every weekday at 9am", timezone="Europe/Berlin",
                      name="inbox", metadata={"team": "ops"})
    assert task["schedule"] == {"kind": "cron", "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin",
                                "interval_seconds": None, "run_at": None,
                                "rrule": None, "starts_at": None}
    assert "09:00" in task["description"] and task["next_run_at"][-6:] in ("+01:00", "+02:00")
    assert task["backend"] == "local" and task["enabled"] is True
    assert await call(client, "get_scheduled_task", task_id=task["id"]) == task

    listing = await call(client, "list_scheduled_tasks")
    assert listing["total"] == 1 and listing["tasks"][0]["id"] == task["id"]

    paused = await call(client, "update_scheduled_task", task_id=task["id"], enabled=False)
    assert paused["enabled"] is False and paused["next_run_at"] is None
    assert paused["prompt"] == "Summarise my inbox" and paused["metadata"] == {"team": "ops"}

    moved = await call(client, "update_scheduled_task", task_id=task["id"],
                       schedule="every 2 hours", enabled=True)
    assert moved["schedule"]["cron"] == "0 */2 * * *" and moved["enabled"] is True
    assert moved["schedule"]["timezone"] == "UTC" and moved["name"] == "inbox"

    rezoned = await call(client, "update_scheduled_task", task_id=task["id"], timezone="Asia/Tokyo")
    assert rezoned["schedule"]["timezone"] == "Asia/Tokyo" and rezoned["next_run_at"].endswith("+09:00")

    chat = await call(client, "update_scheduled_task", task_id=task["id"], chat_id="c1")
    assert chat["chat_id"] == "c1"
    cleared = await call(client, "update_scheduled_task", task_id=task["id"], clear_chat_id=True)
    assert cleared["chat_id"] is None

    assert await call(client, "delete_scheduled_task", task_id=task["id"]) == {
        "task_id": task["id"], "deleted": True}
    assert "No task" in await refused(client, "get_scheduled_task", task_id=task["id"])


async def test_interval_and_one_off_tasks(client: Client) -> None:
    interval = await call(client, "create_scheduled_task", prompt="p", schedule="every 90 minutes")
    assert interval["schedule"]["kind"] == "interval"
    assert interval["schedule"]["interval_seconds"] == 5400
    once = await call(client, "create_scheduled_task", prompt="p", schedule="in 2 hours")
    assert once["schedule"]["kind"] == "once" and once["next_run_at"] == once["schedule"]["run_at"]


async def test_list_paginates_by_cursor_sorted_by_next_run(client: Client) -> None:
    for hour in (5, 3, 9, 1, 7):
        await call(client, "create_scheduled_task", prompt=f"at {hour}", schedule=f"every day at {hour}:00")
    paused = await call(client, "create_scheduled_task", prompt="paused", schedule="@daily",
                        enabled=False)
    first = await call(client, "list_scheduled_tasks", limit=4)
    assert first["total"] == 6 and first["next_cursor"]
    second = await call(client, "list_scheduled_tasks", limit=4, cursor=first["next_cursor"])
    ids = [t["id"] for t in first["tasks"] + second["tasks"]]
    assert len(set(ids)) == 6 and ids[-1] == paused["id"] and second["next_cursor"] is None
    runs = [t["next_run_at"] for t in first["tasks"] + second["tasks"][:-1]]
    assert runs == sorted(runs, key=datetime.fromisoformat)
    only_paused = await call(client, "list_scheduled_tasks", enabled=False)
    assert only_paused["total"] == 1 and only_paused["tasks"][0]["id"] == paused["id"]


async def test_run_now_fires_the_webhook_and_shows_in_history(client: Client, sink: Sink) -> None:
    task = await call(client, "create_scheduled_task", prompt="ping", schedule="@yearly",
                      assistant_id="notify", metadata={"k": "v"})
    run = await call(client, "run_scheduled_task_now", task_id=task["id"])
    assert run["status"] == "succeeded" and run["task_id"] == task["id"]
    assert len(sink.requests) == 1
    body = sink.requests[0]["json"]
    assert body["task_id"] == task["id"] and body["prompt"] == "ping" and body["metadata"] == {"k": "v"}
    assert sink.keys() == [f"{task['id']}:{run['scheduled_for']}"]
    history = await call(client, "list_task_runs", task_id=task["id"])
    assert [r["id"] for r in history["runs"]] == [run["id"]]


async def test_list_assistants_shows_the_configured_ones(client: Client) -> None:
    result = await call(client, "list_assistants")
    names = {a["name"]: a for a in result["assistants"]}
    assert set(names) == {"inbox", "notify"} and result["default"] == "inbox"
    assert names["notify"]["type"] == "webhook"


@pytest.mark.parametrize(
    ("tool", "arguments", "mentions"),
    [
        ("create_scheduled_task", {"prompt": "p", "schedule": "whenever you like"}, "whenever"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "0 0 31 2 *"}, "never fires"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "timezone": "Moon/Base"}, "Moon/Base"),
        ("create_scheduled_task", {"prompt": "", "schedule": "@daily"}, "prompt"),
        ("create_scheduled_task", {"prompt": "x" * 20001, "schedule": "@daily"}, "20000"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "name": "n" * 201}, "200"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily",
                                   "metadata": {f"k{i}": "v" for i in range(33)}}, "32"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "assistant_id": "ghost"}, "notify"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "catch_up": "sometimes"}, "catch_up"),
        ("get_scheduled_task", {"task_id": "task_nope"}, "list_scheduled_tasks"),
        ("delete_scheduled_task", {"task_id": "task_nope"}, "No task"),
        ("run_scheduled_task_now", {"task_id": "task_nope"}, "No task"),
        ("list_task_runs", {"task_id": "task_nope"}, "No task"),
        ("list_scheduled_tasks", {"limit": 101}, "100"),
        ("list_scheduled_tasks", {"cursor": "garbage!"}, "cursor"),
    ],
)
async def test_refused_calls_explain_and_change_nothing(
    client: Client, settings: Settings, tool: str, arguments: dict[str, Any], mentions: str
) -> None:
    await call(client, "create_scheduled_task", prompt="keep", schedule="@daily")
    before = snapshot(settings.db)
    assert mentions in await refused(client, tool, **arguments)
    assert snapshot(settings.db) == before


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"chat_id": "c", "clear_chat_id": True}, "not both"),
        ({"schedule": "every blue moon"}, "blue"),
        ({"assistant_id": "ghost"}, "ghost"),
        ({}, "Nothing to update"),
        ({"prompt": "x" * 20001}, "20000"),
    ],
)
async def test_refused_updates_change_nothing(
    client: Client, settings: Settings, arguments: dict[str, Any], mentions: str
) -> None:
    task = await call(client, "create_scheduled_task", prompt="keep", schedule="@daily")
    before = snapshot(settings.db)
    assert mentions in await refused(client, "update_scheduled_task", task_id=task["id"], **arguments)
    assert snapshot(settings.db) == before
