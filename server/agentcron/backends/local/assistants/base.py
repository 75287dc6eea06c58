"""What every assistant shares: the fire request, the protocols, the failures, the limits.

The runner only needs `Assistant` (a name, a timeout, `fire`). The registry also needs
`ConfiguredAssistant` (a type and a secret-free summary) to answer `list_assistants`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, Protocol

logger = logging.getLogger("agentcron.assistants")

AssistantType = Literal["inbox", "webhook", "command", "openai", "agent"]
ASSISTANT_TYPES: tuple[AssistantType, ...] = ("inbox", "webhook", "command", "openai", "agent")

BUILTIN_INBOX = "inbox"

# Defaults for `timeout_seconds`, per type (DESIGN.md section 4).
INBOX_TIMEOUT_SECONDS = 10.0
WEBHOOK_TIMEOUT_SECONDS = 30.0
OPENAI_TIMEOUT_SECONDS = 120.0
COMMAND_TIMEOUT_SECONDS = 900.0
AGENT_TIMEOUT_SECONDS = 600.0
MAX_TIMEOUT_SECONDS = 86_400.0  # a day: anything longer is a mistake, not a fire

# How much of a response or a process stream is kept in memory (the run's output limit).
MAX_CAPTURE_BYTES = 64 * 1024
# How much of an error body or stderr goes into a failure message.
ERROR_EXCERPT_CHARS = 1_000

REDACTED = "[redacted]"


class AssistantFailure(Exception):
    """A fire failed; the message is readable, names what to fix and never holds a secret.

    An agent run also says what it did before failing (`agent_record`, kept on the run) and
    whether it executed a tool (`tools_called`: then the run is never retried, §12).
    """

    agent_record: dict[str, Any] | None = None
    tools_called: bool = False


class AssistantTimeout(AssistantFailure):
    """A fire ran past its assistant's `timeout_seconds`; the runner records `timed_out`."""


def format_utc(instant: datetime) -> str:
    """ISO 8601 UTC with `Z`, whole seconds unless the instant has a fraction.

    The webhook body's `scheduled_for` and the `Idempotency-Key` both use this one string
    (DESIGN.md section 3, contract). A naive datetime is taken to be UTC already.
    """
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    instant = instant.astimezone(timezone.utc)
    if instant.microsecond:
        return instant.replace(tzinfo=None).isoformat() + "Z"
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RunFailure:
    """How a run ended, when the fire is its failure alert (DESIGN.md §9)."""

    status: str  # failed | timed_out | missed
    error: str | None
    attempts: int


@dataclass(frozen=True)
class FireRequest:
    """One occurrence of a task, as handed to an assistant by the runner."""

    task_id: str
    run_id: str
    scheduled_for: datetime  # aware, UTC
    prompt: str
    metadata: dict[str, str]
    chat_id: str | None
    task_name: str | None
    attempt: int = 1  # 1-based: retries of one occurrence carry 2, 3, ...
    failure: RunFailure | None = None  # set when this fire is the run's failure alert
    # Set when this fire delivers a succeeded run's output to its on_success target (§12).
    delivered_output: str | None = None
    owner: str = "local"  # the principal the task belongs to (DESIGN.md §13)

    @property
    def conversation_key(self) -> str | None:
        """Where the chat history of `chat_id` is kept: per owner, so two people choosing the
        same chat_id never read each other's conversation."""
        if self.chat_id is None or self.owner == "local":
            return self.chat_id
        return f"{self.owner}\x1f{self.chat_id}"

    @property
    def scheduled_for_text(self) -> str:
        """`scheduled_for` as the contract spells it, e.g. "2026-03-11T09:00:00Z"."""
        return format_utc(self.scheduled_for)

    @property
    def idempotency_key(self) -> str:
        """`<task_id>:<scheduled_for>`: the same for every attempt of this occurrence;
        `alert:<run_id>` for its failure alert, `deliver:<run_id>` for its delivery."""
        if self.failure is not None:
            return f"alert:{self.run_id}"
        if self.delivered_output is not None:
            return f"deliver:{self.run_id}"
        return f"{self.task_id}:{self.scheduled_for_text}"


@dataclass(frozen=True)
class FireResult:
    """What a fire may return instead of bare text: the output and the agent run's record."""

    output: str
    agent: dict[str, Any] | None = None
    tools_called: bool = False


class Assistant(Protocol):
    """What the runner calls; it also enforces `timeout_seconds` around `fire`."""

    name: str
    timeout_seconds: float

    async def fire(self, request: FireRequest) -> str | FireResult:
        """Do the work and return the run's output text; raise AssistantFailure on failure."""
        ...


class ConfiguredAssistant(Assistant, Protocol):
    """An assistant the registry can describe to the agent without showing secrets."""

    @property
    def type(self) -> AssistantType:
        """Its `type` in the assistants file."""
        ...

    @property
    def summary(self) -> str:
        """What firing it does, e.g. "POST to https://hooks.example.com/agentcron"."""
        ...


class ConversationStore(Protocol):
    """Chat history for `chat_id` (the openai assistant); sync, called via a thread."""

    def load(self, chat_id: str) -> list[dict[str, str]]:
        """Prior messages of the conversation, oldest first (empty if it is new)."""
        ...

    def append(self, chat_id: str, messages: list[dict[str, str]]) -> None:
        """Add messages at the end of the conversation."""
        ...


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each non-empty secret, so no message can carry one."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def cut_utf8(text: str, limit_bytes: int, note: str) -> str:
    """At most `limit_bytes` of UTF-8, cut on a character boundary, ending with `note` (which
    says that it was cut) when it had to be cut."""
    data = text.encode("utf-8")
    if len(data) <= limit_bytes:
        return text
    keep = limit_bytes - len(note.encode("utf-8"))
    return data[:keep].decode("utf-8", errors="ignore") + note


def excerpt(text: str, limit: int = ERROR_EXCERPT_CHARS, *, tail: bool = False) -> str:
    """A one-paragraph piece of `text` for an error message: whitespace folded, length capped."""
    folded = " ".join(text.split())
    if len(folded) <= limit:
        return folded
    return "..." + folded[-limit:] if tail else folded[:limit] + "..."
