"""Parse speed: one in-process parse (median, p99) over a mixed set of phrases, and the median
`text_to_cron` call over stdio next to the median `tools/list` in the same session.

Targets: median parse under 0.2 ms, p99 under 1 ms; text_to_cron / tools/list under 1.5.

    python bench/parse_speed.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import datetime, timezone

from mcp import Client, StdioServerParameters

from agentcron.cadence.language.parse import parse_schedule

PHRASES = [
    "every 15 minutes", "every weekday at 9am", "sundays at 5pm UTC", "every 90 minutes",
    "tomorrow at 3pm", "last friday of the month at 18:00", "0 9 * * 1-5", "@daily",
    "every 2 hours between 8am and 6pm on weekdays", "on the 1st and 15th at noon",
    "every day at 7:30 Europe/Berlin", "in 10 minutes", "quarterly", "every other week",
    "mondays, wednesdays and fridays at half past 6 pm", "every year on december 24 at 18:00",
    "daily at noon Tokyo time", "every 5 minutes during business hours", "every hour at :15",
    "next monday at 9am",
]
REFERENCE = datetime(2026, 3, 11, 10, 0, tzinfo=timezone.utc)


def parse_times(rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for phrase in PHRASES:
            started = time.perf_counter()
            parse_schedule(phrase, timezone="UTC", now=REFERENCE)
            times.append((time.perf_counter() - started) * 1000)
    return times


async def stdio_medians(calls: int) -> tuple[float, float]:
    env = {**os.environ, "AGENTCRON_RUNNER": "off", "AGENTCRON_LOG_LEVEL": "WARNING"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "agentcron"], env=env)
    async with Client(params, mode="legacy") as client:
        for _ in range(20):
            await client.list_tools()
        listing, translating = [], []
        for i in range(calls):
            started = time.perf_counter()
            await client.list_tools()
            listing.append(time.perf_counter() - started)
            started = time.perf_counter()
            await client.call_tool("text_to_cron", {"text": PHRASES[i % len(PHRASES)],
                                                    "reference_time": REFERENCE.isoformat()})
            translating.append(time.perf_counter() - started)
    return statistics.median(listing) * 1000, statistics.median(translating) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    parse_times(5)  # warm caches (zone table, regexes)
    times = sorted(parse_times(args.rounds))
    median, p99 = statistics.median(times), times[int(0.99 * len(times))]
    print(f"in-process parse over {len(times)} parses: median {median:.3f} ms, p99 {p99:.3f} ms "
          "(targets 0.2 / 1 ms)")
    listing, translating = asyncio.run(stdio_medians(200))
    print(f"stdio: median tools/list {listing:.2f} ms, median text_to_cron {translating:.2f} ms, "
          f"ratio {translating / listing:.2f} (target < 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
