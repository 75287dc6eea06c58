"""The Toolhouse adapter through a real MCP client, against a contract server that enforces
Toolhouse's documented wire shapes (tests/contract_servers/toolhouse.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from mcp import Client

from agentcron.backends.factory import build_backend
from agentcron.backends.hosted.utc import to_utc
from agentcron.config import Settings
from agentcron.errors import CapabilityError, ConfigError
from agentcron.models import Schedule
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
from tests.contract_servers.toolhouse import ToolhouseAPI, now_naive

pytestmark = pytest.mark.anyio

CHAT = "6f1c1e0a-3b7d-4d6e-9a51-0c2b8f4e7a10"
OTHER_CHAT = "2d9e4b71-5c3a-4f08-8e6b-7a1d0c9f3b22"
FULL_RECORD_FIELDS = {"active", "cadence", "bundle", "toolhouse_id", "vars", "chat_id", "callback_url"}


def documented(record: dict[str, object]) -> dict[str, object]:
    """The fields of ScheduleUpdateRequest, as the record holds them."""
    return {k: v for k, v in record.items() if k in FULL_RECORD_FIELDS}


@pytest.fixture
def api() -> Iterator[ToolhouseAPI]:
    server = ToolhouseAPI(SECRET, chats=(CHAT, OTHER_CHAT))
    with server.running():
        yield server


@pytest.fixture
def sleep(monkeypatch: pytest.MonkeyPatch) -> FakeSleep:
    fake = FakeSleep()
    tune_http(monkeypatch, "toolhouse", fake)
    return fake


@pytest.fixture
async def client(api: ToolhouseAPI, sleep: FakeSleep) -> AsyncIterator[Client]:
    async with connect(settings_for("toolhouse", api.url)) as connected:
        yield connected


async def create(client: Client, **arguments: Any) -> dict[str, Any]:
    values = {"prompt": "Summarise my inbox", "schedule": "0 9 * * 1-5", "assistant_id": CHAT}
    return await call(client, "create_scheduled_task", **(values | arguments))


# --- configuration ---------------------------------------------------------------------------


def test_build_names_the_missing_key_and_a_bad_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTCRON_TOOLHOUSE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="AGENTCRON_TOOLHOUSE_API_KEY"):
        build_backend(Settings(_env_file=None, backend="toolhouse"))  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="AGENTCRON_TOOLHOUSE_URL"):
        build_backend(settings_for("toolhouse", "api.toolhouse.ai"))


# --- create, get, list -----------------------------------------------------------------------


async def test_create_sends_the_documented_body_and_returns_the_task(
    client: Client, api: ToolhouseAPI
) -> None:
    task = await create(client, metadata={"team": "ops"})
    [sent] = api.calls()
    assert (sent.method, sent.path) == ("POST", "/v1/schedules")
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert sent.body == {"chat_id": CHAT, "cadence": "0 9 * * 1-5",
                         "vars": {"prompt": "Summarise my inbox", "team": "ops"}}
    assert task["backend"] == "toolhouse" and task["id"] in api.schedules
    assert task["assistant_id"] == CHAT and task["chat_id"] is None
    assert task["prompt"] == "Summarise my inbox" and task["metadata"] == {"team": "ops"}
    assert task["schedule"] == {"kind": "cron", "cron": "0 9 * * 1-5", "timezone": "UTC",
                                "interval_seconds": None, "run_at": None,
                                "rrule": None, "starts_at": None}
    assert "09:00" in task["description"] and "UTC" in task["description"]
    assert task["next_run_at"].endswith("+00:00") and task["enabled"] is True
    assert task["catch_up"] is None and task["overlap"] is None
    assert task["created_at"].endswith("+00:00")  # Toolhouse's naive timestamps are UTC

    assert await call(client, "get_scheduled_task", task_id=task["id"]) == task
    assert api.calls()[-1].path == f"/v1/schedules/{task['id']}"


@pytest.mark.parametrize(
    ("schedule", "timezone", "cadence"),
    [
        ("0 9 * * *", "Asia/Tokyo", "0 0 * * *"),
        ("every weekday at 8am", "Asia/Tokyo", "0 23 * * 0-4"),  # moves to the previous UTC day
        ("0 9 15 * *", "Asia/Tokyo", "0 0 15 * *"),
        ("0 9 * * *", "Asia/Kolkata", "30 3 * * *"),  # half-hour offset
        ("0 23 * * 5", "America/Bogota", "0 4 * * 6"),  # moves to the next UTC day
        ("0 9 * * *", "UTC", "0 9 * * *"),
    ],
)
async def test_a_zone_without_dst_becomes_an_exact_utc_cadence(
    client: Client, api: ToolhouseAPI, schedule: str, timezone: str, cadence: str
) -> None:
    task = await create(client, schedule=schedule, timezone=timezone)
    assert api.calls("POST", "/v1/schedules")[0].body["cadence"] == cadence
    assert task["schedule"]["cron"] == cadence and task["schedule"]["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"timezone": "Europe/Berlin"}, "daylight saving"),
        ({"schedule": "0 1 1 * *", "timezone": "Asia/Tokyo"}, "cannot be written as one UTC cron"),
        ({"schedule": "0 8-20 * * 1", "timezone": "Asia/Tokyo"}, "two different days"),
        ({"name": "inbox"}, "does not support name"),
        ({"chat_id": "c1"}, "does not support chat_id"),
        ({"catch_up": "all"}, "catch_up"),
        ({"schedule": "*/5 * * * *"}, "10 minutes"),
        ({"schedule": "every 90 minutes"}, "interval"),
        ({"schedule": "in 2 hours"}, "one-off"),
        ({"schedule": "0 9 L * *"}, "L, # or W"),
        ({"assistant_id": None}, "Agent Studio chat id"),
        ({"assistant_id": "my-agent"}, "not a Toolhouse chat id"),
        ({"metadata": {"prompt": "x"}}, "'prompt' key"),
    ],
)
async def test_refused_creates_send_no_request(
    client: Client, api: ToolhouseAPI, arguments: dict[str, Any], mentions: str
) -> None:
    values = {"prompt": "p", "schedule": "0 9 * * *", "assistant_id": CHAT} | arguments
    text = await refused(client, "create_scheduled_task",
                         **{k: v for k, v in values.items() if v is not None})
    assert mentions in text
    assert api.count() == 0


async def test_a_chat_that_is_not_yours_is_toolhouses_403_in_words(
    client: Client, api: ToolhouseAPI
) -> None:
    text = await refused(client, "create_scheduled_task", prompt="p", schedule="@daily",
                         assistant_id=str(uuid.uuid4()))
    assert "toolhouse" in text and "403" in text and "Invalid chat ID" in text
    assert api.count("POST", "/v1/schedules") == 1 and not api.schedules


async def test_created_paused_is_created_then_paused_with_a_full_put(
    client: Client, api: ToolhouseAPI
) -> None:
    task = await create(client, enabled=False)
    assert [(r.method, r.path) for r in api.calls()] == [
        ("POST", "/v1/schedules"), ("PUT", f"/v1/schedules/{task['id']}")]
    put = api.calls("PUT")[0].body
    assert FULL_RECORD_FIELDS <= set(put) and put["active"] is False
    assert task["enabled"] is False and task["next_run_at"] is None
    assert api.schedules[task["id"]]["active"] is False


async def test_list_sorts_by_next_run_filters_and_pages(client: Client, api: ToolhouseAPI) -> None:
    for hour in (5, 3, 9, 1):
        await create(client, prompt=f"at {hour}", schedule=f"0 {hour} * * *")
    await create(client, prompt="other", schedule="0 2 * * *", assistant_id=OTHER_CHAT)
    paused = await create(client, prompt="paused", schedule="@daily", enabled=False)
    api.reset_log()

    first = await call(client, "list_scheduled_tasks", limit=4)
    second = await call(client, "list_scheduled_tasks", limit=4, cursor=first["next_cursor"])
    assert first["total"] == second["total"] == 6 and second["next_cursor"] is None
    tasks = first["tasks"] + second["tasks"]
    assert len({t["id"] for t in tasks}) == 6 and tasks[-1]["id"] == paused["id"]
    upcoming = [datetime.fromisoformat(t["next_run_at"]) for t in tasks[:-1]]
    assert upcoming == sorted(upcoming)
    assert api.count() == 2 and api.count("GET", "/v1/schedules") == 2  # one GET per page

    mine = await call(client, "list_scheduled_tasks", assistant_id=OTHER_CHAT)
    assert [t["prompt"] for t in mine["tasks"]] == ["other"] and mine["total"] == 1
    only_paused = await call(client, "list_scheduled_tasks", enabled=False)
    assert [t["id"] for t in only_paused["tasks"]] == [paused["id"]]
    assert "cursor" in await refused(client, "list_scheduled_tasks", cursor="garbage!")


async def test_schedules_made_in_the_toolhouse_ui_are_listed_as_they_are(
    client: Client, api: ToolhouseAPI
) -> None:
    base = {"user_id": "u", "chat_id": CHAT, "created_at": now_naive(), "updated_at": now_naive(),
            "last_ran_at": "2026-01-05T09:00:00", "active": True, "bundle": "default",
            "toolhouse_id": "default", "vars": None, "callback_url": None, "chat_archived": False}
    api.schedules["a1b2c3d4-0000-4000-8000-000000000001"] = {
        **base, "id": "a1b2c3d4-0000-4000-8000-000000000001", "cadence": "0 0 9 * * *",
        "title": "Seconds cron from the UI", "archived": False}
    api.schedules["a1b2c3d4-0000-4000-8000-000000000002"] = {
        **base, "id": "a1b2c3d4-0000-4000-8000-000000000002", "cadence": "0 9 * * *",
        "title": None, "archived": True}
    listing = await call(client, "list_scheduled_tasks")
    [task] = listing["tasks"]
    assert task["name"] == "Seconds cron from the UI" and task["prompt"] == ""
    assert "'0 0 9 * * *'" in task["description"] and task["next_run_at"] is None
    assert task["last_run_at"] == "2026-01-05T09:00:00+00:00"


# --- update ----------------------------------------------------------------------------------


async def test_updates_put_the_full_record_and_never_reactivate_a_paused_schedule(
    client: Client, api: ToolhouseAPI
) -> None:
    task = await create(client, metadata={"team": "ops"})
    record = api.schedules[task["id"]]
    record.update(bundle="research", callback_url="https://hooks.example.com/th")  # set in the UI
    as_read = dict(record)
    api.reset_log()

    paused = await call(client, "update_scheduled_task", task_id=task["id"], enabled=False)
    assert [(r.method, r.path) for r in api.calls()] == [
        ("GET", f"/v1/schedules/{task['id']}"), ("PUT", f"/v1/schedules/{task['id']}")]
    assert api.calls("PUT")[-1].body == {**documented(as_read), "active": False}  # every PUT field, as read
    assert paused["enabled"] is False and paused["next_run_at"] is None

    moved = await call(client, "update_scheduled_task", task_id=task["id"], schedule="0 10 * * *")
    assert api.calls("PUT")[-1].body["active"] is False  # still paused
    assert moved["enabled"] is False and moved["schedule"]["cron"] == "0 10 * * *"
    assert api.schedules[task["id"]]["bundle"] == "research"

    reworded = await call(client, "update_scheduled_task", task_id=task["id"], prompt="Shorter")
    assert reworded["prompt"] == "Shorter" and reworded["metadata"] == {"team": "ops"}
    relabelled = await call(client, "update_scheduled_task", task_id=task["id"], metadata={"k": "v"})
    assert relabelled["prompt"] == "Shorter" and relabelled["metadata"] == {"k": "v"}
    assert api.schedules[task["id"]]["vars"] == {"prompt": "Shorter", "k": "v"}

    switched = await call(client, "update_scheduled_task", task_id=task["id"],
                          assistant_id=OTHER_CHAT, enabled=True)
    assert switched["assistant_id"] == OTHER_CHAT and switched["enabled"] is True
    assert switched["next_run_at"] is not None
    assert all(FULL_RECORD_FIELDS <= set(r.body) for r in api.calls("PUT"))


@pytest.mark.parametrize("variables", [None, {}, {"team": "ops", "empty": ""}])
async def test_an_update_sends_back_every_other_field_exactly_as_read(
    client: Client, api: ToolhouseAPI, variables: dict[str, str] | None
) -> None:
    """Issue 11: a pause of a record without a prompt var once wrote "prompt": "" into vars.

    A record made in the Toolhouse UI, with what agentcron never writes (no prompt var, null
    or empty vars, a title, an unknown key): each one-field update PUTs the record as read with
    only that field changed (every ScheduleUpdateRequest field, nothing else), and the stored
    record differs only there (and in updated_at).
    """
    record = api.add_schedule(
        vars=variables, bundle="research", toolhouse_id="user-42", title="Made in the UI",
        callback_url="https://hooks.example.com/th", last_ran_at="2026-01-05T09:00:00",
        chat_archived=None, priority="high")

    for arguments, field, value in [({"enabled": False}, "active", False),
                                    ({"schedule": "0 10 * * *"}, "cadence", "0 10 * * *"),
                                    ({"enabled": True}, "active", True)]:
        before = dict(api.schedules[record["id"]])
        await call(client, "update_scheduled_task", task_id=record["id"], **arguments)
        assert api.calls("PUT")[-1].body == {**documented(before), field: value}
        after = api.schedules[record["id"]]
        assert changed(before, after) == {field, "updated_at"}, arguments
        assert after["vars"] == variables  # null stays null, {} stays {}, no "prompt" added

    before = dict(api.schedules[record["id"]])
    reworded = await call(client, "update_scheduled_task", task_id=record["id"], prompt="Now")
    after = api.schedules[record["id"]]
    assert changed(before, after) == {"vars", "updated_at"}
    assert after["vars"] == {**(variables or {}), "prompt": "Now"}  # other vars kept
    assert reworded["prompt"] == "Now" and reworded["metadata"] == {
        k: v for k, v in (variables or {}).items()}


async def test_a_restated_cadence_keeps_the_stored_text(client: Client, api: ToolhouseAPI) -> None:
    """A cadence written in the Toolhouse UI ('MON-FRI') is not rewritten as '1-5' by an update
    that restates the same schedule (say, in a zone with the same UTC offset)."""
    record = api.add_schedule(cadence="0 9 * * MON-FRI", vars={"prompt": "p"})
    before = dict(record)
    await call(client, "update_scheduled_task", task_id=record["id"], schedule="0 9 * * 1-5",
               timezone="UTC")
    assert api.calls("PUT")[-1].body == documented(before)
    assert changed(before, api.schedules[record["id"]]) == {"updated_at"}


async def test_not_found_quotes_toolhouses_status_and_words(client: Client, api: ToolhouseAPI) -> None:
    missing = str(uuid.uuid4())
    for tool, extra in [("get_scheduled_task", {}), ("update_scheduled_task", {"enabled": False}),
                        ("run_scheduled_task_now", {}), ("list_task_runs", {})]:
        text = await refused(client, tool, task_id=missing, **extra)
        assert f"No task with id {missing!r} on the toolhouse backend" in text, tool
        assert f"HTTP 404 to GET /v1/schedules/{missing}: Schedule not found" in text, tool
        assert "Call list_scheduled_tasks" in text
    # DELETE of an unknown id is Toolhouse's 400 "Schedule not found": quoted as it came.
    text = await refused(client, "delete_scheduled_task", task_id=missing)
    assert "toolhouse backend" in text and "Call list_scheduled_tasks" in text
    assert f"HTTP 400 to DELETE /v1/schedules/{missing}: Schedule not found" in text
    # An id that is no UUID: no request, and the message says so instead of inventing a status.
    text = await refused(client, "get_scheduled_task", task_id="task_x")
    assert "toolhouse backend" in text and "no request was sent" in text
    assert api.count("PUT") == api.count("POST") == 0


async def test_a_2xx_without_a_schedule_names_status_and_body(client: Client, api: ToolhouseAPI) -> None:
    api.inject(Fault(status=200, body={"data": None, "note": "maintenance"}, method="GET"))
    text = await refused(client, "get_scheduled_task", task_id=str(uuid.uuid4()))
    assert "toolhouse backend answered HTTP 200" in text and "without a schedule" in text
    assert '"note": "maintenance"' in text and "URL setting" in text


async def test_timezone_alone_restates_the_cadence_in_utc(client: Client, api: ToolhouseAPI) -> None:
    task = await create(client, schedule="0 0 * * *")
    moved = await call(client, "update_scheduled_task", task_id=task["id"], timezone="Asia/Tokyo")
    assert api.calls("PUT")[-1].body["cadence"] == "0 15 * * *"
    assert moved["schedule"]["cron"] == "0 15 * * *"


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"name": "n"}, "does not support name"),
        ({"chat_id": "c"}, "does not support chat_id"),
        ({"clear_chat_id": True}, "does not support chat_id"),
        ({"overlap": "allow"}, "catch_up or overlap"),
        ({"schedule": "0 9 * * *", "timezone": "America/New_York"}, "daylight saving"),
        ({"schedule": "every 5 minutes"}, "10 minutes"),
        ({"assistant_id": "nope"}, "not a Toolhouse chat id"),
        ({"metadata": {"prompt": "x"}}, "'prompt' key"),
        ({}, "Nothing to update"),
    ],
)
async def test_refused_updates_send_no_request(
    client: Client, api: ToolhouseAPI, arguments: dict[str, Any], mentions: str
) -> None:
    task = await create(client)
    api.reset_log()
    assert mentions in await refused(client, "update_scheduled_task", task_id=task["id"], **arguments)
    assert api.count() == 0


# --- unknown ids, delete ---------------------------------------------------------------------


async def test_delete_then_every_tool_says_the_task_is_gone(client: Client, api: ToolhouseAPI) -> None:
    task = await create(client)
    assert await call(client, "delete_scheduled_task", task_id=task["id"]) == {
        "task_id": task["id"], "deleted": True}
    assert api.calls()[-1].method == "DELETE" and not api.schedules
    api.reset_log()

    # Toolhouse answers 400 "Schedule not found" to a DELETE of an unknown id: still "No task".
    text = await refused(client, "delete_scheduled_task", task_id=task["id"])
    assert "No task with id" in text and "list_scheduled_tasks" in text
    assert api.count("DELETE") == 1
    for tool, extra in [("get_scheduled_task", {}), ("update_scheduled_task", {"enabled": False}),
                        ("run_scheduled_task_now", {}), ("list_task_runs", {})]:
        assert "No task with id" in await refused(client, tool, task_id=task["id"], **extra)
    assert api.count("PUT") == 0 and api.count("POST") == 0


async def test_an_id_that_is_not_a_uuid_is_not_found_without_a_request(
    client: Client, api: ToolhouseAPI
) -> None:
    for tool in ("get_scheduled_task", "delete_scheduled_task", "list_task_runs"):
        assert "No task with id 'task_x'" in await refused(client, tool, task_id="task_x")
    assert api.count() == 0


# --- runs ------------------------------------------------------------------------------------


async def test_run_now_posts_an_agent_run_tied_to_the_schedule(client: Client, api: ToolhouseAPI) -> None:
    task = await create(client, metadata={"team": "ops"})
    api.reset_log()
    run = await call(client, "run_scheduled_task_now", task_id=task["id"])
    post = api.calls("POST", "/v1/agent-runs")
    assert len(post) == 1 and post[0].body == {
        "chat_id": CHAT, "schedule_id": task["id"], "bundle": "default", "toolhouse_id": "default",
        "vars": {"prompt": "Summarise my inbox", "team": "ops"}}
    assert run["task_id"] == task["id"] and run["status"] == "queued"
    assert run["scheduled_for"].endswith("Z") and run["finished_at"] is None
    assert api.count("POST", "/v1/schedules") == 0


async def test_history_is_the_schedules_agent_runs_newest_first(client: Client, api: ToolhouseAPI) -> None:
    task = await create(client)
    other = await create(client, prompt="other")
    api.add_run(task["id"], "completed", created_at="2026-01-01T09:00:00",
                updated_at="2026-01-01T09:01:00", last_agent_message="Inbox: 3 new mails")
    api.add_run(task["id"], "failed", created_at="2026-01-02T09:00:00",
                updated_at="2026-01-02T09:00:30", error="Tool timed out")
    api.add_run(task["id"], "in_progress", created_at="2026-01-03T09:00:00",
                results=[{"role": "assistant", "content": "working"}])
    api.add_run(other["id"], "completed", created_at="2026-01-04T09:00:00")
    api.add_run(None, "completed", created_at="2026-01-05T09:00:00")

    first = await call(client, "list_task_runs", task_id=task["id"], limit=2)
    second = await call(client, "list_task_runs", task_id=task["id"], limit=2,
                        cursor=first["next_cursor"])
    runs = first["runs"] + second["runs"]
    assert second["next_cursor"] is None
    assert [r["status"] for r in runs] == ["running", "failed", "succeeded"]
    assert [r["scheduled_for"] for r in runs] == [
        "2026-01-03T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-01T09:00:00Z"]
    assert runs[0]["output"] == "working" and runs[0]["finished_at"] is None
    assert runs[1]["error"] == "Tool timed out" and runs[1]["finished_at"] == "2026-01-02T09:00:30Z"
    assert runs[2]["output"] == "Inbox: 3 new mails"
    assert all(r["task_id"] == task["id"] for r in runs)


async def test_list_assistants_explains_what_assistant_id_is(client: Client, api: ToolhouseAPI) -> None:
    assert "Agent Studio chat id" in await refused(client, "list_assistants")
    assert api.count() == 0


# --- errors and retries through the tools ----------------------------------------------------


async def test_the_documentation_mistake_paths_are_never_used(client: Client, api: ToolhouseAPI) -> None:
    task = await create(client)
    await call(client, "update_scheduled_task", task_id=task["id"], enabled=False)
    await call(client, "update_scheduled_task", task_id=task["id"], schedule="0 10 * * *")
    await call(client, "delete_scheduled_task", task_id=task["id"])
    assert not [r for r in api.calls() if r.path.startswith("/v1/agent-runs")]


async def test_idempotent_calls_retry_and_creates_do_not(
    client: Client, api: ToolhouseAPI, sleep: FakeSleep
) -> None:
    task = await create(client)
    api.reset_log()
    api.inject(status(503, method="PUT"), status(502, method="PUT"))
    paused = await call(client, "update_scheduled_task", task_id=task["id"], enabled=False)
    assert paused["enabled"] is False and api.count("PUT") == 3 and len(sleep.delays) == 2

    api.inject(status(503, method="POST"))
    text = await refused(client, "create_scheduled_task", prompt="p", schedule="@daily",
                         assistant_id=CHAT)
    assert "toolhouse" in text and "503" in text
    assert api.count("POST") == 1 and len(api.schedules) == 1


async def test_a_wrong_key_is_a_401_that_never_shows_the_key(api: ToolhouseAPI, sleep: FakeSleep) -> None:
    api.api_key = "sk-the-right-one"
    async with connect(settings_for("toolhouse", api.url)) as client:
        text = await refused(client, "list_scheduled_tasks")
    assert "401" in text and "API key" in text


# --- the exact-UTC rule itself (backends/hosted/utc.py, shared with the handinger adapter) -----------

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("cron", "zone", "expected"),
    [
        ("0 9 * * *", "Asia/Tokyo", "0 0 * * *"),
        ("0 8-20 * * *", "Asia/Tokyo", "0 0-11,23 * * *"),  # every day: the day shift is invisible
        ("0 */2 * * *", "Asia/Tokyo", "0 1-23/2 * * *"),
        ("*/15 * * * *", "Asia/Kolkata", "*/15 * * * *"),
        ("0 10 * * *", "Asia/Kathmandu", "15 4 * * *"),  # +05:45
        ("30 0 10 3 *", "Asia/Tokyo", "30 15 9 3 *"),  # month kept: the 9th stays in March
        ("0 23 27 * *", "America/Bogota", "0 4 28 * *"),
        ("0 9 L * *", "Asia/Tokyo", "0 0 L * *"),  # no day shift: specials untouched
        ("0 9 * * *", "Etc/GMT-3", "0 6 * * *"),
    ],
)
def test_exact_conversions(cron: str, zone: str, expected: str) -> None:
    converted = to_utc(Schedule(kind="cron", cron=cron, timezone=zone), "toolhouse", NOW)
    assert converted == Schedule(kind="cron", cron=expected, timezone="UTC")


@pytest.mark.parametrize(
    ("cron", "zone", "mentions"),
    [
        ("0 9 * * *", "Europe/Berlin", "UTC+01:00 and UTC+02:00"),
        ("0 9 * * *", "Australia/Lord_Howe", "daylight saving"),  # a 30-minute DST shift
        ("0 23 28 * *", "America/Bogota", "only days 1-27 can move"),
        ("0 1 1 * *", "Asia/Tokyo", "only days 2-28 can move"),
        ("0 1 * 3 1", "Asia/Tokyo", "would change month"),
        ("0 1 * 3 *", "Asia/Tokyo", "across month ends"),
        ("0 1 L * *", "Asia/Tokyo", "'last' or 'n-th' day"),
        ("0 8-20 * * 1", "Asia/Tokyo", "two different days"),
    ],
)
def test_inexact_conversions_are_refused(cron: str, zone: str, mentions: str) -> None:
    with pytest.raises(CapabilityError, match=re.escape(mentions)) as caught:
        to_utc(Schedule(kind="cron", cron=cron, timezone=zone), "toolhouse", NOW)
    assert "toolhouse" in str(caught.value) and "timezone='UTC'" in str(caught.value)


def test_a_dst_refusal_offers_todays_utc_equivalent() -> None:
    with pytest.raises(CapabilityError, match=r"schedule='0 8 \* \* 1-5' with timezone='UTC'"):
        to_utc(Schedule(kind="cron", cron="0 9 * * 1-5", timezone="Europe/Berlin"), "toolhouse", NOW)


def test_intervals_and_one_offs_convert_exactly() -> None:
    interval = Schedule(kind="interval", interval_seconds=5400, timezone="Europe/Berlin")
    assert to_utc(interval, "handinger", NOW).timezone == "UTC"
    once = Schedule(kind="once", run_at="2026-07-01T09:00:00+02:00", timezone="Europe/Berlin")
    assert to_utc(once, "handinger", NOW).run_at == "2026-07-01T07:00:00+00:00"
