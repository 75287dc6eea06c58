"""One outgoing HTTP client for the assistants of a process, spread over several small pools.

Why: httpcore's connection pool re-examines every pooled connection (a syscall or two each)
whenever it hands out a connection, so one pool sized for a burst of due tasks (dozens of
webhooks at once) spends most of its CPU walking itself. Several small pools, taken in turn,
keep each walk short while the process as a whole keeps many connections alive.
The pools are made at the first request: each loads TLS certificates, which would otherwise
cost every server start tens of milliseconds even when no assistant ever makes a request.
"""

from __future__ import annotations

import itertools

import httpx

POOLS = 4
CONNECTIONS_PER_POOL = 16


class SpreadTransport(httpx.AsyncBaseTransport):
    """Round-robin over independent keep-alive pools."""

    def __init__(self, pools: int = POOLS, connections: int = CONNECTIONS_PER_POOL) -> None:
        self._pools = pools
        self._limits = httpx.Limits(max_connections=connections,
                                    max_keepalive_connections=connections)
        self._transports: list[httpx.AsyncHTTPTransport] = []
        self._next: itertools.cycle[httpx.AsyncHTTPTransport] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._next is None:
            self._transports = [httpx.AsyncHTTPTransport(limits=self._limits)
                                for _ in range(self._pools)]
            self._next = itertools.cycle(self._transports)
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._transports:
            await transport.aclose()


def assistant_http_client() -> httpx.AsyncClient:
    """The client webhook and openai assistants share; it carries no auth of its own."""
    return httpx.AsyncClient(transport=SpreadTransport(), timeout=httpx.Timeout(30.0, pool=None))

