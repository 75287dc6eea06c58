"""What an agent run costs beyond the model: servers started, tools listed, 3 tool calls.

Each agent sample fires the `agent` assistant once: the real npm memory server (node) is
started, initialized and listed; a scripted model on 127.0.0.1 asks at once for 3 tool calls in
one turn, then answers; the server is stopped. The baseline sample does the same MCP work with a
bare `mcp` SDK client session (spawn, initialize, list_tools, the same 3 calls, close), so the
ratio is agentcron's overhead: the environment set-up, checks, the loop, the record, the two
local model round trips. Samples alternate, so both see the same machine load.

Needs the test servers (`.ci/run`, or `npm ci` in tests/node/mcp-servers).

    PYTHONPATH=server python bench/agent_overhead.py [--samples 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentcron.backends.local.assistants import (
    Assistant,
    FireRequest,
    load_assistants,
)
from agentcron.backends.local.http_pool import assistant_http_client

from tests.agent_servers.model import ScriptedModel, answer, call_tools, scripted_model
from tests.agent_servers.real import MEMORY_SERVER

CALLS = [
    ("create_entities", {"entities": [{"name": "Ada", "entityType": "person",
                                       "observations": ["likes tea"]}]}),
    ("read_graph", {}),
    ("search_nodes", {"query": "Ada"}),
]


async def bare_session(memory_file: Path) -> float:
    """Seconds for spawn + initialize + list_tools + 3 calls + close, with the SDK alone."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    started = time.perf_counter()
    parameters = StdioServerParameters(command="node", args=[str(MEMORY_SERVER)],
                                       env={"MEMORY_FILE_PATH": str(memory_file)})
    with open(os.devnull, "w") as quiet:  # noqa: ASYNC230 - the bench, not the server
        async with stdio_client(parameters, errlog=quiet) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            await session.list_tools()
            for name, arguments in CALLS:
                result = await session.call_tool(name, arguments)
                assert not result.is_error, result
    return time.perf_counter() - started


async def agent_run(model: ScriptedModel, agent: Assistant) -> float:
    """Seconds for one fire of the agent assistant doing the same work."""
    model.play(call_tools(*[(f"memory__{name}", args) for name, args in CALLS]), answer("done"))
    request = FireRequest(task_id="t", run_id="r", scheduled_for=datetime.now(UTC),
                          prompt="remember Ada", metadata={}, chat_id=None, task_name=None)
    started = time.perf_counter()
    result = await agent.fire(request)
    elapsed = time.perf_counter() - started
    record = result.agent  # type: ignore[union-attr]
    assert [c["is_error"] for c in record["tool_calls"]] == [False, False, False], record
    return elapsed


NODE_VERSION = subprocess.run(["node", "--version"], capture_output=True, text=True,
                              check=False).stdout.strip()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


async def main(samples: int) -> None:
    if not MEMORY_SERVER.exists():
        sys.exit(f"{MEMORY_SERVER} is missing: run npm ci in tests/node/mcp-servers")
    workdir = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    with scripted_model() as model:
        assistants = workdir / "assistants.toml"
        assistants.write_text(f"""
[assistants.bench]
type = "agent"
api = "openai"
base_url = "{model.url}"
model = "scripted"

[assistants.bench.mcp_servers.memory]
command = "node"
args = [{json.dumps(str(MEMORY_SERVER))}]
env = {{ MEMORY_FILE_PATH = {json.dumps(str(workdir / "agent.jsonl"))} }}
allow_tools = ["create_entities", "read_graph", "search_nodes"]
""", encoding="utf-8")
        # As the server does: one shared HTTP client for every fire's model calls.
        http = assistant_http_client()
        agent = load_assistants(assistants, http_client=http).get("bench")
        await bare_session(workdir / "warm.jsonl")  # warm the disk cache for both
        await agent_run(model, agent)
        bare: list[float] = []
        fired: list[float] = []
        for _ in range(samples):
            bare.append(await bare_session(workdir / "bare.jsonl"))
            fired.append(await agent_run(model, agent))
        await http.aclose()
    ms = lambda s: f"{s * 1000:7.1f} ms"
    print(f"{samples} samples each, alternating; memory server on node {NODE_VERSION}")
    print(f"bare mcp session : median {ms(statistics.median(bare))}  p95 {ms(p95(bare))}")
    print(f"agent run        : median {ms(statistics.median(fired))}  p95 {ms(p95(fired))}")
    print(f"ratio agent/bare : median {statistics.median(fired) / statistics.median(bare):.2f}  "
          f"p95 {p95(fired) / p95(bare):.2f}")
    print(f"overhead (median difference): {ms(statistics.median(fired) - statistics.median(bare))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=20)
    asyncio.run(main(parser.parse_args().samples))
