"""Idle cost: 100,000 stored tasks, none due for an hour; the scheduler's CPU and memory.

Prints the scheduler's CPU over the window as a share of one core and its resident memory,
next to a baseline measured in the same run: a Python process that imports agentcron and
sleeps (the floor any scheduler process pays).

    python bench/idle_cost.py [--tasks 100000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import bulk_create, start_schedulers, stop  # noqa: E402

from agentcron.models import Schedule, TaskSpec  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(pid: int, seconds: float) -> tuple[float, float]:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds * 100, rss_mb(pid)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, assistants = Path(tmp) / "idle.db", Path(tmp) / "assistants.toml"
        assistants.write_text("")
        now = datetime.now(timezone.utc)
        later = (now + timedelta(hours=2)).replace(microsecond=0).isoformat()
        started = time.perf_counter()
        bulk_create(db, assistants, [TaskSpec(prompt=f"t{i}", schedule=Schedule(kind="once", run_at=later))
                                     for i in range(args.tasks)], now)
        print(f"created {args.tasks} tasks in {time.perf_counter() - started:.1f} s")
        floor = subprocess.Popen([sys.executable, "-c", "import agentcron.backends.local.runner, time; time.sleep(1e6)"])
        (scheduler,) = start_schedulers(db, assistants, 1)
        time.sleep(2)  # past start-up
        cpu, rss = measure(scheduler.pid, args.seconds)
        floor_rss = rss_mb(floor.pid)
        floor.kill()
        stop([scheduler])
    print(f"scheduler idle CPU over {args.seconds:.0f} s: {cpu:.2f}% of one core (target < 1%)")
    print(f"scheduler RSS: {rss:.1f} MB (target < 150 MB); baseline sleeping import: {floor_rss:.1f} MB; "
          f"ratio {rss / floor_rss:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
