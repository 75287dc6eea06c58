"""Agent runs through the runner and the store (SQLite and PostgreSQL): the run's `agent`
record as `list_task_runs` returns it, retries only when no tool was called (DESIGN.md §12),
and `list_assistants` showing an agent without any secret.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store
from agentcron.models import Schedule, TaskSpec

from tests.agent_servers.model import (
    ScriptedModel,
    answer,
    call_tools,
    http_error,
    scripted_model,
)
from tests.agent_servers.real import TOOL_SERVER
from tests.conftest import Database, FakeClock, Sink, write_assistants

pytestmark = pytest.mark.anyio
START = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
API_KEY = "sk-runner-KEY-9f8e7d6c"
ENV_SECRET = "runner-env-SECRET-31337"


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with scripted_model() as running:
        yield running


@pytest.fixture
async def backend(tmp_path: Path, model: ScriptedModel, database: Database,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LocalBackend]:
    monkeypatch.setenv("RUNNER_TEST_KEY", API_KEY)
    monkeypatch.setenv("RUNNER_TEST_SECRET", ENV_SECRET)
    path = write_assistants(tmp_path / "assistants.toml", f"""
[assistants.researcher]
type = "agent"
api = "openai"
base_url = "{model.url}"
model = "scripted-1"
api_key_env = "RUNNER_TEST_KEY"
retries = 1
retry_backoff_seconds = 5
tool_timeout_seconds = 20

[assistants.researcher.mcp_servers.tools]
command = {json.dumps(sys.executable)}
args = [{json.dumps(str(TOOL_SERVER))}]
env_from = ["RUNNER_TEST_SECRET"]
allow_tools = ["echo", "environment"]
""")
    store = open_store(database.url)
    opened = LocalBackend(store, load_assistants(path, conversations=store,
                                                 retry_delays=(0.01, 0.01)),
                          scheduling=False, clock=FakeClock(START))
    await opened.start()
    yield opened
    await opened.close()


async def fire_due(backend: LocalBackend, task_id: str):  # type: ignore[no-untyped-def]
    started = await backend.runner.tick()
    if started:
        await asyncio.wait(started, timeout=60)
    (run,) = (await backend.list_runs(task_id, 10, None)).runs
    return run


async def new_task(backend: LocalBackend, assistant: str = "researcher") -> str:
    clock = backend.runner.clock
    task = await backend.create_task(TaskSpec(
        prompt="note the weather", assistant_id=assistant,
        schedule=Schedule(kind="once", run_at=(clock() + timedelta(minutes=1)).isoformat())))
    clock.advance(minutes=1)  # type: ignore[attr-defined]
    return task.id


async def test_an_agent_run_is_stored_with_its_record(
        backend: LocalBackend, model: ScriptedModel, database: Database) -> None:
    model.play(call_tools(("tools__echo", {"text": "sunny"}), ("tools__environment", {})),
               answer("Weather noted: sunny."))
    task_id = await new_task(backend)

    run = await fire_due(backend, task_id)

    assert (run.status, run.output, run.error) == ("succeeded", "Weather noted: sunny.", None)
    wire = run.model_dump(mode="json")["agent"]  # what list_task_runs returns
    assert wire["model"] == "scripted-1" and wire["api"] == "openai"
    assert wire["turns"] == 2 and wire["stop_reason"] == "stop"
    assert wire["usage"] == {"input_tokens": 30, "output_tokens": 12}
    echo, environment = wire["tool_calls"]
    assert echo == {"server": "tools", "tool": "echo", "arguments": '{"text": "sunny"}',
                    "result": "echo: sunny", "is_error": False, "allowed": True,
                    "duration_ms": echo["duration_ms"]}
    assert "[redacted]" in environment["result"]
    stored = json.dumps(database.rows("SELECT * FROM runs"), default=str)
    assert ENV_SECRET not in stored and API_KEY not in stored


async def test_other_assistant_types_have_no_agent_record(backend: LocalBackend) -> None:
    run = await fire_due(backend, await new_task(backend, "inbox"))
    assert run.status == "succeeded" and run.agent is None


async def test_no_retry_after_a_tool_call(backend: LocalBackend, model: ScriptedModel) -> None:
    model.play(call_tools(("tools__echo", {"text": "side effect"})), http_error(500))
    task_id = await new_task(backend)

    run = await fire_due(backend, task_id)

    assert (run.status, run.attempts, run.next_attempt_at) == ("failed", 1, None)
    assert run.error.startswith("model endpoint http://127.0.0.1:")
    assert run.error.endswith("answered HTTP 500: scripted 500 (not retried: tools were called)")
    assert run.agent is not None and run.agent.tool_calls[0].result == "echo: side effect"
    assert run.agent.stop_reason == "error"


async def test_retried_when_no_tool_was_called(backend: LocalBackend,
                                               model: ScriptedModel) -> None:
    model.play(http_error(500), answer("second time lucky"))
    task_id = await new_task(backend)

    run = await fire_due(backend, task_id)
    assert (run.status, run.attempts) == ("retrying", 1)
    assert run.agent is not None and run.agent.tool_calls == []

    backend.runner.clock.set(datetime.fromisoformat(run.next_attempt_at)  # type: ignore[attr-defined]
                             + timedelta(seconds=1))
    run = await fire_due(backend, task_id)
    assert (run.status, run.attempts, run.output) == ("succeeded", 2, "second time lucky")


async def test_list_assistants_shows_an_agent_without_secrets(backend: LocalBackend) -> None:
    listed = (await backend.list_assistants()).model_dump(mode="json")
    (agent,) = [a for a in listed["assistants"] if a["name"] == "researcher"]
    assert agent["type"] == "agent"
    assert agent["agent"] == {
        "api": "openai", "model": "scripted-1", "max_turns": 10, "max_tool_calls": 25,
        "servers": [{"name": "tools", "transport": "stdio",
                     "allow_tools": ["echo", "environment"]}]}
    text = json.dumps(listed)
    for hidden in (API_KEY, ENV_SECRET, "RUNNER_TEST_SECRET", str(TOOL_SERVER)):
        assert hidden not in text


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_through_the_mcp_tools(tmp_path: Path, model: ScriptedModel, mode: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """What the scheduling agent sees: `list_assistants` and `list_task_runs` over MCP."""
    from agentcron.app import build_server
    from agentcron.config import Settings
    from mcp import Client

    monkeypatch.setenv("RUNNER_TEST_KEY", API_KEY)
    assistants = write_assistants(tmp_path / "assistants.toml", f"""
[assistants.researcher]
type = "agent"
api = "anthropic"
base_url = "{model.url}"
model = "scripted-1"
api_key_env = "RUNNER_TEST_KEY"

[assistants.researcher.mcp_servers.tools]
command = {json.dumps(sys.executable)}
args = [{json.dumps(str(TOOL_SERVER))}]
allow_tools = ["echo"]
""")
    model.play(call_tools(("tools__echo", {"text": "hello"})), answer("said hello"))
    settings = Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="on")
    async with Client(build_server(settings), mode=mode) as client:
        listed = (await client.call_tool("list_assistants", {})).structured_content
        (agent,) = [a for a in listed["assistants"] if a["name"] == "researcher"]
        assert agent["agent"]["servers"] == [
            {"name": "tools", "transport": "stdio", "allow_tools": ["echo"]}]
        task = (await client.call_tool("create_scheduled_task", {
            "prompt": "say hello", "schedule": "@yearly", "assistant_id": "researcher",
        })).structured_content
        run = (await client.call_tool("run_scheduled_task_now",
                                      {"task_id": task["id"]})).structured_content
        assert run["status"] == "succeeded", run
        history = await client.call_tool("list_task_runs", {"task_id": task["id"]})
    assert not history.is_error
    (seen,) = history.structured_content["runs"]
    assert seen["output"] == "said hello"
    assert seen["agent"]["api"] == "anthropic" and seen["agent"]["stop_reason"] == "end_turn"
    assert [(c["tool"], c["result"]) for c in seen["agent"]["tool_calls"]] == [
        ("echo", "echo: hello")]
    assert API_KEY not in json.dumps(history.structured_content) + json.dumps(listed)


async def test_the_delivered_output_holds_no_secret(tmp_path: Path, model: ScriptedModel,
                                                    sink: Sink,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """on_success (part B) sends the run's output: scrubbed before it was ever stored."""
    monkeypatch.setenv("RUNNER_TEST_KEY", API_KEY)
    monkeypatch.setenv("RUNNER_TEST_SECRET", ENV_SECRET)
    path = write_assistants(tmp_path / "assistants.toml", f"""
[assistants.notify]
type = "webhook"
url = "{sink.url}"

[assistants.researcher]
type = "agent"
api = "openai"
base_url = "{model.url}"
model = "scripted-1"
api_key_env = "RUNNER_TEST_KEY"
on_success = "notify"

[assistants.researcher.mcp_servers.tools]
command = {json.dumps(sys.executable)}
args = [{json.dumps(str(TOOL_SERVER))}]
env_from = ["RUNNER_TEST_SECRET"]
allow_tools = ["environment"]
""")
    store = open_store(str(tmp_path / "tasks.db"))
    backend = LocalBackend(store, load_assistants(path, conversations=store),
                           scheduling=False, clock=FakeClock(START))
    await backend.start()
    try:
        model.play(call_tools(("tools__environment", {})),
                   answer(f"key {API_KEY}, secret {ENV_SECRET}"))
        task_id = await new_task(backend)
        run = await fire_due(backend, task_id)
        await fire_due(backend, task_id)  # the delivery goes out on the next pass
    finally:
        await backend.close()
    assert run.status == "succeeded"
    (delivered,) = sink.requests
    assert delivered["json"]["output"] == "key [redacted], secret [redacted]"
    assert API_KEY not in json.dumps(delivered) and ENV_SECRET not in json.dumps(delivered)
