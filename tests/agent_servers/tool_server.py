"""A small real MCP server for the agent-run tests: tools that fail, hang, or show their env.

stdio by default; `--http PORT --auth-header VALUE` serves streamable HTTP on 127.0.0.1 and
answers 401 unless `Authorization` is exactly VALUE. `--name` sets the name it reports.
"""

from __future__ import annotations

import argparse
import json
import os

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError


def build(name: str) -> MCPServer:
    server = MCPServer(name)

    @server.tool()
    def echo(text: str) -> str:
        """Answer with the text given."""
        return f"echo: {text}"

    @server.tool()
    def fail(reason: str) -> str:
        """Always fails with the reason given."""
        raise ToolError(f"failed on purpose: {reason}")

    @server.tool()
    async def sleep(seconds: float) -> str:
        """Sleep, then answer."""
        await anyio.sleep(seconds)
        return "woke up"

    @server.tool()
    def environment() -> str:
        """The server process's environment, as JSON."""
        return json.dumps(dict(os.environ), sort_keys=True)

    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="test-tools")
    parser.add_argument("--http", type=int)
    parser.add_argument("--auth-header")
    args = parser.parse_args()
    server = build(args.name)
    if args.http is None:
        server.run()
        return
    import uvicorn

    app = server.streamable_http_app()

    async def guarded(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            if headers.get(b"authorization", b"").decode() != args.auth_header:
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"unauthorized"})
                return
        await app(scope, receive, send)

    uvicorn.run(guarded, host="127.0.0.1", port=args.http, log_level="warning")


if __name__ == "__main__":
    main()
