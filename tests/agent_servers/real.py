"""Where the real MCP servers the agent tests start live, installed by `.ci/run`.

`tests/node/mcp-servers` (npm ci: @modelcontextprotocol/server-memory and server-filesystem)
and `tests/python-mcp-servers/.venv` (mcp-server-time from PyPI). Missing in CI is a failure,
never a skip: these tests are what show an agent run works with real servers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
NODE_MODULES = TESTS / "node" / "mcp-servers" / "node_modules"
MEMORY_SERVER = NODE_MODULES / "@modelcontextprotocol" / "server-memory" / "dist" / "index.js"
FILESYSTEM_SERVER = (NODE_MODULES / "@modelcontextprotocol" / "server-filesystem" / "dist"
                     / "index.js")
TIME_SERVER = TESTS / "python-mcp-servers" / ".venv" / "bin" / "mcp-server-time"
TOOL_SERVER = Path(__file__).resolve().parent / "tool_server.py"


def require(path: Path) -> Path:
    """The path, or a failure in CI (a skip elsewhere) saying how to install it."""
    if path.exists():
        return path
    message = f"{path} is missing: run .ci/run (npm ci in tests/node/mcp-servers, and the venv " \
              "of tests/python-mcp-servers/requirements.txt)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
