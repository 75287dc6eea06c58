"""Schedules compiled once and shared: a task's next occurrence is a lookup, not a cron walk.

The runner re-plans every recurring task after each fire; 10,000 tasks on `* * * * *` share
one compiled schedule, whose upcoming fires are walked once (one croniter, `walk_fires`) and
cached in a sorted window, so each task's next occurrence is a bisect (DESIGN.md §8).
Interval and one-off schedules are plain arithmetic; calendar rules come from `rules`.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import islice
from typing import Protocol

from agentcron.cadence.zones import zone

CHUNK = 64  # fires computed per walk step of the cache
WINDOW = 4 * CHUNK  # fires kept; older ones are dropped as time moves on


class Timeline(Protocol):
    """What the runner needs of any schedule."""

    def next_after(self, after: datetime) -> datetime | None:
        """The first fire instant strictly after `after`; None once the schedule has ended."""
        ...


class CompiledCron:
    """Fire instants of one (cron, zone), cached in a window that slides forward.

    Thread-safe: runners plan on worker threads.
    """

    def __init__(self, expr: str, zone_name: str) -> None:
        self.expr = expr
        self.tz = zone(zone_name)
        self._lock = threading.Lock()
        self._covered_from: datetime | None = None  # fires holds every fire in (from, fires[-1]]
        self._fires: list[datetime] = []
        self._walk: Iterator[datetime] | None = None

    def next_after(self, after: datetime) -> datetime:
        with self._lock:
            if self._covered_from is None or after < self._covered_from or self._far_ahead(after):
                self._restart(after)
            while after >= self._fires[-1]:
                self._extend()
            return self._fires[bisect_right(self._fires, after)]

    def _far_ahead(self, after: datetime) -> bool:
        """Jump instead of walking when `after` is far beyond the window (a long downtime)."""
        span = self._fires[-1] - self._fires[0]
        return after > self._fires[-1] + 4 * max(span, timedelta(minutes=1))

    def _restart(self, after: datetime) -> None:
        from agentcron.cadence.cron import walk_fires  # croniter: loaded by the first cron

        self._covered_from = after
        self._walk = walk_fires(self.expr, self.tz, after)
        self._fires = list(islice(self._walk, CHUNK))

    def _extend(self) -> None:
        assert self._walk is not None
        self._fires.extend(islice(self._walk, CHUNK))
        if len(self._fires) > WINDOW:
            dropped = len(self._fires) - WINDOW
            self._covered_from = self._fires[dropped - 1]
            del self._fires[:dropped]


class IntervalTimeline:
    """anchor + k * seconds: elapsed time, DST ignored (DESIGN.md §3)."""

    def __init__(self, seconds: int, anchor: datetime) -> None:
        self.step = timedelta(seconds=seconds)
        self.anchor = anchor

    def next_after(self, after: datetime) -> datetime:
        k = max(0, (after - self.anchor) // self.step) + 1
        instant = self.anchor + k * self.step
        return instant if instant > after else instant + self.step


class OnceTimeline:
    """A single instant."""

    def __init__(self, run_at: datetime) -> None:
        self.run_at = run_at

    def next_after(self, after: datetime) -> datetime | None:
        return self.run_at if self.run_at > after else None


@lru_cache(maxsize=4096)
def compiled_cron(expr: str, zone_name: str) -> CompiledCron:
    """One compiled schedule per (cron, zone), shared by every task that uses it."""
    return CompiledCron(expr, zone_name)
