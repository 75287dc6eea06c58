"""One POST with bounded retries, a bounded body and one deadline, for webhook and openai.

Retries happen only when the request cannot have been acted on twice by a careful receiver:
connection failures (nothing was sent) and 429/502/503/504 (the receiver or a proxy said
"not now"); a webhook resends the same `Idempotency-Key`, so the receiver can dedupe.
`timeout_seconds` covers the whole attempt set, waits included. Redirects are never followed:
the configured URL is the only place a fire may go (the security boundary).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # httpx loads at the first request, not at server start
    import httpx

from agentcron import __version__
from agentcron.backends.local.assistants.base import (
    MAX_CAPTURE_BYTES,
    AssistantFailure,
    AssistantTimeout,
    logger,
)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
RETRY_DELAYS_SECONDS: tuple[float, ...] = (0.5, 1.0)  # at most 2 more attempts
MAX_RETRY_AFTER_SECONDS = 60.0  # a longer `Retry-After` is capped; the deadline still rules
USER_AGENT = f"agentcron/{__version__}"


@dataclass(frozen=True)
class HttpAnswer:
    """A response, its body cut at MAX_CAPTURE_BYTES."""

    status: int
    body: bytes
    truncated: bool
    retry_after: float | None = None  # seconds, from a `Retry-After: <seconds>` header

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


DEFAULT_PORTS = {"http": 80, "https": 443}


def display_url(url: str) -> str:
    """`scheme://host[:port]/path`: no userinfo, query or fragment, so no secret shows."""
    parsed = urlsplit(url)
    scheme = parsed.scheme.lower()
    host = (parsed.hostname or "").encode("idna").decode("ascii")
    host = f"[{host}]" if ":" in host else host
    port = f":{parsed.port}" if parsed.port not in (None, DEFAULT_PORTS.get(scheme)) else ""
    return f"{scheme}://{host}{port}{parsed.path or '/'}"  # the path as written, %-encoded


def display_host(url: str) -> str:
    """`host[:port]` of `url`, as `display_url` shows it: what a summary names a model API by."""
    return display_url(url).split("://", 1)[1].split("/", 1)[0]


@contextlib.asynccontextmanager
async def client_for(shared: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
    """The shared client if the runner gave one, else a client for this fire only."""
    if shared is not None:
        yield shared
        return
    import httpx

    async with httpx.AsyncClient() as client:
        yield client


async def post_with_retries(
    *,
    client: httpx.AsyncClient | None,
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    timeout_seconds: float,
    retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS,
    what: str,
) -> HttpAnswer:
    """POST `content`; `what` names the target in messages (it must hold no secret)."""
    import httpx

    try:
        async with asyncio.timeout(timeout_seconds), client_for(client) as http:
            return await _attempts(http, url, content, headers, timeout_seconds, retry_delays, what)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise AssistantTimeout(f"{what} did not answer within {timeout_seconds:g} s") from exc


async def _attempts(
    http: httpx.AsyncClient,
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    timeout_seconds: float,
    retry_delays: Sequence[float],
    what: str,
) -> HttpAnswer:
    import httpx

    attempts = len(retry_delays) + 1
    for attempt in range(1, attempts + 1):
        try:
            answer = await _post_once(http, url, content, headers, timeout_seconds)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            reason = f"could not connect to {what} ({_why(exc)})"
            if attempt == attempts:
                raise AssistantFailure(f"{reason} after {attempts} attempts") from exc
        except httpx.TimeoutException:
            raise  # a read/write/pool timeout: the deadline, not a retry
        except httpx.HTTPError as exc:
            # Maybe sent and acted on, but no usable answer: never resend blindly.
            raise AssistantFailure(f"request to {what} failed ({type(exc).__name__})") from exc
        else:
            if answer.status not in RETRY_STATUSES or attempt == attempts:
                return answer
            reason = f"{what} answered HTTP {answer.status}"
            if answer.retry_after is not None:
                delay = min(answer.retry_after, MAX_RETRY_AFTER_SECONDS)
                logger.warning("%s; retrying in %g s as Retry-After asks (attempt %d of %d)",
                               reason, delay, attempt + 1, attempts)
                await asyncio.sleep(delay)
                continue
        delay = retry_delays[attempt - 1]
        logger.warning("%s; retrying in %g s (attempt %d of %d)", reason, delay, attempt + 1,
                       attempts)
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # the loop returns or raises on its last attempt


def _why(exc: httpx.ConnectError | httpx.ConnectTimeout) -> str:
    """The OS reason ("Connection refused"); connect errors carry no header or body text."""
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


async def _post_once(
    http: httpx.AsyncClient,
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    timeout_seconds: float,
) -> HttpAnswer:
    request_headers = {"User-Agent": USER_AGENT, **headers}
    async with http.stream(
        "POST",
        url,
        content=content,
        headers=request_headers,
        timeout=timeout_seconds,
        follow_redirects=False,
    ) as response:
        body = bytearray()
        truncated = False
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_CAPTURE_BYTES:
                del body[MAX_CAPTURE_BYTES:]
                truncated = True
                break
        return HttpAnswer(status=response.status_code, body=bytes(body), truncated=truncated,
                          retry_after=_retry_after(response.headers.get("retry-after")))


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (the delta form; an HTTP date is ignored: fixed delays apply)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < float("inf") else None
