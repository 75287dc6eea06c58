"""Firing one request through an assistant, and what its result looks like when recorded.

Shared by scheduled runs, failure alerts and deliveries: each calls an assistant under its
timeout and records (status, output, error) with the same truncation and wording.
"""

from __future__ import annotations

import asyncio
import logging

from agentcron.backends.local.assistants import (
    Assistant,
    AssistantFailure,
    AssistantTimeout,
    FireRequest,
)
from agentcron.models import MAX_OUTPUT_BYTES

logger = logging.getLogger("agentcron.runner")

TRUNCATION_NOTE = "\n[output truncated to 64 KiB]"
INTERRUPTED_BY_STOP = (
    "interrupted: the runner was stopped (SIGTERM/SIGINT) before the run finished; "
    "not retried, because its side effect may have happened"
)


def truncate_output(text: str) -> str:
    """Keep at most 64 KiB of UTF-8, cut on a character boundary, saying that it was cut."""
    data = text.encode("utf-8")
    if len(data) <= MAX_OUTPUT_BYTES:
        return text
    keep = MAX_OUTPUT_BYTES - len(TRUNCATION_NOTE.encode())
    return data[:keep].decode("utf-8", errors="ignore") + TRUNCATION_NOTE


async def call_assistant(assistant: Assistant,
                     request: FireRequest) -> tuple[str, str | None, str | None]:
    """Fire one request under the assistant's timeout; (status, output, error)."""
    try:
        # A timeout scope, not wait_for: no extra task per fire (it adds up under a burst).
        async with asyncio.timeout(assistant.timeout_seconds):
            output = await assistant.fire(request)
    except (AssistantTimeout, TimeoutError):
        return "timed_out", None, (
            f"timed out after {assistant.timeout_seconds:g} s "
            f"(assistant '{assistant.name}' timeout_seconds)"
        )
    except AssistantFailure as exc:
        return "failed", None, truncate_output(str(exc))
    except Exception as exc:  # a bug, not the user's: record it, keep the runner alive
        logger.exception("run %s crashed", request.run_id)
        return "failed", None, f"internal error while firing: {type(exc).__name__}"
    return "succeeded", truncate_output(output), None
