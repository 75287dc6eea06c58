"""The MCP Apps view: bound to the right tools, served as text/html;profile=mcp-app, and, in a
real browser (Debian chromium through Playwright) behind a small postMessage host, rendering
real tool results from the server: dates in the schedule's and the viewer's zone, DST marks,
statuses, and buttons whose clicks reach the tools. Saves a screenshot of each view."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import ClientExtension

from agentcron.app import build_server
from agentcron.config import Settings
from agentcron.models import RunPage
from tests.apps_host import VIEW_URI, apps_host, wire
from tests.conftest import write_assistants

pytestmark = pytest.mark.anyio

UI_TOOLS = {"text_to_cron", "describe_cron", "create_scheduled_task", "get_scheduled_task",
            "update_scheduled_task", "list_scheduled_tasks", "list_task_runs"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    assistants = write_assistants(tmp_path / "assistants.toml", """
[assistants.fails]
type = "command"
argv = ["false"]

[assistants.slow]
type = "command"
argv = ["sleep", "10"]
timeout_seconds = 1
""")
    return Settings(db=tmp_path / "tasks.db", assistants=assistants, runner="on")


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(settings), mode=request.param) as connected:
        yield connected


@pytest.fixture
async def modern(settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(settings)) as connected:
        yield connected


# --- protocol: no browser -------------------------------------------------------------------


async def test_the_view_is_bound_to_exactly_the_schedule_and_task_tools(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    bound = {name for name, t in tools.items() if (t.meta or {}).get("ui", {}).get("resourceUri") == VIEW_URI}
    assert bound == UI_TOOLS
    # Default visibility (model and app): the view calls these back through the host.
    assert all("visibility" not in (tools[n].meta or {}).get("ui", {}) for n in UI_TOOLS)


async def test_the_view_is_served_as_an_mcp_app_and_self_contained(client: Client) -> None:
    content = (await client.read_resource(VIEW_URI)).contents[0]
    assert content.mime_type == "text/html;profile=mcp-app"
    html = content.text  # type: ignore[union-attr]
    assert html.lstrip().lower().startswith("<!doctype html>")
    # No external URL of any kind: no src/href attributes, no url(), no @import, no http(s).
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|\bsrc\s*=|\bhref\s*=|url\(|@import",
                         html, re.IGNORECASE)


async def test_apps_capability_and_results_unchanged_for_clients_without_apps(modern: Client) -> None:
    caps = modern.server_capabilities
    assert caps.extensions is not None and "io.modelcontextprotocol/ui" in caps.extensions
    result = await modern.call_tool("text_to_cron", {"text": "every weekday at 9am",
                                                     "timezone": "Europe/Berlin"})
    assert result.structured_content and result.structured_content["cron"] == "0 9 * * 1-5"
    assert result.content[0].text.startswith("At 09:00")  # type: ignore[union-attr]


class AppsSupport(ClientExtension):
    """What an MCP Apps host declares (the SDK's `client_supports_apps` checks exactly this)."""

    identifier = "io.modelcontextprotocol/ui"

    def settings(self) -> dict[str, Any]:
        return {"mimeTypes": ["text/html;profile=mcp-app"]}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_results_are_the_same_for_hosts_with_and_without_apps(settings: Settings, mode: str) -> None:
    calls = [("text_to_cron", {"text": "every day at 2:30am", "timezone": "Europe/Berlin",
                               "reference_time": "2026-03-26T12:00:00+01:00"}),
             ("describe_cron", {"cron": "30 1 * * *", "timezone": "America/New_York",
                                "reference_time": "2026-10-29T12:00:00-04:00"})]
    seen = []
    for extensions in ([AppsSupport()], []):
        async with Client(build_server(settings), mode=mode, extensions=extensions) as client:
            seen.append([wire(await client.call_tool(name, args)) for name, args in calls])
    assert seen[0] == seen[1]


# --- in chromium ----------------------------------------------------------------------------


async def frame_eval(host: Any, script: str) -> Any:
    frame = host.page.frames[1]
    return await frame.evaluate(script)


async def assert_fits(host: Any, width: int) -> None:
    scroll = await frame_eval(host, "() => document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal overflow at {width}px: {scroll}"


CONTRAST_JS = """() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor); if (c.a > 0.5) return c; }
                               return parse(getComputedStyle(document.documentElement).backgroundColor); };
  const bad = []; let checked = 0;
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest("[aria-hidden=true]") || !el.getClientRects().length) continue;
    checked += 1;
    const style = getComputedStyle(el);
    const fg = parse(style.color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const large = parseFloat(style.fontSize) >= 18.66 || (parseFloat(style.fontSize) >= 14 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(el.tagName + "." + el.className + " '" + el.textContent.trim().slice(0, 20) + "' " + ratio.toFixed(2));
  }
  return {bad, checked};
}"""


async def assert_contrast(host: Any) -> None:
    """WCAG AA: 4.5:1 for text (3:1 for large or bold 14pt), against the painted background."""
    found = await frame_eval(host, CONTRAST_JS)
    assert found["checked"] > 10 and found["bad"] == [], found


async def test_schedule_view_shows_runs_dst_gap_and_viewer_zone(modern: Client) -> None:
    async with apps_host(modern, width=360) as host:
        result = await host.show("text_to_cron", {
            "text": "every day at 2:30am", "timezone": "Europe/Berlin",
            "reference_time": "2026-03-26T12:00:00+01:00"}, time_zone="America/New_York")
        frame = host.frame
        data = result["structuredContent"]
        assert await frame.locator("h1#description").inner_text() == data["description"]
        items = frame.locator("ol.runs li")
        assert await items.count() == 5
        # 2026-03-29: 02:30 does not exist in Berlin; the run is at 03:00 CEST, marked.
        gap = frame.locator('ol.runs li[data-iso="2026-03-29T03:00:00+02:00"]')
        assert "Sun 29 Mar 2026, 03:00" in await gap.inner_text()
        assert await gap.locator('[data-mark="gap"]').count() == 1
        assert "02:00–03:00 does not exist" in await gap.inner_text()
        # The viewer is in New York: each run also in the viewer's zone (02:30 CET = 21:30 EDT).
        first = await items.first.inner_text()
        assert "Fri 27 Mar 2026, 02:30 CET" in first and "Thu 26 Mar 2026, 21:30" in first
        # Month calendar in the schedule's zone: the DST day is marked, the runs are on it.
        cell = frame.locator('td[data-date="2026-03-29"]')
        assert await cell.get_attribute("data-dst") == "gap"
        assert await cell.locator(".run").inner_text() == "03:00*"
        assert await frame.locator('td[data-date="2026-03-27"] .run').inner_text() == "02:30"
        await assert_fits(host, 360)
        await assert_contrast(host)
        await host.screenshot("schedule-light")
        # Keyboard: Tab to the Week button and press Enter.
        week = frame.locator('button[data-mode="week"]')
        await week.focus()
        await host.page.keyboard.press("Enter")
        assert await frame.locator('button[data-mode="week"]').get_attribute("aria-pressed") == "true"
        assert await frame.locator("table.cal.week tr:has(td)").count() == 2  # 27 Mar to 31 Mar
        assert await frame.locator('table.cal.week td[data-date="2026-03-31"] .run').inner_text() == "02:30"
        await host.set_theme("dark")
        background = await frame_eval(host, "() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(17, 24, 39)"
        await assert_contrast(host)
        await host.screenshot("schedule-week-dark")
        assert host.requests == [] and host.console_errors == []


async def test_describe_cron_view_marks_the_repeated_hour(modern: Client) -> None:
    async with apps_host(modern) as host:
        await host.show("describe_cron", {"cron": "30 1 * * *", "timezone": "America/New_York",
                                          "reference_time": "2026-10-29T12:00:00-04:00"},
                        time_zone="America/New_York")
        frame = host.frame
        assert await frame.locator(".warn").count() >= 1  # describe_cron's DST warning
        repeat = frame.locator('ol.runs li[data-iso="2026-11-01T01:30:00-04:00"]')
        assert await repeat.locator('[data-mark="repeat"]').count() == 1
        assert "happens twice; this is the first (EDT)" in await repeat.inner_text()
        assert await frame.locator('td[data-date="2026-11-01"]').get_attribute("data-dst") == "repeat"
        # Same zone for schedule and viewer: no bracketed second time.
        assert await frame.locator("ol.runs .viewer").count() == 0
        await host.screenshot("describe-cron-light")
        assert host.requests == []


async def test_task_list_pause_button_reaches_the_tool(modern: Client) -> None:
    standup = (await modern.call_tool("create_scheduled_task", {
        "prompt": "Post the standup notes", "schedule": "every weekday at 9am",
        "timezone": "Europe/Berlin", "name": "Standup"})).structured_content
    await modern.call_tool("create_scheduled_task", {
        "prompt": "Water the plants", "schedule": "every sunday at 6pm", "timezone": "Asia/Tokyo",
        "name": "Plants", "enabled": False})
    assert standup
    async with apps_host(modern, width=360) as host:
        await host.show("list_scheduled_tasks", {}, time_zone="Europe/Berlin")
        frame = host.frame
        rows = frame.locator("ul.tasks li")
        assert await rows.count() == 2
        first = rows.filter(has_text="Standup")
        assert await first.locator("[data-state]").inner_text() == "Active"
        assert "Next run:" in await first.locator(".next").inner_text()
        paused = rows.filter(has_text="Plants")
        assert await paused.locator("[data-state]").inner_text() == "Paused"
        assert await paused.locator('button[data-action="resume"]').count() == 1
        await assert_fits(host, 360)
        await assert_contrast(host)
        await host.screenshot("tasks-light")
        await first.locator('button[data-action="pause"]').click()
        await frame.locator("#result", has_text="Paused Standup").wait_for()
        assert await rows.filter(has_text="Standup").locator("[data-state]").inner_text() == "Paused"
        calls = await host.page.evaluate("() => window.toolCalls")
        assert calls == [{"name": "update_scheduled_task",
                          "arguments": {"task_id": standup["id"], "enabled": False}}]
        got = (await modern.call_tool("get_scheduled_task", {"task_id": standup["id"]})).structured_content
        assert got and got["enabled"] is False
        await host.set_theme("dark")
        await assert_contrast(host)
        await host.screenshot("tasks-dark")


async def test_task_view_run_now_reaches_the_tool_and_shows_the_result(modern: Client) -> None:
    created = await modern.call_tool("create_scheduled_task", {
        "prompt": "Summarise my inbox", "schedule": "every day at 8am",
        "timezone": "Europe/Berlin", "name": "Inbox digest"})
    task = created.structured_content
    assert task
    async with apps_host(modern) as host:
        await host.show("create_scheduled_task", {}, result=wire(created), time_zone="Europe/London")
        frame = host.frame
        assert await frame.locator("[data-state]").inner_text() == "Active"
        await frame.locator("table.cal").first.wait_for()  # more runs, via describe_cron
        await frame.locator('button[data-action="run-now"]').click()
        box = frame.locator('#result[data-status="succeeded"]')
        await box.wait_for()
        assert "succeeded" in await box.inner_text()
        runs = (await modern.call_tool("list_task_runs", {"task_id": task["id"]})).structured_content
        assert runs and runs["runs"][0]["status"] == "succeeded"
        await host.screenshot("task-light")
        calls = [c["name"] for c in await host.page.evaluate("() => window.toolCalls")]
        assert calls == ["describe_cron", "run_scheduled_task_now"]


STATUS_COLOURS = {"succeeded", "failed", "timed_out", "missed", "skipped", "running"}


async def test_run_history_strip_is_coloured_by_status(modern: Client) -> None:
    task = (await modern.call_tool("create_scheduled_task", {
        "prompt": "nightly job", "schedule": "every day at 3am", "name": "Nightly"})).structured_content
    assert task
    for assistant in (None, "fails", "slow"):
        if assistant:
            await modern.call_tool("update_scheduled_task", {"task_id": task["id"], "assistant_id": assistant})
        await modern.call_tool("run_scheduled_task_now", {"task_id": task["id"]})
    async with apps_host(modern, width=360) as host:
        real = await host.show("list_task_runs", {"task_id": task["id"]})
        frame = host.frame
        statuses = [await c.get_attribute("data-status") for c in await frame.locator(".strip .cell").all()]
        assert statuses == ["succeeded", "failed", "timed_out"]  # oldest first
        assert [r["status"] for r in real["structuredContent"]["runs"]] == ["timed_out", "failed", "succeeded"]
        assert "Failed" in await frame.locator('ol.history li[data-status="failed"]').inner_text()
        # Statuses this short test cannot produce for real (missed, skipped, running): a page
        # validated by the server's own RunPage model, drawn by the same view.
        runs = real["structuredContent"]["runs"]
        extra = [dict(runs[0], id=f"run_{s}", status=s, error=None) for s in ("missed", "skipped", "running")]
        page = RunPage.model_validate({"runs": extra + runs, "next_cursor": None}).model_dump(mode="json")
        await host.show("list_task_runs", {"task_id": task["id"]},
                        result={"content": [], "structuredContent": page})
        colours = {}
        for status in STATUS_COLOURS:
            cell = frame.locator(f'.strip .cell[data-status="{status}"]')
            assert await cell.count() == 1, status
            colours[status] = await cell.evaluate("e => getComputedStyle(e).backgroundColor")
            assert (await cell.get_attribute("aria-label") or "").startswith(
                {"timed_out": "Timed out"}.get(status, status.capitalize()))
        assert len(set(colours.values())) == len(STATUS_COLOURS), colours
        await assert_fits(host, 360)
        await assert_contrast(host)
        await host.screenshot("runs-light")
        await host.set_theme("dark")
        await assert_contrast(host)
        await host.screenshot("runs-dark")
        log = await host.log()
        assert log[0]["method"] == "ui/initialize" and log[0]["params"]["protocolVersion"] == "2026-01-26"
        assert log[1]["method"] == "ui/notifications/initialized"
