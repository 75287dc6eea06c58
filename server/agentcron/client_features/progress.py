"""Progress notifications while a tool waits (DESIGN.md §13: run_scheduled_task_now).

`Context.report_progress` sends nothing unless the request carried a progress token, so a
client that asked for no progress gets none.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from mcp.server.mcpserver import Context

T = TypeVar("T")

TICK_SECONDS = 1.0


async def _tick(ctx: Context, total: float, waiting_for: str) -> None:
    """Report the seconds waited so far, every TICK_SECONDS, while below `total` (the final
    report at `total` is the caller's, so progress only ever increases)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while (waited := loop.time() - started) < total:
        message = f"waiting for {waiting_for}: {waited:.0f} s"
        await ctx.report_progress(round(waited, 1), total, message)
        await asyncio.sleep(TICK_SECONDS)


async def wait_with_progress(
    ctx: Context, work: Awaitable[T], total: float, waiting_for: str, done: Callable[[T], str]
) -> T:
    """Await `work`, reporting progress towards `total` seconds, then `done(result)` at total."""
    ticker = asyncio.create_task(_tick(ctx, total, waiting_for))
    try:
        result = await work
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
    await ctx.report_progress(total, total, done(result))
    return result
