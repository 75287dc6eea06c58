"""The two model APIs an agent speaks, behind one small interface.

`openai`: POST `{base_url}/chat/completions` with `tools`; the model answers `tool_calls` and
gets each result back as a `role: tool` message. `anthropic`: POST `{base_url}/messages`; the
model answers `tool_use` blocks and gets `tool_result` blocks back in a user message. Each
adapter keeps its own message list, because the two wire shapes differ in every detail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from agentcron.backends.local.assistants.base import AssistantFailure, excerpt
from agentcron.backends.local.assistants.openai_chat import completions_url

ANTHROPIC_VERSION = "2023-06-01"

Message = dict[str, Any]


@dataclass(frozen=True)
class OfferedTool:
    """A tool as the model sees it: `<server>__<tool>`, its description and input schema."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ToolUse:
    """One tool call the model asked for; `arguments` None when they were not a JSON object."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    raw_arguments: str


@dataclass(frozen=True)
class ModelTurn:
    """One model answer: final text, or tool calls to make."""

    text: str
    tool_uses: list[ToolUse]
    stop_reason: str
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class ToolReply:
    """A tool's answer (or the error standing for it), sent back to the model."""

    id: str
    text: str
    is_error: bool


class ModelApi(Protocol):
    """One conversation with a model on one API."""

    url: str

    def headers(self, key: str | None) -> dict[str, str]: ...

    def body(self, tools: list[OfferedTool]) -> dict[str, Any]: ...

    def take_turn(self, document: Any) -> ModelTurn: ...

    def add_replies(self, replies: list[ToolReply]) -> None: ...


def _malformed(what: str, document: Any) -> AssistantFailure:
    return AssistantFailure(f"the model's answer has no {what}: "
                            + (excerpt(json.dumps(document)[:2000], 300) or "(empty body)"))


def _tokens(usage: Any, key: str) -> int:
    value = usage.get(key) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0


def _parse_arguments(raw: Any) -> tuple[dict[str, Any] | None, str]:
    """(arguments, their text): OpenAI sends a JSON string, Anthropic an object."""
    if isinstance(raw, dict):
        return raw, json.dumps(raw, ensure_ascii=False)
    text = raw if isinstance(raw, str) else json.dumps(raw)
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return None, text
    return (value, text) if isinstance(value, dict) else (None, text)


class OpenAIChatApi:
    """Chat Completions with `tools` / `tool_calls` / `role: tool`."""

    def __init__(self, base_url: str, model: str, max_output_tokens: int,
                 messages: list[Message]) -> None:
        self.url = completions_url(base_url)
        self.model = model
        self.max_output_tokens = max_output_tokens
        self.messages = messages  # system, stored conversation, user prompt

    def headers(self, key: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def body(self, tools: list[OfferedTool]) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": self.messages,
            "max_completion_tokens": self.max_output_tokens,
            "tools": [{"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": t.input_schema,
            }} for t in tools],
        }

    def take_turn(self, document: Any) -> ModelTurn:
        try:
            choice = document["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise _malformed("choices[0].message", document) from None
        if not isinstance(message, dict):
            raise _malformed("choices[0].message", document)
        text = message.get("content") if isinstance(message.get("content"), str) else ""
        calls = message.get("tool_calls") or []
        uses: list[ToolUse] = []
        for call in calls if isinstance(calls, list) else []:
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict) or not isinstance(call.get("id"), str):
                raise _malformed("well-formed tool_calls", document)
            arguments, raw = _parse_arguments(function.get("arguments", ""))
            uses.append(ToolUse(call["id"], str(function.get("name", "")), arguments, raw))
        echoed: Message = {"role": "assistant", "content": text or None}
        if uses:
            echoed["tool_calls"] = calls
        self.messages.append(echoed)
        usage = document.get("usage")
        return ModelTurn(text=text, tool_uses=uses,
                         stop_reason=str(choice.get("finish_reason") or "stop"),
                         input_tokens=_tokens(usage, "prompt_tokens"),
                         output_tokens=_tokens(usage, "completion_tokens"))

    def add_replies(self, replies: list[ToolReply]) -> None:
        for reply in replies:
            text = f"error: {reply.text}" if reply.is_error else reply.text
            self.messages.append({"role": "tool", "tool_call_id": reply.id, "content": text})


class AnthropicMessagesApi:
    """The Messages API with `tools` / `tool_use` / `tool_result`."""

    def __init__(self, base_url: str, model: str, max_output_tokens: int, system: str | None,
                 messages: list[Message]) -> None:
        self.url = base_url.rstrip("/") + "/messages"
        self.model = model
        self.max_output_tokens = max_output_tokens
        self.system = system
        self.messages = messages  # stored conversation, user prompt (system goes apart)

    def headers(self, key: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
        if key is not None:
            headers["x-api-key"] = key
        return headers

    def body(self, tools: list[OfferedTool]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_output_tokens,
            "messages": self.messages,
            "tools": [{"name": t.name, "description": t.description,
                       "input_schema": t.input_schema} for t in tools],
        }
        if self.system:
            body["system"] = self.system
        return body

    def take_turn(self, document: Any) -> ModelTurn:
        content = document.get("content") if isinstance(document, dict) else None
        if not isinstance(content, list):
            raise _malformed("content blocks", document)
        texts: list[str] = []
        uses: list[ToolUse] = []
        for block in content:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "text" and isinstance(block.get("text"), str):
                texts.append(block["text"])
            elif kind == "tool_use":
                if not isinstance(block.get("id"), str):
                    raise _malformed("well-formed tool_use blocks", document)
                arguments, raw = _parse_arguments(block.get("input", {}))
                uses.append(ToolUse(block["id"], str(block.get("name", "")), arguments, raw))
        self.messages.append({"role": "assistant", "content": content})
        usage = document.get("usage")
        return ModelTurn(text="".join(texts), tool_uses=uses,
                         stop_reason=str(document.get("stop_reason") or "end_turn"),
                         input_tokens=_tokens(usage, "input_tokens"),
                         output_tokens=_tokens(usage, "output_tokens"))

    def add_replies(self, replies: list[ToolReply]) -> None:
        self.messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": r.id, "content": r.text, "is_error": r.is_error}
            for r in replies
        ]})
