"""`agentcron tasks list|show|runs`: readable tables for people, straight from the backend."""

from __future__ import annotations

import argparse
import asyncio

from agentcron.backends.base import TaskFilters
from agentcron.backends.factory import build_backend
from agentcron.config import Settings
from agentcron.errors import InvalidRequestError

TEXT_WIDTH = 60


def run_tasks_command(args: argparse.Namespace) -> int:
    if not 1 <= getattr(args, "limit", 1) <= 100:
        raise InvalidRequestError("--limit must be between 1 and 100.")
    backend = build_backend(Settings())  # not started: reading needs no runner
    if args.tasks_command == "list":
        page = asyncio.run(backend.list_tasks(TaskFilters(), args.limit, None))
        rows = [
            (t.id, t.name or "", "yes" if t.enabled else "paused", t.next_run_at or "-",
             _cut(t.description))
            for t in page.tasks
        ]
        print_table(("ID", "NAME", "ENABLED", "NEXT RUN", "SCHEDULE"), rows)
        print(f"{len(page.tasks)} of {page.total} task(s)")
    elif args.tasks_command == "show":
        task = asyncio.run(backend.get_task(args.task_id))
        for key, value in task.model_dump().items():
            print(f"{key:<12} {value}")
    else:
        runs = asyncio.run(backend.list_runs(args.task_id, args.limit, None))
        rows = [
            (r.id, r.scheduled_for, r.status, r.finished_at or "-",
             _cut(r.error or r.output or ""))
            for r in runs.runs
        ]
        print_table(("RUN", "SCHEDULED FOR", "STATUS", "FINISHED", "OUTPUT / ERROR"), rows)
    return 0


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_WIDTH else flat[: TEXT_WIDTH - 1] + "…"


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    for row in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
