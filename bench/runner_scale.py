"""10,000 tasks due at the same instant, webhook assistant, 3 runner processes on one database.

Prints: time from the due instant until the last webhook arrives, duplicates, losses,
p50/p99 lateness - and, as the baseline measured in the same run, how long one plain httpx
client (64 requests in flight) takes to POST the same number of webhooks to the same sink.

    python bench/runner_scale.py [--tasks 10000] [--runners 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import AsyncSink, bulk_create, percentile, start_schedulers, stop  # noqa: E402

from agentcron.models import Schedule, TaskSpec  # noqa: E402


# Below httpx's default pool size (100), so the baseline never queues inside its own pool.
BASELINE_CONCURRENCY = 64


async def baseline(url: str, count: int, concurrency: int) -> float:
    """Seconds for one httpx client to POST `count` JSON webhooks with `concurrency` in flight."""
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient() as client:
        async def post(i: int) -> None:
            async with limit:
                await client.post(url, json={"i": i}, headers={"Idempotency-Key": f"b:{i}"})
        started = time.perf_counter()
        await asyncio.gather(*(post(i) for i in range(count)))
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runners", type=int, default=3)
    parser.add_argument("--lead", type=float, default=15.0, help="seconds until the due instant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, AsyncSink() as sink:
        base = asyncio.run(baseline(sink.url, args.tasks, BASELINE_CONCURRENCY))
        sink.record.arrivals.clear()
        db, assistants = Path(tmp) / "scale.db", Path(tmp) / "assistants.toml"
        assistants.write_text(f'default = "hook"\n[assistants.hook]\ntype = "webhook"\nurl = "{sink.url}"\n')
        now = datetime.now(timezone.utc)
        due = now.replace(microsecond=0) + timedelta(seconds=args.lead)
        schedule = Schedule(kind="once", run_at=due.isoformat())
        ids = bulk_create(db, assistants, [TaskSpec(prompt=f"task {i}", schedule=schedule)
                                           for i in range(args.tasks)], now)
        processes = start_schedulers(db, assistants, args.runners)
        deadline = due.timestamp() + 120
        while len(sink.record.arrivals) < args.tasks and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # let any duplicate arrive
        stop(processes)
        arrivals = list(sink.record.arrivals)
    stamp = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = {f"{task_id}:{stamp}" for task_id in ids}
    keys = [key for _, key in arrivals]
    lateness = [at - due.timestamp() for at, _ in arrivals]
    last = max(lateness) if lateness else float("nan")
    print(f"tasks {args.tasks}  runners {args.runners}")
    print(f"last fire after due: {last:.2f} s   (target < 15 s)")
    print(f"duplicates {len(keys) - len(set(keys))}   losses {len(expected - set(keys))}")
    print(f"lateness p50 {percentile(lateness, 0.5):.2f} s   p99 {percentile(lateness, 0.99):.2f} s")
    print(f"baseline: one plain httpx client, same sink, 64 in flight: {base:.2f} s")
    print(f"ratio last-fire / baseline: {last / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
