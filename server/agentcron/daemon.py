"""`agentcron scheduler`: the firing loop alone, as a long-running service.

It prints one line to stderr when ready (a contract: outside checks wait for it), and on
SIGTERM or SIGINT stops claiming, gives in-flight runs 5 s, interrupts the rest (recorded
failed, "interrupted") and exits 0 within 10 s.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from agentcron.backends.local.store.urls import redact_url
from agentcron.config import Settings
from agentcron.logs import configure_logging

logger = logging.getLogger("agentcron.scheduler")


def run_scheduler(log_level: str | None) -> int:
    settings = Settings()
    configure_logging(log_level or settings.log_level)
    return asyncio.run(_serve_forever(settings))


async def _serve_forever(settings: Settings) -> int:
    from agentcron.backends.factory import build_backend

    if settings.backend != "local":
        print(
            f"agentcron: the scheduler fires tasks of the local backend only; "
            f"AGENTCRON_BACKEND is {settings.backend!r} (the hosted service fires its own).",
            file=sys.stderr,
        )
        return 2
    backend = build_backend(settings.model_copy(update={"runner": "on"}))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await backend.start()
    print(f"agentcron scheduler ready (pid {os.getpid()}, db {redact_url(settings.db)})", file=sys.stderr,
          flush=True)
    await stop.wait()
    logger.info("stopping: no new claims; in-flight runs get 5 s")
    await backend.close()
    return 0
