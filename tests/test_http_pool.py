"""The assistants' shared client (httpx over aiohttp) keeps the webhook contract and retry truth.

Every test fires a real webhook assistant through `assistant_http_client()` (the client the
daemon and the MCP server use) at a raw HTTP server on 127.0.0.1 that the test controls: how
it answers, or how it fails, decides what the run must record and whether a POST may be resent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from agentcron import __version__
from agentcron.backends.local.assistants import (
    AssistantFailure,
    AssistantTimeout,
    FireRequest,
    load_assistants,
)
from agentcron.backends.local.http_pool import assistant_http_client

FAST_RETRIES = (0.01, 0.02)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Seen:
    """One request as the server read it."""

    head: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RawServer:
    """Reads each request whole, then lets `answer` write bytes back (or close, or stall)."""

    answer: Callable[[Seen, asyncio.StreamWriter], Awaitable[None]]
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                lines = raw.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip()
                           for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                got = Seen(lines[0], headers, body)
                self.seen.append(got)
                await self.answer(got, writer)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def reply(status: int, body: bytes = b"ok", extra: str = "") -> Callable[..., Awaitable[None]]:
    async def answer(_: Seen, writer: asyncio.StreamWriter) -> None:
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
                     .encode() + body)
        await writer.drain()
    return answer


@asynccontextmanager
async def serving(answer: Callable[..., Awaitable[None]]) -> AsyncIterator[RawServer]:
    state = RawServer(answer)
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
    try:
        yield state
    finally:
        server.close()


def fire_request() -> FireRequest:
    return FireRequest(task_id="task_1", run_id="run_1",
                       scheduled_for=datetime(2026, 3, 11, 9, 0, tzinfo=timezone.utc),
                       prompt="check the build", metadata={"team": "ops"}, chat_id=None,
                       task_name="nightly")


@asynccontextmanager
async def webhook(tmp_path: Path, url: str, extra: str = "") -> AsyncIterator[object]:
    path = tmp_path / "assistants.toml"
    path.write_text(f'[assistants.hook]\ntype = "webhook"\nurl = "{url}"\n{extra}')
    client = assistant_http_client()
    try:
        yield load_assistants(path, http_client=client, retry_delays=FAST_RETRIES).get("hook")
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_contract_request_and_answer_through_the_shared_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "s3cret-key")
    async with serving(reply(200, b"fine")) as server, webhook(
            tmp_path, server.url, 'secret_env = "HOOK_SECRET"\nheaders = { "X-Team" = "ops" }\n'
    ) as hook:
        assert await hook.fire(fire_request()) == "HTTP 200: fine"  # type: ignore[attr-defined]
        assert await hook.fire(fire_request()) == "HTTP 200: fine"  # type: ignore[attr-defined]
    first, second = server.seen
    assert first.head == "POST /hook HTTP/1.1"
    body = json.loads(first.body)
    assert body["scheduled_for"] == "2026-03-11T09:00:00Z" and body["prompt"] == "check the build"
    assert first.headers["idempotency-key"] == "task_1:2026-03-11T09:00:00Z"
    expected = hmac.new(b"s3cret-key", first.body, hashlib.sha256).hexdigest()
    assert first.headers["x-agentcron-signature"] == f"sha256={expected}"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["user-agent"] == f"agentcron/{__version__}"
    assert first.headers["x-team"] == "ops"
    assert second.body == first.body


@pytest.mark.anyio
async def test_503_is_retried_with_the_same_key_then_reported(tmp_path: Path) -> None:
    async with serving(reply(503, b"busy")) as server, webhook(tmp_path, server.url) as hook:
        with pytest.raises(AssistantFailure, match="HTTP 503: busy"):
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert len(server.seen) == 3
    assert {s.headers["idempotency-key"] for s in server.seen} == {"task_1:2026-03-11T09:00:00Z"}


@pytest.mark.anyio
async def test_500_fails_at_once_and_a_redirect_is_not_followed(tmp_path: Path) -> None:
    async with serving(reply(500, b"broken")) as server, webhook(tmp_path, server.url) as hook:
        with pytest.raises(AssistantFailure, match="HTTP 500: broken"):
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert len(server.seen) == 1
    moved = reply(302, b"", "Location: http://127.0.0.1:9/elsewhere\r\n")
    async with serving(moved) as server, webhook(tmp_path, server.url) as hook:
        with pytest.raises(AssistantFailure, match="HTTP 302"):
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert len(server.seen) == 1


@pytest.mark.anyio
async def test_a_refused_connection_is_retried(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with webhook(tmp_path, f"http://127.0.0.1:{port}/hook?token=abc") as hook:
        with pytest.raises(AssistantFailure) as caught:
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    message = str(caught.value)
    assert "could not connect" in message and "after 3 attempts" in message
    assert "token=abc" not in message


@pytest.mark.anyio
async def test_a_post_the_server_read_then_dropped_is_never_resent(tmp_path: Path) -> None:
    async def hang_up(_: Seen, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with serving(hang_up) as server, webhook(tmp_path, server.url) as hook:
        with pytest.raises(AssistantFailure, match="failed"):
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert len(server.seen) == 1  # maybe acted on: resending could act twice


@pytest.mark.anyio
async def test_a_body_cut_mid_answer_fails_without_a_resend(tmp_path: Path) -> None:
    async def cut(_: Seen, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        await writer.drain()
        writer.close()

    async with serving(cut) as server, webhook(tmp_path, server.url) as hook:
        with pytest.raises(AssistantFailure, match="failed"):
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert len(server.seen) == 1


@pytest.mark.anyio
async def test_a_silent_server_times_out(tmp_path: Path) -> None:
    async def stall(_: Seen, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async with serving(stall) as server, webhook(tmp_path, server.url,
                                                 "timeout_seconds = 0.3\n") as hook:
        with pytest.raises(AssistantTimeout, match=r"0\.3 s"):
            await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert len(server.seen) == 1


@pytest.mark.anyio
async def test_a_long_answer_is_kept_to_64_kib(tmp_path: Path) -> None:
    async with serving(reply(200, b"x" * 200_000)) as server, webhook(tmp_path,
                                                                       server.url) as hook:
        output = await hook.fire(fire_request())  # type: ignore[attr-defined]
    assert output.startswith("HTTP 200: xxx") and output.endswith("truncated to 64 KiB]")
    assert output.count("x") == 64 * 1024
