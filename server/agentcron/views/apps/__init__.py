"""The MCP Apps view (`io.modelcontextprotocol/ui`): one self-contained HTML page that renders
the results of the schedule and task tools (DESIGN.md §10).

The page (view.html, package data) speaks the MCP Apps postMessage protocol with the host: it
reads the tool result the host hands it and calls tools back through the host (pause/resume,
run now, runs). It has no external URL of any kind. Clients without Apps ignore
`_meta.ui` and get the same text and structured content as before.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

VIEW_URI = "ui://agentcron/view.html"

# The tools whose results the view renders (DESIGN.md §10).
UI_TOOLS = frozenset({
    "text_to_cron", "describe_cron", "create_scheduled_task", "get_scheduled_task",
    "update_scheduled_task", "list_scheduled_tasks", "list_task_runs",
})


@cache
def view_html() -> str:
    return files(__package__).joinpath("view.html").read_text(encoding="utf-8")


def ui_meta(tool_name: str) -> dict[str, Any] | None:
    """`_meta` for a tool: `{"ui": {"resourceUri": ...}}` for the tools the view renders.

    Visibility stays the spec's default (`["model", "app"]`): the view calls
    update_scheduled_task, run_scheduled_task_now, list_task_runs and describe_cron back
    through the host, and every one of them is also a tool for the model."""
    return {"ui": {"resourceUri": VIEW_URI}} if tool_name in UI_TOOLS else None


def apps_extension() -> Any:
    """The SDK's Apps extension serving the view as `text/html;profile=mcp-app`: advertises
    `io.modelcontextprotocol/ui` and keeps the page's CSP at the spec's restrictive default
    (no connect, resource or frame domains)."""
    from mcp.server.apps import Apps

    apps = Apps()
    apps.add_html_resource(
        VIEW_URI,
        view_html(),
        name="agentcron_view",
        title="agentcron schedule view",
        description="Calendar of next runs (DST gaps and repeats marked), tasks with pause, "
        "resume and run now, and run history by status.",
        prefers_border=True,
    )
    return apps
