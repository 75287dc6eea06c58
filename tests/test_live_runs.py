"""Live runs: a client subscribed to agentcron://tasks/{id}/runs hears
notifications/resources/updated within 2 s after a run of that task starts or ends, whichever
process ran it (this server, another server process, the `agentcron scheduler` daemon);
unsubscribed URIs stay quiet. Both eras: resources/subscribe (2025) and subscriptions/listen
(2026-07-28)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from agentcron.app import build_server
from agentcron.config import Settings
from tests.conftest import write_assistants

pytestmark = pytest.mark.anyio

LATENCY_LIMIT = 2.0
ASSISTANTS = """
[assistants.slow]
type = "command"
argv = ["sleep", "2.5"]
timeout_seconds = 20
"""


def runs_uri(task_id: str) -> str:
    return f"agentcron://tasks/{task_id}/runs"


class Heard:
    """Every resources/updated a client heard: (wall-clock time, uri)."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str]] = []

    def add(self, uri: str) -> None:
        self.events.append((time.time(), uri))

    def of(self, uri: str) -> list[float]:
        return [t for t, u in self.events if u == uri]

    async def message_handler(self, message: Any) -> None:
        root = getattr(message, "root", message)
        if getattr(root, "method", None) == "notifications/resources/updated":
            self.add(str(root.params.uri))


@asynccontextmanager
async def subscribed(client: Client, mode: str, uris: list[str], heard: Heard) -> AsyncIterator[None]:
    """Subscribe the era's way; unsubscribe on exit."""
    if mode == "legacy":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MCPDeprecationWarning: the 2025-era way, on purpose
            for uri in uris:
                await client.subscribe_resource(uri)
            yield
            for uri in uris:
                await client.unsubscribe_resource(uri)
        return
    async with client.listen(resource_subscriptions=uris) as subscription:
        assert set(subscription.honored.resource_subscriptions or []) == set(uris)

        async def pump() -> None:
            async for event in subscription:
                heard.add(str(event.uri))  # type: ignore[union-attr]

        task = asyncio.get_running_loop().create_task(pump())
        try:
            yield
        finally:
            task.cancel()


class Witness:
    """Reads the task's newest run every 50 ms through the tools: when the run was first seen
    running and first seen finished, the reference for the notifications' latency (runs
    record whole seconds only)."""

    def __init__(self, client: Client, task_id: str) -> None:
        self.client, self.task_id = client, task_id
        self.started: float | None = None
        self.finished: float | None = None
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while self.finished is None:
            page = (await self.client.call_tool(
                "list_task_runs", {"task_id": self.task_id, "limit": 1})).structured_content
            now = time.time()
            if page and page["runs"]:
                run = page["runs"][0]
                if self.started is None and run["started_at"]:
                    self.started = now
                if run["finished_at"]:
                    self.finished = now
            await asyncio.sleep(0.05)

    def __enter__(self) -> Witness:
        self._task = asyncio.get_running_loop().create_task(self._watch())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def done(self, timeout: float) -> None:
        await wait_until(lambda: self.finished is not None, timeout)
        assert self.started is not None and self.finished is not None, "the run never finished"


def latencies(heard: list[float], witness: Witness) -> tuple[float, float]:
    """Seconds from the run being seen started / ended to the first notification after each
    (a notification may beat the 50 ms witness: that counts as 0)."""
    assert witness.started is not None and witness.finished is not None
    after_start = [t for t in heard if t >= witness.started - 0.1]
    after_end = [t for t in heard if t >= witness.finished - 0.1]
    assert after_start and after_end, (heard, witness.started, witness.finished)
    return max(0.0, after_start[0] - witness.started), max(0.0, after_end[0] - witness.finished)


async def wait_until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        await asyncio.sleep(0.05)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    assistants = write_assistants(tmp_path / "assistants.toml", ASSISTANTS)
    return Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="on")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_subscribed_runs_are_live_and_others_stay_quiet(settings: Settings, mode: str) -> None:
    heard = Heard()
    async with Client(build_server(settings), mode=mode, message_handler=heard.message_handler) as client:
        if mode == "legacy":
            assert client.server_capabilities.resources and client.server_capabilities.resources.subscribe
        make = {"prompt": "p", "schedule": "every day at 9am", "assistant_id": "slow"}
        a = (await client.call_tool("create_scheduled_task", make)).structured_content
        b = (await client.call_tool("create_scheduled_task", make)).structured_content
        assert a and b
        async with subscribed(client, mode, [runs_uri(a["id"])], heard):
            with Witness(client, a["id"]) as witness:
                run = (await client.call_tool("run_scheduled_task_now", {"task_id": a["id"]})).structured_content
                assert run and run["status"] == "succeeded"
                await witness.done(3)
            await wait_until(lambda: any(t >= (witness.finished or 0) - 0.1 for t in heard.of(runs_uri(a["id"]))), 3)
            start_latency, end_latency = latencies(heard.of(runs_uri(a["id"])), witness)
            assert start_latency <= LATENCY_LIMIT and end_latency <= LATENCY_LIMIT
            print(f"\n[{mode}] in-process latency: start {start_latency:.2f} s, end {end_latency:.2f} s")
            # A task nobody subscribed to runs: nothing is heard about it.
            await client.call_tool("run_scheduled_task_now", {"task_id": b["id"]})
            await asyncio.sleep(1.2)
            assert heard.of(runs_uri(b["id"])) == []
        # After unsubscribing, runs of `a` are quiet too.
        count = len(heard.events)
        await client.call_tool("run_scheduled_task_now", {"task_id": a["id"]})
        await asyncio.sleep(1.2)
        assert len(heard.events) == count


def process_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "AGENTCRON_DB": str(settings.db),
            "AGENTCRON_ASSISTANTS": str(settings.assistants), "AGENTCRON_RUNNER": "off",
            "AGENTCRON_LOG_LEVEL": "WARNING"}


async def test_runs_fired_by_the_daemon_and_by_another_server_are_live(settings: Settings) -> None:
    """This server runs no runner: every run happens in another process on the same file."""
    quiet = settings.model_copy(update={"runner": "off"})
    heard = Heard()
    daemon = subprocess.Popen([sys.executable, "-m", "agentcron", "scheduler"], env=process_env(settings),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert daemon.stderr is not None
        deadline = time.monotonic() + 30
        while "agentcron scheduler ready" not in daemon.stderr.readline():
            assert time.monotonic() < deadline and daemon.poll() is None, "daemon did not start"
        async with Client(build_server(quiet), mode="legacy", message_handler=heard.message_handler) as client:
            soon = (await client.call_tool("create_scheduled_task", {
                "prompt": "from the daemon", "schedule": "in 3 seconds", "assistant_id": "slow"})).structured_content
            other = (await client.call_tool("create_scheduled_task", {
                "prompt": "from another server", "schedule": "every day at 9am",
                "assistant_id": "slow"})).structured_content
            assert soon and other
            uris = [runs_uri(soon["id"]), runs_uri(other["id"])]
            async with subscribed(client, "legacy", uris, heard):
                # Both witnesses from now on: the daemon may fire `soon` while `other` runs.
                with Witness(client, other["id"]) as witness, Witness(client, soon["id"]) as daemon_witness:
                    # Another MCP server process fires `other` now.
                    params = StdioServerParameters(command=sys.executable, args=["-m", "agentcron"],
                                                   env=process_env(settings))
                    async with Client(params, mode="legacy") as elsewhere:
                        fired = await elsewhere.call_tool("run_scheduled_task_now", {"task_id": other["id"]})
                        assert fired.structured_content and fired.structured_content["status"] == "succeeded"
                    await witness.done(5)
                    # The daemon fires `soon` on schedule.
                    await daemon_witness.done(20)
                for seen, uri in ((witness, uris[1]), (daemon_witness, uris[0])):
                    await wait_until(lambda: any(t >= (seen.finished or 0) - 0.1 for t in heard.of(uri)), 3)
                server_start, server_end = latencies(heard.of(uris[1]), witness)
                daemon_start, daemon_end = latencies(heard.of(uris[0]), daemon_witness)
                page = (await client.call_tool("list_task_runs", {"task_id": soon["id"]})).structured_content
                assert page and page["runs"][0]["status"] == "succeeded", page
        for latency in (server_start, server_end, daemon_start, daemon_end):
            assert latency <= LATENCY_LIMIT
        print(f"\ncross-process latency: other server start {server_start:.2f} s, end {server_end:.2f} s; "
              f"daemon start {daemon_start:.2f} s, end {daemon_end:.2f} s")
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=15)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


class CountingBackend:
    """A backend stand-in that counts `list_runs` calls and lets the test change the runs."""

    def __init__(self) -> None:
        self.calls = 0
        self.runs: list[Any] = []

    async def list_runs(self, task_id: str, limit: int, cursor: str | None) -> Any:
        from agentcron.models import RunPage

        self.calls += 1
        return RunPage(runs=self.runs, next_cursor=None)


async def test_nothing_subscribed_means_nothing_polled() -> None:
    from agentcron.views.live_runs import RunWatcher
    from agentcron.models import Run

    backend = CountingBackend()
    watcher = RunWatcher(backend, poll_seconds=0.05)
    await asyncio.sleep(0.2)
    assert backend.calls == 0
    sent: list[str] = []

    async def sink(uri: str) -> None:
        sent.append(uri)

    await watcher.add("agentcron://tasks/t1/runs", "token", sink)
    await watcher.add("agentcron://tasks/t1", "token", sink)  # not a runs URI: never watched
    backend.runs = [Run(id="r1", task_id="t1", scheduled_for="2026-01-01T00:00:00Z",
                        started_at="2026-01-01T00:00:00Z", finished_at=None, status="running",
                        output=None, error=None)]
    await wait_until(lambda: len(sent) == 1, 2)
    assert sent == ["agentcron://tasks/t1/runs"]
    watcher.remove_token("token")
    await asyncio.sleep(0.2)
    calls = backend.calls
    await asyncio.sleep(0.3)
    assert backend.calls == calls  # the poller stopped with the last subscription
    assert watcher._poller is not None and watcher._poller.done()
