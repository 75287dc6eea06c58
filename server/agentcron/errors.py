"""One domain error family; the MCP layer maps it to ToolError in one place.

Every message is written for the model that made the call: it says what was wrong
and, where it can, shows a call that works.
"""

from __future__ import annotations


class AgentcronError(Exception):
    """Base of every failure the caller can fix or should be told about."""


class ScheduleError(AgentcronError):
    """Text, cron, time zone or instant that does not make a valid schedule."""


class NotFoundError(AgentcronError):
    """A task, run or assistant id that does not exist."""


class InvalidRequestError(AgentcronError):
    """Arguments that conflict or break a stated limit."""


class LimitError(InvalidRequestError):
    """A per-owner limit (task count, write rate) refused the call; the message says when to
    retry."""


class CapabilityError(AgentcronError):
    """The configured backend cannot do what was asked."""


class BackendError(AgentcronError):
    """A remote backend answered with an error or could not be reached."""


class ConfigError(AgentcronError):
    """Settings or the assistants file are wrong; raised at start-up."""


class StoreError(AgentcronError):
    """The task database could not be read or written (disk full, locked, unreachable)."""
