"""The langgraph backend, driven through every task tool against a real `langgraph dev` server.

The server (langgraph-cli[inmem]: langgraph-api with the in-memory runtime) runs the complete
cron API and fires crons; it needs no key and no network. One server serves the whole session,
in a fresh temporary folder (it keeps state in `.langgraph_api/` there), and each test starts
with no crons. Tests that only check refusals point at a port nobody listens on: a refusal that
made a request would fail with "could not be reached" instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from agentcron.app import build_server
from agentcron.backends.base import TaskFilters
from agentcron.backends.hosted.langgraph import build
from agentcron.cadence.timeline import next_runs
from agentcron.config import Settings
from agentcron.errors import BackendError, ConfigError
from agentcron.models import Schedule
from mcp import Client
from tests.contract_servers.harness import changed

pytestmark = pytest.mark.anyio

needs_server = pytest.mark.skipif(
    importlib.util.find_spec("langgraph_cli") is None,
    reason="langgraph-cli is not installed: `pip install -e '.[test]'` installs langgraph-cli[inmem] "
    "to run the langgraph backend against a real `langgraph dev` server",
)

GRAPH = '''\
"""One node: answer with an AI message echoing the last message; fail when asked to."""
from typing import Annotated, TypedDict

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages


class State(TypedDict):
    messages: Annotated[list, add_messages]


def echo(state: State) -> dict:
    last = state["messages"][-1].content
    if "please fail" in last:
        raise ValueError(f"asked to fail: {last}")
    return {"messages": [AIMessage(content=f"echo: {last}")]}


builder = StateGraph(State)
builder.add_node("echo", echo)
builder.add_edge(START, "echo")
builder.add_edge("echo", END)
graph = builder.compile()
'''

START_TIMEOUT_SECONDS = 90.0
FIRE_TIMEOUT_SECONDS = 80.0  # `* * * * *` fires within a minute; the scheduler polls every 5 s
API_LINE = re.compile(r"API:\s*(?:\x1b\[[0-9;]*m)?(https?://[^\s\x1b]+)")
# Environment variables that would send traces, analytics or version checks out, or give the
# dev server a key or license it would try to validate.
DROPPED_ENV = ("LANGSMITH_", "LANGCHAIN_", "LANGGRAPH_", "AGENTCRON_", "OPENAI_")
QUIET_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # langgraph_cli/analytics.py
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # langgraph_api/cli.py
    "NO_COLOR": "1",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DevServer:
    """`langgraph dev` in its own process group, its log collected line by line."""

    def __init__(self, folder: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV)}
        env.update(QUIET_ENV)
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "langgraph_cli", "dev", "--no-browser", "--no-reload",
             "--host", "127.0.0.1", "--port", str(free_port())],
            cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        self.url = self._wait_until_ready()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def log(self) -> str:
        return "".join(self.lines[-60:])

    def _wait_until_ready(self) -> str:
        """The port comes from the log: `langgraph dev` silently moves to another one if busy."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        url = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"langgraph dev exited with {self.proc.returncode}:\n{self.log()}")
            if url is None:
                url = next((m.group(1) for line in list(self.lines)
                            if (m := API_LINE.search(line))), None)
            if url is not None:
                try:
                    if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                        return url
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"langgraph dev did not answer /ok in {START_TIMEOUT_SECONDS:.0f} s:\n"
                           f"{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    folder = tmp_path_factory.mktemp("langgraph_app")
    (folder / "graph.py").write_text(GRAPH, encoding="utf-8")
    (folder / "langgraph.json").write_text(
        '{"dependencies": ["."], "graphs": {"echo": "./graph.py:graph"}}', encoding="utf-8"
    )
    server = DevServer(folder)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def wire(dev_server: DevServer) -> Iterator[httpx.Client]:
    """Direct access to the deployment, which starts every test with no crons."""
    with httpx.Client(base_url=dev_server.url, timeout=30) as http:
        crons = http.post("/runs/crons/search", json={"limit": 1000}).json()
        for cron in crons:
            assert http.delete(f"/runs/crons/{cron['cron_id']}").status_code == 204
        yield http


def settings_for(url: str, **extra: Any) -> Settings:
    return Settings(backend="langgraph", langgraph_url=url, timezone="UTC", **extra)


@pytest.fixture
async def client(dev_server: DevServer, wire: httpx.Client) -> AsyncIterator[Client]:
    async with Client(build_server(settings_for(dev_server.url))) as connected:
        yield connected


@pytest.fixture
async def offline() -> AsyncIterator[Client]:
    """A client whose langgraph URL has no server: any request would fail loudly."""
    async with Client(build_server(settings_for(f"http://127.0.0.1:{free_port()}"))) as connected:
        yield connected


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return dict(result.structured_content)


async def refused(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    return " ".join(getattr(block, "text", "") for block in result.content)


def new_thread(wire: httpx.Client) -> str:
    response = wire.post("/threads", json={"metadata": {"owner": "test"}})
    assert response.status_code == 200, response.text
    return str(response.json()["thread_id"])


# --- without a server ----------------------------------------------------------------------


def test_build_needs_the_url_and_sends_the_key_as_x_api_key() -> None:
    with pytest.raises(ConfigError, match="AGENTCRON_LANGGRAPH_URL"):
        build(Settings(backend="langgraph", langgraph_url=None))
    backend = build(settings_for("http://127.0.0.1:1/", langgraph_api_key="lsv2-secret-key"))
    assert backend.http.base_url == "http://127.0.0.1:1"
    assert backend.http.headers == {"x-api-key": "lsv2-secret-key"}
    assert backend.http.secrets == ["lsv2-secret-key"]
    assert build(settings_for("http://127.0.0.1:1")).http.headers == {}


@pytest.mark.parametrize(
    ("tool", "arguments", "mentions"),
    [
        ("create_scheduled_task", {"prompt": "p", "schedule": "every 90 minutes"}, "interval"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "tomorrow at 9am"}, "local backend"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "catch_up": "all"},
         "catch_up or overlap"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "overlap": "allow"},
         "catch_up or overlap"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily", "chat_id": "chat-1"},
         "thread"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily",
                                   "metadata": {"name": "x"}}, "reserved"),
        ("create_scheduled_task", {"prompt": "p", "schedule": "@daily",
                                   "metadata": {"agentcron_ref": "x"}}, "reserved"),
        ("get_scheduled_task", {"task_id": "task_nope"}, "No task"),
        ("delete_scheduled_task", {"task_id": "task_nope"}, "No task"),
        ("run_scheduled_task_now", {"task_id": "task_nope"}, "No task"),
        ("list_task_runs", {"task_id": "task_nope"}, "No task"),
        ("list_scheduled_tasks", {"cursor": "garbage!"}, "cursor"),
        ("list_scheduled_tasks", {"chat_id": "chat-1"}, "UUID"),
        ("update_scheduled_task", {"task_id": str(uuid.uuid4()), "chat_id": str(uuid.uuid4())},
         "chat_id"),
        ("update_scheduled_task", {"task_id": str(uuid.uuid4()), "clear_chat_id": True}, "chat_id"),
        ("update_scheduled_task", {"task_id": str(uuid.uuid4()), "assistant_id": "echo"},
         "assistant_id"),
        ("update_scheduled_task", {"task_id": str(uuid.uuid4()), "catch_up": "skip"}, "catch_up"),
        ("update_scheduled_task", {"task_id": "task_nope", "enabled": False}, "No task"),
    ],
)
async def test_refusals_happen_before_any_request(
    offline: Client, tool: str, arguments: dict[str, Any], mentions: str
) -> None:
    message = await refused(offline, tool, **arguments)
    assert mentions in message
    assert "could not be reached" not in message


# --- against `langgraph dev` ----------------------------------------------------------------


@needs_server
async def test_create_get_update_delete_a_stateless_cron(client: Client, wire: httpx.Client) -> None:
    task = await call(client, "create_scheduled_task", prompt="Summarise my inbox",
                      schedule="every weekday at 9am", timezone="Europe/Berlin",
                      name="inbox", metadata={"team": "ops"})
    assert task["schedule"] == {"kind": "cron", "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin",
                                "interval_seconds": None, "run_at": None,
                                "rrule": None, "starts_at": None}
    assert task["backend"] == "langgraph" and task["enabled"] is True
    assert task["name"] == "inbox" and task["metadata"] == {"team": "ops"}
    assert task["prompt"] == "Summarise my inbox" and task["chat_id"] is None
    assert task["catch_up"] is None and task["overlap"] is None
    assert "09:00" in task["description"] and "Europe/Berlin" in task["description"]
    assert task["next_run_at"].endswith(("+01:00", "+02:00"))
    assert datetime.fromisoformat(task["next_run_at"]).hour == 9
    assert task["created_at"].endswith("+00:00") and task["updated_at"]

    cron = wire.get(f"/runs/crons/{task['id']}").json()  # the wire, as backends.md §0 maps it
    assert cron["on_run_completed"] == "keep" and cron["timezone"] == "Europe/Berlin"
    assert cron["payload"]["input"] == {"messages": [{"role": "user", "content": "Summarise my inbox"}]}
    assert cron["metadata"]["name"] == "inbox" and uuid.UUID(cron["metadata"]["agentcron_ref"])
    assert cron["end_time"] is None

    assert await call(client, "get_scheduled_task", task_id=task["id"]) == task

    paused = await call(client, "update_scheduled_task", task_id=task["id"], enabled=False)
    assert paused["enabled"] is False and paused["next_run_at"] is None
    resumed = await call(client, "update_scheduled_task", task_id=task["id"], enabled=True)
    assert resumed["enabled"] is True and resumed["next_run_at"] == task["next_run_at"]

    moved = await call(client, "update_scheduled_task", task_id=task["id"],
                       schedule="every 2 hours", timezone="Asia/Tokyo")
    assert moved["schedule"]["cron"] == "0 */2 * * *" and moved["schedule"]["timezone"] == "Asia/Tokyo"
    assert moved["next_run_at"].endswith("+09:00") and moved["name"] == "inbox"

    merged = await call(client, "update_scheduled_task", task_id=task["id"],
                        metadata={"owner": "me"}, name="renamed", prompt="New prompt")
    assert merged["metadata"] == {"team": "ops", "owner": "me"}  # LangGraph merges metadata
    assert merged["name"] == "renamed" and merged["prompt"] == "New prompt"
    ref = wire.get(f"/runs/crons/{task['id']}").json()["metadata"]["agentcron_ref"]
    assert ref == cron["metadata"]["agentcron_ref"]

    rezoned = await call(client, "update_scheduled_task", task_id=task["id"], timezone="America/New_York")
    assert rezoned["schedule"] == {**moved["schedule"], "timezone": "America/New_York"}
    assert rezoned["next_run_at"].endswith(("-05:00", "-04:00"))

    assert await call(client, "delete_scheduled_task", task_id=task["id"]) == {
        "task_id": task["id"], "deleted": True}
    for tool in ("get_scheduled_task", "delete_scheduled_task", "run_scheduled_task_now",
                 "list_task_runs"):
        assert "No task with id" in await refused(client, tool, task_id=task["id"])
    assert "No task with id" in await refused(client, "update_scheduled_task",
                                              task_id=task["id"], enabled=False)


@needs_server
async def test_an_update_changes_only_the_field_asked_for(client: Client, wire: httpx.Client) -> None:
    """A cron made outside agentcron (Studio, the SDK): day names, a null zone, a system message
    and an extra input key, config, stream modes. Each update touches only what it names.

    LangGraph itself copies every PATCH body into the stored `payload` (a shallow merge), so
    payload is compared separately: it may only gain the keys that were sent.
    """
    made = wire.post("/runs/crons", json={
        "assistant_id": "echo", "schedule": "0 9 * * MON-FRI",
        "input": {"messages": [{"role": "system", "content": "Be brief"},
                               {"role": "user", "content": "Summarise"}], "lang": "de"},
        "metadata": {"owner": "studio"}, "config": {"tags": ["studio"], "recursion_limit": 7},
        "stream_mode": ["values", "updates"], "on_run_completed": "delete"})
    assert made.status_code == 200, made.text
    cron_id = made.json()["cron_id"]

    def stored() -> dict[str, Any]:
        return dict(wire.get(f"/runs/crons/{cron_id}").json())

    def step(arguments: dict[str, Any], fields: set[str], payload_keys: set[str]) -> dict[str, Any]:
        return {"arguments": arguments, "fields": fields, "payload": payload_keys}

    for case in [
        step({"enabled": False}, {"enabled"}, {"enabled"}),
        step({"enabled": True}, {"enabled", "next_run_date"}, {"enabled", "schedule"}),
        step({"prompt": "Only headlines"}, set(), {"input"}),
        step({"timezone": "UTC"}, set(), set()),  # null already means UTC: nothing is sent
        step({"timezone": "Asia/Tokyo"}, {"timezone", "next_run_date"}, {"timezone"}),
    ]:
        before = stored()
        await call(client, "update_scheduled_task", task_id=cron_id, **case["arguments"])
        after = stored()
        moved = changed(before, after) - {"updated_at", "payload"}
        assert moved <= case["fields"], (case["arguments"], moved)
        assert changed(before["payload"], after["payload"]) <= case["payload"], case["arguments"]
        assert after["schedule"] == "0 9 * * MON-FRI"  # never rewritten as '1-5'
        assert after["metadata"] == {"owner": "studio"} and after["on_run_completed"] == "delete"
    graph_input = stored()["payload"]["input"]
    assert graph_input == {"messages": [{"role": "system", "content": "Be brief"},
                                        {"role": "user", "content": "Only headlines"}],
                           "lang": "de"}
    assert stored()["payload"]["config"]["tags"] == ["studio"]
    assert stored()["payload"]["stream_mode"] == ["values", "updates"]


@needs_server
async def test_not_found_quotes_langgraphs_status_and_words(client: Client, wire: httpx.Client) -> None:
    missing = str(uuid.uuid4())
    for tool, method, extra in [("get_scheduled_task", "GET", {}),
                                ("update_scheduled_task", "PATCH", {"enabled": False}),
                                ("update_scheduled_task", "GET", {"enabled": True}),
                                ("delete_scheduled_task", "DELETE", {}),
                                ("list_task_runs", "GET", {})]:
        # LangGraph's own words differ by route ("Not Found", "Cron '…' not found"): ask it.
        said = wire.request(method, f"/runs/crons/{missing}",
                            json={"enabled": False} if method == "PATCH" else None)
        assert said.status_code == 404
        text = await refused(client, tool, task_id=missing, **extra)
        assert f"No task with id {missing!r} on the langgraph backend" in text, tool
        assert f"HTTP 404 to {method} /runs/crons/{missing}: {said.json()['detail']}" in text, tool
        assert "Call list_scheduled_tasks" in text
    text = await refused(client, "create_scheduled_task", prompt="p", schedule="@daily",
                         chat_id=missing)
    assert "langgraph backend answered HTTP 404" in text and "Thread" in text


@needs_server
async def test_a_thread_cron_continues_its_chat(client: Client, wire: httpx.Client) -> None:
    thread = new_thread(wire)
    task = await call(client, "create_scheduled_task", prompt="Any news?", schedule="@hourly",
                      chat_id=thread, assistant_id="echo")
    assert task["chat_id"] == thread
    other = await call(client, "create_scheduled_task", prompt="p", schedule="@daily")
    only = await call(client, "list_scheduled_tasks", chat_id=thread)
    assert only["total"] == 1 and [t["id"] for t in only["tasks"]] == [task["id"]]
    assert (await call(client, "list_scheduled_tasks"))["total"] == 2
    by_graph = await call(client, "list_scheduled_tasks", assistant_id="echo")
    assert {t["id"] for t in by_graph["tasks"]} == {task["id"], other["id"]}
    by_uuid = await call(client, "list_scheduled_tasks", assistant_id=task["assistant_id"])
    assert by_uuid["total"] == 2
    assert "thread" in await refused(client, "create_scheduled_task", prompt="p",
                                     schedule="@daily", chat_id=str(uuid.uuid4()))
    assert "chat_id" in await refused(client, "update_scheduled_task", task_id=task["id"],
                                      clear_chat_id=True)


@needs_server
async def test_list_pages_by_next_run_with_paused_tasks_last(client: Client) -> None:
    for hour in (5, 3, 9, 1, 7):
        await call(client, "create_scheduled_task", prompt=f"at {hour}",
                   schedule=f"every day at {hour}:00")
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
    enabled = await call(client, "list_scheduled_tasks", enabled=True, limit=2)
    assert enabled["total"] == 5 and len(enabled["tasks"]) == 2 and enabled["next_cursor"]


@needs_server
async def test_run_now_and_history_for_both_kinds(client: Client, wire: httpx.Client) -> None:
    stateless = await call(client, "create_scheduled_task", prompt="hello", schedule="@yearly")
    run = await call(client, "run_scheduled_task_now", task_id=stateless["id"])
    assert run["status"] == "succeeded" and run["output"] == "echo: hello" and run["error"] is None
    assert run["task_id"] == stateless["id"] and run["scheduled_for"].endswith("Z")
    assert run["started_at"] and run["finished_at"]
    history = await call(client, "list_task_runs", task_id=stateless["id"])
    assert history["runs"] == [run] and history["next_cursor"] is None

    failing = await call(client, "create_scheduled_task", prompt="please fail", schedule="@yearly")
    failed = await call(client, "run_scheduled_task_now", task_id=failing["id"])
    assert failed["status"] == "failed" and "asked to fail" in failed["error"]
    assert failed["output"] is None
    assert (await call(client, "list_task_runs", task_id=failing["id"]))["runs"] == [failed]

    thread = new_thread(wire)
    chat = await call(client, "create_scheduled_task", prompt="ping", schedule="@yearly",
                      chat_id=thread)
    foreign = wire.post(f"/threads/{thread}/runs", json={
        "assistant_id": "echo", "input": {"messages": [{"role": "user", "content": "not ours"}]}})
    assert foreign.status_code == 200
    first = await call(client, "run_scheduled_task_now", task_id=chat["id"])
    second = await call(client, "run_scheduled_task_now", task_id=chat["id"])
    assert first["output"] == second["output"] == "echo: ping"
    page = await call(client, "list_task_runs", task_id=chat["id"], limit=1)
    assert [r["id"] for r in page["runs"]] == [second["id"]] and page["next_cursor"]
    rest = await call(client, "list_task_runs", task_id=chat["id"], limit=5,
                      cursor=page["next_cursor"])
    assert [r["id"] for r in rest["runs"]] == [first["id"]] and rest["next_cursor"] is None
    assert first["status"] == "succeeded"  # the foreign run on that thread is not listed


@needs_server
async def test_last_and_nth_weekday_crons_fire_when_agentcron_says(client: Client) -> None:
    for text, cron in (("last friday of the month at 17:00", "0 17 * * L5"),
                       ("first monday of the month at 9am", "0 9 * * 1#1")):
        task = await call(client, "create_scheduled_task", prompt="p", schedule=text,
                          timezone="Europe/Berlin")
        assert task["schedule"]["cron"] == cron
        ours = next_runs(Schedule(kind="cron", cron=cron, timezone="Europe/Berlin"),
                         datetime.now(timezone.utc), 1)[0]
        assert datetime.fromisoformat(task["next_run_at"]) == ours


@needs_server
async def test_backend_errors_name_the_backend_status_and_detail(
    client: Client, dev_server: DevServer
) -> None:
    message = await refused(client, "create_scheduled_task", prompt="p", schedule="@daily",
                            assistant_id="ghost")
    assert "No assistant or graph 'ghost'" in message and "list_assistants" in message
    assert "langgraph backend answered HTTP 404 to POST /runs/crons: " in message
    searched = await refused(client, "list_scheduled_tasks", assistant_id="ghost")
    assert "No assistant or graph named 'ghost' on the langgraph backend" in searched
    assert "POST /assistants/search answered HTTP 200 with 1 assistant, none" in searched
    backend = build(settings_for(dev_server.url, langgraph_api_key="lsv2-secret-key"))
    try:
        with pytest.raises(BackendError) as caught:
            await backend.http.request("POST", "/runs/crons",
                                       json_body={"assistant_id": "echo", "schedule": "61 * * * *"})
        text = str(caught.value)
        assert "langgraph backend" in text and "HTTP 422" in text and "Invalid cron schedule" in text
        assert "lsv2-secret-key" not in text
        assert (await backend.list_tasks(TaskFilters(), 5, None)).total == 0  # the key is harmless
    finally:
        await backend.close()


@needs_server
async def test_list_assistants_names_the_graph(client: Client) -> None:
    result = await call(client, "list_assistants")
    assert result["default"] == "echo"
    [echo] = result["assistants"]
    assert echo["name"] == "echo" and echo["is_default"] is True
    assert "LangGraph graph 'echo'" in echo["summary"]


@needs_server
async def test_crons_really_fire_and_show_in_history(client: Client, wire: httpx.Client) -> None:
    """Every minute, stateless (created paused, then resumed) and on a thread: both must fire."""
    stateless = await call(client, "create_scheduled_task", prompt="tick", schedule="* * * * *",
                           enabled=False, metadata={"kind": "stateless"})
    await call(client, "update_scheduled_task", task_id=stateless["id"], enabled=True,
               metadata={"resumed": "yes"})
    chat = await call(client, "create_scheduled_task", prompt="tock", schedule="* * * * *",
                      chat_id=new_thread(wire))
    deadline = time.monotonic() + FIRE_TIMEOUT_SECONDS
    fired: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline and len(fired) < 2:
        for task in (stateless, chat):
            runs = (await call(client, "list_task_runs", task_id=task["id"]))["runs"]
            done = [r for r in runs if r["status"] == "succeeded"]
            if done:
                fired[task["id"]] = done[-1]
        await anyio.sleep(2)
    assert set(fired) == {stateless["id"], chat["id"]}, "a `* * * * *` cron did not fire in time"
    assert fired[stateless["id"]]["output"] == "echo: tick"
    assert fired[chat["id"]]["output"] == "echo: tock"
