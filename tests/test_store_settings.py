"""AGENTCRON_DB as a PostgreSQL URL: the password never shows, a missing extra is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentcron.backends.local.store import open_store, redact_url
from agentcron.errors import ConfigError
from tests.procs import server_env

SECRET = "s3cr3t-Passw0rd"
URL = f"postgresql://agentcron:{SECRET}@127.0.0.1:1/agentcron"


def test_a_database_url_is_shown_with_its_password_hidden() -> None:
    assert redact_url(URL) == "postgresql://agentcron:***@127.0.0.1:1/agentcron"
    assert redact_url("postgres://u@db.internal/x") == "postgres://u@db.internal/x"


def test_an_unreachable_database_is_one_error_without_the_password() -> None:
    with pytest.raises(ConfigError) as failed:
        open_store(URL)
    assert "postgresql://agentcron:***@127.0.0.1:1/agentcron" in str(failed.value)
    assert SECRET not in str(failed.value)


def test_the_daemon_says_one_line_and_exits_2_without_leaking_the_password(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "agentcron", "scheduler"],
                          env=server_env(tmp_path, AGENTCRON_DB=URL), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "cannot connect to PostgreSQL at postgresql://agentcron:***@" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_a_url_without_the_postgres_extra_names_the_extra(tmp_path: Path) -> None:
    """Simulated by hiding psycopg from the interpreter, as on an install without the extra."""
    hide = ("import sys; sys.modules['psycopg'] = None; "
            "from agentcron.cli import main; raise SystemExit(main())")
    done = subprocess.run([sys.executable, "-c", hide], env=server_env(tmp_path, AGENTCRON_DB=URL),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert 'pip install "agentcron[postgres]"' in done.stderr
    assert SECRET not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""  # stdio mode: nothing but protocol on stdout
