"""What happens after a fire fails (DESIGN.md §9): the retry schedule and the failure alert.

Pure functions: the runner decides with these and the store records the result.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from agentcron.backends.local.assistants import FireRequest, RunFailure
from agentcron.backends.local.assistants.registry import FailurePolicy
from agentcron.backends.local.store import RunRow, TaskRow, from_db

FAILED_STATUSES = ("failed", "timed_out")
JITTER = 0.10  # up to 10% added to each backoff, so retries of a burst do not stampede


def retry_at(policy: FailurePolicy, attempt: int, status: str, ended: datetime, *,
             interrupted: bool = False, jitter: float | None = None) -> datetime | None:
    """When attempt `attempt + 1` starts, or None when this attempt's outcome is final.

    Attempt k+1 starts `backoff * 2**(k-1)` seconds (plus up to 10%) after attempt k ended
    failed or timed out; an interrupted run is never retried: its side effect may have happened.
    """
    if interrupted or status not in FAILED_STATUSES or attempt > policy.retries:
        return None
    spread = random.uniform(0.0, JITTER) if jitter is None else jitter
    delay = policy.retry_backoff_seconds * 2 ** (attempt - 1) * (1 + spread)
    return ended + timedelta(seconds=delay)


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
        failure=RunFailure(status=run.status, error=run.error, attempts=run.attempts),
    )
