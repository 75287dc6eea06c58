"""The `agent` assistant: a model with the user's MCP tools, run unattended (DESIGN.md §12).

A fire reads its secrets (API key, `env_from`, `headers_env`) from agentcron's environment,
starts and checks every server, and only then calls the model. Whatever happens, the run's
`agent` record says what was done, and no secret is in it, in the output or in an error.
The whole run is bounded by `timeout_seconds` here (so the record survives a timeout); the
runner's own deadline adds `cleanup_seconds` for stopping the servers.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from agentcron.backends.local.assistants.agent.apis import (
    AnthropicMessagesApi,
    Message,
    ModelApi,
    OpenAIChatApi,
)
from agentcron.backends.local.assistants.agent.loop import Limits, run_loop
from agentcron.backends.local.assistants.agent.record import AgentRecord
from agentcron.backends.local.assistants.agent.servers import STOP_SECONDS, ToolServers
from agentcron.backends.local.assistants.base import (
    AssistantFailure,
    AssistantTimeout,
    ConversationStore,
    FireRequest,
    FireResult,
    logger,
    redact,
)
from agentcron.backends.local.assistants.http import (
    RETRY_DELAYS_SECONDS,
    display_host,
    display_url,
    post_with_retries,
)
from agentcron.backends.local.assistants.openai_chat import api_error, read_api_key
from agentcron.backends.local.assistants.schema import AgentConfig
from agentcron.models import AgentServerInfo, AgentSummary

if TYPE_CHECKING:
    import httpx


class _Secrets:
    """The values read for one fire, and where each goes."""

    def __init__(self, name: str, config: AgentConfig) -> None:
        self.key = read_api_key(config.api_key_env, name)
        self.passed_env: dict[str, dict[str, str]] = {}
        self.headers: dict[str, dict[str, str]] = {}
        for server, settings in config.mcp_servers.items():
            self.passed_env[server] = {
                variable: _required(variable, f"env_from of MCP server '{server}'", name)
                for variable in settings.env_from
            }
            self.headers[server] = {
                header: _required(variable, f"headers_env.{header} of MCP server '{server}'",
                                  name)
                for header, variable in settings.headers_env.items()
            }
        values = [self.key] + [v for env in self.passed_env.values() for v in env.values()]
        values += [v for headers in self.headers.values() for v in headers.values()]
        # Longest first, so a secret containing another is replaced whole.
        self.values: list[str] = sorted({v for v in values if v}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        return redact(text, self.values)


def _required(variable: str, role: str, assistant: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise AssistantFailure(f"environment variable {variable} ({role}, assistant "
                               f"'{assistant}') is not set in the agentcron process; "
                               "the model was not called")
    return value


class AgentAssistant:
    """Fires the task's prompt as an agent run; returns the output and the run's record."""

    type: Literal["agent"] = "agent"

    def __init__(
        self,
        name: str,
        config: AgentConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        conversations: ConversationStore | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS,
    ) -> None:
        self.name = name
        self.config = config
        self.timeout_seconds = config.timeout_seconds
        self.cleanup_seconds = 2 * STOP_SECONDS + 1
        host = display_host(str(config.base_url))
        self.summary = (f"Agent run with model {config.model} ({config.api} API at {host}) and "
                        f"MCP servers {', '.join(config.mcp_servers)}")
        self.agent_summary = AgentSummary(
            api=config.api, model=config.model,
            servers=[AgentServerInfo(name=server, transport="http" if s.url else "stdio",
                                     allow_tools=list(s.allow_tools))
                     for server, s in config.mcp_servers.items()],
            max_turns=config.max_turns, max_tool_calls=config.max_tool_calls,
        )
        self._http_client = http_client
        self._conversations = conversations
        self._retry_delays = tuple(retry_delays)

    async def fire(self, request: FireRequest) -> FireResult:
        record = AgentRecord(model=self.config.model, api=self.config.api)
        logger.info("assistant '%s': agent run with %s for run %s", self.name, self.config.model,
                    request.run_id)
        try:
            secrets = _Secrets(self.name, self.config)
            record.secrets = secrets.values
            async with asyncio.timeout(self.config.timeout_seconds):
                history = await self._history(request)
                output = await self._run(request, history, secrets, record)
        except TimeoutError:
            record.stop_reason = "timeout"
            raise self._failed(AssistantTimeout(
                f"timed out after {self.config.timeout_seconds:g} s "
                f"(assistant '{self.name}' timeout_seconds)"), record) from None
        except AssistantFailure as exc:
            if record.stop_reason not in ("max_turns", "max_tool_calls"):
                record.stop_reason = "error"
            raise self._failed(exc, record) from None
        output = secrets.scrub(output)
        if request.chat_id is not None and self._conversations is not None:
            await asyncio.to_thread(self._conversations.append, request.chat_id, [
                {"role": "user", "content": request.prompt},
                {"role": "assistant", "content": output}])
        return FireResult(output=output, agent=record.as_dict(), tools_called=record.tools_called)

    def _failed(self, exc: AssistantFailure, record: AgentRecord) -> AssistantFailure:
        """The same kind of failure, scrubbed, carrying the record and whether tools ran."""
        failure = type(exc)(redact(str(exc), record.secrets))
        failure.agent_record = record.as_dict()
        failure.tools_called = record.tools_called
        return failure

    async def _history(self, request: FireRequest) -> list[Message]:
        if request.chat_id is None:
            return []
        if self._conversations is None:
            raise AssistantFailure(
                f"task has chat_id '{request.chat_id}' but no conversation store is configured"
            )
        return list(await asyncio.to_thread(self._conversations.load, request.chat_id))

    def _api(self, history: list[Message], prompt: str) -> ModelApi:
        config = self.config
        user: Message = {"role": "user", "content": prompt}
        if config.api == "anthropic":
            return AnthropicMessagesApi(str(config.base_url), config.model,
                                        config.max_output_tokens, config.system,
                                        [*history, user])
        system: list[Message] = [{"role": "system", "content": config.system}] if (
            config.system) else []
        return OpenAIChatApi(str(config.base_url), config.model, config.max_output_tokens,
                             [*system, *history, user])

    async def _run(self, request: FireRequest, history: list[Message], secrets: _Secrets,
                   record: AgentRecord) -> str:
        config = self.config
        servers = ToolServers(config.mcp_servers, passed_env=secrets.passed_env,
                              headers=secrets.headers, secrets=secrets.values,
                              start_timeout=config.tool_timeout_seconds,
                              tool_timeout=config.tool_timeout_seconds)
        async with servers:
            logger.info("assistant '%s': %d tool(s) offered from %d MCP server(s)", self.name,
                        len(servers.tools), len(config.mcp_servers))
            return await run_loop(self._api(history, request.prompt), servers, record,
                                  Limits(config.max_turns, config.max_tool_calls),
                                  lambda api, body: self._ask(api, body, secrets.key))

    async def _ask(self, api: ModelApi, body: dict[str, Any], key: str | None) -> Any:
        """One model call, with the shared HTTP retries (429/502/503/504, connect errors)."""
        answer = await post_with_retries(
            client=self._http_client, url=api.url,
            content=json.dumps(body).encode("utf-8"), headers=api.headers(key),
            timeout_seconds=self.config.timeout_seconds, retry_delays=self._retry_delays,
            what=f"model endpoint {display_url(api.url)}",
        )
        if not answer.ok:
            raise AssistantFailure(f"model endpoint {display_url(api.url)} answered HTTP "
                                   f"{answer.status}: {api_error(answer)}")
        try:
            return json.loads(answer.body)
        except ValueError:
            raise AssistantFailure("the model endpoint's answer is not JSON") from None
