"""Helpers the backend tests share: drive tools through an MCP client, fast retries, no leaks.

Why patch `build`: the tests go through the real path (build_server -> factory ->
`agentcron.backends.<name>.build(settings)`), but with a fake sleep (retries back off without
waiting, and the delays are recorded) and a short timeout (a slow contract server times out in
a fraction of a second). `build(settings, **http_options)` forwards those to BackendHttp.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from mcp import Client

from agentcron.app import build_server
from agentcron.config import Settings

SECRET = "sk-SECRET-123"
CLIENT_TIMEOUT = 0.25  # seconds; contract servers' slow() faults answer after 1 s
SLOW_SECONDS = 1.0


class FakeSleep:
    """Records each back-off delay instead of waiting it out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def tune_http(monkeypatch: pytest.MonkeyPatch, backend: str, sleep: FakeSleep,
              timeout: float = CLIENT_TIMEOUT) -> None:
    """Make `agentcron.backends.<backend>.build` use `sleep` and a short timeout."""
    module = importlib.import_module(f"agentcron.backends.hosted.{backend}")
    original = module.build
    monkeypatch.setattr(module, "build", functools.partial(
        original, sleep=sleep, timeout=httpx.Timeout(timeout)))


def settings_for(backend: str, url: str, **extra: Any) -> Settings:
    """Settings for one hosted backend at `url`, ignoring any .env file and environment."""
    values: dict[str, Any] = {"backend": backend, "runner": "off"}
    if backend == "toolhouse":
        values |= {"toolhouse_url": url, "toolhouse_api_key": SECRET}
    elif backend == "handinger":
        values |= {"handinger_url": url, "handinger_api_key": SECRET,
                   "handinger_worker_id": "t_org_1_w_01"}
    elif backend == "unique":
        values |= {"unique_url": url, "unique_api_key": SECRET, "unique_company_id": "company_1",
                   "unique_user_id": "user_1", "unique_app_id": "app_1"}
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


@asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(settings)) as client:
        yield client


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The keys whose value differs (or that appeared or went away)."""
    return {key for key in before.keys() | after.keys()
            if key not in before or key not in after or before[key] != after[key]}


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    """A tool call that must succeed; returns its structured content."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert SECRET not in text_of(result) and SECRET not in str(result.structured_content)
    return result.structured_content


async def refused(client: Client, tool: str, **arguments: Any) -> str:
    """A tool call that must fail; returns the error text the model sees."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    text = text_of(result)
    assert SECRET not in text
    return text
