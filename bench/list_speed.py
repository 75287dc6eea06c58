"""`list_scheduled_tasks` (page of 20) at 100,000 tasks, over stdio, against `tools/list` in
the same session (the baseline: a call that touches no data). Target ratio under 2.

    python bench/list_speed.py [--tasks 100000] [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).parent))
from _common import bulk_create  # noqa: E402

from agentcron.models import Schedule, TaskSpec  # noqa: E402


async def timed(calls: int, call) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def session(db: Path, assistants: Path, calls: int) -> tuple[float, float, float]:
    env = {**os.environ, "AGENTCRON_DB": str(db), "AGENTCRON_ASSISTANTS": str(assistants),
           "AGENTCRON_RUNNER": "off", "AGENTCRON_LOG_LEVEL": "WARNING"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "agentcron"], env=env)
    async with Client(params, mode="legacy") as client:
        await timed(20, client.list_tools)  # warm up
        baseline = await timed(calls, client.list_tools)
        first = await timed(calls, lambda: client.call_tool("list_scheduled_tasks", {"limit": 20}))
        page = await client.call_tool("list_scheduled_tasks", {"limit": 20})
        cursor = page.structured_content["next_cursor"]
        deep = await timed(calls, lambda: client.call_tool(
            "list_scheduled_tasks", {"limit": 20, "cursor": cursor, "enabled": True}))
    return statistics.median(baseline), statistics.median(first), statistics.median(deep)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, assistants = Path(tmp) / "list.db", Path(tmp) / "assistants.toml"
        assistants.write_text("")
        specs = [TaskSpec(prompt=f"t{i}", schedule=Schedule(kind="cron", cron=f"{i % 60} {i % 24} * * *"))
                 for i in range(args.tasks)]
        bulk_create(db, assistants, specs, datetime.now(timezone.utc))
        baseline, first, deep = asyncio.run(session(db, assistants, args.calls))
    print(f"tasks {args.tasks}: median tools/list {baseline:.2f} ms (baseline)")
    print(f"median list_scheduled_tasks first page of 20: {first:.2f} ms, ratio {first / baseline:.2f}")
    print(f"median list_scheduled_tasks later page, enabled filter: {deep:.2f} ms, ratio {deep / baseline:.2f}")
    print("target ratio < 2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
