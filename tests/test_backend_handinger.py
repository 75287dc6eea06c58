"""The Handinger adapter through a real MCP client, against a contract server that enforces
Handinger's documented wire shapes (tests/contract_servers/handinger.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from mcp import Client

from agentcron.backends.factory import build_backend
from agentcron.config import Settings
from agentcron.errors import ConfigError
from tests.contract_servers.base import status
from tests.contract_servers.handinger import HandingerAPI
from tests.contract_servers.harness import (
    SECRET,
    FakeSleep,
    call,
    connect,
    refused,
    settings_for,
    tune_http,
)

pytestmark = pytest.mark.anyio

WORKER = "t_org_1_w_01"  # what settings_for() configures
SCHEDULES = f"/api/workers/{WORKER}/schedules"


@pytest.fixture
def api() -> Iterator[HandingerAPI]:
    server = HandingerAPI(SECRET, WORKER)
    with server.running():
        yield server


@pytest.fixture
def sleep(monkeypatch: pytest.MonkeyPatch) -> FakeSleep:
    fake = FakeSleep()
    tune_http(monkeypatch, "handinger", fake)
    return fake


@pytest.fixture
async def client(api: HandingerAPI, sleep: FakeSleep) -> AsyncIterator[Client]:
    async with connect(settings_for("handinger", api.url)) as connected:
        yield connected


async def create(client: Client, **arguments: Any) -> dict[str, Any]:
    values = {"prompt": "Check the build", "schedule": "0 9 * * 1-5"}
    return await call(client, "create_scheduled_task", **(values | arguments))


# --- configuration ---------------------------------------------------------------------------


def test_build_names_every_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AGENTCRON_HANDINGER_API_KEY", "AGENTCRON_HANDINGER_WORKER_ID"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError) as caught:
        build_backend(Settings(_env_file=None, backend="handinger"))  # type: ignore[call-arg]
    assert "AGENTCRON_HANDINGER_API_KEY" in str(caught.value)
    assert "AGENTCRON_HANDINGER_WORKER_ID" in str(caught.value)


# --- the contract server itself enforces the documented shapes -------------------------------


def test_the_contract_server_rejects_wrong_shapes(api: HandingerAPI) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    with httpx.Client(base_url=api.url) as http:
        assert http.get(SCHEDULES).status_code == 401
        assert http.get(SCHEDULES, headers={"Authorization": "Bearer wrong"}).json() == {
            "error": "The API key is missing, malformed or revoked."}
        assert http.get("/api/workers/other/schedules", headers=auth).status_code == 403
        snake = http.post(SCHEDULES, headers=auth, json={
            "input": "x", "when": {"type": "interval", "interval_seconds": 60}})
        assert snake.status_code == 400 and "interval_seconds" in snake.json()["error"]
        assert http.post(SCHEDULES, headers=auth, json={
            "input": "", "when": {"type": "cron", "cron": "0 9 * * *"}}).status_code == 400
        assert http.post(SCHEDULES, headers=auth, json={
            "input": "x", "when": {"type": "cron", "cron": "0 9 * * *"}, "budget": "huge"}
        ).status_code == 400
        assert http.patch(f"{SCHEDULES}/sch_1", headers=auth, json={}).status_code == 405
    assert not api.schedules


# --- create ----------------------------------------------------------------------------------


async def test_create_cron_sends_the_documented_body(client: Client, api: HandingerAPI) -> None:
    task = await create(client)
    [sent] = api.calls()
    assert (sent.method, sent.path) == ("POST", SCHEDULES)
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert sent.body == {"input": "Check the build", "when": {"type": "cron", "cron": "0 9 * * 1-5"}}
    stored = api.schedules[task["id"]]
    assert stored["budget"] == "standard"  # no budget sent: Handinger's default applies
    assert task["backend"] == "handinger" and task["assistant_id"] == WORKER
    assert task["schedule"]["kind"] == "cron" and task["schedule"]["timezone"] == "UTC"
    assert "09:00" in task["description"] and "UTC" in task["description"]
    assert task["next_run_at"] == stored["nextRunAt"].replace(".000Z", "+00:00")
    assert task["created_at"] is None and task["updated_at"] is None and task["enabled"] is True


async def test_create_interval_sends_interval_seconds(client: Client, api: HandingerAPI) -> None:
    task = await create(client, schedule="every 90 minutes")
    assert api.calls()[0].body["when"] == {"type": "interval", "intervalSeconds": 5400}
    assert task["schedule"]["kind"] == "interval" and task["schedule"]["interval_seconds"] == 5400
    assert "90 minutes" in task["description"]


async def test_create_one_off_sends_a_scheduled_date(client: Client, api: HandingerAPI) -> None:
    task = await create(client, schedule="2030-01-02T09:00:00", timezone="Europe/Berlin")
    assert api.calls()[0].body["when"] == {"type": "scheduled", "date": "2030-01-02T08:00:00+00:00"}
    assert task["schedule"]["kind"] == "once"
    assert task["schedule"]["run_at"] == task["next_run_at"] == "2030-01-02T08:00:00+00:00"
    assert "2030-01-02" in task["description"]


async def test_a_zone_without_dst_becomes_an_exact_utc_cron(client: Client, api: HandingerAPI) -> None:
    task = await create(client, schedule="every weekday at 8am", timezone="Asia/Tokyo")
    assert api.calls()[0].body["when"] == {"type": "cron", "cron": "0 23 * * 0-4"}
    assert task["schedule"]["cron"] == "0 23 * * 0-4"


async def test_the_configured_worker_may_be_named_as_the_assistant(client: Client) -> None:
    task = await create(client, assistant_id=WORKER)
    assert task["assistant_id"] == WORKER


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"timezone": "Europe/Berlin"}, "daylight saving"),
        ({"schedule": "0 1 1 * *", "timezone": "Asia/Tokyo"}, "cannot be written as one UTC cron"),
        ({"name": "n"}, "does not support name"),
        ({"metadata": {"k": "v"}}, "does not support metadata"),
        ({"chat_id": "c"}, "does not support chat_id"),
        ({"overlap": "queue"}, "catch_up or overlap"),
        ({"enabled": False}, "pausing"),
        ({"assistant_id": "another-worker"}, "AGENTCRON_HANDINGER_WORKER_ID"),
        ({"schedule": "0 9 L * *"}, "L, # or W"),
    ],
)
async def test_refused_creates_send_no_request(
    client: Client, api: HandingerAPI, arguments: dict[str, Any], mentions: str
) -> None:
    assert mentions in await refused(client, "create_scheduled_task",
                                     **({"prompt": "p", "schedule": "@daily"} | arguments))
    assert api.count() == 0


# --- get, list, delete -----------------------------------------------------------------------


async def test_get_finds_the_task_in_the_workers_list(client: Client, api: HandingerAPI) -> None:
    task = await create(client)
    await create(client, prompt="another", schedule="@hourly")
    api.reset_log()
    assert await call(client, "get_scheduled_task", task_id=task["id"]) == task
    assert [(r.method, r.path) for r in api.calls()] == [("GET", SCHEDULES)]
    text = await refused(client, "get_scheduled_task", task_id="sch_missing")
    assert "No task with id 'sch_missing'" in text and api.count() == 2


async def test_list_sorts_by_next_run_and_pages(client: Client, api: HandingerAPI) -> None:
    # Four next runs that keep their order at any hour of the day: within the hour, just past
    # it, in 2 days, in 2031 ('every 3 hours' would tie with @hourly at 15:00 and pass 'soon').
    now = datetime.now(timezone.utc)
    soon = now + timedelta(hours=1, minutes=1)
    later = now + timedelta(days=2)
    late = await create(client, prompt="late", schedule="2031-01-01T00:00:00Z")
    hourly = await create(client, prompt="hourly", schedule="@hourly")
    once = await create(client, prompt="soon", schedule=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))
    yearly = await create(client, prompt="in two days",
                            schedule=f"0 {later.hour} {later.day} {later.month} *")
    api.reset_log()
    first = await call(client, "list_scheduled_tasks", limit=3)
    second = await call(client, "list_scheduled_tasks", limit=3, cursor=first["next_cursor"])
    ids = [t["id"] for t in first["tasks"] + second["tasks"]]
    assert first["total"] == 4 and second["next_cursor"] is None
    assert ids == [hourly["id"], once["id"], yearly["id"], late["id"]]
    assert api.count("GET", SCHEDULES) == 2
    assert (await call(client, "list_scheduled_tasks", enabled=False))["total"] == 0


async def test_schedules_made_elsewhere_are_listed(client: Client, api: HandingerAPI) -> None:
    api.schedules["sch_delayed"] = {"id": "sch_delayed", "budget": "low", "input": "later",
                                    "nextRunAt": "2031-05-01T10:00:00.000Z", "type": "delayed",
                                    "delayInSeconds": 30}
    api.schedules["sch_odd"] = {"id": "sch_odd", "budget": "low", "input": "odd",
                                "nextRunAt": "2031-06-01T10:00:00.000Z", "type": "lunar"}
    listing = await call(client, "list_scheduled_tasks")
    by_id = {t["id"]: t for t in listing["tasks"]}
    assert by_id["sch_delayed"]["schedule"]["run_at"] == "2031-05-01T10:00:00+00:00"
    assert by_id["sch_delayed"]["schedule"]["kind"] == "once"
    assert "'lunar'" in by_id["sch_odd"]["description"]
    assert by_id["sch_odd"]["next_run_at"] == "2031-06-01T10:00:00+00:00"


async def test_delete_cancels_and_an_unknown_id_is_not_found(client: Client, api: HandingerAPI) -> None:
    task = await create(client)
    assert (await call(client, "delete_scheduled_task", task_id=task["id"]))["deleted"] is True
    assert api.calls()[-1].path == f"{SCHEDULES}/{task['id']}" and not api.schedules
    assert "No task with id" in await refused(client, "delete_scheduled_task", task_id=task["id"])
    api.unknown_cancel = "false"  # the other answer an unknown id might get: {"cancelled": false}
    assert "No task with id" in await refused(client, "delete_scheduled_task", task_id=task["id"])
    assert api.count("DELETE") == 3


async def test_not_found_quotes_handingers_status_and_words(client: Client, api: HandingerAPI) -> None:
    await create(client)
    api.add_schedule(type="interval", intervalSeconds=3600, cron=..., budget="low")
    # No get-one endpoint: no 404 to quote, so the message says what the list call answered.
    text = await refused(client, "get_scheduled_task", task_id="sch_missing")
    assert "No task with id 'sch_missing' on the handinger backend" in text
    assert f"GET {SCHEDULES} answered HTTP 200 with 2 schedules, none with this id" in text
    assert "no endpoint to get one schedule" in text and "Call list_scheduled_tasks" in text

    text = await refused(client, "delete_scheduled_task", task_id="sch_missing")
    assert "handinger backend" in text and "Call list_scheduled_tasks" in text
    assert f"HTTP 404 to DELETE {SCHEDULES}/sch_missing: Schedule not found" in text
    api.unknown_cancel = "false"
    text = await refused(client, "delete_scheduled_task", task_id="sch_missing")
    assert f'HTTP 200 to DELETE {SCHEDULES}/sch_missing: {{"cancelled": false}}' in text


async def test_updates_never_touch_a_stored_schedule(client: Client, api: HandingerAPI) -> None:
    """Handinger has no update: every update is refused before a request, so a schedule made
    elsewhere (a budget, a type agentcron does not write) stays exactly as it was."""
    schedule = api.add_schedule(type="delayed", delayInSeconds=30, cron=..., budget="unlimited")
    before = dict(schedule)
    api.reset_log()
    for arguments in ({"enabled": False}, {"prompt": "new"}, {"schedule": "@daily"}):
        text = await refused(client, "update_scheduled_task", task_id=schedule["id"], **arguments)
        assert "handinger backend does not support updating" in text
    assert api.count() == 0 and api.schedules[schedule["id"]] == before


# --- what Handinger cannot do ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "mentions"),
    [
        ("update_scheduled_task", {"enabled": False}, "does not support updating"),
        ("update_scheduled_task", {"prompt": "new"}, "Delete it and create a new one"),
        ("update_scheduled_task", {"timezone": "Asia/Tokyo"}, "does not support updating"),
        ("run_scheduled_task_now", {}, "does not support running a task now"),
        ("list_task_runs", {}, "does not support run history"),
    ],
)
async def test_missing_capabilities_are_refused_without_a_request(
    client: Client, api: HandingerAPI, tool: str, arguments: dict[str, Any], mentions: str
) -> None:
    task = await create(client)
    api.reset_log()
    assert mentions in await refused(client, tool, task_id=task["id"], **arguments)
    assert api.count() == 0


async def test_list_assistants_names_the_worker(client: Client, api: HandingerAPI) -> None:
    assert WORKER in await refused(client, "list_assistants")
    assert api.count() == 0


# --- errors through the tools ----------------------------------------------------------------


async def test_another_workers_id_is_handingers_403_in_words(api: HandingerAPI, sleep: FakeSleep) -> None:
    settings = settings_for("handinger", api.url, handinger_worker_id="t_org_1_w_other")
    async with connect(settings) as client:
        text = await refused(client, "list_scheduled_tasks")
    assert "handinger" in text and "403" in text and "t_org_1_w_other" in text


async def test_reads_retry_and_creates_do_not(client: Client, api: HandingerAPI, sleep: FakeSleep) -> None:
    api.inject(status(429, retry_after="3", method="GET"))
    assert (await call(client, "list_scheduled_tasks"))["total"] == 0
    assert api.count("GET") == 2 and 3 <= sleep.delays[0] <= 3.3

    api.inject(status(502, method="POST"))
    assert "502" in await refused(client, "create_scheduled_task", prompt="p", schedule="@daily")
    assert api.count("POST") == 1 and not api.schedules

    task = await create(client)
    api.inject(status(503, method="DELETE"))
    assert (await call(client, "delete_scheduled_task", task_id=task["id"]))["deleted"] is True
    assert api.count("DELETE") == 2 and not api.schedules
