"""Firing one request through an assistant, and what its result looks like when recorded.

Shared by scheduled runs, failure alerts and deliveries: each calls an assistant under its
timeout and records (status, output, error) with the same truncation and wording.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from agentcron.backends.local.assistants import (
    Assistant,
    AssistantFailure,
    AssistantTimeout,
    FireRequest,
    FireResult,
    cut_utf8,
)
from agentcron.models import MAX_OUTPUT_BYTES

logger = logging.getLogger("agentcron.runner")

TRUNCATION_NOTE = "\n[output truncated to 64 KiB]"
INTERRUPTED_BY_STOP = (
    "interrupted: the runner was stopped (SIGTERM/SIGINT) before the run finished; "
    "not retried, because its side effect may have happened"
)


def truncate_output(text: str) -> str:
    """Keep at most 64 KiB of UTF-8 (the run's output limit), saying so when it was cut."""
    return cut_utf8(text, MAX_OUTPUT_BYTES, TRUNCATION_NOTE)


@dataclass(frozen=True)
class Fired:
    """How one fire ended: (status, output, error), plus an agent run's record (DESIGN §12)."""

    status: str
    output: str | None
    error: str | None
    agent: dict[str, Any] | None = None
    tools_called: bool = False  # an agent executed a tool: the run is never retried


async def fire_assistant(assistant: Assistant, request: FireRequest) -> Fired:
    """Fire one request under the assistant's timeout (plus the time it needs to clean up,
    e.g. an agent stopping its MCP servers after its own deadline)."""
    deadline = assistant.timeout_seconds + getattr(assistant, "cleanup_seconds", 0.0)
    try:
        # A timeout scope, not wait_for: no extra task per fire (it adds up under a burst).
        async with asyncio.timeout(deadline):
            result = await assistant.fire(request)
    except (AssistantTimeout, TimeoutError) as exc:
        return Fired("timed_out", None, (
            f"timed out after {assistant.timeout_seconds:g} s "
            f"(assistant '{assistant.name}' timeout_seconds)"
        ), getattr(exc, "agent_record", None), getattr(exc, "tools_called", False))
    except AssistantFailure as exc:
        return Fired("failed", None, truncate_output(str(exc)), exc.agent_record,
                     exc.tools_called)
    except Exception as exc:  # a bug, not the user's: record it, keep the runner alive
        logger.exception("run %s crashed", request.run_id)
        return Fired("failed", None, f"internal error while firing: {type(exc).__name__}")
    if isinstance(result, FireResult):
        return Fired("succeeded", truncate_output(result.output), None, result.agent,
                     result.tools_called)
    return Fired("succeeded", truncate_output(result), None)
