"""The built-in `inbox` assistant: the prompt itself is the run's output (a reminder log)."""

from __future__ import annotations

from typing import Literal

from agentcron.backends.local.assistants.base import (
    BUILTIN_INBOX,
    INBOX_TIMEOUT_SECONDS,
    FireRequest,
)

INBOX_SUMMARY = (
    "Records the prompt as the run's output (a reminder log; read it back with list_task_runs)"
)


class InboxAssistant:
    """Zero configuration and no side effect, so it is always there and is the default."""

    type: Literal["inbox"] = "inbox"
    summary = INBOX_SUMMARY

    def __init__(self, name: str = BUILTIN_INBOX) -> None:
        self.name = name
        self.timeout_seconds = INBOX_TIMEOUT_SECONDS

    async def fire(self, request: FireRequest) -> str:
        """The prompt; as an on_success target, the delivered run's output."""
        if request.delivered_output is not None:
            return request.delivered_output
        return request.prompt
