"""Entry point of the MCP Bundle (manifest.json): serve agentcron on stdio.

Why a launcher rather than `python -m agentcron`: a bundle host writes every `user_config`
value into the environment, including the ones the user left empty (as "" or, with no default,
as the literal `${user_config.x}`). Those must mean "not set", so the settings' own defaults
(platform data directory, UTC, ...) apply. The host's checkbox gives "true"/"false" where
AGENTCRON_RUNNER wants "on"/"off". The vendored dependencies come from `server/lib` via the
manifest's PYTHONPATH; this file's own folder (`server/`) is on sys.path as the script's
directory, so the `agentcron` package next to it is found.
"""

from __future__ import annotations

import os
import sys

PREFIX = "AGENTCRON_"
SWITCHES = {"true": "on", "false": "off", "1": "on", "0": "off"}


def clean_environment(environ: dict[str, str] | os._Environ[str]) -> None:
    """Drop empty or unfilled AGENTCRON_ settings; map checkbox values of AGENTCRON_RUNNER."""
    for key in [k for k in environ if k.startswith(PREFIX)]:
        value = environ[key].strip()
        if not value or value.startswith("${user_config."):
            del environ[key]
        elif key == PREFIX + "RUNNER":
            environ[key] = SWITCHES.get(value.lower(), value)


def main() -> int:
    if sys.version_info < (3, 11):
        print(f"agentcron needs Python 3.11 or newer; this is {sys.version.split()[0]} "
              f"({sys.executable}).", file=sys.stderr)
        return 1
    clean_environment(os.environ)
    try:
        import mcp  # noqa: F401  (compiled dependencies load here, or fail clearly)
        import pydantic_core  # noqa: F401

        from agentcron.cli import main as cli_main
    except ImportError as exc:
        # Most likely compiled wheels in server/lib built for another Python or platform.
        print(f"agentcron bundle: cannot load its dependencies ({exc}) with Python "
              f"{sys.version_info[0]}.{sys.version_info[1]} on {sys.platform}; the bundle runs "
              "on the Python version and platform in its manifest's `compatibility`.",
              file=sys.stderr)
        return 1
    return cli_main(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main())
