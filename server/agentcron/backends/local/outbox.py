"""What failure alerts and deliveries share: fires that follow a run's end, sent in the background.

A runner wins them from the store (a compare-and-set per run, so one sender at a time across
runners) and sends each as its own asyncio task; the runner awaits them when it stops. The
assistant is looked up by name when sending: a process whose assistants file lacks it says so.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from agentcron.backends.local.assistants import AssistantRegistry, FireRequest
from agentcron.backends.local.firing import Fired, fire_assistant
from agentcron.backends.local.store import Claimed, RunRow, Store, TaskRow


class Outbox(ABC):
    """Sends what a runner won, each as its own asyncio task (awaited on shutdown)."""

    kind: str  # names the asyncio tasks, e.g. "alert:run_..."

    def __init__(self, store: Store, assistants: AssistantRegistry) -> None:
        self.store = store
        self.assistants = assistants
        self.in_flight: set[asyncio.Task[None]] = set()

    def launch(self, claimed: Claimed) -> asyncio.Task[None]:
        task = asyncio.create_task(self._send(claimed.task, claimed.run),
                                   name=f"{self.kind}:{claimed.run.id}")
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        return task

    async def fire(self, name: str | None, request: FireRequest) -> Fired:
        """Fire the named assistant under its timeout."""
        if name is None or name not in self.assistants.names():
            return Fired("failed", None, f"the {self.kind} assistant '{name}' is not configured "
                                         "in this process's assistants file")
        return await fire_assistant(self.assistants.get(name), request)

    @abstractmethod
    async def _send(self, task: TaskRow, run: RunRow) -> None:
        """Send one and record how it went; never raises but for cancellation."""
