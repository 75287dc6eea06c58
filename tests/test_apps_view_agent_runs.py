"""The run history view (DESIGN.md §10, §12) in a real browser (Debian chromium through
Playwright, the tests/apps_host.py harness): each run's delivery status from a real server
with a real webhook sink on 127.0.0.1, and an agent run's tool calls, stop reason and usage.

The `agent` record comes from the agent assistant (issue 18 part A); until that lands the test
adds one, in the shape §12 fixes, to a real list_task_runs result."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from agentcron.app import build_server
from agentcron.config import Settings
from tests.apps_host import apps_host, wire
from tests.conftest import Sink, write_assistants
from tests.test_apps_view import assert_contrast, assert_fits, frame_eval

pytestmark = pytest.mark.anyio

AGENT = {
    "model": "gpt-4.1-mini", "api": "openai", "stop_reason": "end_turn", "turns": 3,
    "tool_calls": [
        {"server": "memory", "tool": "create_entities",
         "arguments": '{"entities": [{"name": "inbox digest"}]}', "result": "created 1 entity",
         "is_error": False, "allowed": True, "duration_ms": 41},
        {"server": "memory", "tool": "delete_entities", "arguments": '{"entityNames": ["x"]}',
         "result": "tool 'memory__delete_entities' is not allowed", "is_error": True,
         "allowed": False, "duration_ms": 0},
        {"server": "time", "tool": "get_current_time", "arguments": '{"timezone": "Mars/Base"}',
         "result": "Invalid timezone: Mars/Base", "is_error": True, "allowed": True,
         "duration_ms": 7},
    ],
    "usage": {"input_tokens": 1200, "output_tokens": 340},
}


@pytest.fixture
async def client(tmp_path: Path, sink: Sink) -> AsyncIterator[Client]:
    assistants = write_assistants(tmp_path / "assistants.toml", f"""
on_success = "notify"

[assistants.notify]
type = "webhook"
url = "{sink.url}"

[assistants.report]
type = "command"
argv = ["echo", "summary:", "{{prompt}}"]
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


async def test_run_history_shows_deliveries_and_an_agent_runs_tool_calls(
    client: Client, sink: Sink
) -> None:
    task = (await client.call_tool("create_scheduled_task", {
        "prompt": "Summarise my inbox", "schedule": "every weekday at 9am",
        "assistant_id": "report", "name": "Inbox digest"})).structured_content
    assert task
    sink.failures["/hook"] = 1  # the first run's delivery fails (notify has no retries)
    for _ in range(2):
        await client.call_tool("run_scheduled_task_now", {"task_id": task["id"]})
    real = await runs_once_delivered(client, task["id"], 2)
    newest, oldest = real["structuredContent"]["runs"]
    assert newest["delivery"] == {"target": "notify", "status": "delivered", "attempts": 1,
                                  "error": None}
    assert oldest["delivery"]["status"] == "failed" and oldest["status"] == "succeeded"
    assistants = (await client.call_tool("list_assistants", {})).structured_content
    assert assistants and {a["name"]: a["on_success"] for a in assistants["assistants"]}[
        "report"] == "notify"

    page = copy.deepcopy(real)
    page["structuredContent"]["runs"][0]["agent"] = AGENT
    async with apps_host(client, width=360) as host:
        await host.show("list_task_runs", {"task_id": task["id"]}, result=page)
        frame = host.frame
        agent_run = frame.locator(f'ol.history li[data-run-id="{newest["id"]}"]')
        summary = await agent_run.locator(".agent-summary").inner_text()
        assert summary == ("Agent: gpt-4.1-mini (openai) · stopped: end_turn · 3 turns · "
                           "1200 tokens in, 340 out")
        rows = agent_run.locator("table.calls tbody tr")
        assert [await r.get_attribute("data-tool") for r in await rows.all()] == [
            "memory__create_entities", "memory__delete_entities", "time__get_current_time"]
        cells = [[await c.inner_text() for c in await r.locator("td").all()]
                 for r in await rows.all()]
        assert cells == [["memory", "create_entities", "ok", "41 ms"],
                         ["memory", "delete_entities", "refused", "0 ms"],
                         ["time", "get_current_time", "error", "7 ms"]]
        assert [(await r.get_attribute("data-allowed"), await r.get_attribute("data-error"))
                for r in await rows.all()] == [("true", "false"), ("false", "true"),
                                               ("true", "true")]
        await agent_run.locator("details summary").click()
        assert "Invalid timezone: Mars/Base" in await agent_run.locator("details").inner_text()
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
        await host.screenshot("runs-agent-dark")
        assert host.requests == [] and host.console_errors == []
        # The page is the same self-contained view: nothing loaded from anywhere.
        assert await frame_eval(host, "() => performance.getEntriesByType('resource').length") == 0
