"""The shared HTTP layer (backends/hosted/http.py): retries, timeouts, error messages, redaction.

Two levels: BackendHttp on its own against a tiny contract server, then the same faults
injected into each hosted backend's contract server while a real MCP client drives the tools,
asserting how many requests the server received and what the model is told.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from agentcron.backends.hosted.http import BackendHttp, BackendStatusError, redact, retry_after_seconds
from agentcron.errors import BackendError
from tests.contract_servers.base import (
    ContractServer,
    Fault,
    Reply,
    closed_port_url,
    echo_headers,
    malformed,
    slow,
    status,
)
from tests.contract_servers.handinger import HandingerAPI
from tests.contract_servers.harness import (
    SECRET,
    FakeSleep,
    call,
    connect,
    refused,
    settings_for,
    tune_http,
)
from tests.contract_servers.toolhouse import ToolhouseAPI
from tests.contract_servers.unique import PREFIX, UniqueAPI

pytestmark = pytest.mark.anyio


class ThingAPI(ContractServer):
    """GET/PUT/POST /thing, with FastAPI-style errors."""

    def __init__(self) -> None:
        super().__init__()
        self.route("GET", "/thing", lambda request: Reply(200, {"ok": True}))
        self.route("PUT", "/thing", lambda request: Reply(200, {"ok": True}))
        self.route("POST", "/thing", lambda request: Reply(200, {"id": 1}))

    def error(self, status: int, message: str) -> Reply:
        return Reply(status, {"detail": message})


@pytest.fixture
def thing() -> Iterator[ThingAPI]:
    server = ThingAPI()
    with server.running():
        yield server


@pytest.fixture
async def http(thing: ThingAPI) -> AsyncIterator[tuple[BackendHttp, FakeSleep]]:
    sleep = FakeSleep()
    client = BackendHttp("demo", thing.url, headers={"Authorization": f"Bearer {SECRET}"},
                         secrets=[SECRET], sleep=sleep, timeout=httpx.Timeout(0.25))
    try:
        yield client, sleep
    finally:
        await client.aclose()


# --- retries ---------------------------------------------------------------------------------


async def test_a_get_retries_503_twice_then_succeeds_with_growing_delays(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI
) -> None:
    client, sleep = http
    thing.inject(status(503), status(503))
    assert await client.json("GET", "/thing") == {"ok": True}
    assert thing.count("GET", "/thing") == 3
    first, second = sleep.delays
    assert 0.5 <= first <= 0.55 and 1.0 <= second <= 1.1  # base 0.5 s, doubled, up to 10% jitter


async def test_a_post_is_never_retried_unless_marked_idempotent(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI
) -> None:
    client, sleep = http
    thing.inject(status(503, method="POST"))
    with pytest.raises(BackendError, match="demo backend answered HTTP 503 to POST /thing"):
        await client.json("POST", "/thing", json_body={})
    assert thing.count("POST") == 1 and sleep.delays == []
    thing.inject(status(503, method="POST"))
    assert await client.json("POST", "/thing", json_body={}, idempotent=True) == {"id": 1}
    assert thing.count("POST") == 3


async def test_retry_after_is_honoured(http: tuple[BackendHttp, FakeSleep], thing: ThingAPI) -> None:
    client, sleep = http
    thing.inject(status(429, retry_after="7"))
    assert await client.json("GET", "/thing") == {"ok": True}
    assert thing.count() == 2 and 7.0 <= sleep.delays[0] <= 7.7


def test_retry_after_reads_seconds_and_http_dates() -> None:
    def response(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after_seconds(response("12")) == 12.0
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= (retry_after_seconds(response(format_datetime(later, usegmt=True))) or 0) <= 30
    assert retry_after_seconds(response("soon")) is None
    assert retry_after_seconds(httpx.Response(429)) is None


async def test_a_retry_after_longer_than_we_wait_fails_at_once_saying_so(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI
) -> None:
    client, sleep = http
    thing.inject(status(429, retry_after="120"))
    with pytest.raises(BackendError, match="asked to wait 120 s"):
        await client.json("GET", "/thing")
    assert thing.count() == 1 and sleep.delays == []


async def test_rate_limits_until_the_attempts_run_out(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI
) -> None:
    client, sleep = http
    thing.inject(*(status(429, retry_after="1") for _ in range(4)))
    with pytest.raises(BackendError, match="HTTP 429"):
        await client.json("GET", "/thing")
    assert thing.count() == 4 and len(sleep.delays) == 3


async def test_a_500_is_not_retried(http: tuple[BackendHttp, FakeSleep], thing: ThingAPI) -> None:
    client, sleep = http
    thing.inject(status(500))
    with pytest.raises(BackendError, match="HTTP 500 .*Try again later"):
        await client.json("GET", "/thing")
    assert thing.count() == 1 and sleep.delays == []


# --- timeouts, bad bodies, refused connections -----------------------------------------------


async def test_a_slow_get_is_retried_and_a_slow_post_is_not(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI
) -> None:
    client, sleep = http
    thing.inject(slow(method="GET"))
    assert await client.json("GET", "/thing") == {"ok": True}
    assert thing.count("GET") == 2 and len(sleep.delays) == 1
    thing.inject(slow(method="POST"))
    with pytest.raises(BackendError, match="not retried: it may have been applied"):
        await client.json("POST", "/thing", json_body={})
    assert thing.count("POST") == 1


async def test_a_get_that_always_times_out_gives_up_after_the_attempts(thing: ThingAPI) -> None:
    sleep = FakeSleep()
    client = BackendHttp("demo", thing.url, sleep=sleep, timeout=httpx.Timeout(0.2), attempts=2)
    thing.inject(slow(), slow())
    with pytest.raises(BackendError, match="did not answer GET /thing within the timeout"):
        await client.json("GET", "/thing")
    await client.aclose()
    assert thing.count() == 2 and len(sleep.delays) == 1


async def test_a_body_that_is_not_json_is_a_clear_error(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI
) -> None:
    client, _ = http
    thing.inject(malformed())
    with pytest.raises(BackendError, match="body that is not JSON.*wrong service"):
        await client.json("GET", "/thing")
    assert thing.count() == 1


async def test_a_closed_port_is_retried_for_reads_only() -> None:
    sleep = FakeSleep()
    client = BackendHttp("demo", closed_port_url(), sleep=sleep)
    with pytest.raises(BackendError, match="could not be reached"):
        await client.json("GET", "/thing")
    assert len(sleep.delays) == 3
    with pytest.raises(BackendError, match="could not be reached"):
        await client.json("POST", "/thing", json_body={})
    assert len(sleep.delays) == 3
    await client.aclose()


# --- error messages and redaction ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"detail": "Schedule not found"}, "Schedule not found"),
        ({"detail": [{"loc": ["body", "cadence"], "msg": "Field required", "type": "missing"}]},
         "body.cadence: Field required"),
        ({"error": "The API key is missing"}, "The API key is missing"),
        ({"error": {"message": "property x should not exist", "code": "VALIDATION_ERROR"}},
         "property x should not exist"),
        (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
    ],
)
async def test_the_backends_own_words_reach_the_message(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI, body: Any, expected: str
) -> None:
    client, _ = http
    thing.inject(Fault(status=422, body=body))
    with pytest.raises(BackendStatusError) as caught:
        await client.json("PUT", "/thing", json_body={})
    assert caught.value.status == 422 and caught.value.detail == expected
    assert str(caught.value) == (f"The demo backend answered HTTP 422 to PUT /thing: {expected}. "
                                 "The backend refused the values: fix the field it names.")


def test_redact_catches_escaped_and_encoded_spellings() -> None:
    key = "sk/SE+CRET"
    text = r"raw sk/SE+CRET json sk\/SE+CRET url sk%2FSE%2BCRET form sk%2FSE%2BCRET"
    assert redact(text, [key, None, ""]).count("[REDACTED]") == 4 and "SE" not in redact(text, [key])


async def test_an_echoed_key_is_redacted_from_errors_and_logs(
    http: tuple[BackendHttp, FakeSleep], thing: ThingAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client, _ = http
    thing.inject(status(503), echo_headers(401))
    with pytest.raises(BackendError) as caught:
        await client.json("GET", "/thing")
    assert thing.calls()[0].headers["authorization"] == f"Bearer {SECRET}"
    assert "[REDACTED]" in str(caught.value) and SECRET not in str(caught.value)
    assert SECRET not in caplog.text and "retrying" in caplog.text


# --- the same faults through every hosted backend's tools ------------------------------------


@dataclass
class Hosted:
    """One hosted backend's contract server, settings and a create that it accepts."""

    name: str
    api: ContractServer
    url: str
    list_path: str
    create: dict[str, Any]


CHAT = "6f1c1e0a-3b7d-4d6e-9a51-0c2b8f4e7a10"


def _hosted(name: str) -> tuple[Hosted, str]:
    if name == "toolhouse":
        api: ContractServer = ToolhouseAPI(SECRET, chats=(CHAT,))
        return Hosted(name, api, "", "/v1/schedules", {"assistant_id": CHAT}), ""
    if name == "handinger":
        api = HandingerAPI(SECRET, "t_org_1_w_01")
        return Hosted(name, api, "", "/api/workers/t_org_1_w_01/schedules", {}), ""
    api = UniqueAPI(SECRET, company_id="company_1", user_id="user_1", app_id="app_1")
    return Hosted(name, api, "", f"{PREFIX}/scheduled-tasks", {"assistant_id": "assistant_a"}), PREFIX


@pytest.fixture(params=["toolhouse", "handinger", "unique"])
def hosted(request: pytest.FixtureRequest) -> Iterator[Hosted]:
    backend, prefix = _hosted(request.param)
    with backend.api.running():
        backend.url = backend.api.url + prefix
        yield backend


@pytest.fixture
def sleep(monkeypatch: pytest.MonkeyPatch, hosted: Hosted) -> FakeSleep:
    fake = FakeSleep()
    tune_http(monkeypatch, hosted.name, fake)
    return fake


def _create_args(hosted: Hosted) -> dict[str, Any]:
    return {"prompt": "p", "schedule": "@daily", **hosted.create}


async def test_list_survives_503_503_then_200(hosted: Hosted, sleep: FakeSleep) -> None:
    hosted.api.inject(status(503, method="GET"), status(503, method="GET"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        assert (await call(client, "list_scheduled_tasks"))["total"] == 0
    assert hosted.api.count("GET", hosted.list_path) == 3 and len(sleep.delays) == 2


async def test_create_with_503_fails_after_exactly_one_request(hosted: Hosted, sleep: FakeSleep) -> None:
    hosted.api.inject(status(503, method="POST"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        text = await refused(client, "create_scheduled_task", **_create_args(hosted))
    assert f"The {hosted.name} backend answered HTTP 503 to POST" in text
    assert hosted.api.count("POST") == 1 and sleep.delays == []


async def test_429_retry_after_is_honoured(hosted: Hosted, sleep: FakeSleep) -> None:
    hosted.api.inject(status(429, retry_after="5", method="GET"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        await call(client, "list_scheduled_tasks")
    assert hosted.api.count("GET") == 2 and 5.0 <= sleep.delays[0] <= 5.5


async def test_a_500_is_one_clear_error(hosted: Hosted, sleep: FakeSleep) -> None:
    hosted.api.inject(status(500, method="GET"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        text = await refused(client, "list_scheduled_tasks")
    assert f"{hosted.name} backend answered HTTP 500" in text and "Try again later" in text
    assert hosted.api.count() == 1


async def test_timeouts_retry_reads_and_report_creates(hosted: Hosted, sleep: FakeSleep) -> None:
    hosted.api.inject(slow(method="GET"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        await call(client, "list_scheduled_tasks")
        assert hosted.api.count("GET") == 2
        hosted.api.inject(slow(method="POST"))
        text = await refused(client, "create_scheduled_task", **_create_args(hosted))
    assert "did not answer POST" in text and "may have been applied" in text
    assert hosted.api.count("POST") == 1


async def test_a_malformed_body_is_a_clear_error(hosted: Hosted, sleep: FakeSleep) -> None:
    hosted.api.inject(malformed(method="GET"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        text = await refused(client, "list_scheduled_tasks")
    assert "not JSON" in text and hosted.name in text and hosted.api.count() == 1


async def test_a_refused_connection_is_a_clear_error(hosted: Hosted, sleep: FakeSleep) -> None:
    url = closed_port_url() + (PREFIX if hosted.name == "unique" else "")
    async with connect(settings_for(hosted.name, url)) as client:
        text = await refused(client, "list_scheduled_tasks")
        assert "could not be reached" in text and len(sleep.delays) == 3
        await refused(client, "create_scheduled_task", **_create_args(hosted))
    assert len(sleep.delays) == 3  # the create was not retried


async def test_the_api_key_never_reaches_the_model_or_the_logs(
    hosted: Hosted, sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hosted.api.inject(echo_headers(401, method="GET"), echo_headers(400, method="POST"))
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        listing = await refused(client, "list_scheduled_tasks")
        creating = await refused(client, "create_scheduled_task", **_create_args(hosted))
        task = await call(client, "create_scheduled_task", **_create_args(hosted))
        await call(client, "get_scheduled_task", task_id=task["id"])
    for text in (listing, creating):
        assert "[REDACTED]" in text and SECRET not in text
    assert hosted.api.calls()[0].headers.get("authorization") == f"Bearer {SECRET}"
    assert SECRET not in caplog.text


async def test_a_not_found_that_echoes_the_key_is_redacted(hosted: Hosted, sleep: FakeSleep) -> None:
    """A not-found now quotes the backend's words: an echoed key must not ride along."""
    async with connect(settings_for(hosted.name, hosted.url)) as client:
        task = await call(client, "create_scheduled_task", **_create_args(hosted))
        hosted.api.inject(echo_headers(404, method="DELETE"))
        text = await refused(client, "delete_scheduled_task", task_id=task["id"])
    assert f"No task with id {task['id']!r} on the {hosted.name} backend" in text
    assert "HTTP 404 to DELETE" in text and "Rejected request with headers" in text
    assert "[REDACTED]" in text and SECRET not in text
