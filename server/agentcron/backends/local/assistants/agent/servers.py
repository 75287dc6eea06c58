"""The MCP servers of one agent run: started, checked and listed before any model call.

Each server lives in its own task (the SDK's transports are anyio task groups, which must be
left by the task that entered them); the run talks to it through its `ClientSession`. A stdio
server gets exactly PATH, HOME, LANG, TMPDIR, `env` and `env_from` (started through `env -i`,
because the SDK itself would add more of agentcron's environment). Its stderr goes to a
temporary file, quoted (with secrets replaced) only when it fails to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Self

from agentcron import __version__
from agentcron.backends.local.assistants.agent.apis import OfferedTool
from agentcron.backends.local.assistants.base import (
    AssistantFailure,
    excerpt,
    logger,
    redact,
)
from agentcron.backends.local.assistants.schema import TOOL_SEPARATOR, McpServerConfig

PASSED_ENV = ("PATH", "HOME", "LANG", "TMPDIR")
AGENTCRON_SERVER_NAME = "agentcron"
STOP_SECONDS = 8.0  # the SDK gives a stdio server 2 s after stdin closes, then SIGTERM, SIGKILL
MAX_TOOL_PAGES = 20
MAX_RESULT_CHARS = 64 * 1024  # what one tool result may put in front of the model


@dataclass(frozen=True)
class ServerTool:
    """An allowed tool: where it lives and how the model sees it."""

    server: str
    tool: str
    offered: OfferedTool


@dataclass(frozen=True)
class ToolAnswer:
    text: str
    is_error: bool


def stdio_environment(config: McpServerConfig, passed: Mapping[str, str]) -> dict[str, str]:
    """PATH, HOME, LANG, TMPDIR of agentcron, then `env`, then the `env_from` values."""
    environment = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    environment.update(config.env)
    environment.update(passed)
    return environment


def result_text(result: Any) -> str:
    """A tool result as text for the model: its text blocks, else its structured content."""
    parts: list[str] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        else:
            parts.append(f"[{kind} content omitted]")
    if not parts and getattr(result, "structured_content", None) is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    text = "\n".join(parts)
    return text if len(text) <= MAX_RESULT_CHARS else text[:MAX_RESULT_CHARS] + "...[cut]"


@dataclass
class _Server:
    """One configured server, kept open by its own task until the run ends."""

    name: str
    config: McpServerConfig
    passed_env: dict[str, str]
    headers: dict[str, str]
    secrets: Sequence[str]
    ready: asyncio.Future[tuple[Any, str, list[Any]]] = field(init=False)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    stderr: IO[str] | None = None

    def __post_init__(self) -> None:
        self.ready = asyncio.get_running_loop().create_future()

    def transport(self) -> contextlib.AbstractAsyncContextManager[Any]:
        if self.config.url is not None:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            client = httpx2.AsyncClient(headers=self.headers, timeout=httpx2.Timeout(30, read=300))
            return _with_client(client, streamable_http_client(str(self.config.url),
                                                               http_client=client))
        from mcp.client.stdio import StdioServerParameters, stdio_client

        environment = stdio_environment(self.config, self.passed_env)
        assert self.config.command is not None
        program = shutil.which(self.config.command, path=environment.get("PATH"))
        if program is None:
            raise AssistantFailure(f"command '{self.config.command}' not found on PATH")
        clear = shutil.which("env")
        if clear is None:
            raise AssistantFailure("cannot start it with a clean environment: no 'env' program")
        if "=" in program:  # `env` would read it as a variable, not as the program
            raise AssistantFailure(f"the path of command '{self.config.command}' contains '='")
        assignments = [f"{key}={value}" for key, value in environment.items()]
        # Closed by `keep` when the server stops: it outlives this method.
        self.stderr = tempfile.TemporaryFile(  # noqa: SIM115
            "w+", encoding="utf-8", errors="replace")
        parameters = StdioServerParameters(
            command=clear, args=["-i", *assignments, program, *self.config.args], env={},
        )
        return stdio_client(parameters, errlog=self.stderr)

    async def keep(self) -> None:
        """Connect, initialize, list the tools, then hold the session until `stop`."""
        from mcp.client.session import ClientSession
        from mcp.types import Implementation

        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(self.transport())
                session = await stack.enter_async_context(ClientSession(
                    read, write,
                    client_info=Implementation(name="agentcron-agent", version=__version__),
                ))
                initialized = await session.initialize()
                tools = await _all_tools(session)
                self.ready.set_result((session, initialized.server_info.name, tools))
                await self.stop.wait()
        except BaseException as exc:
            if not self.ready.done():
                self.ready.set_exception(AssistantFailure(self._why(exc)))
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            if self.stderr is not None:
                self.stderr.close()

    def _why(self, exc: BaseException) -> str:
        """Why it did not start, from the exception and the tail of its stderr."""
        while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        reason = str(exc) if isinstance(exc, AssistantFailure) else (
            f"{type(exc).__name__}: {excerpt(str(exc), 300)}" if str(exc) else type(exc).__name__)
        if self.stderr is not None and not self.stderr.closed:
            with contextlib.suppress(OSError, ValueError):
                self.stderr.seek(0)
                tail = excerpt(self.stderr.read()[-4000:], 400, tail=True)
                if tail:
                    reason += f"; its stderr: {tail}"
        return redact(reason, self.secrets)


@contextlib.asynccontextmanager
async def _with_client(client: Any, transport: Any) -> Any:
    async with client, transport as streams:
        yield streams


async def _all_tools(session: Any) -> list[Any]:
    from mcp.types import PaginatedRequestParams

    tools: list[Any] = []
    cursor: str | None = None
    for _ in range(MAX_TOOL_PAGES):
        page = await session.list_tools(
            params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            break
    return tools


class ToolServers:
    """`async with ToolServers(...) as servers`: every server up and checked, or AssistantFailure
    naming the server before any model call is made."""

    def __init__(self, configs: Mapping[str, McpServerConfig], *,
                 passed_env: Mapping[str, dict[str, str]],
                 headers: Mapping[str, dict[str, str]],
                 secrets: Sequence[str], start_timeout: float, tool_timeout: float) -> None:
        self._configs = dict(configs)
        self._passed_env = passed_env
        self._headers = headers
        self._secrets = secrets
        self._start_timeout = start_timeout
        self._tool_timeout = tool_timeout
        self._servers: dict[str, _Server] = {}
        self._keepers: list[asyncio.Task[None]] = []
        self._sessions: dict[str, Any] = {}
        self.tools: dict[str, ServerTool] = {}

    async def __aenter__(self) -> Self:
        for name, config in self._configs.items():
            server = _Server(name, config, self._passed_env.get(name, {}),
                             self._headers.get(name, {}), self._secrets)
            self._servers[name] = server
            self._keepers.append(asyncio.create_task(server.keep(), name=f"mcp-{name}"))
        try:
            await self._check_all()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _check_all(self) -> None:
        problems: list[str] = []
        waits = [asyncio.wait_for(asyncio.shield(s.ready), self._start_timeout)
                 for s in self._servers.values()]
        outcomes = await asyncio.gather(*waits, return_exceptions=True)
        for server, outcome in zip(self._servers.values(), outcomes):
            if isinstance(outcome, TimeoutError):
                problems.append(f"MCP server '{server.name}' did not start and answer initialize "
                                f"within {self._start_timeout:g} s (tool_timeout_seconds)")
            elif isinstance(outcome, BaseException):
                problems.append(f"MCP server '{server.name}' did not start: {outcome}")
            else:
                problem = self._offer(server, *outcome)
                if problem:
                    problems.append(problem)
        if problems:
            raise AssistantFailure("; ".join(problems) + "; the model was not called")

    def _offer(self, server: _Server, session: Any, reported: str, tools: list[Any]) -> str | None:
        """Record the allowed tools of one server, or say what is wrong with it."""
        if reported.strip().lower() == AGENTCRON_SERVER_NAME:
            return (f"MCP server '{server.name}' is agentcron itself; an agent run may not "
                    "schedule through its own scheduler (no recursion)")
        by_name = {tool.name: tool for tool in tools}
        wanted = list(by_name) if server.config.allows_all else server.config.allow_tools
        missing = [name for name in wanted if name not in by_name]
        if missing:
            return (f"MCP server '{server.name}' has no tool named {', '.join(map(repr, missing))}"
                    f" (allow_tools; it offers: {', '.join(sorted(by_name)) or 'nothing'})")
        if not wanted:
            return f"MCP server '{server.name}' offers no tools"
        self._sessions[server.name] = session
        for name in wanted:
            tool = by_name[name]
            seen = f"{server.name}{TOOL_SEPARATOR}{name}"
            self.tools[seen] = ServerTool(server.name, name, OfferedTool(
                seen, tool.description or "", dict(tool.input_schema or {"type": "object"})))
        return None

    def where(self, model_name: str) -> tuple[str | None, str]:
        """(server, tool) a model's tool name points at, for the record of any call."""
        if model_name in self.tools:
            found = self.tools[model_name]
            return found.server, found.tool
        server, separator, tool = model_name.partition(TOOL_SEPARATOR)
        if separator and server in self._configs:
            return server, tool
        return None, model_name

    async def call(self, model_name: str, arguments: dict[str, Any]) -> ToolAnswer:
        """Call an offered tool; errors, exceptions and timeouts come back as error answers."""
        found = self.tools[model_name]
        session = self._sessions[found.server]
        try:
            async with asyncio.timeout(self._tool_timeout):
                result = await session.call_tool(found.tool, arguments,
                                                 read_timeout_seconds=self._tool_timeout)
        except TimeoutError:
            return ToolAnswer(f"the tool did not answer within {self._tool_timeout:g} s "
                              "(tool_timeout_seconds)", True)
        except Exception as exc:  # noqa: BLE001 - any failure of a tool is the model's to hear
            detail = excerpt(str(exc), 500)
            logger.info("tool %s failed: %s", model_name, type(exc).__name__)
            return ToolAnswer(f"the tool call failed: {type(exc).__name__}"
                              + (f": {detail}" if detail else ""), True)
        return ToolAnswer(result_text(result), bool(getattr(result, "is_error", False)))

    async def close(self) -> None:
        """Stop every server: stdio ones are ended, HTTP sessions are closed."""
        for server, keeper in zip(self._servers.values(), self._keepers):
            server.stop.set()
            if not server.ready.done():  # still starting (e.g. no answer to initialize)
                server.ready.cancel()
                keeper.cancel()
        if not self._keepers:
            return
        started = time.monotonic()
        _, pending = await asyncio.wait(self._keepers, timeout=STOP_SECONDS)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=STOP_SECONDS)
        logger.debug("MCP servers stopped in %.2f s", time.monotonic() - started)
        self._keepers = []
