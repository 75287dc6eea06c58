"""The firing loop: claims due occurrences, fires them through assistants, records the truth.

One Runner per process. It holds a lease (a heartbeat row, DESIGN.md §3, kept by `LeaseKeeper`
from its own thread): runs whose runner's lease expired are marked failed ("interrupted") by
whichever runner notices first, and are never retried. The loop sleeps until the next due
time, waking early when this process changes a task (`wake()`) or another process changes
something (the store's change token, checked at most once per POLL_SECONDS) - no busy polling.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from agentcron.backends.local.assistants import (
    AssistantRegistry,
    FireRequest,
)
from agentcron.backends.local.alerts import AlertSender
from agentcron.backends.local.deliveries import DeliverySender
from agentcron.backends.local.durable import write_until_stored
from agentcron.backends.local.failures import final_error, retry_at
from agentcron.backends.local.firing import INTERRUPTED_BY_STOP, Fired, fire_assistant
from agentcron.backends.local.lease import LeaseKeeper
from agentcron.backends.local.plan import plan_task
from agentcron.backends.local.store import (
    ClaimPlan,
    Claimed,
    Outcome,
    PauseState,
    RunRow,
    Store,
    TaskRow,
    from_db,
    to_db,
)
from agentcron.errors import NotFoundError

logger = logging.getLogger("agentcron.runner")

POLL_SECONDS = 1.0
# Outcomes are written in small batches: under a burst, one write transaction per run would
# keep several runners handing the database's write lock back and forth.
RECORD_BATCH_SECONDS = 0.02
# After a wake-up, wait this long so a burst of finished runs costs one pass, not one each.
WAKE_COALESCE_SECONDS = 0.005
# Under a burst, a finished run wakes the loop only once this share of the slots is free, so
# that each pass claims a batch (one write transaction) instead of one run per finished run.
# A full runner still looks again every POLL_SECONDS, so a due task waits at most that long.
REFILL_FRACTION = 2  # half the capacity
SHUTDOWN_GRACE_SECONDS = 5.0
# After the grace, interrupted runs get this long to have their outcome written.
SHUTDOWN_RECORD_SECONDS = 3.0
DEFAULT_CAPACITY = 64


@dataclass(frozen=True)
class Survey:
    """What a pass has to do, read in one worker-thread hop (each read is indexed)."""

    change: object
    alerts: bool
    paused: PauseState | None
    queued: bool
    retries_due: bool
    deliveries_due: bool
    next_due: str | None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


class Runner:
    """Executes runs for this process; with `scheduling=True` it also claims due occurrences."""

    def __init__(
        self,
        store: Store,
        assistants: AssistantRegistry,
        *,
        scheduling: bool = True,
        clock: Callable[[], datetime] = utc_now,
        lease_seconds: float = 30.0,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self.store = store
        self.assistants = assistants
        self.scheduling = scheduling
        self.clock = clock
        self.capacity = capacity
        self.id = new_id("runner")
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._stopped = False
        self._loop_task: asyncio.Task[None] | None = None
        self._last_change: object = None
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._leased: asyncio.Future[None] | None = None
        self.lease = LeaseKeeper(store, self.id, lease_seconds, clock, self._reaped_elsewhere,
                                 alert_for=assistants.alert_target)
        self.alerts = AlertSender(store, assistants)
        self.deliveries = DeliverySender(store, assistants, self.id, clock)
        self._outcomes: list[Outcome] = []
        self._refill_at = max(1, capacity // REFILL_FRACTION)
        self._outcomes_written: asyncio.Future[None] | None = None

    # --- life cycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Take a lease (in the background: the server answers meanwhile; nothing is claimed
        or fired before it is held), and start the scheduling loop if this runner schedules."""
        self._event_loop = asyncio.get_running_loop()
        self._leased = asyncio.ensure_future(asyncio.to_thread(self.lease.start))
        if self.scheduling:
            self._loop_task = asyncio.create_task(self._loop(), name="agentcron-runner")
        logger.info("runner %s started (scheduling %s)", self.id, "on" if self.scheduling else "off")

    async def stop(self, grace_seconds: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stop claiming, give in-flight runs `grace_seconds`, then interrupt and record them.

        Idempotent: a signal handler and the server's own shutdown may both call it."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            await asyncio.gather(self._loop_task, return_exceptions=True)
        if self._leased is not None:
            await asyncio.gather(self._leased, return_exceptions=True)
        pending = [*self._in_flight.values(), *self.alerts.in_flight,
                   *self.deliveries.in_flight]
        if pending:
            _, still_running = await asyncio.wait(pending, timeout=grace_seconds)
            for task in still_running:
                task.cancel()
            if still_running:
                _, unrecorded = await asyncio.wait(still_running, timeout=SHUTDOWN_RECORD_SECONDS)
                if unrecorded:
                    logger.error("stopping with %d run outcome(s) not written to %s",
                                 len(unrecorded), self.store.location)
        await asyncio.to_thread(self.lease.stop)
        logger.info("runner %s stopped", self.id)

    async def ready(self) -> None:
        """Wait until this runner holds its lease (runs may be fired from then on)."""
        if self._leased is not None:
            await asyncio.shield(self._leased)

    def wake(self) -> None:
        """Re-check due times now (a task was created, changed or deleted in this process)."""
        self._wake.set()

    def _reaped_elsewhere(self, count: int) -> None:
        """Called from the lease thread: runs were reaped, a queued one may go now."""
        if self._event_loop is not None:
            self._event_loop.call_soon_threadsafe(self._wake.set)

    # --- the loop -------------------------------------------------------------------------

    async def _loop(self) -> None:
        await self.ready()
        reaped = await asyncio.to_thread(
            self.store.reap_interrupted, to_db(self.clock()), self.assistants.alert_target)
        if reaped:
            logger.warning("marked %d interrupted run(s) failed", reaped)
        while not self._stopping:
            try:
                await self.tick()
                delay = await self._seconds_until_next_wakeup()
            except Exception as exc:
                logger.warning("runner pass failed (%s); retrying in %g s", exc, POLL_SECONDS)
                delay = POLL_SECONDS
            await self._sleep(delay)

    async def _sleep(self, delay: float) -> None:
        """Sleep up to `delay`, waking for local changes or, every POLL_SECONDS, remote ones."""
        remaining = delay
        while remaining > 0 and not self._stopping:
            step = min(remaining, POLL_SECONDS)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=step)
                await asyncio.sleep(WAKE_COALESCE_SECONDS)
                self._wake.clear()
                return
            except asyncio.TimeoutError:
                remaining -= step
            change = await asyncio.to_thread(self.store.change_token)
            if change != self._last_change:
                self._last_change = change
                return

    async def _seconds_until_next_wakeup(self) -> float:
        """Until a task or a retry is due; a wall clock set back only makes this longer (the
        loop still wakes every POLL_SECONDS for changes), never a busy loop."""
        if len(self._in_flight) >= self.capacity:
            return POLL_SECONDS
        wakeup = await asyncio.to_thread(self.store.next_wakeup)
        if wakeup is None:
            return 3600.0
        return max(0.0, (from_db(wakeup) - self.clock()).total_seconds())

    def _room(self) -> int:
        return self.capacity - len(self._in_flight)

    async def tick(self) -> list[asyncio.Task[None]]:
        """One pass: send pending alerts and due deliveries, start queued runs and due retries
        that may go, then claim and fire what is due now."""
        started: list[asyncio.Task[None]] = []
        await self.ready()
        if not self.lease.is_fresh():  # e.g. just resumed after being frozen: lease first
            await asyncio.to_thread(self.lease.ensure)
        survey = await asyncio.to_thread(self._survey, to_db(self.clock()))
        self._last_change = survey.change
        if survey.alerts:
            alerts = await asyncio.to_thread(self.store.take_alerts, self.capacity)
            started += [self.alerts.launch(c) for c in alerts]
        started += await self._send_deliveries(survey)
        if survey.paused is None:  # under the global pause nothing starts; due runs are skipped
            started += await self._start_waiting(survey)
        next_due = survey.next_due
        while not self._stopping and self._room() > 0 and next_due is not None:
            now = self.clock()
            if from_db(next_due) > now:
                break
            claimed = await asyncio.to_thread(
                self.store.claim_due, to_db(now), self._room(), self.id,
                lambda task, active, pause: self._plan(task, active, now, pause),
                lambda: new_id("run"),
            )
            started += [self._launch(c) for c in claimed]
            if self._room() > 0:
                next_due = await asyncio.to_thread(self.store.next_due)
        return started

    async def _send_deliveries(self, survey: Survey) -> list[asyncio.Task[None]]:
        """Deliveries whose time has come (sent under the global pause too: the run is done)."""
        if not survey.deliveries_due:
            return []
        now = to_db(self.clock())
        taken = await asyncio.to_thread(self.store.take_deliveries, self.id, now, self.capacity)
        return [self.deliveries.launch(c) for c in taken]

    def _survey(self, now: str) -> Survey:
        """Runs in a worker thread: the reads that decide a pass, one hop for all of them."""
        store = self.store
        return Survey(change=store.change_token(), alerts=store.has_pending_alerts(),
                      paused=store.pause_state(), queued=store.has_queued_runs(),
                      retries_due=store.has_due_retries(now),
                      deliveries_due=store.has_due_deliveries(now), next_due=store.next_due())

    async def _start_waiting(self, survey: Survey) -> list[asyncio.Task[None]]:
        """Queued runs whose turn has come, and retries whose time has come."""
        started: list[asyncio.Task[None]] = []
        now = to_db(self.clock())
        if self._room() > 0 and survey.queued:
            queued = await asyncio.to_thread(self.store.start_queued, self.id, now, self._room())
            started += [self._launch(c) for c in queued]
        if self._room() > 0 and survey.retries_due:
            retries = await asyncio.to_thread(self.store.start_retries, self.id, now, self._room())
            started += [self._launch(c) for c in retries]
        return started

    def _plan(self, task: TaskRow, active: set[str], now: datetime,
              paused: PauseState | None) -> ClaimPlan:
        """The policy's plan, with the failure alert of each missed occurrence named."""
        decided = plan_task(task, active, now, paused)
        target = self.assistants.alert_target(task.assistant_id)
        for occurrence in decided.occurrences:
            if occurrence.status == "missed":
                occurrence.alert_to = target
        return decided

    # --- firing ---------------------------------------------------------------------------

    def _launch(self, claimed: Claimed) -> asyncio.Task[None]:
        task = asyncio.create_task(self._fire(claimed.task, claimed.run), name=claimed.run.id)
        self._in_flight[claimed.run.id] = task
        task.add_done_callback(lambda _: self._finished(claimed))
        return task

    def _finished(self, claimed: Claimed) -> None:
        """A run ended: wake the loop when a queued run of its task may go now, or when enough
        slots are free for a batch (a single slot would cost a pass per run under a burst)."""
        self._in_flight.pop(claimed.run.id, None)
        if claimed.task.overlap == "queue" or self._room() >= self._refill_at:
            self._wake.set()

    def launch_manual(self, task: TaskRow, run: RunRow) -> asyncio.Task[None]:
        """Fire a run_scheduled_task_now run under this runner's lease."""
        return self._launch(Claimed(task=task, run=run))

    async def _fire(self, task: TaskRow, run: RunRow) -> None:
        try:
            fired = await self._execute(task, run)
        except asyncio.CancelledError:
            await asyncio.shield(self._record(task, run, "failed", None, INTERRUPTED_BY_STOP,
                                              interrupted=True))
            raise
        await self._record(task, run, fired.status, fired.output, fired.error,
                           agent=fired.agent, tools_called=fired.tools_called)

    async def _execute(self, task: TaskRow, run: RunRow) -> Fired:
        try:
            assistant = self.assistants.get(task.assistant_id or self.assistants.default,
                                             task.owner)
        except NotFoundError as exc:
            return Fired("failed", None, str(exc))
        request = FireRequest(
            task_id=task.id,
            run_id=run.id,
            scheduled_for=from_db(run.scheduled_for),
            prompt=task.prompt,
            metadata=task.metadata,
            chat_id=task.chat_id,
            task_name=task.name,
            attempt=run.attempts,
            owner=task.owner,
        )
        return await fire_assistant(assistant, request)

    async def _record(self, task: TaskRow, run: RunRow, status: str, output: str | None,
                      error: str | None, *, interrupted: bool = False,
                      agent: dict[str, Any] | None = None, tools_called: bool = False) -> None:
        """Decide retry or final (with its alert), queue the outcome, wait until it is written."""
        ended = self.clock()
        policy = self.assistants.policy(task.assistant_id)
        again = retry_at(policy, run.attempts, status, ended, interrupted=interrupted,
                         tools_called=tools_called)
        error = final_error(policy, run.attempts, status, error, interrupted=interrupted,
                            tools_called=tools_called)
        agent_json = json.dumps(agent) if agent is not None else None
        if again is not None:
            outcome = Outcome(run.id, "retrying", output, error, to_db(ended),
                              next_attempt_at=to_db(again), agent=agent_json)
        else:
            alert_to = self.assistants.alert_target(task.assistant_id) if status in (
                "failed", "timed_out") else None
            deliver_to = self.assistants.delivery_target(task.assistant_id) if (
                status == "succeeded") else None
            outcome = Outcome(run.id, status, output, error, to_db(ended), alert_to=alert_to,
                              deliver_to=deliver_to, agent=agent_json)
        self._outcomes.append(outcome)
        if self._outcomes_written is None:
            self._outcomes_written = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_later(RECORD_BATCH_SECONDS, self._flush_outcomes)
        await asyncio.shield(self._outcomes_written)
        logger.info("run %s of task %s (attempt %d): %s%s", run.id, run.task_id, run.attempts,
                    outcome.status,
                    f", next attempt at {outcome.next_attempt_at}" if again is not None else "")
        if outcome.alert_to or outcome.deliver_to or again is not None:
            self._wake.set()  # an alert or a delivery to send, or a retry to wait for

    def _flush_outcomes(self) -> None:
        batch, done = self._outcomes, self._outcomes_written
        self._outcomes, self._outcomes_written = [], None
        assert done is not None

        async def write() -> None:
            """Write the batch; while the database cannot take it (disk full, locked), keep
            it and try again: an outcome is never dropped."""
            await write_until_stored(lambda: self.store.finish_runs(batch),
                                     f"{len(batch)} run outcome(s) in {self.store.location}")
            done.set_result(None)

        asyncio.get_running_loop().create_task(write())
