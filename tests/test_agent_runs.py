"""Agent runs (DESIGN.md §12) with real parts: a scripted model on 127.0.0.1 speaking the OpenAI
and Anthropic APIs, and real MCP servers (the npm memory server run with node, mcp-server-time
from PyPI in its own venv, and a small Python server for failures, timeouts and HTTP).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from agentcron.backends.local.assistants import (
    AssistantFailure,
    AssistantTimeout,
    FireRequest,
    FireResult,
    load_assistants,
)
from agentcron.backends.local.assistants.agent import AgentAssistant

from tests.agent_servers.model import (
    ScriptedModel,
    answer,
    call_tools,
    http_error,
    scripted_model,
    slowly,
)
from tests.agent_servers.real import (
    FILESYSTEM_SERVER,
    MEMORY_SERVER,
    TIME_SERVER,
    TOOL_SERVER,
    require,
)

pytestmark = pytest.mark.anyio
API_KEY = "sk-test-KEY-0123456789abcdef"
ENV_SECRET = "env-from-SECRET-5f1c9a"
HEADER_SECRET = "Bearer header-SECRET-77aa31"
APIS = ["openai", "anthropic"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with scripted_model() as running:
        yield running


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_TEST_KEY", API_KEY)
    monkeypatch.setenv("AGENT_TEST_ENV_SECRET", ENV_SECRET)
    monkeypatch.setenv("AGENT_TEST_HEADER", HEADER_SECRET)
    monkeypatch.setenv("AGENT_TEST_NOT_PASSED", "must-not-reach-servers")


def request(prompt: str = "remember that Ada likes tea") -> FireRequest:
    return FireRequest(task_id="task_1", run_id="run_1",
                       scheduled_for=datetime(2026, 3, 11, 9, tzinfo=UTC),
                       prompt=prompt, metadata={}, chat_id=None, task_name="agent test")


def memory_server(memory_file: Path, allow: str = '["create_entities", "read_graph"]') -> str:
    return f"""
[assistants.researcher.mcp_servers.memory]
command = "node"
args = [{json.dumps(str(require(MEMORY_SERVER)))}]
env = {{ MEMORY_FILE_PATH = {json.dumps(str(memory_file))} }}
allow_tools = {allow}
"""


def tool_server(name: str = "tools", extra: str = "", allow: str = '["*"]') -> str:
    return f"""
[assistants.researcher.mcp_servers.{name}]
command = {json.dumps(sys.executable)}
args = [{json.dumps(str(TOOL_SERVER))}]
allow_tools = {allow}
{extra}
"""


def make_agent(tmp_path: Path, model: ScriptedModel, api: str, servers: str,
               extra: str = "") -> AgentAssistant:
    path = tmp_path / "assistants.toml"
    path.write_text(f"""
[assistants.researcher]
type = "agent"
api = "{api}"
base_url = "{model.url}"
model = "scripted-1"
api_key_env = "AGENT_TEST_KEY"
system = "You work unattended."
{extra if "tool_timeout_seconds" in extra else extra + chr(10) + "tool_timeout_seconds = 20"}
{servers}
""", encoding="utf-8")
    agent = load_assistants(path, retry_delays=(0.05, 0.05)).get("researcher")
    assert isinstance(agent, AgentAssistant)
    return agent


def memory_lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


ADA = {"entities": [{"name": "Ada", "entityType": "person", "observations": ["likes tea"]}]}


@pytest.mark.parametrize("api", APIS)
async def test_happy_path_writes_memory_and_sends_real_results(
        tmp_path: Path, model: ScriptedModel, api: str) -> None:
    memory = tmp_path / "memory.jsonl"
    agent = make_agent(tmp_path, model, api, memory_server(memory))
    model.play(call_tools(("memory__create_entities", ADA)),
               call_tools(("memory__read_graph", {})),
               answer("Stored: Ada likes tea."))

    result = await agent.fire(request())

    assert isinstance(result, FireResult)
    assert result.output == "Stored: Ada likes tea."
    assert result.tools_called
    # The memory server's file holds what the agent wrote.
    assert {"type": "entity", "name": "Ada", "entityType": "person",
            "observations": ["likes tea"]} in memory_lines(memory)
    # The model saw only the allowed tools, named <server>__<tool>, and the key in its header.
    first, second, third = model.seen
    assert sorted(first.tool_names()) == ["memory__create_entities", "memory__read_graph"]
    if api == "openai":
        assert first.path == "/v1/chat/completions"
        assert first.headers["authorization"] == f"Bearer {API_KEY}"
        assert first.body["messages"][0] == {"role": "system", "content": "You work unattended."}
    else:
        assert first.path == "/v1/messages"
        assert first.headers["x-api-key"] == API_KEY
        assert first.headers["anthropic-version"] == "2023-06-01"
        assert first.body["system"] == "You work unattended."
        assert first.body["max_tokens"] == 4096
    # The real tool results went back: the created entity, then the graph read from the file.
    assert "Ada" in second.tool_results()[0]
    graph = json.loads(third.tool_results()[-1])
    assert graph["entities"][0]["observations"] == ["likes tea"]
    record = result.agent
    assert record is not None
    assert record["model"] == "scripted-1" and record["api"] == api
    assert record["turns"] == 3
    assert record["stop_reason"] == ("stop" if api == "openai" else "end_turn")
    assert [(c["server"], c["tool"], c["allowed"], c["is_error"]) for c in record["tool_calls"]] \
        == [("memory", "create_entities", True, False), ("memory", "read_graph", True, False)]
    assert json.loads(record["tool_calls"][0]["arguments"]) == ADA
    assert record["usage"] == {"input_tokens": 40, "output_tokens": 17}


@pytest.mark.parametrize("api", APIS)
async def test_a_tool_not_allowed_is_refused_and_never_executed(
        tmp_path: Path, model: ScriptedModel, api: str) -> None:
    memory = tmp_path / "memory.jsonl"
    memory.write_text(json.dumps({"type": "entity", "name": "Ada", "entityType": "person",
                                  "observations": ["likes tea"]}) + "\n")
    before = memory.read_bytes()
    agent = make_agent(tmp_path, model, api, memory_server(memory, '["read_graph"]'))
    model.play(call_tools(("memory__delete_entities", {"entityNames": ["Ada"]}),
                          ("shell__run", {"cmd": "rm -rf /"})),
               answer("I could not delete anything."))

    result = await agent.fire(request("forget Ada"))

    assert isinstance(result, FireResult)
    assert memory.read_bytes() == before  # delete_entities exists on the server: never called
    refusals = model.seen[1].tool_results()
    assert len(refusals) == 2 and all("not offered" in text for text in refusals)
    assert model.seen[0].tool_names() == ["memory__read_graph"]
    assert result.agent is not None
    calls = result.agent["tool_calls"]
    assert [(c["server"], c["tool"], c["allowed"], c["is_error"]) for c in calls] == [
        ("memory", "delete_entities", False, True), (None, "shell__run", False, True)]
    assert not result.tools_called  # nothing executed: a retry would be safe


@pytest.mark.parametrize("api", APIS)
async def test_a_tool_error_and_a_tool_timeout_are_answered_as_errors(
        tmp_path: Path, model: ScriptedModel, api: str) -> None:
    agent = make_agent(tmp_path, model, api, tool_server(),
                       extra="tool_timeout_seconds = 6\nmax_turns = 3")
    model.play(call_tools(("tools__fail", {"reason": "disk full"}),
                          ("tools__sleep", {"seconds": 60})),
               answer("Both tools failed."))
    started = time.monotonic()

    result = await agent.fire(request())

    assert time.monotonic() - started < 40  # the sleeping tool was cut at 6 s
    assert isinstance(result, FireResult) and result.output == "Both tools failed."
    failed, slept = model.seen[1].tool_results()
    assert "failed on purpose: disk full" in failed
    assert "did not answer within 6 s" in slept
    if api == "anthropic":
        blocks = model.seen[1].body["messages"][-1]["content"]
        assert [b["is_error"] for b in blocks] == [True, True]
    assert result.agent is not None
    assert [(c["tool"], c["is_error"], c["allowed"]) for c in result.agent["tool_calls"]] == [
        ("fail", True, True), ("sleep", True, True)]
    assert result.agent["tool_calls"][1]["duration_ms"] >= 5_000


async def test_a_server_that_does_not_start_fails_before_any_model_call(
        tmp_path: Path, model: ScriptedModel) -> None:
    crash = f"""
[assistants.researcher.mcp_servers.broken]
command = {json.dumps(sys.executable)}
args = ["-c", "import os, sys; sys.stderr.write('cannot open config\\\\n'); sys.exit(3)"]
env_from = ["AGENT_TEST_ENV_SECRET"]
allow_tools = ["*"]

[assistants.researcher.mcp_servers.missing]
command = "no-such-mcp-server-binary"
allow_tools = ["*"]
"""
    agent = make_agent(tmp_path, model, "openai", tool_server() + crash)
    model.play(answer("never asked"))

    with pytest.raises(AssistantFailure) as failure:
        await agent.fire(request())

    message = str(failure.value)
    assert "MCP server 'broken' did not start" in message
    assert "MCP server 'missing' did not start: command 'no-such-mcp-server-binary' not found" \
        in message
    assert "'tools'" not in message  # the healthy server is not blamed
    assert message.endswith("the model was not called")
    assert model.seen == []
    assert failure.value.agent_record is not None
    assert failure.value.agent_record["turns"] == 0 and not failure.value.tools_called


async def test_a_server_that_never_answers_initialize_times_out(
        tmp_path: Path, model: ScriptedModel) -> None:
    silent = f"""
[assistants.researcher.mcp_servers.silent]
command = {json.dumps(sys.executable)}
args = ["-c", "import time; time.sleep(60)"]
allow_tools = ["*"]
"""
    agent = make_agent(tmp_path, model, "anthropic", silent, extra="tool_timeout_seconds = 2")
    model.play(answer("never asked"))
    with pytest.raises(AssistantFailure, match=r"MCP server 'silent' did not start and answer "
                       r"initialize within 2 s \(tool_timeout_seconds\)"):
        await agent.fire(request())
    assert model.seen == []


async def test_allow_tools_naming_a_missing_tool_fails_before_any_model_call(
        tmp_path: Path, model: ScriptedModel) -> None:
    agent = make_agent(tmp_path, model, "openai",
                       memory_server(tmp_path / "m.jsonl", '["read_graph", "drop_database"]'))
    model.play(answer("never asked"))
    with pytest.raises(AssistantFailure) as failure:
        await agent.fire(request())
    assert "MCP server 'memory' has no tool named 'drop_database'" in str(failure.value)
    assert "it offers: add_observations, create_entities" in str(failure.value)
    assert model.seen == []


async def test_agentcron_itself_is_refused_as_a_server(
        tmp_path: Path, model: ScriptedModel) -> None:
    server_dir = Path(__file__).resolve().parents[1] / "server"
    itself = f"""
[assistants.researcher.mcp_servers.scheduler]
command = {json.dumps(sys.executable)}
args = ["-m", "agentcron"]
env = {{ PYTHONPATH = {json.dumps(str(server_dir))}, AGENTCRON_RUNNER = "off", AGENTCRON_DB = {json.dumps(str(tmp_path / "inner.db"))}, AGENTCRON_ASSISTANTS = {json.dumps(str(tmp_path / "none.toml"))} }}
allow_tools = ["*"]
"""
    agent = make_agent(tmp_path, model, "openai", itself, extra="tool_timeout_seconds = 30")
    model.play(answer("never asked"))
    with pytest.raises(AssistantFailure, match="MCP server 'scheduler' is agentcron itself"):
        await agent.fire(request())
    assert model.seen == []


@pytest.mark.parametrize("api", APIS)
async def test_max_turns_ends_the_run_failed_and_keeps_the_record(
        tmp_path: Path, model: ScriptedModel, api: str) -> None:
    agent = make_agent(tmp_path, model, api, tool_server(), extra="max_turns = 2")
    model.play(call_tools(("tools__echo", {"text": "one"})),
               call_tools(("tools__echo", {"text": "two"})),
               answer("never reached"))
    with pytest.raises(AssistantFailure) as failure:
        await agent.fire(request())
    assert str(failure.value) == "limit: max_turns 2 reached"
    assert len(model.seen) == 2
    record = failure.value.agent_record
    assert record is not None and record["turns"] == 2 and record["stop_reason"] == "max_turns"
    # The tool asked for in the last allowed turn was not executed.
    assert [c["result"] for c in record["tool_calls"]] == ["echo: one"]
    assert failure.value.tools_called


async def test_max_tool_calls_ends_the_run_failed(tmp_path: Path, model: ScriptedModel) -> None:
    agent = make_agent(tmp_path, model, "openai", tool_server(), extra="max_tool_calls = 1")
    model.play(call_tools(("tools__echo", {"text": "one"}), ("tools__echo", {"text": "two"})),
               answer("never reached"))
    with pytest.raises(AssistantFailure, match=r"^limit: max_tool_calls 1 reached$") as failure:
        await agent.fire(request())
    record = failure.value.agent_record
    assert record is not None and [c["result"] for c in record["tool_calls"]] == ["echo: one"]
    assert record["stop_reason"] == "max_tool_calls"


async def test_the_whole_run_timeout_ends_it_timed_out_with_the_record(
        tmp_path: Path, model: ScriptedModel) -> None:
    agent = make_agent(tmp_path, model, "anthropic", tool_server(),
                       extra="timeout_seconds = 6\ntool_timeout_seconds = 5")
    model.play(call_tools(("tools__echo", {"text": "before the deadline"})),
               slowly(30, answer("too late")))
    started = time.monotonic()
    with pytest.raises(AssistantTimeout, match=r"timed out after 6 s") as failure:
        await agent.fire(request())
    assert time.monotonic() - started < 25
    record = failure.value.agent_record
    assert record is not None and record["stop_reason"] == "timeout"
    assert [c["result"] for c in record["tool_calls"]] == ["echo: before the deadline"]


@pytest.mark.parametrize("api", APIS)
async def test_429_with_retry_after_then_success(
        tmp_path: Path, model: ScriptedModel, api: str) -> None:
    agent = make_agent(tmp_path, model, api, tool_server())
    model.play(http_error(429, retry_after="0"), http_error(503), answer("fine after all"))
    result = await agent.fire(request())
    assert isinstance(result, FireResult) and result.output == "fine after all"
    assert len(model.seen) == 3
    assert result.agent is not None and result.agent["turns"] == 1


async def test_a_model_error_names_the_status_and_not_the_key(
        tmp_path: Path, model: ScriptedModel) -> None:
    agent = make_agent(tmp_path, model, "openai", tool_server())

    def echo_key(seen, index):  # type: ignore[no-untyped-def]
        from tests.agent_servers.model import Reply
        return Reply(401, {"error": {"message": f"bad key {seen.headers['authorization']}"}})

    model.play(echo_key)
    with pytest.raises(AssistantFailure) as failure:
        await agent.fire(request())
    assert "answered HTTP 401: bad key Bearer [redacted]" in str(failure.value)
    assert API_KEY not in str(failure.value)


async def test_the_python_time_server_from_pypi(tmp_path: Path, model: ScriptedModel) -> None:
    time_server = f"""
[assistants.researcher.mcp_servers.time]
command = {json.dumps(str(require(TIME_SERVER)))}
allow_tools = ["get_current_time"]
"""
    agent = make_agent(tmp_path, model, "openai", time_server, extra="tool_timeout_seconds = 30")
    model.play(call_tools(("time__get_current_time", {"timezone": "Europe/Riga"})),
               answer("It is morning in Riga."))
    result = await agent.fire(request("what time is it in Riga?"))
    assert isinstance(result, FireResult)
    seen = json.loads(model.seen[1].tool_results()[0])
    assert seen["timezone"] == "Europe/Riga"
    assert datetime.fromisoformat(seen["datetime"]).utcoffset() is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def http_tool_server() -> Iterator[str]:
    """The Python tool server on streamable HTTP, demanding HEADER_SECRET as Authorization."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(TOOL_SERVER), "--http", str(port), "--auth-header", HEADER_SECRET],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_secrets_never_reach_the_run_the_output_or_the_logs(
        tmp_path: Path, model: ScriptedModel, http_tool_server: str,
        caplog: pytest.LogCaptureFixture) -> None:
    """env_from reaches the stdio server, headers_env the HTTP one, the key the model; none of
    them is in the record, the output or any log line; the stdio env is exactly the minimum."""
    caplog.set_level(logging.DEBUG)
    servers = tool_server(extra='env = { PLAIN = "visible" }\nenv_from = ["AGENT_TEST_ENV_SECRET"]')
    servers += f"""
[assistants.researcher.mcp_servers.remote]
url = "{http_tool_server}"
headers_env = {{ Authorization = "AGENT_TEST_HEADER" }}
allow_tools = ["echo"]
"""
    agent = make_agent(tmp_path, model, "openai", servers)
    model.play(call_tools(("tools__environment", {}), ("remote__echo", {"text": "over http"})),
               answer(f"done; the key was {API_KEY} and the env had {ENV_SECRET}"))

    result = await agent.fire(request())

    assert isinstance(result, FireResult)
    environment_text, echoed = model.seen[1].tool_results()
    environment = json.loads(environment_text)
    expected = {name for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    assert set(environment) == expected | {"PLAIN", "AGENT_TEST_ENV_SECRET"}
    assert environment["AGENT_TEST_ENV_SECRET"] == ENV_SECRET  # passed through, as configured
    assert echoed == "echo: over http"  # the HTTP server accepted the header from headers_env
    stored = json.dumps(result.agent) + result.output
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (API_KEY, ENV_SECRET, HEADER_SECRET, HEADER_SECRET.split()[1]):
        assert secret not in stored
        assert secret not in logged
    assert "[redacted]" in result.output and "[redacted]" in result.agent["tool_calls"][0]["result"]


async def test_a_wrong_header_is_a_start_failure_without_the_secret(
        tmp_path: Path, model: ScriptedModel, http_tool_server: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_TEST_HEADER", "Bearer wrong-SECRET-value")
    servers = f"""
[assistants.researcher.mcp_servers.remote]
url = "{http_tool_server}"
headers_env = {{ Authorization = "AGENT_TEST_HEADER" }}
allow_tools = ["echo"]
"""
    agent = make_agent(tmp_path, model, "anthropic", servers)
    model.play(answer("never asked"))
    with pytest.raises(AssistantFailure, match="MCP server 'remote' did not start") as failure:
        await agent.fire(request())
    assert "wrong-SECRET-value" not in str(failure.value)
    assert model.seen == []


async def test_a_missing_env_from_variable_fails_before_starting_anything(
        tmp_path: Path, model: ScriptedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_TEST_ENV_SECRET")
    agent = make_agent(tmp_path, model, "openai",
                       tool_server(extra='env_from = ["AGENT_TEST_ENV_SECRET"]'))
    with pytest.raises(AssistantFailure, match="environment variable AGENT_TEST_ENV_SECRET "
                       r"\(env_from of MCP server 'tools', assistant 'researcher'\) is not set"):
        await agent.fire(request())
    assert model.seen == []


async def test_the_worked_example_memory_and_filesystem(tmp_path: Path,
                                                        model: ScriptedModel) -> None:
    """docs/agent-runs.md's example with both npm servers: a note written, a fact remembered."""
    notes = tmp_path / "notes"
    notes.mkdir()
    memory = tmp_path / "memory.jsonl"
    files = f"""
[assistants.researcher.mcp_servers.files]
command = "node"
args = [{json.dumps(str(require(FILESYSTEM_SERVER)))}, {json.dumps(str(notes))}]
allow_tools = ["write_file", "list_directory"]
"""
    agent = make_agent(tmp_path, model, "anthropic", memory_server(memory) + files)
    standup = {"entities": [{"name": "standup", "entityType": "note",
                             "observations": ["written to notes/standup.md"]}]}
    model.play(call_tools(("files__write_file", {"path": str(notes / "standup.md"),
                                                 "content": "# Standup\n- Ada: tea\n"}),
                          ("memory__create_entities", standup)),
               call_tools(("files__write_file", {"path": str(tmp_path / "outside.md"),
                                                 "content": "escape"})),
               answer("Wrote the note and remembered it."))

    result = await agent.fire(request("write today's standup note and remember it"))

    assert isinstance(result, FireResult) and result.agent is not None
    assert (notes / "standup.md").read_text() == "# Standup\n- Ada: tea\n"
    assert any(line.get("name") == "standup" for line in memory_lines(memory))
    # The filesystem server itself refuses paths outside its directory: an error to the model.
    assert not (tmp_path / "outside.md").exists()
    outside = result.agent["tool_calls"][2]
    assert (outside["tool"], outside["is_error"], outside["allowed"]) == ("write_file", True, True)


async def test_arguments_and_results_are_kept_as_2_kib_excerpts(
        tmp_path: Path, model: ScriptedModel) -> None:
    agent = make_agent(tmp_path, model, "openai", tool_server())
    long_text = "é" * 3000  # 6000 bytes of UTF-8
    model.play(call_tools(("tools__echo", {"text": long_text})), answer("ok"))
    result = await agent.fire(request())
    assert isinstance(result, FireResult) and result.agent is not None
    assert model.seen[1].tool_results() == [f"echo: {long_text}"]  # the model got all of it
    call = result.agent["tool_calls"][0]
    for kept in (call["arguments"], call["result"]):
        assert len(kept.encode("utf-8")) <= 2048 and kept.endswith("...[cut]")


class MemoryConversations:
    """A ConversationStore in memory (the server uses the database's)."""

    def __init__(self) -> None:
        self.chats: dict[str, list[dict[str, str]]] = {}

    def load(self, chat_id: str) -> list[dict[str, str]]:
        return list(self.chats.get(chat_id, []))

    def append(self, chat_id: str, messages: list[dict[str, str]]) -> None:
        self.chats.setdefault(chat_id, []).extend(messages)


@pytest.mark.parametrize("api", APIS)
async def test_chat_id_continues_the_conversation(tmp_path: Path, model: ScriptedModel,
                                                  api: str) -> None:
    path = tmp_path / "assistants.toml"
    make_agent(tmp_path, model, api, tool_server())  # writes the file
    conversations = MemoryConversations()
    agent = load_assistants(path, conversations=conversations).get("researcher")
    chat = FireRequest(task_id="t", run_id="r1", prompt="first question", metadata={},
                       scheduled_for=datetime(2026, 3, 11, 9, tzinfo=UTC),
                       chat_id="standup", task_name=None)
    model.play(answer("first answer"))
    await agent.fire(chat)
    model.play(answer("second answer"))
    await agent.fire(FireRequest(**{**chat.__dict__, "run_id": "r2", "prompt": "and then?"}))

    sent = [m for m in model.seen[0].body["messages"] if m["role"] != "system"]
    assert sent == [{"role": "user", "content": "first question"},
                    {"role": "assistant", "content": "first answer"},
                    {"role": "user", "content": "and then?"}]
    assert conversations.chats["standup"][-1] == {"role": "assistant", "content": "second answer"}
