"""When a failed fire is tried again (DESIGN.md §9): the retry schedule.

A pure function: the runner decides with it and the store records the result.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from agentcron.backends.local.assistants.registry import FailurePolicy

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
