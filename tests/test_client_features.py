"""MCP's client features (DESIGN.md §13) through real MCP clients: completions, elicitation
(confirm a delete, ask for a missing time zone), progress while run-now waits, and the icon.

Each feature is tested through a client that declares it and through one that does not: the
second gets the behaviour agentcron had before these features, and is sent nothing it did
not declare.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import sys
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import (
    ElicitRequest,
    ElicitRequestParams,
    ElicitResult,
    ProgressNotification,
    PromptReference,
    ResourceTemplateReference,
)

from agentcron.app import build_server
from agentcron.config import Settings
from tests.conftest import Sink, write_assistants
from tests.procs import ServerProcess, free_port, server_env

pytestmark = pytest.mark.anyio

Elicitation = Callable[[Any, ElicitRequestParams], Awaitable[ElicitResult]]
MODES = ["auto", "legacy"]  # 2026-07-28 (input-required rounds) and 2025-11-25 (mid-call requests)


@pytest.fixture(autouse=True)
def no_configured_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """'No AGENTCRON_TIMEZONE' must hold whatever the machine running the tests sets."""
    monkeypatch.delenv("AGENTCRON_TIMEZONE", raising=False)


@pytest.fixture
def settings(tmp_path: Path, sink: Sink) -> Settings:
    assistants = write_assistants(tmp_path / "assistants.toml", f"""
[assistants.notify]
type = "webhook"
url = "{sink.url}"

[assistants.nightly_report]
type = "webhook"
url = "{sink.url}"
""")
    return Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="on")


class Asker:
    """An elicitation callback that answers every question one way and keeps the questions."""

    def __init__(self, action: str, content: dict[str, Any] | None = None) -> None:
        self.action = action
        self.content = content
        self.questions: list[str] = []

    async def __call__(self, _: Any, params: ElicitRequestParams) -> ElicitResult:
        self.questions.append(params.message)
        return ElicitResult(action=self.action, content=self.content)  # type: ignore[arg-type]


@pytest.fixture
def connect(settings: Settings) -> Callable[..., Any]:
    """Open a client on a fresh server; keyword arguments go to `Client`."""

    def open_client(mode: str, server_settings: Settings | None = None, **options: Any) -> Client:
        return Client(build_server(server_settings or settings), mode=mode, **options)

    return open_client


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def offered(client: Client, ref: Any, argument: str, typed: str) -> Any:
    """What the server offers for `argument` after the user typed `typed`."""
    return (await client.complete(ref, {"name": argument, "value": typed})).completion


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def task_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM tasks ORDER BY id")]


# --- completions -----------------------------------------------------------------------------

SCHEDULE_PROMPT = PromptReference(type="ref/prompt", name="schedule_task")
TASK_TEMPLATE = ResourceTemplateReference(type="ref/resource", uri="agentcron://tasks/{task_id}")
RUNS_TEMPLATE = ResourceTemplateReference(type="ref/resource",
                                          uri="agentcron://tasks/{task_id}/runs")


@pytest.mark.parametrize("mode", MODES)
async def test_time_zones_complete_by_name_or_city(
    connect: Callable[..., Client], mode: str
) -> None:
    async with connect(mode) as client:
        assert client.server_capabilities.completions is not None
        by_area = await offered(client, SCHEDULE_PROMPT, "timezone", "europe/ber")
        assert by_area.values == ["Europe/Berlin"]
        by_city = await offered(client, SCHEDULE_PROMPT, "timezone", "New Y")
        assert by_city.values == ["America/New_York"]
        asia = await offered(client, SCHEDULE_PROMPT, "timezone", "Asia/")
        assert "Asia/Tokyo" in asia.values and all(v.startswith("Asia/") for v in asia.values)
        everything = await offered(client, SCHEDULE_PROMPT, "timezone", "")
        assert len(everything.values) == 100 and everything.has_more and everything.total > 400
        nothing = await offered(client, SCHEDULE_PROMPT, "timezone", "Mars/")
        assert nothing.values == [] and nothing.total == 0


@pytest.mark.parametrize("mode", MODES)
async def test_task_ids_complete_by_id_or_name_in_every_task_template(
    connect: Callable[..., Client], mode: str
) -> None:
    async with connect(mode) as client:
        standup = await call(client, "create_scheduled_task", prompt="notes", name="Standup notes",
                             schedule="every weekday at 9am", timezone="Europe/Berlin")
        backup = await call(client, "create_scheduled_task", prompt="back up", name="backup",
                            schedule="every day at 2am", timezone="Europe/Berlin")
        every = await offered(client, TASK_TEMPLATE, "task_id", "")
        assert sorted(every.values) == sorted([standup["id"], backup["id"]])
        named = await offered(client, TASK_TEMPLATE, "task_id", "stand")
        assert named.values == [standup["id"]]
        by_id = await offered(client, RUNS_TEMPLATE, "task_id", backup["id"][:20])
        assert by_id.values == [backup["id"]]
        ics = ResourceTemplateReference(type="ref/resource",
                                        uri="agentcron://tasks/{task_id}/calendar.ics{?days}")
        assert (await offered(client, ics, "task_id", "BACK")).values == [backup["id"]]
        await call(client, "delete_scheduled_task", task_id=backup["id"])
        after = await offered(client, TASK_TEMPLATE, "task_id", "")
        assert after.values == [standup["id"]]


@pytest.mark.parametrize("mode", MODES)
async def test_assistants_complete_default_first_and_other_arguments_get_nothing(
    connect: Callable[..., Client], mode: str
) -> None:
    async with connect(mode) as client:
        listed = await call(client, "list_assistants")
        everyone = await offered(client, SCHEDULE_PROMPT, "assistant_id", "")
        assert everyone.values[0] == listed["default"]
        assert sorted(everyone.values) == sorted(a["name"] for a in listed["assistants"])
        nightly = await offered(client, SCHEDULE_PROMPT, "assistant_id", "NI")
        assert nightly.values == ["nightly_report"]
        request = await offered(client, SCHEDULE_PROMPT, "request", "e")
        assert request.values == []


async def test_the_prompt_names_the_completed_assistant(connect: Callable[..., Client]) -> None:
    async with connect("legacy") as client:
        prompt = await client.get_prompt("schedule_task", {"request": "report at 6",
                                                           "assistant_id": "nightly_report"})
        assert "'nightly_report'" in prompt.messages[0].content.text  # type: ignore[union-attr]


# --- elicitation: confirm a delete -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_confirmed_delete_deletes_after_asking(
    connect: Callable[..., Client], settings: Settings, mode: str
) -> None:
    asker = Asker("accept", {"confirm": True})
    async with connect(mode, elicitation_callback=asker) as client:
        task = await call(client, "create_scheduled_task", prompt="x", name="standup",
                          schedule="every weekday at 9am", timezone="Europe/Berlin")
        deleted = await call(client, "delete_scheduled_task", task_id=task["id"])
        assert deleted == {"task_id": task["id"], "deleted": True}
        assert len(asker.questions) == 1
        assert task["id"] in asker.questions[0] and "'standup'" in asker.questions[0]
        assert "Europe/Berlin" in asker.questions[0]  # the description: the user sees what goes
    assert task_ids(Path(settings.db)) == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("action", "content", "reason"), [
    ("decline", None, "declined"),
    ("cancel", None, "cancelled"),
    ("accept", {"confirm": False}, "did not tick"),
])
async def test_a_refused_confirmation_deletes_nothing_and_says_so(
    connect: Callable[..., Client], settings: Settings, mode: str,
    action: str, content: dict[str, Any] | None, reason: str,
) -> None:
    asker = Asker(action, content)
    async with connect(mode, elicitation_callback=asker) as client:
        task = await call(client, "create_scheduled_task", prompt="x",
                          schedule="every weekday at 9am", timezone="Europe/Berlin")
        result = await client.call_tool("delete_scheduled_task", {"task_id": task["id"]})
        assert not result.is_error
        assert result.structured_content == {"task_id": task["id"], "deleted": False}
        assert "Not deleted" in text_of(result) and reason in text_of(result)
        assert (await call(client, "get_scheduled_task", task_id=task["id"]))["id"] == task["id"]
        assert len(asker.questions) == 1
    assert task_ids(Path(settings.db)) == [task["id"]]


@pytest.mark.parametrize("mode", MODES)
async def test_an_unknown_id_is_refused_without_asking(
    connect: Callable[..., Client], mode: str
) -> None:
    asker = Asker("accept", {"confirm": True})
    async with connect(mode, elicitation_callback=asker) as client:
        result = await client.call_tool("delete_scheduled_task", {"task_id": "task_nope"})
        assert result.is_error and "task_nope" in text_of(result)
    assert asker.questions == []


# --- elicitation: a schedule without a time zone ---------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_missing_zone_is_asked_for_and_the_answer_used(
    connect: Callable[..., Client], mode: str
) -> None:
    asker = Asker("accept", {"timezone": "asia/tokyo"})  # typed loosely, used canonically
    async with connect(mode, elicitation_callback=asker) as client:
        result = await client.call_tool("create_scheduled_task",
                                        {"prompt": "x", "schedule": "every day at 9am"})
        assert not result.is_error, result.content
        task = result.structured_content
        assert task is not None
        assert task["schedule"]["timezone"] == "Asia/Tokyo"
        assert task["next_run_at"].endswith("T09:00:00+09:00")
        assert "time zone Asia/Tokyo, as the user answered" in text_of(result)
        assert len(asker.questions) == 1 and "every day at 9am" in asker.questions[0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_a_refused_zone_question_falls_back_to_the_default_and_says_which(
    connect: Callable[..., Client], mode: str, action: str
) -> None:
    asker = Asker(action)
    async with connect(mode, elicitation_callback=asker) as client:
        result = await client.call_tool("create_scheduled_task",
                                        {"prompt": "x", "schedule": "every day at 9am"})
        assert not result.is_error, result.content
        assert result.structured_content["schedule"]["timezone"] == "UTC"  # type: ignore[index]
        assert "runs in UTC, the server's default" in text_of(result)
        assert len(asker.questions) == 1


async def test_a_zone_answer_that_is_no_zone_creates_nothing(
    connect: Callable[..., Client], settings: Settings
) -> None:
    asker = Asker("accept", {"timezone": "Mars/Olympus_Mons"})
    async with connect("legacy", elicitation_callback=asker) as client:
        result = await client.call_tool("create_scheduled_task",
                                        {"prompt": "x", "schedule": "every day at 9am"})
        assert result.is_error and "Unknown time zone 'Mars/Olympus_Mons'" in text_of(result)
    assert task_ids(Path(settings.db)) == []


@pytest.mark.parametrize("schedule, timezone, zone", [
    ("every day at 9am", "Europe/Berlin", "Europe/Berlin"),   # the caller passed one
    ("every day at 9am Tokyo time", None, "Asia/Tokyo"),      # the text names one
    ("every 90 minutes", None, "UTC"),                        # the zone changes nothing
    ("*/15 * * * *", None, "UTC"),
    ("in 2 hours", None, "UTC"),
])
async def test_no_zone_question_when_the_zone_is_known_or_irrelevant(
    connect: Callable[..., Client], schedule: str, timezone: str | None, zone: str
) -> None:
    asker = Asker("accept", {"timezone": "Asia/Kolkata"})
    async with connect("legacy", elicitation_callback=asker) as client:
        given = {"timezone": timezone} if timezone else {}
        arguments = {"prompt": "x", "schedule": schedule} | given
        task = await call(client, "create_scheduled_task", **arguments)
        assert task["schedule"]["timezone"] == zone
    assert asker.questions == []


async def test_a_configured_zone_is_used_without_asking(
    connect: Callable[..., Client], settings: Settings
) -> None:
    asker = Asker("accept", {"timezone": "Asia/Kolkata"})
    configured = Settings(db=settings.db, assistants=settings.assistants, runner="on",
                          timezone="America/Chicago")
    async with connect("legacy", configured, elicitation_callback=asker) as client:
        task = await call(client, "create_scheduled_task", prompt="x", schedule="every day at 9am")
        assert task["schedule"]["timezone"] == "America/Chicago"
    assert asker.questions == []


# --- progress --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_run_now_reports_increasing_progress_while_it_waits(
    connect: Callable[..., Client], sink: Sink, mode: str
) -> None:
    sink.delays["/hook"] = 2.5  # a slow receiver: the run takes about 2.5 s
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with connect(mode) as client:
        task = await call(client, "create_scheduled_task", prompt="x", assistant_id="notify",
                          schedule="every day at 9am", timezone="UTC")
        result = await client.call_tool("run_scheduled_task_now", {"task_id": task["id"]},
                                        progress_callback=on_progress)
        assert not result.is_error, result.content
        assert result.structured_content["status"] == "succeeded"  # type: ignore[index]
    progress = [p for p, _, _ in seen]
    assert len(progress) >= 3, seen  # a tick a second, then the end
    assert progress == sorted(set(progress)), seen  # strictly increasing
    assert seen[-1][0] == seen[-1][1] == 30.0
    assert "succeeded" in (seen[-1][2] or "")
    assert all("waiting for the run of task" in (m or "") for _, _, m in seen[:-1])


# --- a client that declares nothing ----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_without_elicitation_or_progress_gets_the_old_behaviour_and_nothing_else(
    connect: Callable[..., Client], settings: Settings, sink: Sink, mode: str
) -> None:
    received: list[Any] = []

    async def record(message: Any) -> None:
        received.append(getattr(message, "request", message))

    sink.delays["/hook"] = 1.5
    async with connect(mode, message_handler=record) as client:
        task = await call(client, "create_scheduled_task", prompt="x", assistant_id="notify",
                          schedule="every day at 9am")
        assert task["schedule"]["timezone"] == "UTC"  # today's behaviour: the default zone
        run = await call(client, "run_scheduled_task_now", task_id=task["id"])
        assert run["status"] == "succeeded"
        deleted = await call(client, "delete_scheduled_task", task_id=task["id"])
        assert deleted == {"task_id": task["id"], "deleted": True}
    assert task_ids(Path(settings.db)) == []
    unasked = [m for m in received if isinstance(m, ElicitRequest | ProgressNotification)]
    assert unasked == [], received


async def test_a_stdio_client_is_asked_to_confirm_and_its_decline_keeps_the_task(
    tmp_path: Path,
) -> None:
    """The same question over a real subprocess and JSON-RPC on pipes, as hosts run it."""
    env = {**os.environ, "AGENTCRON_DB": str(tmp_path / "s.db"),
           "AGENTCRON_ASSISTANTS": str(tmp_path / "none.toml"), "AGENTCRON_RUNNER": "off"}
    env.pop("AGENTCRON_TIMEZONE", None)
    params = StdioServerParameters(command=sys.executable, args=["-m", "agentcron"], env=env)
    asker = Asker("decline")
    async with Client(params, mode="legacy", elicitation_callback=asker) as client:
        assert client.server_info is not None and client.server_info.icons
        task = await call(client, "create_scheduled_task", prompt="x",
                          schedule="every weekday at 9am", timezone="Europe/Riga")
        kept = await call(client, "delete_scheduled_task", task_id=task["id"])
        assert kept == {"task_id": task["id"], "deleted": False}
        assert len(asker.questions) == 1
    assert task_ids(tmp_path / "s.db") == [task["id"]]


@pytest.fixture(scope="module")
def http_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real `agentcron serve --http` on 127.0.0.1, the way remote clients reach it."""
    home = tmp_path_factory.mktemp("http")
    port = free_port()
    server = ServerProcess(["serve", "--http", "--port", str(port)],
                           server_env(home, AGENTCRON_RUNNER="on"), cwd=home)
    try:
        line = server.wait_for_stderr("agentcron serving MCP over HTTP at")
        yield line.split(" at ", 1)[1].strip()
    finally:
        server.stop()


@pytest.mark.parametrize("mode", MODES)
async def test_over_http_the_delete_is_confirmed_and_run_now_reports_progress(
    http_url: str, mode: str
) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    declining, accepting = Asker("decline"), Asker("accept", {"confirm": True})
    async with httpx2.AsyncClient(timeout=30) as http:
        transport = streamable_http_client(http_url, http_client=http)
        async with Client(transport, mode=mode, elicitation_callback=declining) as client:
            task = await call(client, "create_scheduled_task", prompt="x", name="standup",
                              schedule="every weekday at 9am", timezone="Europe/Berlin")
            run = await client.call_tool("run_scheduled_task_now", {"task_id": task["id"]},
                                         progress_callback=on_progress)
            assert not run.is_error, run.content
            kept = await call(client, "delete_scheduled_task", task_id=task["id"])
            assert kept["deleted"] is False and len(declining.questions) == 1
            named = await offered(client, TASK_TEMPLATE, "task_id", "standup")
            assert named.values == [task["id"]]
    assert len(seen) >= 2 and seen == sorted(set(seen)) and seen[-1] == 30.0
    async with httpx2.AsyncClient(timeout=30) as http:
        transport = streamable_http_client(http_url, http_client=http)
        async with Client(transport, mode=mode, elicitation_callback=accepting) as client:
            deleted = await call(client, "delete_scheduled_task", task_id=task["id"])
            assert deleted["deleted"] is True and len(accepting.questions) == 1
            gone = await client.call_tool("get_scheduled_task", {"task_id": task["id"]})
            assert gone.is_error


# --- icons -----------------------------------------------------------------------------------


def svg_of(src: str) -> ET.Element:
    head, _, payload = src.partition(",")
    assert head == "data:image/svg+xml;base64"
    return ET.fromstring(base64.b64decode(payload))


@pytest.mark.parametrize("mode", MODES)
async def test_server_tools_and_prompt_carry_one_self_contained_svg_icon(
    connect: Callable[..., Client], mode: str
) -> None:
    async with connect(mode) as client:
        assert client.server_info is not None and client.server_info.icons
        server_icon = client.server_info.icons[0]
        assert server_icon.mime_type == "image/svg+xml"
        assert svg_of(server_icon.src).tag == "{http://www.w3.org/2000/svg}svg"
        svg_text = base64.b64decode(server_icon.src.partition(",")[2]).decode()
        assert "http" not in svg_text.replace("http://www.w3.org/2000/svg", "")  # fetches nothing
        tools = (await client.list_tools()).tools
        assert tools and all(t.icons and t.icons[0].src == server_icon.src for t in tools)
        prompts = (await client.list_prompts()).prompts
        assert all(p.icons and p.icons[0].src == server_icon.src for p in prompts)
