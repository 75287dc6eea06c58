"""on_success deliveries (DESIGN.md §12) on SQLite and PostgreSQL: a succeeded run's output goes
once to a webhook or inbox, retried by the target's own policy, never changing the run.

The runner is driven tick by tick on an injectable clock; webhooks go to a real sink on
127.0.0.1 that can fail on purpose. Real `agentcron scheduler` processes are in
test_deliveries_daemons.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agentcron.backends.local.assistants import load_assistants, sign
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import DeliveryResult, open_store, to_db
from agentcron.errors import ConfigError
from agentcron.models import Run, Schedule, TaskSpec
from tests.conftest import Database, FakeClock, Sink, backends_on, tick, write_assistants

pytestmark = pytest.mark.anyio
UTC = timezone.utc
START = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
SECRET_ENV = "AGENTCRON_TEST_DELIVERY_SECRET"
SECRET = "hmac-secret-8d1f0c"


def assistants_toml(base_url: str) -> str:
    return f"""
on_success = "notify"

[assistants.notify]
type = "webhook"
url = "{base_url}/deliver"
secret_env = "{SECRET_ENV}"
retries = 2
retry_backoff_seconds = 10

[assistants.report]
type = "command"
argv = ["echo", "summary of", "{{prompt}}"]

[assistants.fragile]
type = "webhook"
url = "{base_url}/fragile"

[assistants.noted]
type = "command"
argv = ["echo", "noted:", "{{prompt}}"]
on_success = "logbook"

[assistants.logbook]
type = "inbox"
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


@pytest.fixture
async def open_backend(tmp_path: Path, sink: Sink, clock: FakeClock,
                       database: Database) -> AsyncIterator[Callable[..., "asyncio.Future[LocalBackend]"]]:
    """Start LocalBackends (each its own runner) on one database; all closed at the end."""
    default = write_assistants(tmp_path / "assistants.toml",
                               assistants_toml(sink.url.rsplit("/", 1)[0]))
    async with backends_on(database.url, clock, default) as start:
        yield start  # type: ignore[misc]


@pytest.fixture
async def backend(open_backend) -> LocalBackend:  # type: ignore[no-untyped-def]
    return await open_backend()


async def run_once(backend: LocalBackend, clock: FakeClock, **spec: object) -> Run:
    """Create a one-off task due in a minute, let it run and its delivery go; its run."""
    task = await backend.create_task(TaskSpec(
        prompt=str(spec.pop("prompt", "the weekly numbers")),
        schedule=Schedule(kind="once", run_at=(clock() + timedelta(minutes=1)).isoformat()),
        **spec))  # type: ignore[arg-type]
    clock.advance(minutes=1)
    await tick(backend)  # the run
    await tick(backend)  # its delivery
    (run,) = (await backend.list_runs(task.id, 10, None)).runs
    return run


async def reread(backend: LocalBackend, run: Run) -> Run:
    (again,) = (await backend.list_runs(run.task_id, 10, None)).runs
    return again


def signed_body(request: dict[str, object]) -> bytes:
    """The exact bytes agentcron sent (compact JSON, key order kept), to check the signature."""
    return json.dumps(request["json"], ensure_ascii=False, separators=(",", ":")).encode()


async def test_a_succeeded_run_goes_to_the_webhook_once_with_the_documented_body(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    run = await run_once(backend, clock, name="digest", assistant_id="report",
                         metadata={"team": "ops"})
    assert run.status == "succeeded" and run.output == "summary of the weekly numbers\n"
    (request,) = sink.to("/deliver")
    assert request["json"] == {
        "event": "run.succeeded", "task_id": run.task_id, "task_name": "digest",
        "run_id": run.id, "scheduled_for": run.scheduled_for,
        "prompt": "the weekly numbers", "output": run.output, "metadata": {"team": "ops"},
        "owner": "local",
    }
    headers = request["headers"]
    assert headers["idempotency-key"] == f"deliver:{run.id}"  # type: ignore[index]
    assert headers["x-agentcron-signature"] == sign(signed_body(request), SECRET)  # type: ignore[index]
    assert run.delivery is not None
    assert run.delivery.model_dump() == {"target": "notify", "status": "delivered",
                                         "attempts": 1, "error": None}
    for _ in range(3):
        await tick(backend)
    assert len(sink.to("/deliver")) == 1  # once


async def test_runs_that_do_not_succeed_deliver_nothing(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    sink.failures["/fragile"] = 1
    run = await run_once(backend, clock, assistant_id="fragile")
    assert run.status == "failed" and run.delivery is None
    assert sink.to("/deliver") == []


async def test_a_failed_attempt_is_retried_by_the_targets_own_retries_under_one_key(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    sink.failures["/deliver"] = 1
    run = await run_once(backend, clock, assistant_id="report")
    assert run.status == "succeeded" and run.delivery is not None
    assert (run.delivery.status, run.delivery.attempts) == ("pending", 1)
    assert "HTTP 500" in (run.delivery.error or "")
    row = backend.store.get_run(run.id)
    assert row is not None and row.delivery_next_at is not None
    retry = datetime.fromisoformat(row.delivery_next_at)
    assert timedelta(seconds=10) <= retry - clock() <= timedelta(seconds=11)  # notify's backoff

    await tick(backend)  # not due yet
    assert len(sink.to("/deliver")) == 1
    clock.set(retry + timedelta(seconds=1))
    await tick(backend)
    run = await reread(backend, run)
    assert run.delivery is not None
    assert run.delivery.model_dump() == {"target": "notify", "status": "delivered",
                                         "attempts": 2, "error": None}
    assert [r["headers"]["idempotency-key"] for r in sink.to("/deliver")] == [  # type: ignore[index]
        f"deliver:{run.id}"] * 2
    assert (run.status, run.attempts) == ("succeeded", 1)  # the run itself ran once


async def test_when_every_attempt_fails_the_delivery_fails_and_the_run_keeps_its_output(
    backend: LocalBackend, clock: FakeClock, sink: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    sink.failures["/deliver"] = 99
    with caplog.at_level(logging.INFO, logger="agentcron.runner"):
        run = await run_once(backend, clock, assistant_id="report")
        for wait in (11, 23):  # 10 s, then 20 s (plus up to 10%)
            clock.advance(seconds=wait)
            await tick(backend)
        clock.advance(hours=1)
        await tick(backend)  # nothing more: notify's 2 retries are used up
    run = await reread(backend, run)
    assert len(sink.to("/deliver")) == 3
    assert run.delivery is not None
    assert (run.delivery.status, run.delivery.attempts) == ("failed", 3)
    assert run.delivery.error == 'webhook answered HTTP 500: {"error": "receiver is down"}'
    assert (run.status, run.output, run.error) == (
        "succeeded", "summary of the weekly numbers\n", None)
    assert run.alert is None  # a failed delivery is not a failed run
    assert any("failed after 3 attempt(s)" in m for m in caplog.messages)


async def test_one_delivery_however_many_runners_look(
    open_backend, clock: FakeClock, sink: Sink  # type: ignore[no-untyped-def]
) -> None:
    runners = [await open_backend() for _ in range(3)]
    due = clock() + timedelta(minutes=1)
    tasks = [await runners[0].create_task(TaskSpec(
        prompt=f"job {i}", schedule=Schedule(kind="once", run_at=due.isoformat())))
        for i in range(12)]
    clock.set(due)
    for _ in range(3):
        await asyncio.gather(*(tick(r) for r in runners))
    runs = [(await runners[1].list_runs(t.id, 10, None)).runs[0] for t in tasks]
    assert {(r.status, r.delivery.status) for r in runs} == {  # type: ignore[union-attr]
        ("succeeded", "delivered")}
    keys = [r["headers"]["idempotency-key"] for r in sink.to("/deliver")]  # type: ignore[index]
    assert sorted(keys) == sorted(f"deliver:{r.id}" for r in runs)  # each exactly once
    assert {r["json"]["output"] for r in sink.to("/deliver")} == {  # type: ignore[index]
        f"job {i}" for i in range(12)}  # the default inbox's output is the prompt


async def test_a_delivery_whose_sender_died_is_sent_again_once_with_the_same_key(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    store = backend.store
    sink.failures["/deliver"] = 1
    run = await run_once(backend, clock, assistant_id="report")  # attempt 1 fails: pending
    clock.advance(seconds=12)
    # A runner whose lease is already over (0 s) takes it, then dies before answering.
    store.register_runner("runner_dead", 1, "host", to_db(clock()), 0)
    (taken,) = store.take_deliveries("runner_dead", to_db(clock()), 10)
    assert taken.run.id == run.id
    shown = await reread(backend, run)
    assert shown.delivery is not None and (shown.delivery.status, shown.delivery.attempts) == (
        "pending", 2)  # being sent is still pending to the reader
    await tick(backend)
    assert len(sink.to("/deliver")) == 1  # nobody else sends it until it is requeued

    # Lease reaping (any runner's heartbeat) puts it back; no run was interrupted.
    assert store.reap_interrupted(to_db(clock()), backend.assistants.alert_target) == 0
    await tick(backend)
    run = await reread(backend, run)
    assert run.delivery is not None
    assert (run.delivery.status, run.delivery.attempts) == ("delivered", 3)
    assert [r["headers"]["idempotency-key"] for r in sink.to("/deliver")] == [  # type: ignore[index]
        f"deliver:{run.id}"] * 2
    # The dead runner's late answer changes nothing.
    store.finish_deliveries("runner_dead", [DeliveryResult(run.id, "failed", "late")])
    assert (await reread(backend, run)).delivery.status == "delivered"  # type: ignore[union-attr]
    for _ in range(2):
        await tick(backend)
    assert len(sink.to("/deliver")) == 2


async def test_a_result_the_database_refused_once_is_recorded_when_it_is_back(
    backend: LocalBackend, clock: FakeClock, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = backend.store
    real = store.finish_deliveries
    refusals = []

    def flaky(*args: object) -> None:
        if not refusals:
            refusals.append(args)
            raise RuntimeError("database is locked")
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "finish_deliveries", flaky)
    run = await run_once(backend, clock, assistant_id="report")
    assert refusals and run.delivery is not None and run.delivery.status == "delivered"
    assert len(sink.to("/deliver")) == 1


async def test_a_pending_delivery_still_goes_out_under_the_global_pause(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    sink.failures["/deliver"] = 1
    run = await run_once(backend, clock, assistant_id="report")
    backend.store.pause_all("deploy freeze", to_db(clock()))
    clock.advance(seconds=12)
    await tick(backend)
    run = await reread(backend, run)
    assert run.delivery is not None and run.delivery.status == "delivered"  # the run was done


async def test_a_pending_delivery_survives_a_restart(
    open_backend, clock: FakeClock, sink: Sink  # type: ignore[no-untyped-def]
) -> None:
    sink.failures["/deliver"] = 1
    first = await open_backend()
    run = await run_once(first, clock, assistant_id="report")
    await first.close()  # a restart: the delivery waits in the database
    runners = [await open_backend(), await open_backend()]
    clock.advance(seconds=12)
    await asyncio.gather(*(tick(r) for r in runners))
    run = await reread(runners[0], run)
    assert run.delivery is not None and run.delivery.status == "delivered"
    assert len(sink.to("/deliver")) == 2


async def test_an_assistants_own_inbox_target_records_the_output_without_any_request(
    backend: LocalBackend, clock: FakeClock, sink: Sink
) -> None:
    run = await run_once(backend, clock, assistant_id="noted", prompt="water the plants")
    assert (run.status, run.output) == ("succeeded", "noted: water the plants\n")
    assert run.delivery is not None
    assert run.delivery.model_dump() == {"target": "logbook", "status": "delivered",
                                         "attempts": 1, "error": None}
    assert sink.requests == []  # the top-level webhook is overridden


async def test_list_assistants_shows_where_each_ones_output_goes(backend: LocalBackend) -> None:
    infos = {a.name: a.on_success for a in (await backend.list_assistants()).assistants}
    assert infos == {"fragile": "notify", "inbox": "notify", "logbook": "notify",
                     "noted": "logbook", "report": "notify",
                     "notify": None}  # the target's own runs are not delivered back to it


# --- secrets ----------------------------------------------------------------------------------


@pytest.fixture
def leaky_receiver() -> Iterator[str]:
    """A receiver that answers 500 quoting the webhook secret back (as a misbehaving one might)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = f"signature did not match secret {SECRET}".encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_the_webhook_secret_never_reaches_the_delivery_record_or_the_logs(
    open_backend, tmp_path: Path, clock: FakeClock, leaky_receiver: str,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture
) -> None:
    path = write_assistants(tmp_path / "leaky.toml", assistants_toml(leaky_receiver))
    backend = await open_backend(path)
    with caplog.at_level(logging.DEBUG):
        run = await run_once(backend, clock, assistant_id="report")
    assert run.delivery is not None and run.delivery.status == "pending"
    assert run.delivery.error == "webhook answered HTTP 500: signature did not match secret [redacted]"
    page = await backend.list_runs(run.task_id, 10, None)
    assert SECRET not in page.model_dump_json()
    assert SECRET not in caplog.text
    assert SECRET not in (await backend.list_assistants()).model_dump_json()


# --- the assistants file ----------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "deliveries.md"


def test_the_docs_toml_loads_with_the_real_loader_and_means_what_the_docs_say(
    tmp_path: Path
) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks
    registries = [load_assistants(write_assistants(tmp_path / f"docs{i}.toml", block))
                  for i, block in enumerate(blocks)]
    targets = {info.name: info.on_success for info in registries[0].infos()}
    assert targets == {"digest": "notify", "inbox": "notify", "journal": "notify",
                       "notify": None, "reminders": "journal"}
    assert registries[0].policy("notify").retries == 3


BAD_TARGETS = [
    ('on_success = "job"\n', "top level key 'on_success': 'job' is an assistant of type \"command\"; "
     "on_success must name a webhook or inbox assistant"),
    ('on_success = "ghost"\n', "top level key 'on_success': no assistant named 'ghost'"),
    ('[assistants.extra]\ntype = "inbox"\non_success = "chat"\n',
     "[assistants.extra] key 'on_success': 'chat' is an assistant of type \"openai\""),
    ('[assistants.extra]\ntype = "webhook"\nurl = "http://127.0.0.1:9/x"\non_success = "extra"\n',
     "[assistants.extra] key 'on_success': an assistant cannot deliver its output to itself"),
    ('[assistants.extra]\ntype = "inbox"\non_success = 3\n',
     "[assistants.extra] key 'on_success': Input should be a valid string"),
]


@pytest.mark.parametrize(("toml", "message"), BAD_TARGETS)
def test_a_wrong_on_success_target_is_a_start_up_error_naming_the_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    top, _, tables = toml.partition("[")
    path = write_assistants(tmp_path / "bad.toml", top + """
[assistants.job]
type = "command"
argv = ["true"]

[assistants.chat]
type = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "m"
""" + ("[" + tables if tables else ""))
    with pytest.raises(ConfigError) as caught:
        load_assistants(path)
    assert str(caught.value).startswith(f"Invalid assistants file {path}: ")
    assert message in str(caught.value)


def test_an_unknown_on_failure_names_its_table_once(tmp_path: Path) -> None:
    """The same check, for on_failure: the table is named as the user wrote it."""
    path = write_assistants(tmp_path / "bad.toml", '[assistants.job]\ntype = "command"\n'
                            'argv = ["true"]\non_failure = "ghost"\n')
    with pytest.raises(ConfigError, match=r": \[assistants\.job\] key 'on_failure': no assistant "
                       r"named 'ghost'"):
        load_assistants(path)


# --- the schema -------------------------------------------------------------------------------


def test_a_database_from_before_deliveries_upgrades_and_its_runs_have_none(
    database: Database
) -> None:
    from agentcron.backends.local.store.base import MIGRATIONS, SCHEMA_VERSION

    key = "TEXT" if database.dialect == "sqlite" else 'TEXT COLLATE "C"'
    if database.dialect == "sqlite":
        from agentcron.backends.local.store.sqlite import SQLiteStore
        old = SQLiteStore(database.url, migrate=False)
    else:
        from agentcron.backends.local.store.postgres import PostgresStore
        old = PostgresStore(database.url, migrate=False)
    with old.transaction() as tx:  # the schema as version 3 left it, with one finished run
        tx.run("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for version in (1, 2, 3):
            for statement in MIGRATIONS[version]:
                tx.run(statement.format(key=key))
            tx.run("INSERT INTO schema_version (version) VALUES (?)", (version,))
        tx.run("INSERT INTO tasks (id, prompt, kind, timezone, anchor_at, enabled, metadata, "
               "catch_up, overlap, sort_key, created_at, updated_at) VALUES "
               "('task_old', 'p', 'once', 'UTC', ?, 0, '{}', 'skip', 'skip', '~', ?, ?)",
               (to_db(START),) * 3)
        tx.run("INSERT INTO runs (id, task_id, scheduled_for, trigger, status, output) VALUES "
               "('run_old', 'task_old', ?, 'schedule', 'succeeded', 'done')", (to_db(START),))
    old.close()
    store = open_store(database.url)
    try:
        run = store.get_run("run_old")
        assert run is not None and (run.output, run.delivery_to, run.delivery_status) == (
            "done", None, None)
        versions = [r["version"] for r in store._read("SELECT version FROM schema_version")]
        assert sorted(versions) == list(range(1, SCHEMA_VERSION + 1)) and SCHEMA_VERSION >= 5
    finally:
        store.close()
