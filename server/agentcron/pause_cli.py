"""`agentcron pause-all [--reason TEXT]` / `agentcron resume-all`: stop every task at once.

A flag in the database (DESIGN.md §9): every runner, on every host sharing the database,
obeys it within 2 s; due occurrences are recorded `skipped` ("paused globally ...") and
nothing is caught up on resume. Only people run these commands: no tool lifts the pause.
"""

from __future__ import annotations

from datetime import datetime, timezone

from agentcron.config import Settings
from agentcron.errors import ConfigError


def run_pause_command(command: str, reason: str | None) -> int:
    settings = Settings()
    if settings.backend != "local":
        raise ConfigError(
            f"pause-all and resume-all act on the local backend's database; AGENTCRON_BACKEND "
            f"is {settings.backend!r} (pause tasks there with update_scheduled_task enabled=false)."
        )
    from agentcron.backends.local.store import open_store, to_db

    store = open_store(settings.db)
    try:
        if command == "pause-all":
            state = store.pause_all(reason, to_db(datetime.now(timezone.utc)))
            why = f" ({state.reason})" if state.reason else ""
            print(f"paused every task since {state.since}{why} in {store.location}; "
                  "due runs are recorded skipped until `agentcron resume-all`")
        elif store.resume_all():
            print(f"resumed: tasks fire again from their next occurrence ({store.location})")
        else:
            print(f"nothing to resume: {store.location} was not paused")
    finally:
        store.close()
    return 0
