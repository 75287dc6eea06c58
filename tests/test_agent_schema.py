"""The `agent` type in the assistants file (DESIGN.md §12): strict, errors that name the table
and key, and the docs' TOML blocks load with the real loader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.assistants.agent import AgentAssistant
from agentcron.errors import ConfigError

DOC = (Path(__file__).resolve().parents[1] / "docs" / "agent-runs.md").read_text(encoding="utf-8")
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", DOC, re.DOTALL)

AGENT = """
[assistants.a]
type = "agent"
api = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "m"
"""
SERVER = """
[assistants.a.mcp_servers.s]
command = "node"
allow_tools = ["read_graph"]
"""


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "assistants.toml"
    path.write_text(text, encoding="utf-8")
    return load_assistants(path)


def test_docs_have_toml_blocks() -> None:
    assert len(TOML_BLOCKS) >= 3


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=lambda b: b.split("]", 1)[0].strip("["))
def test_every_toml_block_in_the_docs_loads(tmp_path: Path, block: str) -> None:
    registry = load(tmp_path, block)
    assert len(registry.names()) >= 2  # the block's assistant and the built-in inbox


def test_defaults_and_the_summary(tmp_path: Path) -> None:
    agent = load(tmp_path, AGENT + SERVER).get("a")
    assert isinstance(agent, AgentAssistant)
    config = agent.config
    assert (config.max_turns, config.max_tool_calls, config.max_output_tokens,
            config.timeout_seconds, config.tool_timeout_seconds) == (10, 25, 4096, 600, 60)
    assert agent.summary == ("Agent run with model m (openai API at 127.0.0.1:9) and MCP "
                             "servers s")


@pytest.mark.parametrize(("text", "message"), [
    (AGENT, "[assistants.a]: missing required key 'mcp_servers' for type \"agent\""),
    (AGENT + "[assistants.a.mcp_servers]\n", "key 'mcp_servers': Dictionary should have at least"),
    (AGENT + SERVER + "cwd = '/tmp'\n",
     ("[assistants.a]: unknown key 'mcp_servers.s.cwd' for an MCP server (allowed: command, "
      "args, env, env_from, url, headers_env, allow_tools)")),
    (AGENT + SERVER.replace('command = "node"', 'command = "node"\nurl = "http://x/mcp"'),
     "give exactly one of 'command' (a stdio server) or 'url'"),
    (AGENT + SERVER.replace('["read_graph"]', "[]"),
     "key 'mcp_servers.s.allow_tools': List should have at least 1 item"),
    (AGENT + SERVER.replace('["read_graph"]', '["*", "read_graph"]'),
     'allows every tool and cannot be combined'),
    (AGENT + SERVER.replace("mcp_servers.s]", "mcp_servers.my__server]"),
     "server name 'my__server' must not contain '__'"),
    (AGENT + SERVER + 'headers_env = { Authorization = "TOKEN" }\n',
     "'headers_env' is for streamable-HTTP servers"),
    (AGENT + SERVER + 'env_from = ["not a name"]\n',
     "key 'mcp_servers.s.env_from[0]': must be the name of an environment variable"),
    (AGENT.replace('api = "openai"', 'api = "gemini"') + SERVER, "key 'api': Input should be"),
    (AGENT + "max_turns = 51\n" + SERVER, "key 'max_turns': Input should be less than or equal"),
    (AGENT + "max_tool_calls = -1\n" + SERVER, "key 'max_tool_calls': Input should be greater"),
])
def test_mistakes_name_the_table_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, text)
    assert message in str(error.value)
