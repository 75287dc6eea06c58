"""The HTTP client a process's assistants share, made at its first use.

A server whose assistants never make a request (the inbox, commands) never loads httpx or
opens TLS pools: both would otherwise cost every start tens of milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


class LazyHttpClient:
    """Stands in for the shared `httpx.AsyncClient` (see http_pool) until first used."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def __getattr__(self, name: str) -> object:
        if self._client is None:
            from agentcron.backends.local.http_pool import assistant_http_client

            self._client = assistant_http_client()
        return getattr(self._client, name)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
