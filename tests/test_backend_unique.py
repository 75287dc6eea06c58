"""The Unique adapter through a real MCP client, against a contract server that enforces
Unique's documented wire shapes and headers (tests/contract_servers/unique.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from mcp import Client

from agentcron.backends.factory import build_backend
from agentcron.config import Settings
from agentcron.errors import ConfigError
from tests.contract_servers.base import Fault, status
from tests.contract_servers.harness import (
    SECRET,
    FakeSleep,
    call,
    changed,
    connect,
    refused,
    settings_for,
    tune_http,
)
from tests.contract_servers.unique import PREFIX, UniqueAPI

pytestmark = pytest.mark.anyio

ASSISTANT = "assistant_a1"
TASKS = f"{PREFIX}/scheduled-tasks"


@pytest.fixture
def api() -> Iterator[UniqueAPI]:
    server = UniqueAPI(SECRET, company_id="company_1", user_id="user_1", app_id="app_1")
    with server.running():
        yield server


@pytest.fixture
def sleep(monkeypatch: pytest.MonkeyPatch) -> FakeSleep:
    fake = FakeSleep()
    tune_http(monkeypatch, "unique", fake)
    return fake


@pytest.fixture
async def client(api: UniqueAPI, sleep: FakeSleep) -> AsyncIterator[Client]:
    async with connect(settings_for("unique", api.base_url)) as connected:
        yield connected


async def create(client: Client, **arguments: Any) -> dict[str, Any]:
    values = {"prompt": "Summarise the news", "schedule": "0 9 * * 1-5", "assistant_id": ASSISTANT}
    return await call(client, "create_scheduled_task", **(values | arguments))


# --- configuration ---------------------------------------------------------------------------


def test_build_names_every_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ("API_KEY", "COMPANY_ID", "USER_ID", "APP_ID")
    for name in names:
        monkeypatch.delenv(f"AGENTCRON_UNIQUE_{name}", raising=False)
    with pytest.raises(ConfigError) as caught:
        build_backend(Settings(_env_file=None, backend="unique"))  # type: ignore[call-arg]
    assert all(f"AGENTCRON_UNIQUE_{name}" in str(caught.value) for name in names)


async def test_empty_key_and_app_id_leave_those_headers_out(sleep: FakeSleep) -> None:
    """A secured in-cluster gateway: like the Unique CLI, send no Authorization and no x-app-id."""
    server = UniqueAPI(None, company_id="company_1", user_id="user_1", app_id=None)
    with server.running():
        settings = settings_for("unique", server.base_url, unique_api_key="", unique_app_id="")
        async with connect(settings) as client:
            await create(client)
    headers = server.calls()[0].headers
    assert "authorization" not in headers and "x-app-id" not in headers


# --- the contract server itself enforces the documented shapes -------------------------------


def test_the_contract_server_rejects_wrong_shapes_and_headers(api: UniqueAPI) -> None:
    headers = {"Authorization": f"Bearer {SECRET}", "x-company-id": "company_1",
               "x-user-id": "user_1", "x-app-id": "app_1", "x-api-version": "2023-12-06"}
    body = {"cronExpression": "0 9 * * *", "assistantId": ASSISTANT, "prompt": "p"}
    with httpx.Client(base_url=api.url) as http:
        assert http.get(TASKS, headers={**headers, "Authorization": ""}).status_code == 401
        for header in ("x-company-id", "x-user-id", "x-app-id", "x-api-version"):
            missing = http.get(TASKS, headers={k: v for k, v in headers.items() if k != header})
            assert missing.status_code == 400 and header in missing.json()["error"]["message"]
        assert http.get("/scheduled-tasks", headers=headers).status_code == 404  # no prefix
        snake = http.post(TASKS, headers=headers, json={"cron_expression": "0 9 * * *",
                                                        "assistantId": ASSISTANT, "prompt": "p"})
        assert snake.status_code == 400
        assert "property cron_expression should not exist" in snake.json()["error"]["message"]
        assert http.post(TASKS, headers=headers, json=body | {"timezone": None}).status_code == 400
        assert http.post(TASKS, headers=headers, json=body | {"name": None}).status_code == 400
        assert http.post(TASKS, headers=headers, json=body | {"timezone": "+02:00"}).status_code == 400
    assert not api.tasks


# --- create ----------------------------------------------------------------------------------


async def test_create_sends_only_given_fields_with_every_header(client: Client, api: UniqueAPI) -> None:
    task = await create(client)
    [sent] = api.calls()
    assert (sent.method, sent.path) == ("POST", TASKS)
    assert sent.body == {"cronExpression": "0 9 * * 1-5", "assistantId": ASSISTANT,
                         "prompt": "Summarise the news", "enabled": True}
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert (sent.headers["x-company-id"], sent.headers["x-user-id"], sent.headers["x-app-id"],
            sent.headers["x-api-version"]) == ("company_1", "user_1", "app_1", "2023-12-06")
    assert task["backend"] == "unique" and task["id"].startswith("scheduled_task_")
    assert task["assistant_id"] == ASSISTANT and task["name"] is None and task["chat_id"] is None
    assert task["schedule"]["timezone"] == "UTC" and "UTC" in task["description"]
    assert task["created_at"] and task["updated_at"] and task["metadata"] == {}
    assert await call(client, "get_scheduled_task", task_id=task["id"]) == task


async def test_create_with_zone_name_and_chat(client: Client, api: UniqueAPI) -> None:
    task = await create(client, schedule="every day at 9am", timezone="Europe/Zurich",
                        name="Morning news", chat_id="chat_42", enabled=False)
    assert api.calls()[0].body == {
        "cronExpression": "0 9 * * *", "assistantId": ASSISTANT, "prompt": "Summarise the news",
        "enabled": False, "name": "Morning news", "chatId": "chat_42", "timezone": "Europe/Zurich"}
    assert task["schedule"]["timezone"] == "Europe/Zurich" and "Europe/Zurich" in task["description"]
    assert task["name"] == "Morning news" and task["chat_id"] == "chat_42"
    assert task["enabled"] is False and task["next_run_at"] is None


async def test_next_run_is_computed_in_the_tasks_zone(client: Client) -> None:
    task = await create(client, schedule="0 9 * * *", timezone="Asia/Tokyo")
    assert task["next_run_at"].endswith("T09:00:00+09:00")


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"schedule": "every 90 minutes"}, "interval"),
        ({"schedule": "in 2 hours"}, "one-off"),
        ({"schedule": "0 9 L * *"}, "L, # or W"),
        ({"metadata": {"k": "v"}}, "does not support metadata"),
        ({"catch_up": "skip"}, "catch_up or overlap"),
        ({"assistant_id": None}, "needs assistant_id"),
        ({"name": "n" * 129}, "128"),
    ],
)
async def test_refused_creates_send_no_request(
    client: Client, api: UniqueAPI, arguments: dict[str, Any], mentions: str
) -> None:
    values = {"prompt": "p", "schedule": "@daily", "assistant_id": ASSISTANT} | arguments
    assert mentions in await refused(client, "create_scheduled_task",
                                     **{k: v for k, v in values.items() if v is not None})
    assert api.count() == 0


# --- update ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "body"),
    [
        ({"enabled": False}, {"enabled": False}),
        ({"clear_chat_id": True}, {"chatId": None}),
        ({"chat_id": "chat_2"}, {"chatId": "chat_2"}),
        ({"prompt": "Only headlines"}, {"prompt": "Only headlines"}),
        ({"name": "Renamed"}, {"name": "Renamed"}),
        ({"assistant_id": "assistant_b"}, {"assistantId": "assistant_b"}),
        ({"schedule": "every monday at 8am", "timezone": "America/New_York"},
         {"cronExpression": "0 8 * * 1", "timezone": "America/New_York"}),
        ({"clear_chat_id": True, "enabled": False}, {"chatId": None, "enabled": False}),
    ],
)
async def test_patch_sends_only_the_changed_fields(
    client: Client, api: UniqueAPI, arguments: dict[str, Any], body: dict[str, Any]
) -> None:
    task = await create(client, chat_id="chat_1", name="News")
    api.reset_log()
    updated = await call(client, "update_scheduled_task", task_id=task["id"], **arguments)
    [sent] = api.calls("PATCH")
    assert (sent.path, sent.body) == (f"{TASKS}/{task['id']}", body)
    assert api.count() == 1 + ("schedule" in arguments)  # a schedule is compared with the stored one
    stored = api.tasks[task["id"]]
    assert updated["chat_id"] == stored["chatId"] and updated["enabled"] == stored["enabled"]
    assert updated["prompt"] == stored["prompt"] and updated["name"] == stored["name"]


async def test_an_update_changes_only_the_field_asked_for(client: Client, api: UniqueAPI) -> None:
    """A task made elsewhere (legacy null zone and name, a chat, keys agentcron does not know):
    each one-field update PATCHes that field alone, and nothing else in the record moves."""
    task = api.add_task(chatId="chat_9", assistantName="News bot", lastRunAt="2026-01-05T09:00:00Z",
                        folderId="folder_1", tags=["ops"])
    for arguments, body in [({"enabled": False}, {"enabled": False}),
                            ({"prompt": "Shorter"}, {"prompt": "Shorter"}),
                            ({"name": "Named now"}, {"name": "Named now"}),
                            ({"enabled": True}, {"enabled": True})]:
        before = dict(api.tasks[task["id"]])
        await call(client, "update_scheduled_task", task_id=task["id"], **arguments)
        assert api.calls("PATCH")[-1].body == body
        assert changed(before, api.tasks[task["id"]]) == set(body) | {"updatedAt"}, arguments
    stored = api.tasks[task["id"]]
    assert stored["timezone"] is None and stored["chatId"] == "chat_9" and stored["tags"] == ["ops"]


async def test_not_found_quotes_uniques_status_and_words(client: Client, api: UniqueAPI) -> None:
    for tool, method, extra in [("get_scheduled_task", "GET", {}),
                                ("update_scheduled_task", "PATCH", {"enabled": False}),
                                ("delete_scheduled_task", "DELETE", {})]:
        text = await refused(client, tool, task_id="scheduled_task_gone", **extra)
        assert "No task with id 'scheduled_task_gone' on the unique backend" in text, tool
        assert (f"HTTP 404 to {method} /scheduled-tasks/scheduled_task_gone: "
                "Scheduled task not found") in text, tool
        assert "Call list_scheduled_tasks" in text
    # A 200 that says nothing was deleted is a not-found too, quoted as it came.
    api.inject(Fault(status=200, body={"id": "x", "object": "scheduled_task", "deleted": False},
                     method="DELETE"))
    text = await refused(client, "delete_scheduled_task", task_id="x")
    assert "unique backend" in text and "HTTP 200 to DELETE /scheduled-tasks/x" in text
    assert '"deleted": false' in text and "Call list_scheduled_tasks" in text


async def test_timezone_alone_keeps_the_cron_and_moves_the_zone(client: Client, api: UniqueAPI) -> None:
    task = await create(client)
    api.reset_log()
    moved = await call(client, "update_scheduled_task", task_id=task["id"], timezone="Europe/Berlin")
    assert [r.method for r in api.calls()] == ["GET", "GET", "PATCH"]
    assert api.calls("PATCH")[0].body == {"timezone": "Europe/Berlin"}  # the cron is unchanged
    assert moved["schedule"]["timezone"] == "Europe/Berlin"


async def test_a_restated_schedule_keeps_the_stored_cron_text_and_null_zone(
    client: Client, api: UniqueAPI
) -> None:
    """A cron written in Unique's UI ('MON-FRI') and a legacy null zone are what they were read
    as: restating the same schedule sends nothing, a zone change sends only the zone."""
    task = api.add_task(cronExpression="0 9 * * MON-FRI", timezone=None)
    before = dict(task)
    same = await call(client, "update_scheduled_task", task_id=task["id"], schedule="0 9 * * 1-5",
                      timezone="UTC")
    assert api.count("PATCH") == 0 and api.tasks[task["id"]] == before
    assert same["schedule"]["cron"] == "0 9 * * 1-5" and same["schedule"]["timezone"] == "UTC"
    await call(client, "update_scheduled_task", task_id=task["id"], timezone="Asia/Tokyo")
    assert api.calls("PATCH")[-1].body == {"timezone": "Asia/Tokyo"}
    assert api.tasks[task["id"]]["cronExpression"] == "0 9 * * MON-FRI"


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"chat_id": "chat_2", "clear_chat_id": True}, "not both"),
        ({"metadata": {"k": "v"}}, "does not support metadata"),
        ({"schedule": "every 90 minutes"}, "interval"),
        ({"name": "n" * 129}, "128"),
        ({}, "Nothing to update"),
    ],
)
async def test_refused_updates_send_no_request(
    client: Client, api: UniqueAPI, arguments: dict[str, Any], mentions: str
) -> None:
    task = await create(client)
    api.reset_log()
    assert mentions in await refused(client, "update_scheduled_task", task_id=task["id"], **arguments)
    assert api.count() == 0


# --- list, unknown ids, delete ---------------------------------------------------------------


async def test_list_sorts_by_next_run_across_zones_filters_and_pages(client: Client, api: UniqueAPI) -> None:
    await create(client, prompt="tokyo", schedule="0 9 * * *", timezone="Asia/Tokyo")
    await create(client, prompt="utc", schedule="0 9 * * *")
    await create(client, prompt="ny", schedule="0 9 * * *", timezone="America/New_York",
                 chat_id="chat_7")
    await create(client, prompt="paused", schedule="@hourly", enabled=False, assistant_id="assistant_b")
    api.reset_log()
    first = await call(client, "list_scheduled_tasks", limit=2)
    second = await call(client, "list_scheduled_tasks", limit=2, cursor=first["next_cursor"])
    tasks = first["tasks"] + second["tasks"]
    assert first["total"] == 4 and second["next_cursor"] is None and api.count("GET", TASKS) == 2
    upcoming = [datetime.fromisoformat(t["next_run_at"]) for t in tasks[:3]]
    assert upcoming == sorted(upcoming) and tasks[3]["prompt"] == "paused"
    by_chat = await call(client, "list_scheduled_tasks", chat_id="chat_7")
    assert [t["prompt"] for t in by_chat["tasks"]] == ["ny"]
    assert (await call(client, "list_scheduled_tasks", assistant_id="assistant_b"))["total"] == 1
    assert (await call(client, "list_scheduled_tasks", enabled=True))["total"] == 3


async def test_a_bare_array_list_is_read_too(client: Client, api: UniqueAPI) -> None:
    """unique_sdk accepts both list shapes, {"data": [...]} and a bare array; so does agentcron."""
    task = await create(client)
    api.list_shape = "bare"
    listing = await call(client, "list_scheduled_tasks")
    assert [t["id"] for t in listing["tasks"]] == [task["id"]] and listing["total"] == 1


async def test_a_legacy_task_without_timezone_is_utc(client: Client, api: UniqueAPI) -> None:
    task = await create(client)
    api.tasks[task["id"]]["timezone"] = None
    shown = await call(client, "get_scheduled_task", task_id=task["id"])
    assert shown["schedule"]["timezone"] == "UTC" and shown["next_run_at"].endswith("+00:00")


async def test_delete_and_unknown_ids(client: Client, api: UniqueAPI) -> None:
    task = await create(client)
    assert (await call(client, "delete_scheduled_task", task_id=task["id"]))["deleted"] is True
    assert api.calls()[-1].method == "DELETE" and not api.tasks
    api.reset_log()
    for tool, extra in [("get_scheduled_task", {}), ("delete_scheduled_task", {}),
                        ("update_scheduled_task", {"enabled": True})]:
        text = await refused(client, tool, task_id=task["id"], **extra)
        assert f"No task with id {task['id']!r}" in text and "list_scheduled_tasks" in text
    assert api.count() == 3


@pytest.mark.parametrize(
    ("tool", "mentions"),
    [
        ("run_scheduled_task_now", "does not support running a task now"),
        ("list_task_runs", "does not support run history"),
    ],
)
async def test_missing_capabilities_are_refused_without_a_request(
    client: Client, api: UniqueAPI, tool: str, mentions: str
) -> None:
    task = await create(client)
    api.reset_log()
    assert mentions in await refused(client, tool, task_id=task["id"])
    assert api.count() == 0


async def test_list_assistants_explains_assistant_id(client: Client, api: UniqueAPI) -> None:
    assert "assistant_abc123" in await refused(client, "list_assistants")
    assert api.count() == 0


# --- errors through the tools ----------------------------------------------------------------


async def test_a_wrong_company_is_uniques_400_in_words(api: UniqueAPI, sleep: FakeSleep) -> None:
    settings = settings_for("unique", api.base_url, unique_company_id="company_2")
    async with connect(settings) as client:
        text = await refused(client, "list_scheduled_tasks")
    assert "unique" in text and "400" in text and "x-company-id" in text


async def test_patch_retries_and_create_does_not(client: Client, api: UniqueAPI, sleep: FakeSleep) -> None:
    task = await create(client)
    api.reset_log()
    api.inject(status(504, method="PATCH"))
    paused = await call(client, "update_scheduled_task", task_id=task["id"], enabled=False)
    assert paused["enabled"] is False
    assert api.count("PATCH") == 2 and len(sleep.delays) == 1
    api.inject(status(503, method="POST"))
    assert "503" in await refused(client, "create_scheduled_task", prompt="p", schedule="@daily",
                                  assistant_id=ASSISTANT)
    assert api.count("POST") == 1 and len(api.tasks) == 1
