"""The configured assistants by name: what the runner fires and `list_assistants` shows."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agentcron.backends.local.assistants.base import BUILTIN_INBOX, ConfiguredAssistant
from agentcron.backends.local.assistants.inbox import InboxAssistant
from agentcron.errors import ConfigError, NotFoundError
from agentcron.models import AssistantInfo

UNNAMED_SOURCE = "the assistants file (AGENTCRON_ASSISTANTS)"


class AssistantRegistry:
    """Immutable after construction; the built-in `inbox` is always present."""

    def __init__(
        self,
        assistants: Iterable[ConfiguredAssistant] = (),
        *,
        default: str = BUILTIN_INBOX,
        source: Path | None = None,
    ) -> None:
        self.source = source
        self._by_name: dict[str, ConfiguredAssistant] = {BUILTIN_INBOX: InboxAssistant()}
        for assistant in assistants:
            self._by_name[assistant.name] = assistant
        if default not in self._by_name:
            raise ConfigError(
                f"default assistant '{default}' is not configured "
                f"(configured: {', '.join(self.names())})"
            )
        self.default = default

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> ConfiguredAssistant:
        try:
            return self._by_name[name]
        except KeyError:
            where = str(self.source) if self.source else UNNAMED_SOURCE
            raise NotFoundError(
                f"Unknown assistant '{name}'. Configured assistants: {', '.join(self.names())}. "
                f"Ask the user to add it to {where}."
            ) from None

    def infos(self) -> list[AssistantInfo]:
        return [
            AssistantInfo(
                name=name,
                type=self._by_name[name].type,
                is_default=name == self.default,
                summary=self._by_name[name].summary,
            )
            for name in self.names()
        ]
