"""Command line: `agentcron` serves MCP over stdio; `parse` and `describe` are for people.

The MCP SDK takes most of a second to import, so the people commands never import it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

from agentcron import __version__
from agentcron.errors import AgentcronError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcron",
        description="A scheduler for LLM agents, served over MCP. Without a command: serve on stdio.",
    )
    parser.add_argument("--version", action="version", version=f"agentcron {__version__}")
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        type=str.upper,
        help="Log level (stderr only); default AGENTCRON_LOG_LEVEL or INFO.",
    )
    commands = parser.add_subparsers(dest="command")

    commands.add_parser("serve", help="Serve MCP over stdio (the default).")

    parse = commands.add_parser("parse", help="Turn a cadence in plain words into a schedule.")
    parse.add_argument("text", nargs="+", help='e.g. "every weekday at 9am Europe/Berlin"')
    parse.add_argument("--tz", help="Default IANA time zone (a zone in the text wins).")
    parse.add_argument("--at", help="Reference instant, ISO 8601 (default now).")

    describe = commands.add_parser("describe", help="Explain a cron expression.")
    describe.add_argument("cron", help='e.g. "0 9 * * 1-5" or "@daily"')
    describe.add_argument("--tz", help="IANA time zone (default UTC).")
    describe.add_argument("--count", type=int, default=5, help="How many next runs (1-50).")
    describe.add_argument("--at", help="Reference instant, ISO 8601 (default now).")
    return parser


def configure_logging(level: str) -> None:
    """Logs go to stderr only: in stdio mode stdout carries nothing but protocol."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "parse":
            return _parse(args)
        if args.command == "describe":
            return _describe(args)
        return _serve(args)
    except AgentcronError as exc:
        print(f"agentcron: {exc}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace) -> int:
    from agentcron.app import build_server
    from agentcron.config import Settings

    settings = Settings()
    configure_logging(args.log_level or settings.log_level)
    build_server(settings).run()
    return 0


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _default_zone(tz: str | None) -> str:
    from agentcron.config import Settings

    return tz or Settings().timezone


def _parse(args: argparse.Namespace) -> int:
    from agentcron.cadence.api import translate_text

    result = translate_text(" ".join(args.text), _default_zone(args.tz), _now(), args.at)
    rows = [
        ("kind", result.kind),
        ("cron", result.cron),
        ("interval", f"{result.interval_seconds} s" if result.interval_seconds else None),
        ("run at", result.run_at),
        ("time zone", result.timezone),
        ("meaning", result.description),
        ("portable", "yes" if result.portable else "no (needs croniter's L/# or is not cron)"),
    ]
    _print_rows(rows, result.next_runs)
    return 0


def _describe(args: argparse.Namespace) -> int:
    from agentcron.cadence.api import explain_cron
    from agentcron.errors import InvalidRequestError

    if not 1 <= args.count <= 50:
        raise InvalidRequestError("--count must be between 1 and 50.")
    result = explain_cron(args.cron, _default_zone(args.tz), args.count, _now(), args.at)
    rows = [
        ("cron", result.cron),
        ("time zone", result.timezone),
        ("meaning", result.description),
        ("portable", "yes" if result.portable else "no (uses L or #)"),
    ]
    rows += [("warning", w) for w in result.warnings]
    _print_rows(rows, result.next_runs)
    return 0


def _print_rows(rows: list[tuple[str, str | None]], next_runs: list[str]) -> None:
    shown = [(k, v) for k, v in rows if v is not None]
    shown += [("next run" if i == 0 else "", r) for i, r in enumerate(next_runs)]
    width = max(len(k) for k, _ in shown)
    for key, value in shown:
        print(f"{key:<{width}}  {value}")
