"""The `agent` assistant type (DESIGN.md §12): a model calling the user's MCP tools in a loop.

`apis` speaks the two model APIs, `servers` starts and checks the MCP servers, `loop` runs
the turns within the limits, `record` keeps what was done, `assistant` ties them to a fire.
"""

from __future__ import annotations

from agentcron.backends.local.assistants.agent.assistant import AgentAssistant

__all__ = ["AgentAssistant"]
