"""The agent loop (DESIGN.md §12): ask the model, make the tool calls it asks for, repeat.

Limits end the run with an error starting `limit:`; tools asked for in a turn that hit a limit
are not executed. A call of a tool that was not offered, or with arguments that are not a JSON
object, is answered to the model as an error and never executed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from agentcron.backends.local.assistants.agent.apis import ModelApi, ToolReply, ToolUse
from agentcron.backends.local.assistants.agent.record import AgentRecord
from agentcron.backends.local.assistants.agent.servers import ToolServers
from agentcron.backends.local.assistants.base import AssistantFailure

Ask = Callable[[ModelApi, dict[str, Any]], Awaitable[Any]]


class LimitReached(AssistantFailure):
    """`limit: max_turns 10 reached` or `limit: max_tool_calls 25 reached`."""


@dataclass(frozen=True)
class Limits:
    max_turns: int
    max_tool_calls: int


async def run_loop(api: ModelApi, servers: ToolServers, record: AgentRecord, limits: Limits,
                   ask: Ask) -> str:
    """The model's final text; raises LimitReached or AssistantFailure (the record stays)."""
    offered = [tool.offered for tool in servers.tools.values()]
    calls = 0
    while True:
        record.turns += 1
        turn = api.take_turn(await ask(api, api.body(offered)))
        record.add_usage(turn.input_tokens, turn.output_tokens)
        record.stop_reason = turn.stop_reason
        if not turn.tool_uses:
            return turn.text
        if record.turns >= limits.max_turns:
            record.stop_reason = "max_turns"
            raise LimitReached(f"limit: max_turns {limits.max_turns} reached")
        replies: list[ToolReply] = []
        for use in turn.tool_uses:
            if calls >= limits.max_tool_calls:
                record.stop_reason = "max_tool_calls"
                raise LimitReached(f"limit: max_tool_calls {limits.max_tool_calls} reached")
            calls += 1
            replies.append(await _answer(use, servers, record))
        api.add_replies(replies)


async def _answer(use: ToolUse, servers: ToolServers, record: AgentRecord) -> ToolReply:
    """Make one call (or refuse it) and record it."""
    server, tool = servers.where(use.name)
    if use.name not in servers.tools:
        text = (f"tool '{use.name}' is not offered to you; call only the tools you were given")
        record.add_call(server=server, tool=tool, arguments=use.raw_arguments, result=text,
                        is_error=True, allowed=False, duration_ms=0)
        return ToolReply(use.id, text, True)
    if use.arguments is None:
        text = "the arguments are not a JSON object; the tool was not called"
        record.add_call(server=server, tool=tool, arguments=use.raw_arguments, result=text,
                        is_error=True, allowed=True, duration_ms=0)
        return ToolReply(use.id, text, True)
    started = time.monotonic()
    record.executed += 1
    answer = await servers.call(use.name, use.arguments)
    record.add_call(server=server, tool=tool, arguments=use.arguments, result=answer.text,
                    is_error=answer.is_error, allowed=True,
                    duration_ms=round((time.monotonic() - started) * 1000))
    return ToolReply(use.id, answer.text, answer.is_error)
