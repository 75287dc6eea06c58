"""Logs: one stderr line per tool call, --log-level / AGENTCRON_LOG_LEVEL obeyed, stdout is
nothing but protocol."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.procs import AGENTCRON, ServerProcess, free_port, server_env

TOOL_LINE = re.compile(r"tool describe_cron ok in \d+(\.\d+)? ms")


async def _describe_over_stdio(tmp_path: Path, args: list[str], **settings: str) -> str:
    """Start `agentcron <args>` over stdio, call describe_cron once, return the server's stderr."""
    params = StdioServerParameters(
        command=AGENTCRON[0],
        args=[*AGENTCRON[1:], *args],
        env=server_env(tmp_path, **settings),
        cwd=tmp_path,
    )
    log_path = tmp_path / "stderr.log"
    with log_path.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            result = await client.call_tool("describe_cron", {"cron": "*/15 * * * *"})
    assert not result.is_error, result.content
    return log_path.read_text()


@pytest.mark.anyio
async def test_each_tool_call_logs_one_line_with_duration_and_outcome(tmp_path: Path) -> None:
    stderr = await _describe_over_stdio(tmp_path, ["serve"])
    assert len(TOOL_LINE.findall(stderr)) == 1, stderr


@pytest.mark.anyio
@pytest.mark.parametrize("args", [["serve", "--log-level", "WARNING"], ["--log-level", "warning"]])
async def test_log_level_flag_silences_info(tmp_path: Path, args: list[str]) -> None:
    stderr = await _describe_over_stdio(tmp_path, args)
    assert "tool describe_cron" not in stderr
    assert " INFO " not in stderr


@pytest.mark.anyio
async def test_log_level_from_the_environment(tmp_path: Path) -> None:
    stderr = await _describe_over_stdio(tmp_path, [], AGENTCRON_LOG_LEVEL="WARNING")
    assert "tool describe_cron" not in stderr


@pytest.mark.anyio
async def test_flag_wins_over_the_environment(tmp_path: Path) -> None:
    stderr = await _describe_over_stdio(
        tmp_path, ["serve", "--log-level", "INFO"], AGENTCRON_LOG_LEVEL="ERROR"
    )
    assert len(TOOL_LINE.findall(stderr)) == 1, stderr


def test_http_server_obeys_the_log_level(tmp_path: Path) -> None:
    server = ServerProcess(
        ["serve", "--http", "--port", str(free_port())],
        server_env(tmp_path, AGENTCRON_LOG_LEVEL="WARNING"),
        cwd=tmp_path,
    )
    try:
        server.wait_for_stderr("agentcron serving MCP over HTTP at")
    finally:
        server.stop()
    assert " INFO " not in server.stderr, server.stderr


def _send(proc: subprocess.Popen[str], message: dict[str, Any]) -> None:
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()


def test_stdout_carries_only_json_rpc(tmp_path: Path) -> None:
    """Raw pipes, DEBUG logging: every stdout line is a JSON-RPC message, logs are on stderr."""
    proc = subprocess.Popen(
        [*AGENTCRON, "--log-level", "DEBUG", "serve"],
        env=server_env(tmp_path),
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr: list[str] = []
    drain = threading.Thread(target=lambda: stderr.extend(proc.stderr or ()), daemon=True)
    drain.start()
    lines: list[str] = []
    try:
        _send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}})
        assert proc.stdout is not None
        lines.append(proc.stdout.readline())
        _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        _send(proc, {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                     "params": {"name": "describe_cron", "arguments": {"cron": "@daily"}}})
        while not any('"id":3' in line.replace(" ", "") for line in lines):
            line = proc.stdout.readline()
            assert line, f"server closed stdout early; stderr:\n{''.join(stderr)}"
            lines.append(line)
        proc.stdin.close()  # type: ignore[union-attr]
        lines.extend(proc.stdout.readlines())
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        drain.join(timeout=5)
    messages = [json.loads(line) for line in lines if line.strip()]
    assert all(m.get("jsonrpc") == "2.0" for m in messages)
    assert {m.get("id") for m in messages} >= {1, 2, 3}
    call = next(m for m in messages if m.get("id") == 3)
    assert call["result"]["structuredContent"]["cron"] == "0 0 * * *"
    assert TOOL_LINE.search("".join(stderr)), "".join(stderr)


@pytest.mark.anyio
async def test_start_up_says_one_true_line_about_the_assistants_file(tmp_path: Path) -> None:
    """No file: one line saying so, never also 'assistants from <that file>'. A file: one line
    naming what it defines."""
    stderr = await _describe_over_stdio(tmp_path, ["serve"])
    assert stderr.count("no assistants file at") == 1, stderr
    assert "assistants from" not in stderr, stderr

    (tmp_path / "assistants.toml").write_text(
        '[assistants.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/x"\n')
    stderr = await _describe_over_stdio(tmp_path, ["serve"])
    assert "no assistants file" not in stderr, stderr
    assert len(re.findall(r"assistants from .*: hook, inbox", stderr)) == 1, stderr
