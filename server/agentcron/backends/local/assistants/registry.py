"""The configured assistants by name: what the runner fires and `list_assistants` shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from agentcron.backends.local.assistants.base import BUILTIN_INBOX, ConfiguredAssistant
from agentcron.backends.local.assistants.inbox import InboxAssistant
from agentcron.errors import ConfigError, NotFoundError
from agentcron.models import AssistantInfo
from agentcron.principal import LOCAL_OWNER, subject_of

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
        users: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.source = source
        self._users = dict(users or {})
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

    def names(self, owner: str = LOCAL_OWNER) -> list[str]:
        """The assistants `owner` may use, sorted."""
        return sorted(name for name in self._by_name if self.usable_by(name, owner))

    def usable_by(self, name: str, owner: str) -> bool:
        """The local user may use every assistant. An OAuth principal may use the built-in
        inbox and the assistants whose `users` name its `sub` or `*` (safe by default: an
        assistant without `users` fires nothing on anyone's behalf but the local user's)."""
        if owner == LOCAL_OWNER:
            return name in self._by_name
        if name == BUILTIN_INBOX and isinstance(self._by_name.get(name), InboxAssistant):
            return True
        allowed = self._users.get(name, ())
        return name in self._by_name and ("*" in allowed or subject_of(owner) in allowed)

    def get(self, name: str, owner: str = LOCAL_OWNER) -> ConfiguredAssistant:
        """The assistant; one someone else may use but `owner` may not is answered as unknown."""
        if self.usable_by(name, owner):
            return self._by_name[name]
        where = str(self.source) if self.source else UNNAMED_SOURCE
        raise NotFoundError(
            f"Unknown assistant '{name}'. Configured assistants: {', '.join(self.names(owner))}. "
            f"Ask the user to add it to {where}."
        )

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

    def infos(self, owner: str = LOCAL_OWNER) -> list[AssistantInfo]:
        """What `list_assistants` shows `owner`: only the assistants it may use."""
        infos = []
        for name in self.names(owner):
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
