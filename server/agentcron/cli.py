"""Command line: `agentcron` serves MCP over stdio (`serve --http`: streamable HTTP);
`parse` and `describe` are for people.

The MCP SDK takes most of a second to import, so the people commands never import it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from agentcron import __version__
from agentcron.errors import AgentcronError
from agentcron.logs import configure_logging

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from agentcron.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcron",
        description="A scheduler for LLM agents, served over MCP. Without a command: serve on stdio.",
    )
    parser.add_argument("--version", action="version", version=f"agentcron {__version__}")
    _add_log_level(parser, default=None)
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser(
        "serve", help="Serve MCP over stdio (the default), or over streamable HTTP with --http."
    )
    serve.add_argument(
        "--http",
        action="store_true",
        help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="Address to bind with --http (default 127.0.0.1). Anything but loopback "
        "(127.0.0.0/8, ::1, localhost) requires AGENTCRON_HTTP_TOKEN.",
    )
    serve.add_argument(
        "--port", type=int, default=8765, help="Port to bind with --http (default 8765)."
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="With --http: a Host header value clients use (e.g. sched.example.com); turns on "
        "the DNS-rebinding Host/Origin check for it. Repeatable. Loopback names are always "
        "allowed on a loopback bind.",
    )
    _add_log_level(serve)

    scheduler = commands.add_parser(
        "scheduler",
        help="Run only the firing loop, as an always-on daemon (systemd/launchd); "
        "stops cleanly on SIGTERM/SIGINT.",
    )
    _add_log_level(scheduler)

    tasks = commands.add_parser("tasks", help="Look at scheduled tasks and their runs.")
    task_commands = tasks.add_subparsers(dest="tasks_command", required=True)
    listing = task_commands.add_parser("list", help="Tasks, soonest next run first.")
    listing.add_argument("--limit", type=int, default=50, help="At most this many (1-100).")
    show = task_commands.add_parser("show", help="One task in full.")
    show.add_argument("task_id")
    runs = task_commands.add_parser("runs", help="A task's runs, newest first.")
    runs.add_argument("task_id")
    runs.add_argument("--limit", type=int, default=20, help="At most this many (1-100).")

    pause = commands.add_parser(
        "pause-all", help="Pause every task at once, on every runner sharing the database.")
    pause.add_argument("--reason", help="Why, shown to agents in list_scheduled_tasks.")
    commands.add_parser("resume-all", help="Lift pause-all: tasks fire from their next run.")

    calendar = commands.add_parser(
        "calendar", help="Print the next runs as iCalendar (RFC 5545), for a calendar program."
    )
    calendar.add_argument("--days", type=int, default=30, help="How many days ahead (1-366).")
    calendar.add_argument("--task", metavar="ID", help="Only this task (default: every enabled task).")

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


def _add_log_level(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    """--log-level works before or after `serve`; the subcommand's copy only overrides if given."""
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        type=str.upper,
        default=default,
        help="Log level (stderr only); default AGENTCRON_LOG_LEVEL or INFO.",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "parse":
            return _parse(args)
        if args.command == "describe":
            return _describe(args)
        if args.command == "scheduler":
            from agentcron.daemon import run_scheduler

            return run_scheduler(args.log_level)
        if args.command == "calendar":
            from agentcron.views.calendar_export import run_calendar_command

            sys.stdout.buffer.write(run_calendar_command(args.days, args.task).encode("utf-8"))
            sys.stdout.flush()
            return 0
        if args.command in ("pause-all", "resume-all"):
            from agentcron.pause_cli import run_pause_command

            return run_pause_command(args.command, getattr(args, "reason", None))
        if args.command == "tasks":
            from agentcron.tasks_cli import run_tasks_command

            return run_tasks_command(args)
        return _serve(args)
    except AgentcronError as exc:
        print(f"agentcron: {exc}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace) -> int:
    from agentcron.config import Settings

    settings = Settings()
    if args.log_level:  # the flag wins over AGENTCRON_LOG_LEVEL, for our logs and the SDK's
        settings = settings.model_copy(update={"log_level": args.log_level})
    configure_logging(settings.log_level)
    if getattr(args, "http", False):
        return _serve_http(args, settings)
    check_configuration(settings)

    import asyncio

    from agentcron.app import build_server

    return asyncio.run(serve_stdio_until_signal(build_server(settings)))


async def serve_stdio_until_signal(server: MCPServer) -> int:
    """Serve stdio until the client hangs up or a SIGTERM/SIGINT arrives; on a signal, stop
    the in-process runner the way the daemon does (5 s grace, then interrupted) and exit 0."""
    import asyncio
    import signal

    from agentcron.app import close_open_backends

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(server.run_stdio_async())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if stop.is_set():
        await close_open_backends()
        # Everything worth keeping is written. The SDK reads stdin in a worker thread that no
        # cancellation can interrupt, so a clean return would hang until the client closes
        # stdin: leave now instead.
        logging.shutdown()
        os._exit(0)
    stopping.cancel()
    await asyncio.gather(serving, stopping, return_exceptions=True)
    return 0


def _serve_http(args: argparse.Namespace, settings: Settings) -> int:
    """Check the token rule before importing the MCP SDK, so a refused start fails fast."""
    from agentcron import transport

    token = settings.http_token.get_secret_value().strip() if settings.http_token else ""
    transport.require_token_if_exposed(args.host, token or None)
    check_configuration(settings)

    from agentcron.app import build_server

    transport.serve_http(
        build_server(settings),
        host=args.host,
        port=args.port,
        token=token or None,
        allowed_hosts=args.allowed_host,
        log_level=settings.log_level,
    )
    return 0


def check_configuration(settings: Settings) -> None:
    """Fail at start-up with one clear line, not a traceback at the first call: the assistants
    file (local backend: naming file, table and key), a PostgreSQL URL without the extra, or a
    hosted backend's required settings."""
    if settings.backend == "local":
        from agentcron.backends.local.assistants import check_assistants_file
        from agentcron.backends.local.store import require_store_driver

        require_store_driver(settings.db)
        check_assistants_file(settings.assistants)
    else:
        from agentcron.backends.factory import build_backend

        build_backend(settings)  # validates the settings; connects to nothing


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
        ("rule", result.rrule),
        ("starts at", result.starts_at),
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
