"""Logging set-up shared by every command: stderr only (in stdio mode stdout is protocol)."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str) -> None:
    """Logs go to stderr only: in stdio mode stdout carries nothing but protocol."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
