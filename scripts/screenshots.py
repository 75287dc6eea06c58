#!/usr/bin/env python3
"""Regenerate docs/screenshots/*.png, the MCP Apps view as docs/views.md shows it.

The screenshots are taken by the browser tests themselves (tests/test_apps_view.py, and
tests/test_apps_view_agent_runs.py for a real agent run's history): Debian's chromium, driven by
Playwright for Python, renders real tool results from an in-process server behind the test host
in tests/apps_host.py. Running those tests is how the pictures stay true.

    python scripts/screenshots.py          # needs /usr/bin/chromium (apt-get install chromium)

The agent run needs the real MCP servers .ci/run installs (npm ci in tests/node/mcp-servers, the
venv of tests/python-mcp-servers/requirements.txt).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    shots = ROOT / "docs" / "screenshots"
    for old in shots.glob("*.png"):
        old.unlink()
    code = subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_apps_view.py", "tests/test_apps_view_agent_runs.py",
         "-k", "view or list or history"],
        cwd=ROOT,
        # CI=true: a missing browser or MCP server fails loudly instead of skipping.
        env={**os.environ, "CI": "true", "AGENTCRON_SCREENSHOTS_DIR": str(shots)},
    )
    for path in sorted(shots.glob("*.png")):
        print(path.relative_to(ROOT))
    return code


if __name__ == "__main__":
    sys.exit(main())
