"""The `openai` assistant: one chat completion on an OpenAI-compatible endpoint.

POST `{base_url}/chat/completions` with `{"model", "messages"}`; the output is
`choices[0].message.content`. The API key is read from `api_key_env` at fire time and is
redacted from every message this module raises (an API may echo request headers in errors).
With a `chat_id`, the stored conversation is sent before the new user message, and the user
message and the reply are appended once the call has succeeded. Retries follow the shared HTTP
policy (connection errors, 429/502/503/504): a repeated completion costs tokens, nothing else.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal


from agentcron.backends.local.assistants.base import (
    AssistantFailure,
    ConversationStore,
    FireRequest,
    excerpt,
    logger,
    redact,
)
from agentcron.backends.local.assistants.http import (
    RETRY_DELAYS_SECONDS,
    HttpAnswer,
    display_host,
    display_url,
    post_with_retries,
)
from agentcron.backends.local.assistants.schema import OpenAIConfig

if TYPE_CHECKING:
    import httpx

Message = dict[str, str]


def completions_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/chat/completions"


def api_error(answer: HttpAnswer) -> str:
    """The API's `error.message` when the body has the OpenAI error shape, else a body excerpt."""
    try:
        document: Any = json.loads(answer.body)
    except ValueError:
        document = None
    if isinstance(document, dict):
        error = document.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return excerpt(error["message"])
        if isinstance(error, str):
            return excerpt(error)
    return excerpt(answer.text) or "(empty body)"


def read_api_key(variable: str | None, assistant: str) -> str | None:
    """The key named by `api_key_env`, read at fire time (None when none is configured)."""
    if variable is None:
        return None
    key = os.environ.get(variable, "").strip()
    if not key:
        raise AssistantFailure(
            f"environment variable {variable} (api_key_env of assistant '{assistant}') "
            "is not set in the agentcron process; the model was not called"
        )
    if any(ch in key for ch in "\r\n\0"):
        raise AssistantFailure(f"environment variable {variable} holds a line break or NUL")
    return key


def _reply(answer: HttpAnswer) -> str:
    try:
        content = json.loads(answer.body)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        content = None
    if not isinstance(content, str):
        raise AssistantFailure(
            "the chat completion answer has no text at choices[0].message.content: "
            + (excerpt(answer.text, 300) or "(empty body)")
        )
    return content


class OpenAIAssistant:
    """Asks the configured model; success is a 2xx answer with a text reply."""

    type: Literal["openai"] = "openai"

    def __init__(
        self,
        name: str,
        config: OpenAIConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        conversations: ConversationStore | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS,
    ) -> None:
        self.name = name
        self.config = config
        self.url = completions_url(str(config.base_url))
        self.timeout_seconds = config.timeout_seconds
        host = display_host(str(config.base_url))
        self.summary = f"Chat completion with model {config.model} at {host}"
        self._http_client = http_client
        self._conversations = conversations
        self._retry_delays = tuple(retry_delays)

    def _api_key(self) -> str | None:
        return read_api_key(self.config.api_key_env, self.name)

    async def _history(self, request: FireRequest) -> list[Message]:
        if request.chat_id is None:
            return []
        if self._conversations is None:
            raise AssistantFailure(
                f"task has chat_id '{request.chat_id}' but no conversation store is configured"
            )
        return await asyncio.to_thread(self._conversations.load, request.conversation_key)

    async def fire(self, request: FireRequest) -> str:
        key = self._api_key()
        user: Message = {"role": "user", "content": request.prompt}
        messages: list[Message] = []
        if self.config.system:
            messages.append({"role": "system", "content": self.config.system})
        messages += await self._history(request)
        messages.append(user)
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        body = json.dumps({"model": self.config.model, "messages": messages}).encode("utf-8")
        logger.info("assistant '%s': chat completion with %s for run %s", self.name,
                    self.config.model, request.run_id)
        logger.debug("assistant '%s': prompt %r", self.name, request.prompt)
        try:
            answer = await post_with_retries(
                client=self._http_client,
                url=self.url,
                content=body,
                headers=headers,
                timeout_seconds=self.timeout_seconds,
                retry_delays=self._retry_delays,
                what=f"chat completions endpoint {display_url(self.url)}",
            )
            if not answer.ok:
                raise AssistantFailure(
                    f"chat completions endpoint answered HTTP {answer.status}: {api_error(answer)}"
                )
            reply = _reply(answer)
        except AssistantFailure as exc:
            # Same class (timeouts stay timeouts), message scrubbed of the key.
            raise type(exc)(redact(str(exc), [key])) from None
        if request.chat_id is not None and self._conversations is not None:
            await asyncio.to_thread(
                self._conversations.append,
                request.conversation_key,
                [user, {"role": "assistant", "content": reply}],
            )
        return reply
