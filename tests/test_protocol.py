"""The cadence tools through a real MCP client, in both protocol eras, plus a stdio smoke test."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from agentcron.app import build_server
from agentcron.config import Settings

pytestmark = pytest.mark.anyio
REF = "2026-03-11T10:00:00Z"


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Client]:
    settings = Settings(db=tmp_path / "a.db", assistants=tmp_path / "none.toml", runner="off")
    async with Client(build_server(settings), mode=request.param) as connected:
        yield connected


async def test_tools_list_shows_schemas_titles_and_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    for name in ("text_to_cron", "describe_cron"):
        tool = tools[name]
        assert tool.title and tool.description and "Example" in tool.description
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
    translation = tools["text_to_cron"].output_schema["properties"]
    assert {"kind", "cron", "timezone", "interval_seconds", "run_at", "description",
            "next_runs", "portable"} <= set(translation)
    assert {"cron", "timezone", "description", "next_runs", "portable", "warnings"} <= set(
        tools["describe_cron"].output_schema["properties"])
    assert tools["text_to_cron"].input_schema["required"] == ["text"]


async def test_text_to_cron_returns_the_contract_fields(client: Client) -> None:
    result = await client.call_tool(
        "text_to_cron",
        {"text": "every weekday at 9am", "timezone": "Europe/Berlin", "reference_time": REF},
    )
    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["kind"] == "cron" and data["cron"] == "0 9 * * 1-5"
    assert data["timezone"] == "Europe/Berlin" and data["portable"] is True
    assert data["next_runs"][0] == "2026-03-12T09:00:00+01:00"  # 09:00 today has passed
    assert len(data["next_runs"]) == 5
    assert "Europe/Berlin" in data["description"] and "09:00" in data["description"]
    assert any("0 9 * * 1-5" in getattr(block, "text", "") for block in result.content)


async def test_text_to_cron_interval_and_once(client: Client) -> None:
    interval = await client.call_tool("text_to_cron", {"text": "every 90 minutes", "reference_time": REF})
    assert interval.structured_content["kind"] == "interval"
    assert interval.structured_content["interval_seconds"] == 5400
    assert interval.structured_content["next_runs"][0] == "2026-03-11T11:30:00+00:00"
    once = await client.call_tool("text_to_cron", {"text": "tomorrow at 3pm", "reference_time": REF,
                                                   "timezone": "America/New_York"})
    assert once.structured_content["kind"] == "once"
    assert once.structured_content["run_at"] == "2026-03-12T15:00:00-04:00"


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        ({"text": "tomato"}, "tomato"),
        ({"text": "every day at 25:00"}, "25"),
        ({"text": "every day at 9am", "timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"text": "0 0 31 2 *"}, "never fires"),
        ({"text": "x" * 501}, "500"),
        ({"text": "every day", "reference_time": "yesterday"}, "ISO 8601"),
    ],
)
async def test_bad_text_to_cron_call_is_a_helpful_tool_error(
    client: Client, arguments: dict[str, str], mentions: str
) -> None:
    result = await client.call_tool("text_to_cron", arguments)
    assert result.is_error
    text = " ".join(getattr(block, "text", "") for block in result.content)
    assert mentions in text


async def test_describe_cron_lists_runs_and_dst_warnings(client: Client) -> None:
    result = await client.call_tool(
        "describe_cron",
        {"cron": "30 2 * * *", "timezone": "Europe/Berlin", "count": 3,
         "reference_time": "2026-03-27T12:00:00Z"},
    )
    data = result.structured_content
    assert data["next_runs"] == ["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00",
                                 "2026-03-30T02:30:00+02:00"]
    assert any("does not exist" in w for w in data["warnings"])
    assert "02:30" in data["description"] and "Europe/Berlin" in data["description"]


async def test_describe_cron_normalises_and_flags_non_portable(client: Client) -> None:
    result = await client.call_tool("describe_cron", {"cron": "0 9 ? * 5L", "reference_time": REF})
    assert result.structured_content["cron"] == "0 9 * * L5"
    assert result.structured_content["portable"] is False
    both = await client.call_tool("describe_cron", {"cron": "0 0 1-7 * MON", "reference_time": REF})
    assert any("EITHER" in w for w in both.structured_content["warnings"])


async def test_describe_cron_count_out_of_range_is_refused(client: Client) -> None:
    result = await client.call_tool("describe_cron", {"cron": "@daily", "count": 51})
    assert result.is_error
    assert "50" in " ".join(getattr(b, "text", "") for b in result.content)


async def test_stdio_server_answers_a_real_client(tmp_path: Path) -> None:
    env = {**os.environ, "AGENTCRON_DB": str(tmp_path / "s.db"),
           "AGENTCRON_ASSISTANTS": str(tmp_path / "none.toml"), "AGENTCRON_RUNNER": "off"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "agentcron"], env=env)
    async with Client(params, mode="legacy") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"text_to_cron", "describe_cron", "create_scheduled_task"} <= names
        result = await client.call_tool("describe_cron", {"cron": "@hourly", "reference_time": REF})
        assert result.structured_content["next_runs"][0] == "2026-03-11T11:00:00+00:00"
