"""Failure alerts (DESIGN.md §9): what an alert says, and sending each one once.

The store hands a runner the alerts it won (a compare-and-set, so exactly once across runners);
this module fires each through its alert assistant and records whether it went out. An alert's
own failure is logged, never alerted.
"""

from __future__ import annotations

import asyncio
import logging

from agentcron.backends.local.assistants import FireRequest, RunFailure
from agentcron.backends.local.firing import INTERRUPTED_BY_STOP, Fired
from agentcron.backends.local.outbox import Outbox
from agentcron.backends.local.store import RunRow, TaskRow, from_db

logger = logging.getLogger("agentcron.runner")


def alert_text(task: TaskRow, run: RunRow) -> str:
    """The alert as plain text: an inbox records it, a command or chat model receives it."""
    name = f" '{task.name}'" if task.name else ""
    attempts = f" after {run.attempts} attempt(s)" if run.attempts > 1 else ""
    return (f"agentcron: run {run.id} of task {task.id}{name}, scheduled for "
            f"{run.scheduled_for}, ended {run.status}{attempts}: {run.error or 'no error text'}")


def alert_request(task: TaskRow, run: RunRow) -> FireRequest:
    """What the alert assistant is fired with (a webhook sends the §9 body instead)."""
    return FireRequest(
        task_id=task.id,
        run_id=run.id,
        scheduled_for=from_db(run.scheduled_for),
        prompt=alert_text(task, run),
        metadata=task.metadata,
        chat_id=None,
        task_name=task.name,
        owner=task.owner,
        failure=RunFailure(status=run.status, error=run.error, attempts=run.attempts),
    )


class AlertSender(Outbox):
    """Sends the alerts a runner won."""

    kind = "alert"

    async def _send(self, task: TaskRow, run: RunRow) -> None:
        """Fire the run's alert assistant once; its own failure is logged, never alerted."""
        try:
            fired = await self.fire(run.alert_to, alert_request(task, run))
        except asyncio.CancelledError:
            fired = Fired("failed", None, INTERRUPTED_BY_STOP)
        status, output, error = fired.status, fired.output, fired.error
        if status != "succeeded":
            logger.warning("failure alert of run %s via '%s' failed: %s", run.id, run.alert_to,
                           error)
        result = ("sent", output) if status == "succeeded" else ("failed", error)
        try:
            await asyncio.to_thread(self.store.finish_alerts, [(run.id, *result)])
        except Exception as exc:
            logger.warning("could not record the alert of run %s: %s", run.id, exc)
