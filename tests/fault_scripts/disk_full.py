"""A disk-full scenario, in its own process (RLIMIT_FSIZE would also stop pytest's own files).

Run by tests/test_faults.py: python disk_full.py DB ASSISTANTS WORKDIR. Prints one JSON line.

1. A task's run is in flight (a command that waits for a file).
2. The process may no longer write past 1 KiB of any file (RLIMIT_FSIZE; SIGXFSZ ignored, so a
   write fails with EFBIG instead of killing the process): the database cannot be written.
3. A tool call is refused; a second task comes due and is not claimed; the run in flight ends.
4. The limit is lifted ("space returns"): the run's outcome is written, the second task fires.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store
from agentcron.errors import StoreError
from agentcron.models import Schedule, TaskSpec

TINY = 1024


def once_in(seconds: float) -> Schedule:
    at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)
    return Schedule(kind="once", run_at=at.isoformat())


async def wait_until(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def scenario(db: str, assistants: Path, work: Path) -> dict[str, object]:
    store = open_store(db)
    backend = LocalBackend(store, load_assistants(assistants), scheduling=True)
    await backend.start()
    release = work / "release"
    first = await backend.create_task(TaskSpec(prompt=str(release), schedule=once_in(1.5),
                                               assistant_id="wait"))
    second = await backend.create_task(TaskSpec(prompt="second", schedule=once_in(5)))
    assert await wait_until(lambda: any(r.status == "running" for r in
                                        store.list_runs(first.id, 5, None)[0]))
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (TINY, hard))  # the disk is full

    refused = ""
    try:
        await backend.create_task(TaskSpec(prompt="refused", schedule=once_in(60)))
    except StoreError as exc:
        refused = str(exc)
    release.write_text("go")  # the run in flight ends while nothing can be written
    await asyncio.sleep(6)  # the second task came due meanwhile
    while_full = {
        "first": [r.status for r in store.list_runs(first.id, 5, None)[0]],
        "second": [r.status for r in store.list_runs(second.id, 5, None)[0]],
    }

    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))  # space returns
    await wait_until(lambda: [r.status for r in store.list_runs(first.id, 5, None)[0]]
                     == ["succeeded"])
    await wait_until(lambda: [r.status for r in store.list_runs(second.id, 5, None)[0]]
                     == ["succeeded"])
    after = {
        "first": [r.status for r in store.list_runs(first.id, 5, None)[0]],
        "second": [r.status for r in store.list_runs(second.id, 5, None)[0]],
        "tasks": store.list_tasks(assistant_id=None, enabled=None, chat_id=None, limit=10,
                                  after=None).total,
    }
    integrity = store._read("PRAGMA integrity_check")[0]["integrity_check"]
    await backend.close()
    return {"refused": refused, "while_full": while_full, "after": after,
            "integrity": integrity}


if __name__ == "__main__":
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    db_path, assistants_path, work_dir = sys.argv[1:4]
    print(json.dumps(asyncio.run(scenario(db_path, Path(assistants_path), Path(work_dir)))))
