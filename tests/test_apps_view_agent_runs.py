"""The run history view (DESIGN.md §10, §12) in a real browser (Debian chromium through
Playwright, the tests/apps_host.py harness) showing a REAL agent run: each run's delivery status
from a real server with a real webhook sink on 127.0.0.1, and an agent run's tool calls, stop
reason and usage exactly as `list_task_runs` returns them.

The agent run is fired through the real runner (`run_scheduled_task_now` over MCP) by the
`agent` assistant against the scripted model on 127.0.0.1 (tests/agent_servers/model.py) and two
real MCP servers: @modelcontextprotocol/server-memory (npm, node) and mcp-server-time (PyPI, its
own venv). One allowed call succeeds, one call of a tool that is not allowed is refused (never
executed) and one call comes back as the tool's own error. Nothing in the page is hand-made.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from agentcron.app import build_server
from agentcron.config import Settings
from mcp import Client

from tests.agent_servers.model import ScriptedModel, answer, call_tools, scripted_model
from tests.agent_servers.real import MEMORY_SERVER, TIME_SERVER, require
from tests.apps_host import apps_host, wire
from tests.conftest import Sink, write_assistants
from tests.test_apps_view import assert_contrast, assert_fits, frame_eval

pytestmark = pytest.mark.anyio
API_KEY = "sk-view-KEY-5e4d3c2b"
DIGEST = {"entities": [{"name": "inbox digest", "entityType": "note",
                        "observations": ["3 new mails, 1 from Ada"]}]}


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with scripted_model() as running:
        yield running


@pytest.fixture
def memory_file(tmp_path: Path) -> Path:
    return tmp_path / "memory.jsonl"


@pytest.fixture
async def client(tmp_path: Path, sink: Sink, model: ScriptedModel, memory_file: Path,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Client]:
    monkeypatch.setenv("VIEW_TEST_KEY", API_KEY)
    assistants = write_assistants(tmp_path / "assistants.toml", f"""
on_success = "notify"

[assistants.notify]
type = "webhook"
url = "{sink.url}"

[assistants.report]
type = "command"
argv = ["echo", "summary:", "{{prompt}}"]

[assistants.researcher]
type = "agent"
api = "openai"
base_url = "{model.url}"
model = "scripted-1"
api_key_env = "VIEW_TEST_KEY"
tool_timeout_seconds = 30

[assistants.researcher.mcp_servers.memory]
command = "node"
args = [{json.dumps(str(require(MEMORY_SERVER)))}]
env = {{ MEMORY_FILE_PATH = {json.dumps(str(memory_file))} }}
allow_tools = ["create_entities", "read_graph"]

[assistants.researcher.mcp_servers.time]
command = {json.dumps(str(require(TIME_SERVER)))}
allow_tools = ["get_current_time"]
""")
    settings = Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="on")
    async with Client(build_server(settings)) as connected:
        yield connected


async def runs_once_delivered(client: Client, task_id: str, count: int) -> dict[str, Any]:
    """list_task_runs (wire form) once `count` runs have a settled delivery."""
    for _ in range(200):
        result = wire(await client.call_tool("list_task_runs", {"task_id": task_id}))
        runs = result["structuredContent"]["runs"]
        if len(runs) == count and all(r["delivery"]["status"] != "pending" for r in runs):
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries did not settle: {runs}")


def memory_names(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line)["name"] for line in lines if line.strip()]


async def test_run_history_shows_deliveries_and_a_real_agent_runs_tool_calls(
    client: Client, sink: Sink, model: ScriptedModel, memory_file: Path
) -> None:
    task = (await client.call_tool("create_scheduled_task", {
        "prompt": "Summarise my inbox", "schedule": "every weekday at 9am",
        "assistant_id": "report", "name": "Inbox digest"})).structured_content
    assert task
    # First a plain command run whose delivery fails (notify has no retries) ...
    sink.failures["/hook"] = 1
    await client.call_tool("run_scheduled_task_now", {"task_id": task["id"]})
    await runs_once_delivered(client, task["id"], 1)
    # ... then the same task with the agent: three turns, usage adding up to 1200 in, 340 out.
    updated = await client.call_tool("update_scheduled_task", {
        "task_id": task["id"], "assistant_id": "researcher"})
    assert not updated.is_error
    model.play(call_tools(("memory__create_entities", DIGEST), usage=(400, 120)),
               call_tools(("memory__delete_entities", {"entityNames": ["inbox digest"]}),
                          ("time__get_current_time", {"timezone": "Mars/Base"}),
                          usage=(500, 100)),
               answer("Inbox digest: 3 new mails, 1 from Ada.", usage=(300, 120)))
    fired = (await client.call_tool("run_scheduled_task_now",
                                    {"task_id": task["id"]})).structured_content
    assert fired and fired["status"] == "succeeded", fired
    real = await runs_once_delivered(client, task["id"], 2)
    newest, oldest = real["structuredContent"]["runs"]
    assert newest["delivery"] == {"target": "notify", "status": "delivered", "attempts": 1,
                                  "error": None}
    assert oldest["delivery"]["status"] == "failed" and oldest["status"] == "succeeded"
    assistants = (await client.call_tool("list_assistants", {})).structured_content
    assert assistants and {a["name"]: a["on_success"] for a in assistants["assistants"]}[
        "report"] == "notify"

    # What really happened: the allowed call wrote the memory file, the refused one never ran
    # (the entity is still there), the time server's own error went back to the model.
    agent = newest["agent"]
    assert memory_names(memory_file) == ["inbox digest"]
    assert [c["result"] for c in agent["tool_calls"]][1] == (
        "tool 'memory__delete_entities' is not offered to you; call only the tools you were "
        "given")
    time_error = agent["tool_calls"][2]["result"]
    assert "Invalid timezone" in time_error and "Mars/Base" in time_error
    created, refused, timed = model.seen[2].tool_results()  # what the model got back
    assert "inbox digest" in created and "not offered" in refused and timed.endswith(time_error)
    assert newest["output"] == "Inbox digest: 3 new mails, 1 from Ada."
    assert API_KEY not in json.dumps(real)
    delivered_body = json.dumps([r["json"] for r in sink.to("/hook")])
    assert "Inbox digest: 3 new mails" in delivered_body and API_KEY not in delivered_body

    async with apps_host(client, width=360) as host:
        await host.show("list_task_runs", {"task_id": task["id"]}, result=real)
        frame = host.frame
        agent_run = frame.locator(f'ol.history li[data-run-id="{newest["id"]}"]')
        summary = await agent_run.locator(".agent-summary").inner_text()
        assert summary == ("Agent: scripted-1 (openai) · stopped: stop · 3 turns · "
                           "1200 tokens in, 340 out")
        rows = agent_run.locator("table.calls tbody tr")
        assert [await r.get_attribute("data-tool") for r in await rows.all()] == [
            "memory__create_entities", "memory__delete_entities", "time__get_current_time"]
        cells = [[await c.inner_text() for c in await r.locator("td").all()]
                 for r in await rows.all()]
        took = [f"{c['duration_ms']} ms" for c in agent["tool_calls"]]
        assert cells == [["memory", "create_entities", "ok", took[0]],
                         ["memory", "delete_entities", "refused", "0 ms"],
                         ["time", "get_current_time", "error", took[2]]]
        assert [(await r.get_attribute("data-allowed"), await r.get_attribute("data-error"))
                for r in await rows.all()] == [("true", "false"), ("false", "true"),
                                               ("true", "true")]
        await agent_run.locator("details summary").click()
        details = await agent_run.locator("details").inner_text()
        assert time_error.splitlines()[0] in details and "3 new mails, 1 from Ada" in details
        delivered = agent_run.locator('.delivery[data-delivery="delivered"]')
        assert await delivered.inner_text() == "Delivered to notify (1 attempt)"
        failed = frame.locator(f'ol.history li[data-run-id="{oldest["id"]}"] .delivery')
        assert await failed.get_attribute("data-delivery") == "failed"
        assert (await failed.inner_text()).startswith(
            "Delivery failed to notify after 1 attempt; the output is kept here: "
            "webhook answered HTTP 500")
        # A run without an agent record shows none; its output is still there.
        plain = frame.locator(f'ol.history li[data-run-id="{oldest["id"]}"]')
        assert await plain.locator(".agent").count() == 0
        assert "summary: Summarise my inbox" in await plain.locator("pre").first.inner_text()
        await assert_fits(host, 360)
        await assert_contrast(host)
        await host.screenshot("runs-agent-light")
        await host.set_theme("dark")
        await assert_contrast(host)
        assert host.requests == [] and host.console_errors == []
        # The page is the same self-contained view: nothing loaded from anywhere.
        assert await frame_eval(host, "() => performance.getEntriesByType('resource').length") == 0
