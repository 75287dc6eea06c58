"""Stopping a command and everything it started: SIGTERM to its process group, then SIGKILL.

The child is started with `start_new_session=True`, so its pid is also its process group id
and helpers it spawned share that group. On platforms without process groups (Windows) only
the child itself is stopped.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from agentcron.backends.local.assistants.base import logger

KILL_GRACE_SECONDS = 2.0  # between SIGTERM and SIGKILL
REAP_SECONDS = 5.0  # how long to wait for a SIGKILLed child to be reaped
POLL_SECONDS = 0.05
_PROC = Path("/proc")


def signal_group(proc: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    """Send `sig` to the child's process group; a group that is gone already is fine."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, sig)
        elif sig == signal.SIGTERM:
            proc.terminate()
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _has_live_member(pgid: int) -> bool:
    """Linux: is any member not a zombie? Orphaned zombies wait on init, not on us."""
    for entry in os.scandir(_PROC):
        if not entry.name.isdigit():
            continue
        try:
            fields = (_PROC / entry.name / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited while we looked
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def group_alive(pgid: int) -> bool:
    if not hasattr(os, "killpg"):
        return False
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return _has_live_member(pgid) if _PROC.is_dir() else True


async def _escalate(proc: asyncio.subprocess.Process, grace: float) -> None:
    """After SIGTERM: wait for the group to empty, SIGKILL whatever is left, reap the child."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while loop.time() < deadline:
        if proc.returncode is not None and not group_alive(proc.pid):
            break
        await asyncio.sleep(POLL_SECONDS)
    signal_group(proc, signal.SIGKILL)  # no-op when everything exited already
    try:
        await asyncio.wait_for(proc.wait(), REAP_SECONDS)
    except TimeoutError:
        logger.error("command pid %d did not exit after SIGKILL", proc.pid)


async def terminate_group(
    proc: asyncio.subprocess.Process, grace: float = KILL_GRACE_SECONDS
) -> None:
    """SIGTERM the group now, SIGKILL after `grace`; if cancelled meanwhile, SIGKILL at once."""
    signal_group(proc, signal.SIGTERM)
    escalation = asyncio.ensure_future(_escalate(proc, grace))
    try:
        await asyncio.shield(escalation)
    except asyncio.CancelledError:
        signal_group(proc, signal.SIGKILL)
        raise
