"""Tasks as MCP resources, and the schedule_task prompt, through a real client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp import Client, MCPError

from agentcron.app import build_server
from agentcron.config import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Client]:
    settings = Settings(db=tmp_path / "r.db", assistants=tmp_path / "none.toml", runner="off")
    async with Client(build_server(settings), mode=request.param) as connected:
        yield connected


async def test_task_and_its_runs_are_readable_as_json_resources(client: Client) -> None:
    templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert {"agentcron://tasks/{task_id}", "agentcron://tasks/{task_id}/runs"} <= templates
    created = await client.call_tool("create_scheduled_task", {"prompt": "stretch", "schedule": "@hourly"})
    task_id = created.structured_content["id"]
    await client.call_tool("run_scheduled_task_now", {"task_id": task_id})
    task = await client.read_resource(f"agentcron://tasks/{task_id}")
    assert json.loads(task.contents[0].text)["prompt"] == "stretch"
    runs = await client.read_resource(f"agentcron://tasks/{task_id}/runs")
    assert [r["status"] for r in json.loads(runs.contents[0].text)["runs"]] == ["succeeded"]


async def test_unknown_task_resource_is_not_found(client: Client) -> None:
    with pytest.raises(MCPError) as info:
        await client.read_resource("agentcron://tasks/task_nope")
    assert "No task" in str(info.value)


async def test_schedule_task_prompt_walks_through_confirmation(client: Client) -> None:
    prompts = {p.name for p in (await client.list_prompts()).prompts}
    assert "schedule_task" in prompts
    result = await client.get_prompt("schedule_task", {"request": "standup notes at 9 on weekdays"})
    text = result.messages[0].content.text
    assert "standup notes" in text and "text_to_cron" in text and "time zone" in text
    zoned = await client.get_prompt("schedule_task", {"request": "x", "timezone": "Asia/Tokyo"})
    assert "Asia/Tokyo" in zoned.messages[0].content.text
