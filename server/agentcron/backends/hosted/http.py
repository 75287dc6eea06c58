"""The one HTTP layer every hosted-backend adapter uses (httpx.AsyncClient).

Why it exists: every adapter needs the same four things, and they are easy to get subtly wrong
one adapter at a time:
* timeouts on connect and read;
* retries with exponential backoff, jitter and `Retry-After`, for idempotent requests only
  (GET, PUT, DELETE, PATCH, or a POST the adapter marks idempotent, like a search) on 429, 502,
  503, 504 and connection errors. Creates are never retried blindly: a lost answer may mean the
  backend did create it. A Retry-After longer than MAX_DELAY_SECONDS is not slept through: the
  error says how long the backend asked to wait;
* one readable error per failure: backend name, HTTP status, the backend's own message (from
  `detail`, `error`, `message`, or a FastAPI validation list) and what to do. Status errors are
  BackendStatusError, so adapters can map a backend's "not found" onto NotFoundError and
  still quote what the backend said (`answer`);
* API keys never in errors, logs or tool output: every message passes through `redact`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from agentcron.errors import BackendError

logger = logging.getLogger("agentcron.http")

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "PATCH", "HEAD"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_ATTEMPTS = 4
BASE_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 30.0
MESSAGE_LIMIT = 500

Sleep = Callable[[float], Awaitable[None]]

STATUS_HINTS = {
    400: "Check the arguments against the tool's description.",
    401: "The API key is missing or wrong: check the backend's API key setting.",
    403: "The API key is not allowed to do this: check its permissions.",
    404: "It does not exist (any more): list the tasks to see what does.",
    409: "It conflicts with the current state: get the task and try again.",
    422: "The backend refused the values: fix the field it names.",
    429: "The backend is rate limiting: wait a minute and try again.",
}


class BackendStatusError(BackendError):
    """A non-2xx answer. Adapters read `status` and `detail` to map, say, Toolhouse's 400
    "Schedule not found" onto NotFoundError instead of parsing the message text, and quote
    `answer` in that NotFoundError so the backend's status and words are not lost."""

    def __init__(self, message: str, status: int, detail: str, *, backend: str = "",
                 method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.backend = backend
        self.method = method
        self.path = path

    @property
    def answer(self) -> str:
        """What the backend said, already redacted: 'HTTP 404 to GET /x: Schedule not found'."""
        return f"HTTP {self.status} to {self.method} {self.path}: {self.detail}"


def redact(text: str, secrets: Sequence[str | None]) -> str:
    """Replace every non-empty secret in `text` with [REDACTED].

    Also its JSON-escaped and URL-encoded spellings: a backend that echoes the request back
    may have escaped a '/' or '+' in the key on the way.
    """
    for secret in secrets:
        if not secret:
            continue
        for spelling in dict.fromkeys(
            (secret, json.dumps(secret)[1:-1], json.dumps(secret)[1:-1].replace("/", "\\/"),
             quote(secret, safe=""), quote_plus(secret))
        ):
            text = text.replace(spelling, "[REDACTED]")
    return text


def backend_message(response: httpx.Response) -> str:
    """The backend's own words: `detail`, `error`, `message`, or a validation list; else the body."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text.strip()[:MESSAGE_LIMIT] or "(empty body)"
    return _message_from(body)[:MESSAGE_LIMIT]


def _message_from(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("detail", "error", "message", "errors"):
            if key in body and body[key]:
                return _message_from(body[key])
        return json.dumps(body)
    if isinstance(body, list):
        parts = [_validation_item(item) for item in body]
        return "; ".join(p for p in parts if p) or json.dumps(body)
    return str(body)


def _validation_item(item: Any) -> str:
    """A FastAPI/pydantic error item: 'body.schedule: field required'."""
    if isinstance(item, dict) and "msg" in item:
        location = ".".join(str(part) for part in item.get("loc", []))
        return f"{location}: {item['msg']}" if location else str(item["msg"])
    return _message_from(item)


def _shown(body: Any, limit: int = 200) -> str:
    """A JSON body, cut short for a message."""
    text = json.dumps(body, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), if present."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class BackendHttp:
    """A base URL, auth headers and the retry/error policy for one hosted backend."""

    def __init__(
        self,
        backend: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str | None] = (),
        client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        sleep: Sleep = asyncio.sleep,
        base_delay: float = BASE_DELAY_SECONDS,
    ) -> None:
        self.backend = backend
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.secrets = [s for s in secrets if s]
        self._client = client
        self._owns_client = client is None
        self.timeout = timeout
        self.attempts = attempts
        self._sleep = sleep
        self.base_delay = base_delay

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        ok: Sequence[int] = (200, 201, 202, 204),
    ) -> httpx.Response:
        """Send one logical request; retry only when it is safe; raise BackendError otherwise."""
        method = method.upper()
        retryable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempts = self.attempts if retryable else 1
        url = f"{self.base_url}{path}"
        merged = {**self.headers, **(headers or {})}
        for attempt in range(1, attempts + 1):
            try:
                response = await self.client.request(
                    method, url, json=json_body, params=params, headers=merged,
                    timeout=self.timeout,
                )
            except httpx.TimeoutException as exc:
                if attempt < attempts:
                    await self._back_off(attempt, None, f"{type(exc).__name__}")
                    continue
                raise self._error(
                    f"did not answer {method} {path} within the timeout"
                    + ("" if retryable else " (not retried: it may have been applied)"),
                    "Try again later; check the backend's URL setting if it persists.",
                ) from None
            except httpx.TransportError as exc:
                if attempt < attempts:
                    await self._back_off(attempt, None, f"{type(exc).__name__}")
                    continue
                raise self._error(
                    f"could not be reached at {self.base_url} ({type(exc).__name__})",
                    "Check the backend's URL setting and that the service is up.",
                ) from None
            if response.status_code in ok:
                return response
            wait = retry_after_seconds(response)
            # A server asking for a longer pause than we are willing to sleep gets the error
            # now: retrying before its Retry-After would only earn another 429.
            if (response.status_code in RETRY_STATUSES and attempt < attempts
                    and (wait is None or wait <= MAX_DELAY_SECONDS)):
                await self._back_off(attempt, wait, f"HTTP {response.status_code}")
                continue
            raise self._status_error(method, path, response, wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request`, then the JSON body (None for an empty one); bad JSON is a clear error."""
        return (await self.answer(method, path, **kwargs))[1]

    async def answer(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """`json` with the HTTP status, for errors about a 2xx answer that still lacks something."""
        response = await self.request(method, path, **kwargs)
        if not response.content:
            return response.status_code, None
        try:
            return response.status_code, response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise self._error(
                f"answered HTTP {response.status_code} to {method} {path} with a body that is "
                f"not JSON ({redact(response.text[:120], self.secrets)!r})",
                "The URL setting may point at the wrong service.",
            ) from None

    def said(self, method: str, path: str, status: int, body: Any) -> str:
        """A 2xx answer quoted for a message, redacted: 'HTTP 200 to DELETE /x: {...}'."""
        return redact(f"HTTP {status} to {method} {path}: {_shown(body)}", self.secrets)

    def unexpected(self, method: str, path: str, status: int, body: Any, lacking: str,
                   hint: str = "The URL setting may point at the wrong service.") -> BackendError:
        """A 2xx answer without what the adapter needs: status, what was missing, the body."""
        return self._error(
            f"answered HTTP {status} to {method} {path} without {lacking}: {_shown(body)}", hint)

    async def _back_off(self, attempt: int, retry_after: float | None, why: str) -> None:
        delay = retry_after if retry_after is not None else self.base_delay * 2 ** (attempt - 1)
        delay = min(MAX_DELAY_SECONDS, delay) * (1 + random.uniform(0, 0.1))
        logger.info("%s: %s, retrying in %.2f s (attempt %d)", self.backend, why, delay, attempt + 1)
        await self._sleep(delay)

    def _status_error(
        self, method: str, path: str, response: httpx.Response, wait: float | None = None
    ) -> BackendStatusError:
        status = response.status_code
        hint = STATUS_HINTS.get(status, "Try again later." if status >= 500 else "")
        if wait is not None and status in RETRY_STATUSES:
            hint = f"The backend asked to wait {wait:.0f} s before trying again."
        detail = redact(backend_message(response), self.secrets)
        message = self._error(f"answered HTTP {status} to {method} {path}: {detail}", hint)
        return BackendStatusError(str(message), status, detail, backend=self.backend,
                                  method=method, path=path)

    def _error(self, what: str, hint: str) -> BackendError:
        message = redact(f"The {self.backend} backend {what}. {hint}".strip(), self.secrets)
        return BackendError(message)
