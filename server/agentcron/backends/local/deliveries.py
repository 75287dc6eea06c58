"""on_success deliveries (DESIGN.md §12): a succeeded run's output, sent once to its target.

A run that succeeds records its target (`delivery_to`, pending). Any runner takes a due delivery
from the store (a compare-and-set, so one sender at a time across runners), fires the target -
a webhook gets the `run.succeeded` body with `Idempotency-Key: deliver:<run_id>`, an inbox
records the output - and records whether it got there. A failed attempt is retried on the
target's own `retries` / `retry_backoff_seconds`, by the schedule runs use (`retry_at`); after
the last one the delivery is `failed`. The run's status and output never change. A delivery
whose sender dies is requeued by lease reaping and sent again with the same key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from agentcron.backends.local.assistants import AssistantRegistry, FireRequest
from agentcron.backends.local.durable import write_until_stored
from agentcron.backends.local.failures import retry_at
from agentcron.backends.local.outbox import Outbox
from agentcron.backends.local.store import DeliveryResult, RunRow, Store, TaskRow, from_db, to_db

logger = logging.getLogger("agentcron.runner")

INTERRUPTED_DELIVERY = (
    "interrupted: the runner was stopped while sending this delivery; it is sent again with "
    "the same Idempotency-Key"
)


def delivery_request(task: TaskRow, run: RunRow) -> FireRequest:
    """What the target is fired with: the task's prompt and the run's output."""
    return FireRequest(
        task_id=task.id,
        run_id=run.id,
        scheduled_for=from_db(run.scheduled_for),
        prompt=task.prompt,
        metadata=task.metadata,
        chat_id=None,
        task_name=task.name,
        attempt=run.delivery_attempts,
        delivered_output=run.output or "",
        owner=task.owner,
    )


class DeliverySender(Outbox):
    """Sends the deliveries a runner won and decides what follows a failed attempt."""

    kind = "delivery"

    def __init__(self, store: Store, assistants: AssistantRegistry, runner_id: str,
                 clock: Callable[[], datetime]) -> None:
        super().__init__(store, assistants)
        self.runner_id = runner_id
        self.clock = clock

    async def _send(self, task: TaskRow, run: RunRow) -> None:
        try:
            fired = await self.fire(run.delivery_to, delivery_request(task, run))
            result = self._result(run, fired.status, fired.error)
        except asyncio.CancelledError:  # stopping: any runner sends it again
            result = DeliveryResult(run.id, "pending", INTERRUPTED_DELIVERY, to_db(self.clock()))
        await self._record(result)

    async def _record(self, result: DeliveryResult) -> None:
        """Write the result; while the database cannot take it, keep trying (a delivery left
        `sending` by a live runner would never be sent again). Cancelled by a stop, it stays
        `sending` and is requeued once this runner's lease is gone."""
        await write_until_stored(
            lambda: self.store.finish_deliveries(self.runner_id, [result]),
            f"the delivery of run {result.run_id}")

    def _result(self, run: RunRow, status: str, error: str | None) -> DeliveryResult:
        if status == "succeeded":
            logger.info("run %s delivered to '%s' (attempt %d)", run.id, run.delivery_to,
                        run.delivery_attempts)
            return DeliveryResult(run.id, "delivered")
        policy = self.assistants.policy(run.delivery_to)
        again = retry_at(policy, run.delivery_attempts, status, self.clock())
        if again is not None:
            logger.info("delivery of run %s to '%s' failed (attempt %d), next at %s: %s",
                        run.id, run.delivery_to, run.delivery_attempts, to_db(again), error)
            return DeliveryResult(run.id, "pending", error, to_db(again))
        logger.warning("delivery of run %s to '%s' failed after %d attempt(s): %s; the run "
                       "and its output are kept", run.id, run.delivery_to,
                       run.delivery_attempts, error)
        return DeliveryResult(run.id, "failed", error)
