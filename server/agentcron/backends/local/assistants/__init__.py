"""What a fire does on the local backend: user-configured assistants (DESIGN.md section 4).

The user lists assistants in a TOML file; the agent can only name one that exists. That is the
security boundary: an injected prompt cannot make agentcron call a new URL or run a new command.
One module per assistant type; `loader` turns the file into an `AssistantRegistry`.
"""

from __future__ import annotations

from agentcron.backends.local.assistants.base import (
    Assistant,
    AssistantFailure,
    AssistantTimeout,
    AssistantType,
    ConfiguredAssistant,
    ConversationStore,
    FireRequest,
    FireResult,
    RunFailure,
    cut_utf8,
    format_utc,
)
from agentcron.backends.local.assistants.command import CommandAssistant
from agentcron.backends.local.assistants.inbox import InboxAssistant
from agentcron.backends.local.assistants.loader import check_assistants_file, load_assistants
from agentcron.backends.local.assistants.openai_chat import OpenAIAssistant
from agentcron.backends.local.assistants.registry import AssistantRegistry
from agentcron.backends.local.assistants.webhook import WebhookAssistant, sign

__all__ = [
    "Assistant",
    "AssistantFailure",
    "AssistantRegistry",
    "AssistantTimeout",
    "AssistantType",
    "CommandAssistant",
    "ConfiguredAssistant",
    "ConversationStore",
    "FireRequest",
    "FireResult",
    "InboxAssistant",
    "OpenAIAssistant",
    "RunFailure",
    "WebhookAssistant",
    "cut_utf8",
    "format_utc",
    "check_assistants_file",
    "load_assistants",
    "sign",
]
