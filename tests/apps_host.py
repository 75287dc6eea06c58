"""A small MCP Apps host for tests and screenshots: Debian's chromium (driven by Playwright for
Python, no browser download) loads the server's `ui://` resource into a sandboxed iframe and
speaks the MCP Apps postMessage protocol (SEP-1865, 2026-01-26) with it: `ui/initialize`,
`ui/notifications/initialized`, `ui/notifications/tool-input`, `ui/notifications/tool-result`,
`ui/notifications/host-context-changed`, `ui/notifications/size-changed`, and `tools/call`
forwarded to the real server through an `mcp.Client`.

The iframe gets the spec's restrictive default CSP (no connect, no external resources) and every
network request the page makes is recorded and refused, so a view that reaches for any URL fails.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("AGENTCRON_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEW_URI = "ui://agentcron/view.html"
# The spec's default CSP for a view that declares no domains (SEP-1865, "Host Behavior").
DEFAULT_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "img-src data:; media-src data:; connect-src 'none'; font-src 'none'; "
               "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")
# Where screenshots go: scripts/screenshots.py points this at docs/screenshots (what docs/views.md
# shows); a plain test run keeps them out of the work tree.
SCREENSHOTS = Path(os.environ.get("AGENTCRON_SCREENSHOTS_DIR")
                   or Path(tempfile.gettempdir()) / "agentcron-screenshots")

HOST_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>test host</title>
<style>html,body{margin:0;background:#777}iframe{border:0;width:100%;display:block;height:200px}</style>
</head><body>
<iframe id="view" sandbox="allow-scripts" title="agentcron view"></iframe>
<script>
"use strict";
const frame = document.getElementById("view");
window.hostLog = [];
window.toolCalls = [];
let hostContext = {}, toolInput = {}, toolResult = {};
function send(method, params) { frame.contentWindow.postMessage({jsonrpc: "2.0", method, params}, "*"); }
window.loadView = (html, context, input, result) => {
  hostContext = context; toolInput = input; toolResult = result; frame.srcdoc = html;
};
window.setHostContext = (patch) => { Object.assign(hostContext, patch); send("ui/notifications/host-context-changed", patch); };
window.addEventListener("message", async (event) => {
  if (event.source !== frame.contentWindow) return;
  const msg = event.data;
  window.hostLog.push(msg);
  const reply = (body) => frame.contentWindow.postMessage(Object.assign({jsonrpc: "2.0", id: msg.id}, body), "*");
  if (msg.method === "ui/initialize") {
    reply({result: {protocolVersion: msg.params.protocolVersion,
                    hostInfo: {name: "agentcron-test-host", version: "1"},
                    hostCapabilities: {serverTools: {}, serverResources: {}},
                    hostContext}});
  } else if (msg.method === "ui/notifications/initialized") {
    send("ui/notifications/tool-input", {arguments: toolInput});
    send("ui/notifications/tool-result", toolResult);
  } else if (msg.method === "ui/notifications/size-changed") {
    frame.style.height = msg.params.height + "px";
  } else if (msg.method === "tools/call") {
    window.toolCalls.push(msg.params);
    try { reply({result: await window.callServerTool(msg.params.name, msg.params.arguments || {})}); }
    catch (e) { reply({error: {code: -32000, message: String(e)}}); }
  } else if (msg.id !== undefined) {
    reply({error: {code: -32601, message: "not supported by the test host: " + msg.method}});
  }
});
</script></body></html>"""


def require_chromium() -> str:
    """The browser, or a clear skip (outside CI) / failure (in CI, which installs it)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    reason = (f"chromium not found at {CHROMIUM}: install it with "
              "'apt-get install -y chromium' (Debian) or set AGENTCRON_CHROMIUM")
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def wire(result: Any) -> dict[str, Any]:
    """A CallToolResult as the host received it on the wire (camelCase JSON)."""
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)  # type: ignore[no-any-return]


def with_csp(html: str) -> str:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{DEFAULT_CSP}">'
    return html.replace("<head>", "<head>\n" + meta, 1)


@dataclass
class Host:
    """One browser page hosting the view; `frame` is the view's document."""

    page: Any
    client: Any
    html: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def frame(self) -> Any:
        return self.page.frame_locator("#view")

    async def show(self, tool: str, arguments: dict[str, Any], *, theme: str = "light",
                   time_zone: str = "Europe/Berlin", result: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call `tool` on the real server (unless `result` is given) and hand it to the view."""
        if result is None:
            called = await self.client.call_tool(tool, arguments)
            assert not called.is_error, called.content
            result = wire(called)
        context = {"theme": theme, "timeZone": time_zone, "locale": "en-GB", "platform": "web",
                   "displayMode": "inline", "availableDisplayModes": ["inline"],
                   "containerDimensions": {"maxHeight": 4000}}
        await self.page.evaluate("([h, c, i, r]) => window.loadView(h, c, i, r)",
                                 [self.html, context, arguments, result])
        await self.frame.locator("h1").first.wait_for()
        return result

    async def set_theme(self, theme: str) -> None:
        await self.page.evaluate("(t) => window.setHostContext({theme: t})", theme)
        await self.frame.locator(f'html[data-theme="{theme}"]').wait_for(state="attached")

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.wait_for_timeout(150)  # let size-changed settle the iframe height
        height = await self.page.evaluate("() => document.getElementById('view').offsetHeight")
        width = self.page.viewport_size["width"]
        await self.page.set_viewport_size({"width": width, "height": max(300, int(height))})
        await self.page.wait_for_timeout(100)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.locator("#view").screenshot(path=str(path))
        return path

    async def log(self) -> list[dict[str, Any]]:
        return await self.page.evaluate("() => JSON.parse(JSON.stringify(window.hostLog))")  # type: ignore[no-any-return]


@asynccontextmanager
async def apps_host(client: Any, *, width: int = 720) -> AsyncIterator[Host]:
    """Launch chromium, open the host page, wire `tools/call` to `client`."""
    from playwright.async_api import async_playwright

    executable = require_chromium()
    html = (await client.read_resource(VIEW_URI)).contents[0].text
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": 900})
            host = Host(page=page, client=client, html=with_csp(html))

            async def refuse(route: Any) -> None:
                host.requests.append(route.request.url)
                await route.abort()

            await page.route("**/*", refuse)
            page.on("console", lambda m: host.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: host.console_errors.append(str(e)))

            async def call_server_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
                return wire(await client.call_tool(name, arguments))

            await page.expose_function("callServerTool", call_server_tool)
            await page.set_content(HOST_HTML)
            yield host
        finally:
            await browser.close()


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
