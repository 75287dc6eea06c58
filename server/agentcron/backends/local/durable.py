"""Store writes that must not be lost: an outcome or a delivery result is written again, with
backoff, until the database takes it (disk full, locked past its busy timeout). Shared by the
runner's outcome batches and the delivery sender."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

logger = logging.getLogger("agentcron.runner")

RETRY_FIRST_SECONDS = 0.2
RETRY_MAX_SECONDS = 5.0


async def write_until_stored(write: Callable[[], object], what: str) -> None:
    """Run the blocking `write` in a worker thread until it succeeds; `what` names it in the
    warning each failed try logs ("could not record <what> (<cause>); retrying in N s")."""
    delay = RETRY_FIRST_SECONDS
    while True:
        try:
            await asyncio.to_thread(write)
            return
        except Exception as exc:
            logger.warning("could not record %s (%s); retrying in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)
