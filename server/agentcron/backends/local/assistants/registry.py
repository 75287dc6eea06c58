"""The configured assistants by name: what the runner fires and `list_assistants` shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from agentcron.backends.local.assistants.base import BUILTIN_INBOX, ConfiguredAssistant
from agentcron.backends.local.assistants.inbox import InboxAssistant
from agentcron.errors import ConfigError, NotFoundError
from agentcron.models import AssistantInfo

UNNAMED_SOURCE = "the assistants file (AGENTCRON_ASSISTANTS)"


@dataclass(frozen=True)
class FailurePolicy:
    """Retries and the failure alert of one assistant (DESIGN.md §9)."""

    retries: int = 0
    retry_backoff_seconds: float = 30.0
    on_failure: str | None = None


class AssistantRegistry:
    """Immutable after construction; the built-in `inbox` is always present."""

    def __init__(
        self,
        assistants: Iterable[ConfiguredAssistant] = (),
        *,
        default: str = BUILTIN_INBOX,
        source: Path | None = None,
        policies: Mapping[str, FailurePolicy] | None = None,
        on_failure: str | None = None,
        on_success: str | None = None,
        success_targets: Mapping[str, str] | None = None,
    ) -> None:
        self.source = source
        self._policies = dict(policies or {})
        self._on_failure = on_failure
        self._on_success = on_success
        self._success_targets = dict(success_targets or {})
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

    def policy(self, name: str | None) -> FailurePolicy:
        """The failure policy of the assistant a task names (None: the default assistant)."""
        return self._policies.get(name or self.default, FailurePolicy())

    def alert_target(self, name: str | None) -> str | None:
        """Which assistant hears about a failed run of this one: its own `on_failure`, else
        the file's top-level one (None: nobody)."""
        return self.policy(name).on_failure or self._on_failure

    def delivery_target(self, name: str | None) -> str | None:
        """Which assistant receives a succeeded run's output (DESIGN.md §12): its own
        `on_success`, else the file's top-level one (None: nobody). Never itself: the target's
        own runs are not delivered back to it."""
        own = name or self.default
        target = self._success_targets.get(own) or self._on_success
        return None if target == own else target

    def infos(self) -> list[AssistantInfo]:
        infos = []
        for name in self.names():
            policy = self.policy(name)
            infos.append(AssistantInfo(
                name=name,
                type=self._by_name[name].type,
                is_default=name == self.default,
                summary=self._by_name[name].summary,
                retries=policy.retries,
                retry_backoff_seconds=policy.retry_backoff_seconds,
                on_failure=self.alert_target(name),
                agent=getattr(self._by_name[name], "agent_summary", None),
                on_success=self.delivery_target(name),
            ))
        return infos
