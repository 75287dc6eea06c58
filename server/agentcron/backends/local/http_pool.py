"""The one outgoing HTTP client of a process's assistants: httpx, over aiohttp's connection pool.

Why aiohttp underneath: under a burst of due tasks the webhook path is what a runner spends its
CPU on. httpcore's pool re-examines every pooled connection (through anyio, a few calls each)
whenever it hands one out or takes one back, and asks for `sniffio` on every request; aiohttp's
pool and its C HTTP parser cost about a quarter of that per request (bench/runner_scale.py,
issue 16). The client API stays httpx (`httpx-aiohttp` is the transport).

Why the errors are mapped again here: the retry rule (assistants/http.py) resends only when
nothing can have been sent, i.e. on httpx.ConnectError / ConnectTimeout. httpx-aiohttp maps
every aiohttp connection error, a server closing the connection mid-request included, to
ConnectTimeout; so each aiohttp error is classified here from the original exception:
  * could not connect (refused, DNS, TLS handshake) -> httpx.ConnectError (nothing was sent)
  * connect timeout -> httpx.ConnectTimeout; read timeout -> httpx.ReadTimeout
  * anything else (disconnect, reset, a malformed answer) -> httpx.ReadError: maybe sent, so
    never resent blindly.
The pool is made at the first request (see shared_http): it loads TLS certificates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NoReturn

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

# A runner fires at most 64 runs at once (runner.DEFAULT_CAPACITY); alerts come on top.
MAX_CONNECTIONS = 100


def httpx_error(exc: BaseException) -> httpx.TransportError | None:
    """The httpx error that tells the truth about an aiohttp failure (None: not aiohttp's)."""
    cause = exc if isinstance(exc, aiohttp.ClientError) else exc.__cause__
    if not isinstance(cause, aiohttp.ClientError):
        return None
    text = str(cause) or type(cause).__name__
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(text)
    if isinstance(cause, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(text)
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(text)
    return httpx.ReadError(text)


def _raise_mapped(exc: BaseException) -> NoReturn:
    mapped = httpx_error(exc)
    if mapped is None:
        raise exc
    raise mapped from exc


class _TruthfulStream(httpx.AsyncByteStream):
    """The response body, with errors while reading it mapped as above."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except (aiohttp.ClientError, httpx.TransportError) as exc:
            _raise_mapped(exc)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        except (aiohttp.ClientError, httpx.TransportError) as exc:
            _raise_mapped(exc)


class AssistantTransport(AiohttpTransport):
    """httpx-aiohttp's transport with the error mapping above."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except (aiohttp.ClientError, httpx.TransportError) as exc:
            _raise_mapped(exc)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _TruthfulStream(response.stream)
        return response


def assistant_http_client() -> httpx.AsyncClient:
    """The client webhook and openai assistants share; it carries no auth of its own."""
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS,
                          max_keepalive_connections=MAX_CONNECTIONS)
    return httpx.AsyncClient(transport=AssistantTransport(limits=limits),
                             timeout=httpx.Timeout(30.0, pool=None))
