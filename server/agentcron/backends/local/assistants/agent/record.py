"""The run's `agent` record (DESIGN.md §12): what the agent did, kept even when it failed.

Arguments and results are kept as excerpts of at most 2 KiB each, and every secret is
replaced before anything is stored, so a run can be shown to anyone who may read it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agentcron.backends.local.assistants.base import cut_utf8, redact

EXCERPT_BYTES = 2 * 1024
CUT_NOTE = "...[cut]"


def excerpt_2k(text: str) -> str:
    """At most 2 KiB of UTF-8, saying so when it was cut."""
    return cut_utf8(text, EXCERPT_BYTES, CUT_NOTE)


@dataclass
class ToolCallRecord:
    """One tool call the model asked for; `allowed` False means it was never executed."""

    server: str | None
    tool: str
    arguments: str
    result: str
    is_error: bool
    allowed: bool
    duration_ms: int


@dataclass
class AgentRecord:
    """Grows while the run goes; `as_dict` is what the run stores."""

    model: str
    api: str
    secrets: Sequence[str] = ()
    stop_reason: str | None = None
    turns: int = 0
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    executed: int = 0  # tool calls actually sent to a server (not stored: the calls say it)

    @property
    def tools_called(self) -> bool:
        """Whether any tool was executed (tools may have side effects: no retry then)."""
        return self.executed > 0

    def add_usage(self, input_tokens: int, output_tokens: int) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens

    def add_call(self, *, server: str | None, tool: str, arguments: Any, result: str,
                 is_error: bool, allowed: bool, duration_ms: int) -> None:
        text = arguments if isinstance(arguments, str) else json.dumps(arguments,
                                                                      ensure_ascii=False)
        self.tool_calls.append(ToolCallRecord(
            server=server, tool=tool, arguments=self._clean(text), result=self._clean(result),
            is_error=is_error, allowed=allowed, duration_ms=duration_ms,
        ))

    def _clean(self, text: str) -> str:
        return excerpt_2k(redact(text, self.secrets))

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "api": self.api,
            "stop_reason": self.stop_reason,
            "turns": self.turns,
            "tool_calls": [
                {"server": c.server, "tool": c.tool, "arguments": c.arguments,
                 "result": c.result, "is_error": c.is_error, "allowed": c.allowed,
                 "duration_ms": c.duration_ms}
                for c in self.tool_calls
            ],
            "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
        }
