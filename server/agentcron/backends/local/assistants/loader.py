"""Read the user's assistants TOML file into an AssistantRegistry, or fail naming the problem.

Every mistake is one ConfigError at start-up naming the file, the table and the key, because
the person who fixes it is the user editing that file, not the agent. Environment variables
named by `secret_env` and `api_key_env` are read at fire time, not here.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from agentcron.backends.local.assistants.agent import AgentAssistant
from agentcron.backends.local.assistants.base import (
    ASSISTANT_TYPES,
    BUILTIN_INBOX,
    ConfiguredAssistant,
    ConversationStore,
    logger,
)
from agentcron.backends.local.assistants.command import CommandAssistant
from agentcron.backends.local.assistants.http import RETRY_DELAYS_SECONDS
from agentcron.backends.local.assistants.inbox import InboxAssistant
from agentcron.backends.local.assistants.openai_chat import OpenAIAssistant
from agentcron.backends.local.assistants.registry import AssistantRegistry, FailurePolicy
from agentcron.backends.local.assistants.schema import (
    ENV_NAME_PATTERN,
    AgentConfig,
    AssistantsFile,
    McpServerConfig,
    CommandConfig,
    InboxConfig,
    OpenAIConfig,
    WebhookConfig,
)
from agentcron.backends.local.assistants.webhook import WebhookAssistant
from agentcron.errors import ConfigError

if TYPE_CHECKING:
    import httpx

_TABLES: dict[str, type[BaseModel]] = {
    "inbox": InboxConfig,
    "webhook": WebhookConfig,
    "command": CommandConfig,
    "openai": OpenAIConfig,
    "agent": AgentConfig,
}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TYPES = ", ".join(ASSISTANT_TYPES)
NAME_RULE = "1 to 64 letters, digits, '-' or '_'"
DELIVERY_TYPES = ("webhook", "inbox")  # what on_success may name


def check_assistants_file(path: Path) -> None:
    """Validate the file (ConfigError naming file, table and key) without building or logging:
    the start-up check; the backend's load that follows reuses the parse and logs the one line."""
    _parsed(path, _version(path))


def load_assistants(
    path: Path,
    *,
    http_client: httpx.AsyncClient | None = None,
    conversations: ConversationStore | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS,
) -> AssistantRegistry:
    """Parse and validate `path`; a missing file means only the built-in `inbox`.

    `http_client` (optional) is shared by webhook and openai assistants instead of one client per
    fire; it must carry no default auth headers. `conversations` keeps openai chat history.
    """
    version = _version(path)
    parsed = _parsed(path, version)
    assistants: list[ConfiguredAssistant] = []
    for name, config in parsed.assistants.items():
        assistant: ConfiguredAssistant
        if isinstance(config, WebhookConfig):
            assistant = WebhookAssistant(
                name, config, http_client=http_client, retry_delays=retry_delays
            )
        elif isinstance(config, CommandConfig):
            assistant = CommandAssistant(name, config)
        elif isinstance(config, OpenAIConfig):
            assistant = OpenAIAssistant(
                name, config, http_client=http_client, conversations=conversations,
                retry_delays=retry_delays,
            )
        elif isinstance(config, AgentConfig):
            assistant = AgentAssistant(
                name, config, http_client=http_client, conversations=conversations,
                retry_delays=retry_delays,
            )
        else:
            assistant = InboxAssistant(name)
        assistants.append(assistant)
    policies = {
        name: FailurePolicy(config.retries, config.retry_backoff_seconds, config.on_failure)
        for name, config in parsed.assistants.items() if not isinstance(config, InboxConfig)
    }
    success_targets = {name: config.on_success for name, config in parsed.assistants.items()
                       if config.on_success is not None}
    users = {name: tuple(config.users) for name, config in parsed.assistants.items()
             if config.users is not None}
    registry = AssistantRegistry(assistants, default=parsed.default, source=path,
                                 policies=policies, on_failure=parsed.on_failure,
                                 on_success=parsed.on_success, success_targets=success_targets,
                                 users=users)
    if version is None:
        logger.info("no assistants file at %s: only the built-in inbox", path)
    else:
        logger.info("assistants from %s: %s (default %s)", path, ", ".join(registry.names()),
                    registry.default)
    return registry


def _version(path: Path) -> tuple[int, int] | None:
    """What tells one version of the file from the next (None: no file, or unreadable)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _parsed(path: Path, version: tuple[int, int] | None) -> AssistantsFile:
    """The file read and validated once per version: the start-up check and the backend both
    load it, and only the first pays."""
    data = _read(path)
    try:
        parsed = AssistantsFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise ConfigError(f"Invalid assistants file {path}: {problems}") from None
    _check_names(path, parsed)
    return parsed


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:  # load_assistants says so, once
        return {}
    except OSError as exc:
        raise ConfigError(
            f"Cannot read assistants file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"Invalid assistants file {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Invalid assistants file {path}: TOML syntax error: {exc}") from None


def _check_names(path: Path, parsed: AssistantsFile) -> None:
    """Rules that span tables: the reserved `inbox` name and `default`."""
    inbox = parsed.assistants.get(BUILTIN_INBOX)
    if inbox is not None and not isinstance(inbox, InboxConfig):
        raise ConfigError(
            f"Invalid assistants file {path}: [assistants.inbox] key 'type': the name 'inbox' "
            f"is the built-in inbox and can only have type \"inbox\"; rename this assistant"
        )
    known = {BUILTIN_INBOX, *parsed.assistants}
    named = [("top level key 'default'", parsed.default),
             ("top level key 'on_failure'", parsed.on_failure)]
    named += [(f"{_table(name)} key 'on_failure'", getattr(config, "on_failure", None))
              for name, config in parsed.assistants.items()]
    delivered = [("top level key 'on_success'", None, parsed.on_success)]
    delivered += [(f"{_table(name)} key 'on_success'", name, config.on_success)
                  for name, config in parsed.assistants.items()]
    named += [(where, target) for where, _, target in delivered]
    for where, name in named:
        if name is not None and name not in known:
            raise ConfigError(
                f"Invalid assistants file {path}: {where}: no assistant named "
                f"'{name}' (configured: {', '.join(sorted(known))})"
            )
    _check_delivery_targets(path, parsed, delivered)


def _check_delivery_targets(path: Path, parsed: AssistantsFile,
                            delivered: list[tuple[str, str | None, str | None]]) -> None:
    """`on_success` names a webhook or an inbox (DESIGN.md §12): something that receives text
    and has no side effect beyond that, and never the assistant itself."""
    for where, owner, target in delivered:
        if target is None:
            continue
        kind = "inbox" if target == BUILTIN_INBOX else parsed.assistants[target].type
        if kind not in DELIVERY_TYPES:
            raise ConfigError(
                f"Invalid assistants file {path}: {where}: '{target}' is an assistant of type "
                f"\"{kind}\"; on_success must name a webhook or inbox assistant"
            )
        if target == owner:
            raise ConfigError(
                f"Invalid assistants file {path}: {where}: an assistant cannot deliver its "
                f"output to itself; name another webhook or inbox assistant"
            )


def _table(name: object) -> str:
    text = str(name)
    return f"[assistants.{text if _BARE_KEY.match(text) else json.dumps(text)}]"


def _key(parts: Sequence[int | str]) -> str:
    """('argv', 0) -> argv[0]; ('headers', 'X-Team') -> headers.X-Team."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: ErrorDetails) -> str:
    """Pydantic's message, said in the file's terms where pydantic's words are too generic."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ENV_NAME_PATTERN:
        return (
            "must be the name of an environment variable (letters, digits and _, "
            "not starting with a digit); the secret itself never goes in this file"
        )
    if kind == "list_type":
        return "must be an array of strings, e.g. [\"claude\", \"-p\", \"{prompt}\"]"
    return error["msg"].removeprefix("Value error, ")


def _describe(error: ErrorDetails) -> str:
    """One pydantic error as "<table> key '<key>': <what is wrong>"."""
    loc, kind = error["loc"], error["type"]
    if not loc or loc[0] != "assistants" or len(loc) == 1:
        key = str(loc[0]) if loc else ""
        if kind == "extra_forbidden":
            return (f"top level: unknown key '{key}' "
                    "(allowed: default, on_failure, on_success, assistants)")
        if key == "assistants":
            return "top level key 'assistants': must be tables written as [assistants.NAME]"
        if kind == "string_pattern_mismatch":
            return f"top level key '{key}': must be an assistant name ({NAME_RULE})"
        return f"top level key '{key}': {_message(error)}"
    table = _table(loc[1])
    if len(loc) == 3 and loc[2] == "[key]":
        return f"{table}: invalid assistant name: use {NAME_RULE}"
    if len(loc) == 2:
        if kind == "union_tag_invalid":
            got = error.get("ctx", {}).get("tag", "?")
            return f"{table} key 'type': unknown type '{got}' (expected one of: {_TYPES})"
        if kind == "union_tag_not_found":
            return f"{table}: missing required key 'type' (one of: {_TYPES})"
        if kind == "model_attributes_type":
            return f"{table}: must be a table of keys"
        return f"{table}: {_message(error)}"
    type_name, key = str(loc[2]), _key(loc[3:])
    if not key:
        return f"{table}: {_message(error)}"
    if kind == "extra_forbidden" and loc[3] == "mcp_servers" and len(loc) == 6:
        allowed = ", ".join(McpServerConfig.model_fields)
        return f"{table}: unknown key '{key}' for an MCP server (allowed: {allowed})"
    if kind == "extra_forbidden":
        allowed = ", ".join(_TABLES[type_name].model_fields) if type_name in _TABLES else "?"
        return f"{table}: unknown key '{key}' for type \"{type_name}\" (allowed: {allowed})"
    if kind == "missing":
        return f"{table}: missing required key '{key}' for type \"{type_name}\""
    return f"{table} key '{key}': {_message(error)}"
