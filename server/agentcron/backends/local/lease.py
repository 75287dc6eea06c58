"""A runner's lease, kept from a thread and a database connection of its own.

The heartbeat must never wait behind the runner's claiming, planning or firing (DESIGN.md §8):
under a burst those keep the event loop, its worker threads and the main connection busy for
longer than a lease lasts, and a live runner would be declared dead. So the lease is renewed
here, on its own schedule. When a renewal finds the lease gone (the process was frozen, a
laptop lid was closed), it says so and takes a new lease; the runner asks `ensure()` before
every claim, so nothing is claimed without a lease held.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime

from agentcron.backends.local.store import Store, to_db

logger = logging.getLogger("agentcron.runner")


def elapsed_clock() -> float:
    """Seconds that keep counting while the machine sleeps (CLOCK_BOOTTIME where there is one)."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(boottime) if boottime is not None else time.monotonic()


class LeaseKeeper:
    """Holds one runner's lease and reaps runs of runners whose lease expired."""

    def __init__(
        self,
        store: Store,
        runner_id: str,
        lease_seconds: float,
        clock: Callable[[], datetime],
        on_reaped: Callable[[int], None],
        alert_for: Callable[[str | None], str | None] | None = None,
    ) -> None:
        self.runner_id = runner_id
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.on_reaped = on_reaped
        self.alert_for = alert_for
        self.lost_count = 0
        self._main_store = store
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewed_at = 0.0
        self._thread = threading.Thread(target=self._run, name="agentcron-lease", daemon=True)

    def start(self) -> None:
        """Take the lease (blocking), then keep it from a thread."""
        self._store = self._main_store.sibling()
        self._register()
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing and give the lease back."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._store is not None:
            try:
                self._store.remove_runner(self.runner_id)
            finally:
                self._store.close()

    def is_fresh(self) -> bool:
        """True while the last renewal is recent enough that the lease surely still holds."""
        return elapsed_clock() - self._renewed_at < self.lease_seconds / 2

    def ensure(self) -> None:
        """Renew now unless the lease is surely held (called before claiming)."""
        if not self.is_fresh():
            self.renew()

    def renew(self) -> None:
        assert self._store is not None
        with self._lock:
            held = self._store.renew_lease(self.runner_id, to_db(self.clock()), self.lease_seconds)
            if held:
                self._renewed_at = elapsed_clock()
                return
            self.lost_count += 1
            logger.warning(
                "runner %s lost its lease (frozen or cut off from the database for longer than "
                "%g s); its runs in flight are recorded interrupted by other runners. Taking a "
                "new lease before claiming again.", self.runner_id, self.lease_seconds,
            )
            self._register()

    def _register(self) -> None:
        assert self._store is not None
        self._store.register_runner(self.runner_id, os.getpid(), socket.gethostname(),
                                    to_db(self.clock()), self.lease_seconds)
        self._renewed_at = elapsed_clock()

    def _run(self) -> None:
        interval = self.lease_seconds / 3
        while not self._stop.wait(interval):
            try:
                self.renew()
                assert self._store is not None
                reaped = self._store.reap_interrupted(to_db(self.clock()), self.alert_for)
                if reaped:
                    logger.warning("marked %d interrupted run(s) failed", reaped)
                    self.on_reaped(reaped)
            except Exception:  # keep renewing through a transient database error
                logger.exception("lease heartbeat failed")
