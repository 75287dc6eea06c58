"""The command line for people: parse, describe, tasks list|show|runs (real subprocesses)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from agentcron.backends.local.assistants import load_assistants
from agentcron.backends.local.backend import LocalBackend
from agentcron.backends.local.store import open_store
from agentcron.models import Schedule, TaskSpec


def agentcron(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agentcron", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def test_parse_prints_the_schedule_readably() -> None:
    done = agentcron("parse", "every weekday at 9am Europe/Berlin", "--at", "2026-03-11T10:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "0 9 * * 1-5" in done.stdout and "Europe/Berlin" in done.stdout
    assert "2026-03-12T09:00:00+01:00" in done.stdout


def test_parse_prints_a_calendar_rule_and_its_start() -> None:
    """A rule's meaning is not enough to paste it elsewhere: the RRULE and DTSTART are shown."""
    done = agentcron("parse", "every other monday at 9am", "--tz", "Europe/Berlin",
                     "--at", "2026-12-05T10:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0" in done.stdout
    assert "2026-12-07T09:00:00+01:00" in done.stdout.split("starts at", 1)[1].splitlines()[0]


def test_describe_uses_the_zone_and_lists_runs() -> None:
    done = agentcron("describe", "0 9 * * 1-5", "--tz", "Asia/Tokyo", "--at", "2026-03-11T10:00:00Z",
                     "--count", "3")
    assert done.returncode == 0, done.stderr
    assert "Asia/Tokyo" in done.stdout and "2026-03-12T09:00:00+09:00" in done.stdout


def test_bad_input_exits_2_with_the_reason_on_stderr() -> None:
    done = agentcron("parse", "every blue moon")
    assert done.returncode == 2 and "blue" in done.stderr and done.stdout == ""
    done = agentcron("describe", "0 0 31 2 *")
    assert done.returncode == 2 and "never fires" in done.stderr


def test_tasks_list_show_and_runs(tmp_path: Path) -> None:
    db, assistants = tmp_path / "cli.db", tmp_path / "none.toml"

    async def create() -> str:
        backend = LocalBackend(open_store(db), load_assistants(assistants), scheduling=False)
        task = await backend.create_task(TaskSpec(
            prompt="water the plants", name="plants",
            schedule=Schedule(kind="cron", cron="0 8 * * *", timezone="Europe/Berlin")))
        await backend.start()
        await backend.run_task_now(task.id)
        await backend.close()
        return task.id

    task_id = asyncio.run(create())
    env = {"AGENTCRON_DB": str(db), "AGENTCRON_ASSISTANTS": str(assistants)}
    listing = agentcron("tasks", "list", env=env)
    assert listing.returncode == 0, listing.stderr
    assert task_id in listing.stdout and "plants" in listing.stdout and "1 of 1 task(s)" in listing.stdout
    shown = agentcron("tasks", "show", task_id, env=env)
    assert "water the plants" in shown.stdout and "Europe/Berlin" in shown.stdout
    runs = agentcron("tasks", "runs", task_id, env=env)
    assert "succeeded" in runs.stdout and "water the plants" in runs.stdout
    missing = agentcron("tasks", "show", "task_nope", env=env)
    assert missing.returncode == 2 and "No task" in missing.stderr


def test_missing_backend_setting_is_one_line_at_start_up_not_a_traceback() -> None:
    done = agentcron(env={"AGENTCRON_BACKEND": "toolhouse", "AGENTCRON_TOOLHOUSE_API_KEY": ""})
    assert done.returncode == 2 and done.stdout == ""
    assert "AGENTCRON_TOOLHOUSE_API_KEY" in done.stderr and "Traceback" not in done.stderr


def test_bad_assistants_file_stops_server_and_scheduler_naming_table_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "assistants.toml"
    bad.write_text('[assistants.notify]\ntype = "webhook"\nurll = "http://127.0.0.1:1/x"\n')
    env = {"AGENTCRON_ASSISTANTS": str(bad), "AGENTCRON_DB": str(tmp_path / "x.db")}
    for args in ((), ("scheduler",)):
        done = agentcron(*args, env=env)
        assert done.returncode == 2, args
        assert str(bad) in done.stderr and "[assistants.notify]" in done.stderr and "urll" in done.stderr
        assert "Traceback" not in done.stderr
