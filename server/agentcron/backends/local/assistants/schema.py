"""The assistants file's shape (DESIGN.md section 4, contract), as strict pydantic models.

Strict: TOML already gives native types, so `timeout_seconds = true` or `argv = "claude"`
is a mistake to report, not a value to coerce. Unknown keys are rejected everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from agentcron.backends.local.assistants.base import (
    AGENT_TIMEOUT_SECONDS,
    BUILTIN_INBOX,
    COMMAND_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
    OPENAI_TIMEOUT_SECONDS,
    WEBHOOK_TIMEOUT_SECONDS,
)

NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
PROMPT_PLACEHOLDER = "{prompt}"

# Headers agentcron sets itself: a configured header must not change the contract.
RESERVED_HEADERS = frozenset(
    {"content-type", "content-length", "host", "idempotency-key", "x-agentcron-signature",
     "transfer-encoding", "connection"}
)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token

AssistantName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
MAX_RETRIES = 10
DEFAULT_RETRY_BACKOFF_SECONDS = 30.0
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME_PATTERN)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
TimeoutSeconds = Annotated[float, Field(gt=0, le=MAX_TIMEOUT_SECONDS, allow_inf_nan=False)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Assistant(_Table):
    """What every `[assistants.NAME]` table may say about who can use it (DESIGN.md §13)."""

    # OAuth `sub` values allowed to use this assistant, or ["*"] for everyone. Without it, an
    # assistant is available to the local user only: under OAuth, to nobody.
    users: list[NonEmpty] | None = None


class _OnSuccess(_Assistant):
    """Where a succeeded run's output goes (DESIGN.md §12): any assistant type may name one."""

    on_success: AssistantName | None = None


class InboxConfig(_OnSuccess):
    """`type = "inbox"`: records the prompt as the run's output; takes only `on_success` and
    `users`."""

    type: Literal["inbox"]


class _FailurePolicy(_OnSuccess):
    """What happens when a fire fails (DESIGN.md §9): the user decides, per assistant."""

    retries: Annotated[int, Field(ge=0, le=MAX_RETRIES)] = 0
    retry_backoff_seconds: Annotated[
        float, Field(ge=1, le=MAX_TIMEOUT_SECONDS, allow_inf_nan=False)
    ] = DEFAULT_RETRY_BACKOFF_SECONDS
    on_failure: AssistantName | None = None


class WebhookConfig(_FailurePolicy):
    """`type = "webhook"`: POST the occurrence as JSON to one fixed URL."""

    type: Literal["webhook"]
    url: AnyHttpUrl
    secret_env: EnvName | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: TimeoutSeconds = WEBHOOK_TIMEOUT_SECONDS

    @field_validator("headers")
    @classmethod
    def _plain_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
            if name.lower() in RESERVED_HEADERS:
                raise ValueError(f"header {name!r} is set by agentcron and cannot be configured")
            if any(ch in value for ch in "\r\n\0"):
                raise ValueError(f"the value of header {name!r} contains a line break or NUL")
        return headers


class CommandConfig(_FailurePolicy):
    """`type = "command"`: run a fixed argv (no shell) with `{prompt}` substituted."""

    type: Literal["command"]
    argv: Annotated[list[str], Field(min_length=1)]
    timeout_seconds: TimeoutSeconds = COMMAND_TIMEOUT_SECONDS
    cwd: NonEmpty | None = None

    @field_validator("argv")
    @classmethod
    def _fixed_program(cls, argv: list[str]) -> list[str]:
        if not argv[0]:
            raise ValueError("argv[0] (the program) must not be empty")
        if PROMPT_PLACEHOLDER in argv[0]:
            # The program itself must be the user's choice, never text from the agent.
            raise ValueError("argv[0] (the program) must not contain {prompt}")
        if any("\0" in arg for arg in argv):
            raise ValueError("arguments must not contain NUL characters")
        return argv

    @field_validator("cwd")
    @classmethod
    def _absolute_cwd(cls, cwd: str | None) -> str | None:
        if cwd is None:
            return None
        path = Path(cwd).expanduser()
        if not path.is_absolute():
            # The server's own working directory depends on whichever client spawned it.
            raise ValueError("must be an absolute path or start with ~")
        return str(path)


class OpenAIConfig(_FailurePolicy):
    """`type = "openai"`: one chat completion on an OpenAI-compatible endpoint."""

    type: Literal["openai"]
    base_url: AnyHttpUrl
    model: NonEmpty
    api_key_env: EnvName | None = None  # optional: local servers (Ollama, llama.cpp) need none
    system: str | None = None
    timeout_seconds: TimeoutSeconds = OPENAI_TIMEOUT_SECONDS


ALL_TOOLS = "*"
TOOL_SEPARATOR = "__"  # the model sees `<server>__<tool>`: providers allow no dots
SERVER_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
ServerName = Annotated[str, StringConstraints(pattern=SERVER_NAME_PATTERN)]


class McpServerConfig(_Table):
    """`[assistants.NAME.mcp_servers.SERVER]`: a stdio (`command`) or streamable-HTTP (`url`)
    MCP server whose allowed tools the agent may call."""

    command: NonEmpty | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[EnvName, str] = Field(default_factory=dict)  # literal, non-secret values
    env_from: list[EnvName] = Field(default_factory=list)  # passed through from agentcron's env
    url: AnyHttpUrl | None = None
    headers_env: dict[str, EnvName] = Field(default_factory=dict)  # header -> variable name
    allow_tools: Annotated[list[NonEmpty], Field(min_length=1)]

    @field_validator("allow_tools")
    @classmethod
    def _star_alone(cls, tools: list[str]) -> list[str]:
        if ALL_TOOLS in tools and len(tools) > 1:
            raise ValueError('["*"] allows every tool and cannot be combined with tool names')
        return tools

    @field_validator("args")
    @classmethod
    def _no_nul(cls, args: list[str]) -> list[str]:
        if any("\0" in arg for arg in args):
            raise ValueError("arguments must not contain NUL characters")
        return args

    @field_validator("env")
    @classmethod
    def _plain_env(cls, env: dict[str, str]) -> dict[str, str]:
        if any("\0" in value for value in env.values()):
            raise ValueError("values must not contain NUL characters")
        return env

    @field_validator("headers_env")
    @classmethod
    def _header_names(cls, headers: dict[str, str]) -> dict[str, str]:
        for name in headers:
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
        return headers

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerConfig:
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of 'command' (a stdio server) or 'url' "
                             "(a streamable-HTTP server)")
        if self.url is not None and (self.args or self.env or self.env_from):
            raise ValueError("'args', 'env' and 'env_from' are for stdio servers ('command'), "
                             "not for a 'url' server")
        if self.command is not None and self.headers_env:
            raise ValueError("'headers_env' is for streamable-HTTP servers ('url'), "
                             "not for a 'command' server")
        return self

    @property
    def allows_all(self) -> bool:
        return self.allow_tools == [ALL_TOOLS]


class AgentConfig(_FailurePolicy):
    """`type = "agent"`: a model that may call the allowed tools of the user's MCP servers,
    in a loop, within limits (DESIGN.md §12)."""

    type: Literal["agent"]
    api: Literal["openai", "anthropic"]
    base_url: AnyHttpUrl
    model: NonEmpty
    api_key_env: EnvName | None = None  # optional: local servers (Ollama, llama.cpp) need none
    system: str | None = None
    max_turns: Annotated[int, Field(ge=1, le=50)] = 10
    max_tool_calls: Annotated[int, Field(ge=0, le=200)] = 25
    max_output_tokens: Annotated[int, Field(ge=1, le=1_000_000)] = 4096
    timeout_seconds: TimeoutSeconds = AGENT_TIMEOUT_SECONDS
    tool_timeout_seconds: TimeoutSeconds = 60.0
    mcp_servers: Annotated[dict[ServerName, McpServerConfig], Field(min_length=1)]

    @field_validator("mcp_servers")
    @classmethod
    def _names_split_cleanly(
        cls, servers: dict[str, McpServerConfig]
    ) -> dict[str, McpServerConfig]:
        for name in servers:
            if TOOL_SEPARATOR in name:
                raise ValueError(f"server name {name!r} must not contain '__' (the model sees "
                                 "tools as <server>__<tool>)")
        return servers


AssistantConfig = Annotated[
    InboxConfig | WebhookConfig | CommandConfig | OpenAIConfig | AgentConfig,
    Field(discriminator="type"),
]


class AssistantsFile(_Table):
    """The whole file: an optional default and the `[assistants.NAME]` tables."""

    default: AssistantName = BUILTIN_INBOX
    on_failure: AssistantName | None = None  # alerted when a run ends failed, timed out, missed
    on_success: AssistantName | None = None  # receives each succeeded run's output (§12)
    assistants: dict[AssistantName, AssistantConfig] = Field(default_factory=dict)
