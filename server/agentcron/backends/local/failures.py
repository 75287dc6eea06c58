"""When a failed fire is tried again (DESIGN.md §9): the retry schedule.

A pure function: the runner decides with it and the store records the result.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from agentcron.backends.local.assistants.registry import FailurePolicy

FAILED_STATUSES = ("failed", "timed_out")
JITTER = 0.10  # up to 10% added to each backoff, so retries of a burst do not stampede


NOT_RETRIED_TOOLS = "(not retried: tools were called)"


def would_retry(policy: FailurePolicy, attempt: int, status: str, *,
                interrupted: bool = False) -> bool:
    """Whether the policy has another attempt for this outcome (tools aside)."""
    return not interrupted and status in FAILED_STATUSES and attempt <= policy.retries


def retry_at(policy: FailurePolicy, attempt: int, status: str, ended: datetime, *,
             interrupted: bool = False, tools_called: bool = False,
             jitter: float | None = None) -> datetime | None:
    """When attempt `attempt + 1` starts, or None when this attempt's outcome is final.

    Attempt k+1 starts `backoff * 2**(k-1)` seconds (plus up to 10%) after attempt k ended
    failed or timed out; an interrupted run is never retried: its side effect may have happened.
    Nor is an agent run that executed a tool (DESIGN.md §12): tools may have side effects.
    """
    if tools_called or not would_retry(policy, attempt, status, interrupted=interrupted):
        return None
    spread = random.uniform(0.0, JITTER) if jitter is None else jitter
    delay = policy.retry_backoff_seconds * 2 ** (attempt - 1) * (1 + spread)
    return ended + timedelta(seconds=delay)


def final_error(policy: FailurePolicy, attempt: int, status: str, error: str | None, *,
                interrupted: bool = False, tools_called: bool = False) -> str | None:
    """The error as recorded: it says so when tools were the only reason not to retry."""
    if tools_called and would_retry(policy, attempt, status, interrupted=interrupted):
        return f"{error} {NOT_RETRIED_TOOLS}" if error else NOT_RETRIED_TOOLS
    return error
