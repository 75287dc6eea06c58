"""Fire webhooks through the daemon's own backend while watching every import lookup.

Run by tests/test_firing_imports.py: python firing_imports.py PYPROJECT EXTRA WARMUP COUNT, with
AGENTCRON_DB and AGENTCRON_ASSISTANTS set. Prints one JSON line.

Only the distributions `pip install .` (plus EXTRA, e.g. "postgres") brings in are importable
here: any other top-level package fails to import, as it would for a user (the development
venv carries test extras such as sniffio, which would hide a failed import per request). After
WARMUP one-off tasks have fired (first-use imports are allowed then), COUNT more fire; every
import lookup during those is recorded. Expected: none.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.metadata
import json
import sys
import time
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def installed_closure(pyproject: Path, extra: str) -> set[str]:
    """Canonical names of the distributions `pip install .[extra]` installs."""
    project = tomllib.loads(pyproject.read_text())["project"]
    pending = [Requirement(r) for r in project["dependencies"]]
    if extra:
        pending += [Requirement(r) for r in project["optional-dependencies"][extra]]
    wanted: dict[str, set[str]] = {}
    while pending:
        requirement = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if name in wanted and extras <= wanted[name]:
            continue
        wanted.setdefault(name, set()).update(extras)
        try:
            requires = importlib.metadata.requires(requirement.name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requires:
            nested = Requirement(text)
            if nested.marker is None or any(
                nested.marker.evaluate({"extra": e}) for e in ("", *wanted[name])
            ):
                pending.append(nested)
    return set(wanted)


class ImportWatch(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: hides top-level packages a plain install lacks, and, while
    armed, records every lookup (each one is an import that sys.modules could not answer)."""

    def __init__(self, allowed_distributions: set[str]) -> None:
        owners = importlib.metadata.packages_distributions()
        # Top-level names that only distributions outside the plain install provide.
        self.missing = {
            top for top, dists in owners.items()
            if top != "agentcron"
            and not any(canonicalize_name(d) in allowed_distributions for d in dists)}
        self.hidden: list[str] = []
        self.armed = False
        self.lookups: list[str] = []

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if self.armed:
            self.lookups.append(name)
        top = name.partition(".")[0]
        if top in self.missing:
            self.hidden.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (not installed by pip install .)",
                                      name=name)
        return None  # let the real finders find it


async def create_due(backend, count: int, seconds: float) -> None:  # type: ignore[no-untyped-def]
    from agentcron.models import Schedule, TaskSpec

    now = datetime.now(timezone.utc)
    due = Schedule(kind="once", run_at=(now + timedelta(seconds=seconds)).isoformat())
    rows = [backend.new_task_row(TaskSpec(prompt=f"probe {i}", schedule=due), now)
            for i in range(count)]
    backend.store.insert_tasks(rows)
    backend.runner.wake()


def succeeded(backend) -> int:  # type: ignore[no-untyped-def]
    rows = backend.store._read("SELECT COUNT(*) AS n FROM runs WHERE status = 'succeeded'")
    return int(rows[0]["n"])


async def wait_for(backend, count: int, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while succeeded(backend) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {succeeded(backend)} of {count} runs succeeded in time")
        await asyncio.sleep(0.1)


async def main(pyproject: Path, extra: str, warmup: int, count: int) -> dict[str, object]:
    watch = ImportWatch(installed_closure(pyproject, extra))
    sys.meta_path.insert(0, watch)
    from agentcron.backends.factory import build_backend
    from agentcron.config import Settings

    backend = build_backend(Settings())
    await backend.start()
    try:
        await backend.runner.ready()
        await create_due(backend, warmup, 1.0)
        await wait_for(backend, warmup)
        watch.armed = True
        await create_due(backend, count, 1.0)
        await wait_for(backend, warmup + count)
        watch.armed = False
        return {"fired": succeeded(backend), "lookups": sorted(set(watch.lookups)),
                "lookup_count": len(watch.lookups), "hidden": sorted(set(watch.hidden))}
    finally:
        await backend.close()


if __name__ == "__main__":
    result = asyncio.run(main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    print(json.dumps(result))
