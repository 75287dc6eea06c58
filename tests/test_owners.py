"""Owners end to end (DESIGN.md §13): a real authorization server (oidc-provider on node, the
client-credentials grant with resource indicators) issues JWT access tokens to two clients,
alice and bob, who reach the real `agentcron serve --http` with OAuth on. Every tool and
resource of one is closed to the other: another owner's task id is answered exactly like an
unknown id and changes nothing."""

from __future__ import annotations

import asyncio
import json
import re
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from mcp.shared.exceptions import MCPError

from tests.conftest import write_assistants
from tests.oidc import OidcClient, Provider, oidc_provider
from tests.procs import ServerProcess, free_port, server_env

pytestmark = pytest.mark.anyio

ALICE = OidcClient("alice", "alice-secret-5b1f0e7d9c2a4b8e")
BOB = OidcClient("bob", "bob-secret-0c8e2d4f6a1b3c5d")
READY = "agentcron serving MCP over HTTP at"
ASSISTANTS = """
[assistants.alice_cmd]
type = "command"
argv = ["sh", "-c", "printf '%s' \\"$AGENTCRON_OWNER\\""]
timeout_seconds = 20
users = ["alice"]

[assistants.everyone]
type = "inbox"
users = ["*"]

[assistants.admin_only]
type = "command"
argv = ["true"]
"""
UNKNOWN = "task_00000000000000000000000000"


@dataclass
class Deployment:
    provider: Provider
    server: ServerProcess
    url: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("owners")
    write_assistants(home / "assistants.toml", ASSISTANTS)
    with oidc_provider([ALICE, BOB]) as provider:
        port = free_port()
        url = f"http://127.0.0.1:{port}/mcp"
        server = ServerProcess(
            ["serve", "--http", "--port", str(port), "--log-level", "DEBUG"],
            server_env(home, AGENTCRON_AUTH_ISSUER=provider.issuer, AGENTCRON_AUTH_AUDIENCE=url,
                       AGENTCRON_RUNNER="on"),
            cwd=home,
        )
        try:
            server.wait_for_stderr(READY)
            yield Deployment(provider, server, url)
        finally:
            server.stop()


class MemoryStorage:
    """Token storage for the SDK's OAuth client (kept in memory for one test)."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


@asynccontextmanager
async def connect(deployment: Deployment, who: OidcClient, *, mode: str = "auto",
                  handler: Any = None) -> AsyncIterator[Client]:
    """An MCP client that gets its access token through the SDK's client-credentials OAuth
    support: it reads the RFC 9728 metadata from the 401, discovers the issuer, asks for a
    token for this resource."""
    auth = ClientCredentialsOAuthProvider(
        server_url=deployment.url, storage=MemoryStorage(), client_id=who.client_id,
        client_secret=who.client_secret, scope="agentcron", issuer=deployment.provider.issuer,
    )
    async with httpx2.AsyncClient(auth=auth, timeout=30) as http:
        async with Client(streamable_http_client(deployment.url, http_client=http), mode=mode,
                          message_handler=handler) as client:
            yield client


def owner(deployment: Deployment, who: OidcClient) -> str:
    return f"{deployment.provider.issuer}#{who.client_id}"


async def tool(client: Client, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def refusal(client: Client, name: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(name, arguments)
    assert result.is_error, f"{name} should have been refused: {result.structured_content}"
    return " ".join(getattr(c, "text", "") for c in result.content)


async def resource_refusal(client: Client, uri: str) -> str:
    with pytest.raises(MCPError) as info:
        await client.read_resource(uri)
    return str(info.value)


def as_unknown(text: str, task_id: str) -> str:
    """The refusal with the task id replaced, to compare with the unknown-id refusal."""
    return text.replace(task_id, UNKNOWN)


async def test_every_tool_and_resource_sees_only_its_owners_tasks(deployment: Deployment) -> None:
    async with connect(deployment, ALICE) as alice, connect(deployment, BOB) as bob:
        mine = await tool(alice, "create_scheduled_task", {
            "prompt": "alice's secret plan", "schedule": "every day at 9am",
            "timezone": "Europe/Berlin", "name": "alice task", "assistant_id": "alice_cmd"})
        theirs = await tool(bob, "create_scheduled_task", {
            "prompt": "bob's plan", "schedule": "every monday at 10am", "name": "bob task"})
        a, b = mine["id"], theirs["id"]

        # list: each sees exactly their own, with a per-owner total.
        alice_page = await tool(alice, "list_scheduled_tasks", {})
        bob_page = await tool(bob, "list_scheduled_tasks", {})
        assert [t["id"] for t in alice_page["tasks"]] == [a] and alice_page["total"] == 1
        assert [t["id"] for t in bob_page["tasks"]] == [b] and bob_page["total"] == 1

        # Every tool with alice's id, as bob: the same answer as for an id nobody has.
        calls = {
            "get_scheduled_task": {},
            "update_scheduled_task": {"name": "hijacked", "enabled": False},
            "delete_scheduled_task": {},
            "run_scheduled_task_now": {},
            "list_task_runs": {},
        }
        for name, extra in calls.items():
            crossed = await refusal(bob, name, {"task_id": a, **extra})
            unknown = await refusal(bob, name, {"task_id": UNKNOWN, **extra})
            assert as_unknown(crossed, a) == unknown, name
            assert "alice" not in crossed, name

        # Every resource with alice's id, as bob.
        for template in ("agentcron://tasks/{}", "agentcron://tasks/{}/runs",
                         "agentcron://tasks/{}/calendar.ics"):
            crossed = await resource_refusal(bob, template.format(a))
            unknown = await resource_refusal(bob, template.format(UNKNOWN))
            assert as_unknown(crossed, a) == unknown, template
        bob_calendar = (await bob.read_resource("agentcron://calendar.ics")).contents[0].text
        alice_calendar = (await alice.read_resource("agentcron://calendar.ics")).contents[0].text
        assert a not in bob_calendar and "alice task" not in bob_calendar and b in bob_calendar
        assert b not in alice_calendar and a in alice_calendar

        # Nothing bob tried changed alice's task; her own calls still work.
        after = await tool(alice, "get_scheduled_task", {"task_id": a})
        assert after == mine
        task_json = json.loads((await alice.read_resource(f"agentcron://tasks/{a}")).contents[0].text)
        assert task_json["name"] == "alice task"

        # A run acts for its owner: the command sees AGENTCRON_OWNER.
        run = await tool(alice, "run_scheduled_task_now", {"task_id": a})
        assert run["status"] == "succeeded", run
        assert run["output"] == owner(deployment, ALICE)
        runs = await tool(alice, "list_task_runs", {"task_id": a})
        assert [r["id"] for r in runs["runs"]] == [run["id"]]  # bob's run-now never happened

        # Bob cannot name alice's assistant (answered as unknown), nor delete her task.
        crossed = await refusal(bob, "create_scheduled_task", {
            "prompt": "x", "schedule": "every day at 9am", "assistant_id": "alice_cmd"})
        unknown = await refusal(bob, "create_scheduled_task", {
            "prompt": "x", "schedule": "every day at 9am", "assistant_id": "no_such"})
        assert crossed.replace("alice_cmd", "no_such") == unknown
        assert (await tool(alice, "list_scheduled_tasks", {}))["total"] == 1


async def test_completions_offer_only_the_callers_tasks_and_assistants(
        deployment: Deployment) -> None:
    """Completions (DESIGN.md §13) read through the same owner filter as the tools."""
    from mcp.types import PromptReference, ResourceTemplateReference

    runs = ResourceTemplateReference(type="ref/resource", uri="agentcron://tasks/{task_id}/runs")
    prompt = PromptReference(type="ref/prompt", name="schedule_task")
    async with connect(deployment, ALICE) as alice, connect(deployment, BOB) as bob:
        mine = await tool(alice, "create_scheduled_task", {
            "prompt": "complete me", "schedule": "every day at 7am", "name": "alice completion"})
        theirs = await tool(bob, "create_scheduled_task", {
            "prompt": "complete me too", "schedule": "every day at 8am", "name": "bob completion"})

        async def offered(client: Client, ref: Any, argument: str) -> list[str]:
            answer = await client.complete(ref, {"name": argument, "value": ""})
            return list(answer.completion.values)

        alice_ids, bob_ids = await offered(alice, runs, "task_id"), await offered(bob, runs, "task_id")
        assert mine["id"] in alice_ids and theirs["id"] not in alice_ids
        assert theirs["id"] in bob_ids and mine["id"] not in bob_ids
        assert "alice_cmd" in await offered(alice, prompt, "assistant_id")
        assert "alice_cmd" not in await offered(bob, prompt, "assistant_id")


async def test_list_assistants_shows_each_caller_only_theirs(deployment: Deployment) -> None:
    async with connect(deployment, ALICE) as alice, connect(deployment, BOB) as bob:
        alice_names = [x["name"] for x in (await tool(alice, "list_assistants", {}))["assistants"]]
        bob_names = [x["name"] for x in (await tool(bob, "list_assistants", {}))["assistants"]]
    # admin_only has no `users`: under OAuth nobody gets it (only the built-in inbox is free).
    assert alice_names == ["alice_cmd", "everyone", "inbox"]
    assert bob_names == ["everyone", "inbox"]


class Heard:
    def __init__(self) -> None:
        self.uris: list[str] = []

    async def handler(self, message: Any) -> None:
        root = getattr(message, "root", message)
        if getattr(root, "method", None) == "notifications/resources/updated":
            self.uris.append(str(root.params.uri))


async def test_subscriptions_hear_only_their_owners_runs(deployment: Deployment) -> None:
    alice_heard, bob_heard = Heard(), Heard()
    async with connect(deployment, ALICE, mode="legacy", handler=alice_heard.handler) as alice, \
            connect(deployment, BOB, mode="legacy", handler=bob_heard.handler) as bob:
        task = await tool(alice, "create_scheduled_task", {
            "prompt": "ping", "schedule": "every day at 9am", "assistant_id": "everyone"})
        uri = f"agentcron://tasks/{task['id']}/runs"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the 2025-era way, on purpose
            await alice.subscribe_resource(uri)
            await bob.subscribe_resource(uri)  # accepted like an unknown id's, never notified
            await bob.subscribe_resource(f"agentcron://tasks/{UNKNOWN}/runs")
        await tool(alice, "run_scheduled_task_now", {"task_id": task["id"]})
        deadline = time.monotonic() + 5
        while uri not in alice_heard.uris and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # three more polls: bob would have heard by now
    assert uri in alice_heard.uris
    assert bob_heard.uris == []


async def test_listen_streams_are_honored_only_for_own_tasks(deployment: Deployment) -> None:
    async with connect(deployment, ALICE) as alice, connect(deployment, BOB) as bob:
        a = (await tool(alice, "create_scheduled_task", {
            "prompt": "a", "schedule": "every day at 9am"}))["id"]
        b = (await tool(bob, "create_scheduled_task", {
            "prompt": "b", "schedule": "every day at 9am"}))["id"]
        asked = [f"agentcron://tasks/{t}/runs" for t in (a, UNKNOWN, b)]
        async with bob.listen(resource_subscriptions=asked) as subscription:
            honored = set(subscription.honored.resource_subscriptions or [])
    assert honored == {f"agentcron://tasks/{b}/runs"}  # alice's id: like the unknown one


async def test_tokens_are_never_logged(deployment: Deployment) -> None:
    token = deployment.provider.token(ALICE, deployment.url)
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        async with Client(streamable_http_client(deployment.url, http_client=http)) as client:
            await tool(client, "list_scheduled_tasks", {})
    logs = deployment.server.stderr
    assert "tool list_scheduled_tasks ok" in logs  # DEBUG logging was on, and it saw the call
    assert token not in logs and token.split(".")[2] not in logs
    assert not re.search(r"eyJ[\w-]{10,}\.eyJ", logs)  # no JWT of anyone's


def test_the_documented_python_client_works(deployment: Deployment, tmp_path: Path) -> None:
    """docs/clients.md's client-credentials snippet, run as written against the deployment."""
    import os
    import subprocess
    import sys

    doc = (Path(__file__).resolve().parents[1] / "docs" / "clients.md").read_text()
    [snippet] = [b for b in re.findall(r"```python\n(.*?)```", doc, re.S)
                 if "ClientCredentialsOAuthProvider" in b]
    script = tmp_path / "client.py"
    script.write_text(snippet)
    env = {**os.environ, "AGENTCRON_URL": deployment.url, "OAUTH_ISSUER": deployment.provider.issuer,
           "OAUTH_CLIENT_ID": BOB.client_id, "OAUTH_CLIENT_SECRET": BOB.client_secret}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\d+ tasks are mine\n", done.stdout), done.stdout


async def test_a_token_for_another_resource_is_refused(deployment: Deployment) -> None:
    token = deployment.provider.token(ALICE, "https://elsewhere.example/mcp")
    async with httpx2.AsyncClient(timeout=30) as http:
        answer = await http.post(deployment.url, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream"}, json={})
    assert answer.status_code == 401
    assert "not issued for this server" in answer.json()["error_description"]


async def test_a_session_opened_by_one_owner_is_closed_to_another(deployment: Deployment) -> None:
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    alice_token = deployment.provider.token(ALICE, deployment.url)
    bob_token = deployment.provider.token(BOB, deployment.url)
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"}}}
    list_tasks = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                  "params": {"name": "list_scheduled_tasks", "arguments": {}}}
    async with httpx2.AsyncClient(timeout=30) as http:
        opened = await http.post(deployment.url, json=initialize,
                                 headers={**headers, "Authorization": f"Bearer {alice_token}"})
        assert opened.status_code == 200
        session = opened.headers["mcp-session-id"]
        hijack = await http.post(deployment.url, json=list_tasks, headers={
            **headers, "Authorization": f"Bearer {bob_token}", "mcp-session-id": session})
    assert hijack.status_code == 404  # as if the session did not exist
