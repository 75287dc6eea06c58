"""Live runs (DESIGN.md §10): a client subscribed to `agentcron://tasks/{id}/runs` gets
`notifications/resources/updated` for that URI within 2 s after a run of the task starts or
ends, whichever process ran it (this server's runner, another server, the daemon).

Runs can start in another process, so there is no in-process event to hook: for the task ids
someone is subscribed to (and only those: nothing subscribed, nothing polled), a watcher reads
the task's newest runs every 0.5 s through the backend's public `list_runs` and notifies when
their fingerprint (ids, statuses, start and finish times) changes.

Owners (DESIGN.md §13): a subscription belongs to the principal that made it and its task is
read as that principal, so another owner's task id behaves exactly like an unknown one (no
notification ever comes).

Both eras of the protocol:

* 2025-era clients send `resources/subscribe` / `resources/unsubscribe`; the server answers
  them (so it advertises `resources.subscribe`) and notifies each subscribed session;
* 2026-07-28 clients open a `subscriptions/listen` stream naming the URIs; a middleware notes
  the URIs for the stream's lifetime and the watcher publishes `ResourceUpdated` on the
  server's subscription bus, which delivers it to the streams that asked for it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from agentcron.principal import LOCAL_OWNER, acting_as, current_owner

logger = logging.getLogger("agentcron.views.live_runs")

POLL_SECONDS = 0.5
RUNS_LIMIT = 20
RUNS_URI = re.compile(r"^agentcron://tasks/([^/?#]+)/runs$")

Sink = Callable[[str], Awaitable[None]]
Key = tuple[str, str]  # (owner, uri)


def task_id_of(uri: str) -> str | None:
    match = RUNS_URI.match(uri)
    return match.group(1) if match else None


class RunWatcher:
    """Watches the runs of subscribed tasks of one backend; one per server lifespan."""

    def __init__(self, backend: Any, poll_seconds: float = POLL_SECONDS) -> None:
        self.backend = backend
        self.poll_seconds = poll_seconds
        self.sinks: dict[Key, dict[object, Sink]] = {}  # (owner, uri) -> token -> send(uri)
        self.fingerprints: dict[Key, object] = {}
        self._poller: asyncio.Task[None] | None = None

    async def add(self, uri: str, token: object, sink: Sink) -> None:
        """Start notifying `sink` about `uri` (a runs URI; anything else never fires), for the
        calling principal."""
        if task_id_of(uri) is None:
            return
        key = (current_owner(), uri)
        first = key not in self.sinks
        self.sinks.setdefault(key, {})[token] = sink
        if first:
            self.fingerprints[key] = await self._fingerprint(key)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.get_running_loop().create_task(self._poll(), name="agentcron-live-runs")

    def remove(self, uri: str, token: object, owner: str | None = None) -> None:
        key = (owner or current_owner(), uri)
        sinks = self.sinks.get(key)
        if sinks is None:
            return
        sinks.pop(token, None)
        if not sinks:
            del self.sinks[key]
            self.fingerprints.pop(key, None)
        # The poller ends by itself once nothing is subscribed.

    def remove_token(self, token: object) -> None:
        for owner, uri in list(self.sinks):
            self.remove(uri, token, owner)

    async def _fingerprint(self, key: Key) -> object:
        owner, uri = key
        task_id = task_id_of(uri)
        try:
            with acting_as(owner):  # the poller serves every owner: read as the subscriber
                page = await self.backend.list_runs(task_id, RUNS_LIMIT, None)
        except Exception as exc:  # a deleted task, a closed store: report "gone", keep going
            return ("unavailable", type(exc).__name__)
        return tuple((run.id, run.status, run.started_at, run.finished_at) for run in page.runs)

    async def visible(self, uri: str) -> bool:
        """Whether the calling principal can read this runs URI's task."""
        try:
            await self.backend.list_runs(task_id_of(uri), 1, None)
        except Exception:
            return False
        return True

    async def _poll(self) -> None:
        while self.sinks:
            await asyncio.sleep(self.poll_seconds)
            for key in list(self.sinks):
                current = await self._fingerprint(key)
                if key not in self.sinks or current == self.fingerprints.get(key):
                    continue
                self.fingerprints[key] = current
                uri = key[1]
                by_sink: dict[Sink, list[object]] = {}
                for token, sink in self.sinks.get(key, {}).items():
                    by_sink.setdefault(sink, []).append(token)  # the bus publishes once per URI
                for sink, tokens in by_sink.items():
                    try:
                        await sink(uri)
                    except Exception:  # the client went away: forget its subscriptions
                        logger.debug("dropping a live-runs subscriber of %s", uri, exc_info=True)
                        for token in tokens:
                            self.remove_token(token)


def register_live_runs(server: Any, bus: Any) -> None:
    """Serve resources/subscribe (2025 era) and watch subscriptions/listen streams (2026 era)
    for `agentcron://tasks/{id}/runs`. `bus` is the SubscriptionBus the server was built with."""
    from mcp.shared.subscriptions import ResourceUpdated
    from mcp.types import EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams

    watchers: dict[int, RunWatcher] = {}

    def watcher_for(ctx: Any) -> RunWatcher:
        service = ctx.lifespan_context.tasks  # AppState of this server lifespan
        watcher = watchers.get(id(service))
        if watcher is None or watcher.backend is not service.backend:
            watcher = watchers[id(service)] = RunWatcher(service.backend)
        return watcher

    def connection_of(ctx: Any) -> Any:
        # `ctx.session` is a per-request proxy; the subscription belongs to the connection,
        # which outlives the request and sends on its standalone channel.
        return getattr(ctx.session, "_connection", ctx.session)

    async def subscribe(ctx: Any, params: SubscribeRequestParams) -> EmptyResult:
        connection = connection_of(ctx)
        await watcher_for(ctx).add(str(params.uri), connection, connection.send_resource_updated)
        return EmptyResult()

    async def unsubscribe(ctx: Any, params: UnsubscribeRequestParams) -> EmptyResult:
        watcher_for(ctx).remove(str(params.uri), connection_of(ctx))
        return EmptyResult()

    async def publish(uri: str) -> None:
        await bus.publish(ResourceUpdated(uri=uri))

    async def listen_middleware(ctx: Any, call_next: Any) -> Any:
        if ctx.method != "subscriptions/listen" or ctx.request_id is None:
            return await call_next(ctx)
        notifications = (ctx.params or {}).get("notifications") or {}
        uris = [u for u in notifications.get("resourceSubscriptions") or [] if task_id_of(str(u))]
        if not uris:
            return await call_next(ctx)
        watcher = watcher_for(ctx)
        if current_owner() != LOCAL_OWNER:
            # The bus delivers an update to every stream that asked for the URI, whoever
            # opened it: a stream may only ask for runs of its own owner's tasks. Others are
            # not honored, as an unknown task's are not.
            visible = [u for u in uris if await watcher.visible(str(u))]
            hidden = set(map(str, uris)) - set(map(str, visible))
            notifications["resourceSubscriptions"] = [
                u for u in notifications.get("resourceSubscriptions") or [] if str(u) not in hidden]
            uris = visible
        token = object()
        for uri in uris:
            await watcher.add(str(uri), token, publish)
        try:
            return await call_next(ctx)
        finally:
            watcher.remove_token(token)

    lowlevel = server._lowlevel_server  # spec methods cannot be added through an Extension
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, unsubscribe)
    server.middleware.append(listen_middleware)
