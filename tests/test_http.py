"""Streamable HTTP: the real `agentcron serve --http` on 127.0.0.1, reached by an MCP client.

Also the pure parts: the loopback rule, the bearer-token middleware and the Host check.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agentcron.errors import ConfigError
from agentcron.transport import (
    BearerTokenMiddleware,
    is_loopback,
    require_token_if_exposed,
    security_settings,
)
from tests.procs import AGENTCRON, ServerProcess, free_port, server_env

TOKEN = "tok-3f9a1c55e0b84d2a-never-log-me"
READY = "agentcron serving MCP over HTTP at"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "1"},
    },
}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


# --- pure parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.5", "::1", "[::1]", "localhost", "LOCALHOST"]
)
def test_loopback_addresses_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.2", "10.0.0.1", "example.com", ""])
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_exposed_bind_without_token_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="AGENTCRON_HTTP_TOKEN"):
        require_token_if_exposed("0.0.0.0", None)
    require_token_if_exposed("0.0.0.0", "secret")
    require_token_if_exposed("127.0.0.1", None)


async def _call(middleware: BearerTokenMiddleware, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await middleware(scope, receive, send)
    return sent


def _http_scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/mcp", "headers": list(headers)}


@pytest.fixture
def gated() -> tuple[BearerTokenMiddleware, list[str]]:
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    return BearerTokenMiddleware(app, TOKEN), reached


@pytest.mark.anyio
@pytest.mark.parametrize(
    "value",
    [f"Bearer {TOKEN}".encode(), f"bearer {TOKEN}".encode(), f"BEARER  {TOKEN} ".encode()],
)
async def test_middleware_lets_the_right_token_through(gated: Any, value: bytes) -> None:
    middleware, reached = gated
    assert await _call(middleware, _http_scope((b"authorization", value))) == []
    assert reached == ["http"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [
        (),
        ((b"authorization", b"Bearer wrong"),),
        ((b"authorization", f"Basic {TOKEN}".encode()),),
        ((b"authorization", TOKEN.encode()),),
        ((b"authorization", f"Bearer {TOKEN}x".encode()),),
    ],
)
async def test_middleware_answers_401_without_the_right_token(gated: Any, headers: Any) -> None:
    middleware, reached = gated
    start, body = await _call(middleware, _http_scope(*headers))
    assert reached == []
    assert start["status"] == 401
    response_headers = dict(start["headers"])
    assert response_headers[b"www-authenticate"].startswith(b"Bearer")
    assert json.loads(body["body"])["error"] == "unauthorized"
    assert TOKEN.encode() not in body["body"]


@pytest.mark.anyio
async def test_middleware_passes_lifespan_events(gated: Any) -> None:
    middleware, reached = gated
    await _call(middleware, {"type": "lifespan"})
    assert reached == ["lifespan"]


def test_loopback_binds_keep_the_dns_rebinding_check() -> None:
    settings = security_settings("127.0.0.1")
    assert settings.enable_dns_rebinding_protection
    assert "127.0.0.1:*" in settings.allowed_hosts and "localhost:*" in settings.allowed_hosts
    assert "127.0.0.5:*" in security_settings("127.0.0.5").allowed_hosts


def test_exposed_binds_rely_on_the_token_unless_hosts_are_named() -> None:
    assert not security_settings("0.0.0.0").enable_dns_rebinding_protection
    named = security_settings("0.0.0.0", ["sched.example.com"])
    assert named.enable_dns_rebinding_protection
    assert "sched.example.com:*" in named.allowed_hosts


# --- the real server --------------------------------------------------------------------


def _start(tmp: Path, *args: str, **settings: str) -> tuple[ServerProcess, str]:
    port = free_port()
    server = ServerProcess(
        ["serve", "--http", "--port", str(port), *args], server_env(tmp, **settings), cwd=tmp
    )
    try:
        line = server.wait_for_stderr(READY)
    except BaseException:
        server.stop()
        raise
    return server, line.split(READY, 1)[1].strip()


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    # DEBUG: the most the server ever logs, and still never the token.
    server, url = _start(
        tmp_path_factory.mktemp("token"), "--log-level", "DEBUG", AGENTCRON_HTTP_TOKEN=TOKEN
    )
    try:
        yield server, url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    server, url = _start(tmp_path_factory.mktemp("open"))
    try:
        yield server, url
    finally:
        server.stop()


@asynccontextmanager
async def mcp_client(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """An MCP client over streamable HTTP; `headers` go on every request."""
    async with httpx2.AsyncClient(headers=headers or {}, timeout=30) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            yield client


def test_ready_line_names_the_endpoint(token_server: tuple[ServerProcess, str]) -> None:
    _, url = token_server
    assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")


@pytest.mark.anyio
async def test_client_with_token_lists_tools_and_converts_text(
    token_server: tuple[ServerProcess, str],
) -> None:
    _, url = token_server
    async with mcp_client(url, {"Authorization": f"Bearer {TOKEN}"}) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"text_to_cron", "describe_cron"} <= names
        result = await client.call_tool(
            "text_to_cron", {"text": "every weekday at 9am", "timezone": "Europe/Berlin"}
        )
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["cron"] == "0 9 * * 1-5"
    assert result.structured_content["timezone"] == "Europe/Berlin"


def test_requests_without_or_with_a_wrong_token_get_401(
    token_server: tuple[ServerProcess, str],
) -> None:
    _, url = token_server
    wrong = ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": f"Basic {TOKEN}"})
    for headers in wrong:
        response = httpx.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **headers})
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"] == "unauthorized"


def test_every_request_needs_the_token_not_only_initialize(
    token_server: tuple[ServerProcess, str],
) -> None:
    _, url = token_server
    auth = {"Authorization": f"bearer {TOKEN}"}  # the scheme is case-insensitive
    with httpx.Client(headers=MCP_HEADERS, timeout=10) as http:
        opened = http.post(url, json=INITIALIZE, headers=auth)
        assert opened.status_code == 200
        session = {"Mcp-Session-Id": opened.headers["mcp-session-id"]}
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        refused = http.post(url, json=listing, headers=session)
        assert refused.status_code == 401
        assert http.get(url, headers=session).status_code == 401
        assert http.delete(url, headers=session).status_code == 401
        assert http.delete(url, headers={**session, **auth}).status_code in (200, 204)


def test_a_foreign_host_header_is_refused_on_loopback(
    token_server: tuple[ServerProcess, str],
) -> None:
    _, url = token_server
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}", "Host": "evil.example:80"}
    assert httpx.post(url, json=INITIALIZE, headers=headers).status_code == 421


def test_the_token_never_appears_in_the_server_log(
    token_server: tuple[ServerProcess, str],
) -> None:
    server, url = token_server
    httpx.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}"})
    httpx.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}0"})
    server.wait_for_stderr("missing or wrong bearer token")
    server.wait_for_stderr('"POST /mcp HTTP/1.1" 200')
    assert TOKEN not in server.stderr
    assert not server.stdout_lines, "HTTP mode logs to stderr only"


@pytest.mark.anyio
async def test_loopback_without_token_serves_anyone_local(
    open_server: tuple[ServerProcess, str],
) -> None:
    _, url = open_server
    async with Client(url) as client:  # the plain URL form: no headers needed
        result = await client.call_tool("describe_cron", {"cron": "0 9 * * 1-5"})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["cron"] == "0 9 * * 1-5"


def test_all_interfaces_without_token_exit_naming_the_variable(tmp_path: Path) -> None:
    done = subprocess.run(
        [*AGENTCRON, "serve", "--http", "--host", "0.0.0.0", "--port", str(free_port())],
        env=server_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "AGENTCRON_HTTP_TOKEN" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_busy_port_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*AGENTCRON, "serve", "--http", "--port", str(port)],
            env=server_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"cannot listen on http://127.0.0.1:{port}/mcp" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.anyio
async def test_all_interfaces_with_token_accept_any_host_name(tmp_path: Path) -> None:
    server, url = _start(tmp_path, "--host", "0.0.0.0", AGENTCRON_HTTP_TOKEN=TOKEN)
    try:
        port = url.rsplit(":", 1)[1].split("/")[0]
        local_url = f"http://127.0.0.1:{port}/mcp"
        headers = {"Authorization": f"Bearer {TOKEN}", "Host": f"scheduler.lan:{port}"}
        async with mcp_client(local_url, headers) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
        assert "describe_cron" in names
        assert httpx.post(local_url, json=INITIALIZE, headers=MCP_HEADERS).status_code == 401
    finally:
        server.stop()
    assert TOKEN not in server.stderr


def test_sigterm_stops_the_http_server_cleanly_with_exit_0(tmp_path: Path) -> None:
    server, _ = _start(tmp_path, AGENTCRON_RUNNER="on")
    assert server.stop() == 0
    assert "Application shutdown complete" in server.stderr or "stopped" in server.stderr
