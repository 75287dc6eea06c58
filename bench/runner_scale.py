"""Runner scale, on the path users take.

Everything agentcron runs here (the daemons and the MCP servers that create the tasks) runs from
a venv made by the README's install command from a clean copy of this tree, with no test
extras: `pip install .`, or `pip install ".[postgres]"` for the PostgreSQL dialect (see
installed.py; built once per source tree and reused). The bench prints which.

Main mode (`--mode recurring`, the default): N recurring `* * * * *` tasks created through the
MCP tools (`create_scheduled_task` over stdio, several clients at once), a webhook assistant to
a sink on 127.0.0.1, R `agentcron scheduler` daemons on one database (SQLite file, or a real
PostgreSQL from the pgserver wheel with `--db postgres`), measured for M consecutive minutes.
Per minute: when the last webhook of that minute arrived after the minute began, p50/p99
lateness, duplicates, losses, and runs marked interrupted; and CPU per fire: the daemons'
CPU-seconds over the measured minutes divided by the fires in them.

Second mode (`--mode oneoff`): N one-off tasks due at the same instant, written straight into
the store (a shortcut, kept for comparison with earlier figures).

Baseline, measured in the same run: one plain httpx client (64 requests in flight) POSTing
N webhooks to the same sink. Ratios against it are what compare across machines.

    python bench/runner_scale.py [--tasks 10000] [--runners 3] [--minutes 3] [--db sqlite|postgres]
    python bench/runner_scale.py --mode oneoff [--tasks 10000] [--runners 3]
    python bench/runner_scale.py --db postgres --tasks 30000 --minutes 1   # the stretch target

The bench process itself (sink, baseline, pgserver, MCP client) runs in the development venv;
the venv it builds needs network access to PyPI once per source tree. Latest figures:
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).parent))
from _common import (  # noqa: E402
    AsyncSink,
    bulk_create,
    cpu_seconds,
    percentile,
    start_schedulers,
    stop,
)
from installed import InstalledVenv, installed_packages, installed_venv  # noqa: E402

from agentcron.models import Schedule, TaskSpec  # noqa: E402

# Below httpx's default pool size (100), so the baseline never queues inside its own pool.
BASELINE_CONCURRENCY = 64
CREATING_CLIENTS = 4  # MCP sessions creating tasks at once
CALLS_IN_FLIGHT = 8  # per session


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


def server_env(venv: InstalledVenv, db: str, assistants: Path) -> dict[str, str]:
    return {**venv.env(dict(os.environ)), "AGENTCRON_DB": db,
            "AGENTCRON_ASSISTANTS": str(assistants),
            "AGENTCRON_RUNNER": "off", "AGENTCRON_LOG_LEVEL": "WARNING"}


async def create_through_tools(venv: InstalledVenv, db: str, assistants: Path,
                               count: int) -> list[str]:
    """`create_scheduled_task` calls over stdio, as an agent makes them."""
    params = StdioServerParameters(command=str(venv.python), args=["-m", "agentcron"],
                                   env=server_env(venv, db, assistants))
    ids: list[str] = []

    async def session(numbers: range) -> None:
        async with Client(params, mode="legacy") as client:
            limit = asyncio.Semaphore(CALLS_IN_FLIGHT)

            async def create(i: int) -> None:
                async with limit:
                    result = await client.call_tool("create_scheduled_task", {
                        "prompt": f"recurring task {i}", "schedule": "* * * * *"})
                    if result.is_error:
                        raise RuntimeError(f"create_scheduled_task failed: {result.content}")
                    ids.append(result.structured_content["id"])

            await asyncio.gather(*(create(i) for i in numbers))

    await asyncio.gather(*(session(range(k, count, CREATING_CLIENTS))
                           for k in range(CREATING_CLIENTS)))
    return ids


COUNT_INTERRUPTED = """
import sys
from agentcron.backends.local.store import open_store
store = open_store(sys.argv[1])
print(store._read("SELECT COUNT(*) AS n FROM runs WHERE error LIKE 'interrupted%'")[0]["n"])
store.close()
"""


def interrupted_runs(venv: InstalledVenv, db: str) -> int:
    """Counted by the installed agentcron (the bench's own import of it may be newer)."""
    out = subprocess.run([str(venv.python), "-c", COUNT_INTERRUPTED, db], check=True,
                         capture_output=True, text=True, env=venv.env(dict(os.environ)))
    return int(out.stdout.strip())


def report_minute(minute: datetime, ids: list[str], arrivals: list[tuple[float, str]]) -> dict:
    stamp = minute.strftime("%Y-%m-%dT%H:%M:%SZ")
    mine = [(at, key) for at, key in arrivals if key.endswith(f":{stamp}")]
    keys = Counter(key for _, key in mine)
    lateness = sorted(at - minute.timestamp() for at, _ in mine)
    expected = {f"{task_id}:{stamp}" for task_id in ids}
    return {
        "minute": minute.strftime("%H:%M"),
        "fired": len(keys),
        "last": lateness[-1] if lateness else float("nan"),
        "p50": percentile(lateness, 0.5) if lateness else float("nan"),
        "p99": percentile(lateness, 0.99) if lateness else float("nan"),
        "duplicates": sum(n - 1 for n in keys.values()),
        "losses": len(expected - set(keys)),
    }


def write_assistants(tmp: Path, sink: AsyncSink) -> Path:
    assistants = tmp / "assistants.toml"
    assistants.write_text(
        f'default = "hook"\n[assistants.hook]\ntype = "webhook"\nurl = "{sink.url}"\n')
    return assistants


def wait_until(moment: datetime) -> None:
    while (left := (moment - datetime.now(timezone.utc)).total_seconds()) > 0:
        time.sleep(min(left, 0.5))


def recurring(args: argparse.Namespace, venv: InstalledVenv, db: str, tmp: Path,
              sink: AsyncSink) -> tuple[float, float]:
    """(worst last fire, CPU-seconds per fire) over the measured minutes."""
    assistants = write_assistants(tmp, sink)
    processes = start_schedulers(db, assistants, args.runners, python=str(venv.python),
                                 base_env=venv.env(dict(os.environ)))
    try:
        started = time.time()
        ids = asyncio.run(create_through_tools(venv, db, assistants, args.tasks))
        print(f"created {len(ids)} tasks through create_scheduled_task in "
              f"{time.time() - started:.1f} s ({CREATING_CLIENTS} stdio sessions)")
        # Measure whole minutes that begin after every task exists (each is then due in all).
        first = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
        minutes = [first + timedelta(minutes=k) for k in range(args.minutes)]
        wait_until(first)
        cpu_before = sum(cpu_seconds(p.pid) for p in processes)
        wait_until(minutes[-1] + timedelta(seconds=50))
        cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
        interrupted = interrupted_runs(venv, db)
    finally:
        stop(processes)
    arrivals = list(sink.record.arrivals)
    rows = [report_minute(m, ids, arrivals) for m in minutes]
    print(f"{'minute':>6} {'fired':>6} {'last':>7} {'p50':>6} {'p99':>6} {'dup':>4} {'lost':>5}")
    for r in rows:
        print(f"{r['minute']:>6} {r['fired']:>6} {r['last']:>6.2f}s {r['p50']:>5.2f}s "
              f"{r['p99']:>5.2f}s {r['duplicates']:>4} {r['losses']:>5}")
    print(f"runs marked interrupted: {interrupted}")
    fires = sum(r["fired"] for r in rows)
    per_fire = cpu / fires if fires else float("nan")
    print(f"daemons' CPU over the {args.minutes} measured minutes: {cpu:.1f} s for {fires} fires "
          f"= {per_fire * 1000:.2f} ms per fire")
    return max(r["last"] for r in rows), per_fire


def oneoff(args: argparse.Namespace, venv: InstalledVenv, db: str, tmp: Path,
           sink: AsyncSink) -> tuple[float, float]:
    assistants = write_assistants(tmp, sink)
    now = datetime.now(timezone.utc)
    due = now.replace(microsecond=0) + timedelta(seconds=args.lead)
    schedule = Schedule(kind="once", run_at=due.isoformat())
    ids = bulk_create(db, assistants, [TaskSpec(prompt=f"task {i}", schedule=schedule)
                                       for i in range(args.tasks)], now)
    processes = start_schedulers(db, assistants, args.runners, python=str(venv.python),
                                 base_env=venv.env(dict(os.environ)))
    cpu_before = sum(cpu_seconds(p.pid) for p in processes)
    deadline = due.timestamp() + 120
    while len(sink.record.arrivals) < args.tasks and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # let any duplicate arrive
    cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
    stop(processes)
    row = report_minute(due, ids, list(sink.record.arrivals))
    per_fire = cpu / row["fired"] if row["fired"] else float("nan")
    print("one-off tasks written straight into the store (a shortcut, not the user path)")
    print(f"last fire after due: {row['last']:.2f} s   p50 {row['p50']:.2f} s   "
          f"p99 {row['p99']:.2f} s   duplicates {row['duplicates']}   losses {row['losses']}   "
          f"CPU per fire {per_fire * 1000:.2f} ms")
    return row["last"], per_fire


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["recurring", "oneoff"], default="recurring")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runners", type=int, default=3)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--lead", type=float, default=15.0, help="oneoff: seconds until due")
    args = parser.parse_args()
    venv = installed_venv("postgres" if args.db == "postgres" else "")
    print(f"agentcron as installed: {venv.command} from a clean copy of this tree, no test "
          f"extras ({'reused' if venv.reused else 'built now'}: {venv.python.parent.parent})")
    print("installed: " + " ".join(installed_packages(venv)))
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as cleanup:
        sink = cleanup.enter_context(AsyncSink())
        base = asyncio.run(baseline(sink.url, args.tasks, BASELINE_CONCURRENCY))
        sink.record.arrivals.clear()
        if args.db == "postgres":
            import pgserver

            server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
            cleanup.callback(server.cleanup)
            db = server.get_uri()
        else:
            db = str(Path(tmp) / "scale.db")
        print(f"tasks {args.tasks}  runners {args.runners}  db {args.db}  mode {args.mode}")
        measure = recurring if args.mode == "recurring" else oneoff
        worst, per_fire = measure(args, venv, db, Path(tmp), sink)
    print(f"baseline: one plain httpx client, same sink, 64 in flight: {base:.2f} s")
    print(f"ratio worst last-fire / baseline: {worst / base:.2f}   (target: last fire < 6 s, "
          "must < 10 s)")
    print(f"CPU per fire: {per_fire * 1000:.2f} ms   (target: at most 1 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
