"""Builds the MCPServer. Tools are thin: validate -> call a service -> shape the result."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from agentcron import __version__
from agentcron.cadence.api import explain_cron, translate_text
from agentcron.config import Settings
from agentcron.errors import AgentcronError
from agentcron.models import CronDescription, CronTranslation

logger = logging.getLogger("agentcron.tools")

INSTRUCTIONS = """\
agentcron is a scheduler. Use it to turn a user's request ("every weekday at 9am, summarise my
inbox") into a validated schedule.

Which tool when:
- text_to_cron: turn the user's wording into a schedule (cron, interval or one-off) and show
  its plain-English description and next runs. Offline, read-only, safe to call freely.
- describe_cron: explain a cron expression the user or another system gave you, with the next
  runs and warnings (DST gaps/repeats, day-of-month OR day-of-week).

Always:
- Ask for the user's time zone when you do not know it, and pass it as `timezone` (an IANA name
  such as 'Europe/Berlin'); schedules are evaluated in that zone, DST included.
- Before creating anything, read the `description`, `timezone` and first `next_runs` back to the
  user and get a yes.
- If a tool returns an error, read it: it says what was wrong and shows a call that works.
"""

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def current_time() -> datetime:
    """The one clock read of the tool layer (the cadence engine never reads the clock)."""
    return datetime.now(timezone.utc)


@contextmanager
def tool_call(name: str) -> Iterator[None]:
    """Log one line per tool call (duration, outcome) and turn domain errors into ToolError."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except AgentcronError as exc:
        outcome = f"refused ({type(exc).__name__})"
        raise ToolError(str(exc)) from exc
    except Exception:
        outcome = "crashed"
        raise
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info("tool %s %s in %.1f ms", name, outcome, elapsed_ms)


def respond(result: BaseModel, summary: str) -> CallToolResult:
    """Structured content for programs, plus a short human line and the JSON for the model."""
    return CallToolResult(
        content=[
            TextContent(type="text", text=summary),
            TextContent(type="text", text=result.model_dump_json(indent=2)),
        ],
        structured_content=result.model_dump(mode="json"),
    )


def _runs_phrase(runs: list[str]) -> str:
    return f"next: {', '.join(runs[:3])}" if runs else "no upcoming run"


def build_server(settings: Settings | None = None) -> MCPServer:
    """Create the MCP server with every tool registered."""
    settings = settings or Settings()
    server: MCPServer = MCPServer(
        "agentcron",
        title="agentcron scheduler",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level=settings.log_level,
    )

    @server.tool(title="Natural language to schedule", annotations=READ_ONLY)
    def text_to_cron(
        text: Annotated[
            str,
            Field(
                description="The cadence in plain words, a 5-field cron or a macro, "
                "e.g. 'every weekday at 9am', 'every 90 minutes', 'tomorrow at 3pm', "
                "'0 9 * * 1-5', '@daily'. At most 500 characters.",
            ),
        ],
        timezone: Annotated[
            str | None,
            Field(
                description="IANA zone the schedule runs in, e.g. 'Europe/Berlin'. A zone "
                "named in the text wins. Default: the server's default zone (UTC unless set)."
            ),
        ] = None,
        reference_time: Annotated[
            str | None,
            Field(
                description="ISO 8601 instant that relative phrases ('tomorrow', 'in 2 hours') "
                "resolve against; default now."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, CronTranslation]:
        """Turn a cadence in plain words (or cron) into a validated schedule.

        Returns kind ('cron' | 'interval' | 'once'), the 5-field numeric cron (kind cron),
        interval_seconds (cadences cron cannot express, e.g. every 90 minutes), run_at
        (one-offs), a plain-English description naming the time zone, the next 5 runs and
        whether the cron is portable (classic cron, no L/#). Read the description and next runs
        back to the user before scheduling anything.

        Example: {"text": "every weekday at 9am", "timezone": "Europe/Berlin"}
        """
        with tool_call("text_to_cron"):
            result = translate_text(
                text, timezone or settings.timezone, current_time(), reference_time
            )
            what = result.cron or (
                f"every {result.interval_seconds}s" if result.kind == "interval" else result.run_at
            )
            summary = f"{result.description} [{result.kind}: {what}]; {_runs_phrase(result.next_runs)}"
            return respond(result, summary)

    @server.tool(title="Explain a cron expression", annotations=READ_ONLY)
    def describe_cron(
        cron: Annotated[
            str,
            Field(
                description="A 5-field cron expression (names like MON or JAN allowed) or a "
                "macro such as '@daily', e.g. '0 9 * * 1-5'."
            ),
        ],
        timezone: Annotated[
            str | None,
            Field(description="IANA zone to evaluate it in, e.g. 'Asia/Tokyo'. Default UTC."),
        ] = None,
        count: Annotated[
            int, Field(ge=1, le=50, description="How many upcoming runs to list (1-50).")
        ] = 5,
        reference_time: Annotated[
            str | None,
            Field(description="ISO 8601 instant to list runs after; default now."),
        ] = None,
    ) -> Annotated[CallToolResult, CronDescription]:
        """Explain a cron expression in plain English, with its next runs in a time zone.

        Returns the normalised cron (numeric fields), the description (24-hour clock, names the
        zone), the next `count` runs, whether it is portable (no L/#), and warnings worth
        telling the user: DST gaps or repeats among the listed runs, and day-of-month OR
        day-of-week semantics. Expressions that can never fire are refused.

        Example: {"cron": "30 2 * * *", "timezone": "Europe/Berlin", "count": 10}
        """
        with tool_call("describe_cron"):
            result = explain_cron(
                cron, timezone or settings.timezone, count, current_time(), reference_time
            )
            warned = f"; {len(result.warnings)} warning(s)" if result.warnings else ""
            summary = f"{result.description} [{result.cron}]; {_runs_phrase(result.next_runs)}{warned}"
            return respond(result, summary)

    return server
