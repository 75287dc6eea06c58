"""Build the backend named by AGENTCRON_BACKEND from settings."""

from __future__ import annotations

from agentcron.backends.base import Backend
from agentcron.config import Settings
from agentcron.errors import ConfigError


def build_backend(settings: Settings) -> Backend:
    """The local backend, or the hosted adapter named by AGENTCRON_BACKEND.

    Each adapter module has `build(settings) -> Backend`, which raises ConfigError naming any
    missing required variable (one clear error at start-up, not a traceback at the first call).
    """
    if settings.backend == "local":
        from agentcron.backends.local.assistants import load_assistants
        from agentcron.backends.local.backend import LocalBackend
        from agentcron.backends.local.shared_http import LazyHttpClient
        from agentcron.backends.local.store import open_store

        store = open_store(settings.db)
        http = LazyHttpClient()  # httpx and its pools load at the first request
        assistants = load_assistants(settings.assistants, http_client=http, conversations=store)
        return LocalBackend(
            store,
            assistants,
            scheduling=settings.runner == "on",
            lease_seconds=settings.lease_seconds,
            http_client=http,
            max_tasks_per_owner=settings.max_tasks_per_owner,
        )
    import importlib

    try:
        adapter = importlib.import_module(f"agentcron.backends.hosted.{settings.backend}")
    except ModuleNotFoundError:
        raise ConfigError(
            f"AGENTCRON_BACKEND={settings.backend!r} is not implemented in this version yet; "
            "see the README's backend table for what works."
        ) from None
    backend: Backend = adapter.build(settings)
    return backend
