"""Persistence behind one interface: SQLite (the default, a file) or PostgreSQL (a URL)."""

from __future__ import annotations

from pathlib import Path

from agentcron.backends.local.store.base import Store
from agentcron.backends.local.store.rows import (
    NO_NEXT_RUN,
    ClaimPlan,
    Claimed,
    DeliveryResult,
    Occurrence,
    Outcome,
    PauseState,
    RunRow,
    TaskPageRows,
    TaskRow,
    from_db,
    to_db,
)
from agentcron.backends.local.store.urls import is_postgres_url, redact_url
from agentcron.errors import ConfigError

__all__ = [
    "NO_NEXT_RUN", "ClaimPlan", "Claimed", "DeliveryResult", "Occurrence", "Outcome",
    "PauseState", "RunRow",
    "Store", "TaskPageRows",
    "TaskRow", "from_db", "open_store", "redact_url", "require_store_driver", "to_db",
]


def require_store_driver(db: str | Path) -> None:
    """A PostgreSQL URL needs the `postgres` extra: say so in one line, before anything starts."""
    text = str(db)
    if not is_postgres_url(text):
        return
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        raise ConfigError(
            f"AGENTCRON_DB is a PostgreSQL URL ({redact_url(text)}) but PostgreSQL support "
            "is not installed: pip install \"agentcron[postgres]\""
        ) from None


def open_store(db: str | Path) -> Store:
    """The store `AGENTCRON_DB` names: a `postgresql://` URL, else a SQLite file path."""
    text = str(db)
    if is_postgres_url(text):
        require_store_driver(text)
        from agentcron.backends.local.store.postgres import PostgresStore

        return PostgresStore(text)
    from agentcron.backends.local.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text).expanduser())
