"""Assistants: loading the user's TOML file, and firing each type against real parts.

HTTP assistants talk to servers the tests start on 127.0.0.1 (port 0); command assistants run
real Python child processes. Nothing of agentcron's own code is mocked.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from agentcron import __version__
from agentcron.backends.local.assistants import (
    AssistantFailure,
    AssistantRegistry,
    AssistantTimeout,
    CommandAssistant,
    FireRequest,
    format_utc,
    load_assistants,
)
from agentcron.backends.local.assistants.schema import CommandConfig
from agentcron.errors import ConfigError, NotFoundError

FAST_RETRIES = (0.01, 0.02)
SCHEDULED = datetime(2026, 3, 11, 9, 0, tzinfo=timezone.utc)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def request(prompt: str = "check the build", *, chat_id: str | None = None) -> FireRequest:
    return FireRequest(
        task_id="task_1",
        run_id="run_1",
        scheduled_for=SCHEDULED,
        prompt=prompt,
        metadata={"team": "ops"},
        chat_id=chat_id,
        task_name="nightly",
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assistants.toml"
    path.write_text(text, encoding="utf-8")
    return path


def toml_str(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML for these values)."""
    return json.dumps(value)


# --- a real HTTP server on 127.0.0.1 --------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0
    content_type: str = "text/plain"


@dataclass
class HttpSink:
    """Records every POST; answers from `script` in order, then with `respond`."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)
    respond: Callable[[Received], Reply] = lambda _: Reply()
    stop: threading.Event = field(default_factory=threading.Event)

    def reply_to(self, received: Received) -> Reply:
        self.received.append(received)
        return self.script.pop(0) if self.script else self.respond(received)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpSinkServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.http_sink.reply_to(Received(self.path, headers, body))
        if reply.delay and self.server.http_sink.stop.wait(reply.delay):
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (timeout tests)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HttpSinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, http_sink: HttpSink) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.http_sink = http_sink


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    state = HttpSink()
    server = _HttpSinkServer(state)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- loading --------------------------------------------------------------------------------

CONTRACT_FILE = """
default = "notify"

[assistants.notify]
type = "webhook"
url = "https://hooks.example.com/agentcron"
secret_env = "NOTIFY_HMAC_SECRET"
headers = { "X-Team" = "ops" }
timeout_seconds = 30

[assistants.claude]
type = "command"
argv = ["claude", "-p", "{prompt}"]
timeout_seconds = 900
cwd = "~/work"

[assistants.gpt]
type = "openai"
base_url = "https://api.openai.com/v1"
model = "gpt-4o-mini"
api_key_env = "OPENAI_API_KEY"
system = "You are a concise assistant."

[assistants.reminders]
type = "inbox"
"""


def test_load_contract_file_with_every_type(tmp_path: Path) -> None:
    registry = load_assistants(write(tmp_path, CONTRACT_FILE))
    assert registry.default == "notify"
    assert registry.names() == ["claude", "gpt", "inbox", "notify", "reminders"]
    infos = {info.name: info for info in registry.infos()}
    assert {name: info.type for name, info in infos.items()} == {
        "claude": "command",
        "gpt": "openai",
        "inbox": "inbox",
        "notify": "webhook",
        "reminders": "inbox",
    }
    assert [name for name, info in infos.items() if info.is_default] == ["notify"]
    assert infos["notify"].summary == "POST to https://hooks.example.com/agentcron"
    assert infos["claude"].summary == "Runs claude (timeout 900 s)"
    assert infos["gpt"].summary == "Chat completion with model gpt-4o-mini at api.openai.com"
    claude = registry.get("claude")
    assert claude.timeout_seconds == 900
    assert claude.config.cwd == str(Path("~/work").expanduser())  # type: ignore[attr-defined]


def test_default_timeouts(tmp_path: Path) -> None:
    registry = load_assistants(
        write(
            tmp_path,
            """
        [assistants.hook]
        type = "webhook"
        url = "https://example.com/h"
        [assistants.run]
        type = "command"
        argv = ["true"]
        [assistants.chat]
        type = "openai"
        base_url = "http://127.0.0.1:8080/v1"
        model = "llama"
    """,
        )
    )
    timeouts = {name: registry.get(name).timeout_seconds for name in registry.names()}
    assert timeouts == {"chat": 120, "hook": 30, "inbox": 10, "run": 900}
    assert registry.default == "inbox"


def test_missing_file_means_inbox_only(tmp_path: Path) -> None:
    registry = load_assistants(tmp_path / "absent.toml")
    assert registry.names() == ["inbox"]
    assert registry.default == "inbox"
    [info] = registry.infos()
    assert (info.type, info.is_default) == ("inbox", True)


def test_explicit_inbox_and_empty_file(tmp_path: Path) -> None:
    assert load_assistants(write(tmp_path, "")).names() == ["inbox"]
    registry = load_assistants(write(tmp_path, '[assistants.inbox]\ntype = "inbox"\n'))
    assert registry.names() == ["inbox"]


WEBHOOK = '[assistants.notify]\ntype = "webhook"\nurl = "https://example.com/h"\n'
COMMAND = '[assistants.run]\ntype = "command"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('defualt = "inbox"', ["top level", "'defualt'"], id="unknown-top-key"),
        pytest.param('default = "ghost"', ["'default'", "'ghost'", "inbox"], id="default-unknown"),
        pytest.param(WEBHOOK + "urll = 1", ["[assistants.notify]", "'urll'"], id="unknown-key"),
        pytest.param(
            '[assistants.notify]\ntype = "webhok"',
            ["[assistants.notify]", "'type'", "webhok"],
            id="unknown-type",
        ),
        pytest.param(
            '[assistants.notify]\nurl = "https://x"',
            ["[assistants.notify]", "'type'"],
            id="missing-type",
        ),
        pytest.param(
            '[assistants.notify]\ntype = "webhook"',
            ["[assistants.notify]", "'url'"],
            id="missing-url",
        ),
        pytest.param(
            '[assistants.gpt]\ntype = "openai"\nbase_url = "https://x/v1"',
            ["[assistants.gpt]", "'model'"],
            id="missing-model",
        ),
        pytest.param(
            COMMAND + 'argv = "claude -p"', ["[assistants.run]", "'argv'"], id="argv-not-list"
        ),
        pytest.param(
            COMMAND + 'argv = ["claude", 3]',
            ["[assistants.run]", "'argv[1]'"],
            id="argv-item-not-str",
        ),
        pytest.param(COMMAND + "argv = []", ["[assistants.run]", "'argv'"], id="argv-empty"),
        pytest.param(
            COMMAND + 'argv = ["{prompt}"]',
            ["[assistants.run]", "'argv'", "argv[0]"],
            id="prompt-as-program",
        ),
        pytest.param(
            COMMAND + 'argv = ["x"]\ntimeout_seconds = 0',
            ["[assistants.run]", "'timeout_seconds'"],
            id="timeout-zero",
        ),
        pytest.param(
            COMMAND + 'argv = ["x"]\ntimeout_seconds = -5',
            ["[assistants.run]", "'timeout_seconds'"],
            id="timeout-negative",
        ),
        pytest.param(
            COMMAND + 'argv = ["x"]\ntimeout_seconds = "9"',
            ["[assistants.run]", "'timeout_seconds'"],
            id="timeout-string",
        ),
        pytest.param(
            COMMAND + 'argv = ["x"]\ntimeout_seconds = true',
            ["[assistants.run]", "'timeout_seconds'"],
            id="timeout-bool",
        ),
        pytest.param(
            COMMAND + 'argv = ["x"]\ntimeout_seconds = inf',
            ["[assistants.run]", "'timeout_seconds'"],
            id="timeout-inf",
        ),
        pytest.param(
            COMMAND + 'argv = ["x"]\ncwd = "relative/dir"',
            ["[assistants.run]", "'cwd'"],
            id="cwd-relative",
        ),
        pytest.param(
            '[assistants.notify]\ntype = "webhook"\nurl = "ftp://example.com"',
            ["[assistants.notify]", "'url'"],
            id="url-scheme",
        ),
        pytest.param(
            WEBHOOK + 'headers = { "X-Team" = 1 }',
            ["[assistants.notify]", "'headers.X-Team'"],
            id="header-not-str",
        ),
        pytest.param(
            WEBHOOK + 'headers = { "Idempotency-Key" = "x" }',
            ["[assistants.notify]", "'headers'", "Idempotency-Key"],
            id="header-reserved",
        ),
        pytest.param(
            WEBHOOK + 'secret_env = "not a var"',
            ["[assistants.notify]", "'secret_env'"],
            id="secret-env-name",
        ),
        pytest.param(
            '[assistants."bad name"]\ntype = "inbox"',
            ['[assistants."bad name"]', "name"],
            id="bad-name",
        ),
        pytest.param(
            f'[assistants.{"x" * 65}]\ntype = "inbox"', ["[assistants.xxx", "name"], id="long-name"
        ),
        pytest.param(
            '[assistants.inbox]\ntype = "webhook"\nurl = "https://x"',
            ["[assistants.inbox]", "'type'", "inbox"],
            id="inbox-other-type",
        ),
        pytest.param(
            '[assistants.inbox]\ntype = "inbox"\ntimeout_seconds = 3',
            ["[assistants.inbox]", "'timeout_seconds'"],
            id="inbox-extra-key",
        ),
        pytest.param("assistants = 3", ["'assistants'"], id="assistants-not-table"),
        pytest.param(
            "[assistants.run]\ntype = 5", ["[assistants.run]", "'type'"], id="type-not-str"
        ),
        pytest.param("[assistants.run\ntype = 'inbox'", ["TOML", "line 1"], id="toml-syntax"),
    ],
)
def test_invalid_file_names_file_table_and_key(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_assistants(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message, (part, message)


def test_invalid_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "assistants.toml"
    path.write_bytes(b'default = "\xff"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_assistants(path)


def test_missing_secret_env_is_not_a_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOTIFY_HMAC_SECRET", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert "notify" in load_assistants(write(tmp_path, CONTRACT_FILE)).names()


# --- registry -------------------------------------------------------------------------------


def test_unknown_assistant_lists_configured_ones(tmp_path: Path) -> None:
    path = write(tmp_path, WEBHOOK)
    registry = load_assistants(path)
    with pytest.raises(NotFoundError) as caught:
        registry.get("x")
    assert str(caught.value) == (
        f"Unknown assistant 'x'. Configured assistants: inbox, notify. "
        f"Ask the user to add it to {path}."
    )


def test_summary_hides_userinfo_and_query(tmp_path: Path) -> None:
    registry = load_assistants(
        write(
            tmp_path,
            """
        [assistants.hook]
        type = "webhook"
        url = "https://user:hunter2@hooks.example.com:8443/in?token=s3cret#frag"
    """,
        )
    )
    [info] = [i for i in registry.infos() if i.name == "hook"]
    assert info.summary == "POST to https://hooks.example.com:8443/in"


def test_registry_built_in_code_keeps_inbox() -> None:
    registry = AssistantRegistry()
    assert registry.names() == ["inbox"]
    with pytest.raises(ConfigError, match="'ghost'"):
        AssistantRegistry(default="ghost")


# --- firing: inbox and the request ----------------------------------------------------------


@pytest.mark.anyio
async def test_inbox_returns_the_prompt() -> None:
    inbox = AssistantRegistry().get("inbox")
    assert inbox.timeout_seconds == 10
    assert await inbox.fire(request("water the plants")) == "water the plants"


def test_scheduled_for_is_utc_with_z() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_utc(datetime(2026, 3, 11, 10, 0, tzinfo=paris)) == "2026-03-11T09:00:00Z"
    assert format_utc(datetime(2026, 3, 11, 9, 0, 0, 250_000, tzinfo=timezone.utc)) == (
        "2026-03-11T09:00:00.250000Z"
    )
    assert request().idempotency_key == "task_1:2026-03-11T09:00:00Z"


# --- firing: webhook ------------------------------------------------------------------------


def webhook_file(tmp_path: Path, url: str, extra: str = "") -> Path:
    return write(tmp_path, f'[assistants.hook]\ntype = "webhook"\nurl = {toml_str(url)}\n{extra}')


@pytest.mark.anyio
async def test_webhook_sends_contract_request(
    tmp_path: Path, http_sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "s3cret-key")
    path = webhook_file(
        tmp_path,
        http_sink.url + "/agentcron",
        'secret_env = "HOOK_SECRET"\nheaders = { "X-Team" = "ops" }\n',
    )
    hook = load_assistants(path, retry_delays=FAST_RETRIES).get("hook")

    output = await hook.fire(request())

    assert output == "HTTP 200: ok"
    [got] = http_sink.received
    assert got.path == "/agentcron"
    body = got.json()
    assert body["task_id"] == "task_1"
    assert body["run_id"] == "run_1"
    assert body["scheduled_for"] == "2026-03-11T09:00:00Z"
    assert body["prompt"] == "check the build"
    assert body["metadata"] == {"team": "ops"}
    assert body["task_name"] == "nightly"
    key = got.headers["idempotency-key"]
    assert key == f"{body['task_id']}:{body['scheduled_for']}"
    assert re.fullmatch(r"[^:]+:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", key)
    expected = hmac.new(b"s3cret-key", got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["x-agentcron-signature"], f"sha256={expected}")
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == f"agentcron/{__version__}"
    assert got.headers["x-team"] == "ops"


@pytest.mark.anyio
async def test_webhook_without_secret_sends_no_signature(
    tmp_path: Path, http_sink: HttpSink
) -> None:
    hook = load_assistants(webhook_file(tmp_path, http_sink.url)).get("hook")
    await hook.fire(request())
    assert "x-agentcron-signature" not in http_sink.received[0].headers


@pytest.mark.anyio
async def test_webhook_missing_secret_fails_before_sending(
    tmp_path: Path, http_sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOK_SECRET", raising=False)
    hook = load_assistants(webhook_file(tmp_path, http_sink.url, 'secret_env = "HOOK_SECRET"')).get(
        "hook"
    )
    with pytest.raises(AssistantFailure, match="HOOK_SECRET"):
        await hook.fire(request())
    assert http_sink.received == []


@pytest.mark.anyio
async def test_webhook_non_2xx_fails_without_retry(tmp_path: Path, http_sink: HttpSink) -> None:
    http_sink.script = [Reply(400, b"missing field: prompt")]
    hook = load_assistants(webhook_file(tmp_path, http_sink.url), retry_delays=FAST_RETRIES).get(
        "hook"
    )
    with pytest.raises(AssistantFailure) as caught:
        await hook.fire(request())
    assert str(caught.value) == "webhook answered HTTP 400: missing field: prompt"
    assert not isinstance(caught.value, AssistantTimeout)
    assert len(http_sink.received) == 1


@pytest.mark.anyio
async def test_webhook_retries_503_with_same_key(tmp_path: Path, http_sink: HttpSink) -> None:
    http_sink.script = [Reply(503, b"busy"), Reply(503, b"busy"), Reply(200, b"done")]
    hook = load_assistants(webhook_file(tmp_path, http_sink.url), retry_delays=FAST_RETRIES).get(
        "hook"
    )
    assert await hook.fire(request()) == "HTTP 200: done"
    assert len(http_sink.received) == 3
    assert len({r.headers["idempotency-key"] for r in http_sink.received}) == 1
    assert len({r.body for r in http_sink.received}) == 1


@pytest.mark.anyio
async def test_webhook_gives_up_after_three_attempts(tmp_path: Path, http_sink: HttpSink) -> None:
    http_sink.respond = lambda _: Reply(429, b"slow down")
    hook = load_assistants(webhook_file(tmp_path, http_sink.url), retry_delays=FAST_RETRIES).get(
        "hook"
    )
    with pytest.raises(AssistantFailure, match="HTTP 429: slow down"):
        await hook.fire(request())
    assert len(http_sink.received) == 3


@pytest.mark.anyio
async def test_webhook_connection_refused_fails(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook?token=abc"
    hook = load_assistants(webhook_file(tmp_path, url), retry_delays=FAST_RETRIES).get("hook")
    with pytest.raises(AssistantFailure) as caught:
        await hook.fire(request())
    message = str(caught.value)
    assert "could not connect" in message and "3 attempts" in message
    assert "token=abc" not in message


@pytest.mark.anyio
async def test_webhook_timeout(tmp_path: Path, http_sink: HttpSink) -> None:
    http_sink.respond = lambda _: Reply(200, b"late", delay=5)
    path = webhook_file(tmp_path, http_sink.url, "timeout_seconds = 0.3")
    hook = load_assistants(path, retry_delays=FAST_RETRIES).get("hook")
    started = time.monotonic()
    with pytest.raises(AssistantTimeout, match=r"0\.3 s"):
        await hook.fire(request())
    assert time.monotonic() - started < 1.5


@pytest.mark.anyio
async def test_webhook_uses_a_shared_client(tmp_path: Path, http_sink: HttpSink) -> None:
    async with httpx.AsyncClient() as client:
        hook = load_assistants(webhook_file(tmp_path, http_sink.url), http_client=client).get(
            "hook"
        )
        assert await hook.fire(request()) == "HTTP 200: ok"
        assert await hook.fire(request()) == "HTTP 200: ok"
    assert len(http_sink.received) == 2


# --- firing: command ------------------------------------------------------------------------


def command_file(tmp_path: Path, argv: list[str], extra: str = "") -> Path:
    table = f'[assistants.run]\ntype = "command"\nargv = {json.dumps(argv)}\n'
    return write(tmp_path, table + extra)


def python_argv(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.exists():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pids: list[int], within: float = 2.0) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.02)
    return [p for p in pids if alive(p)]


@posix_only
@pytest.mark.anyio
async def test_command_captures_output(tmp_path: Path) -> None:
    code = "import sys; print('out:' + sys.argv[1]); print('careful', file=sys.stderr)"
    run = load_assistants(command_file(tmp_path, python_argv(code, "{prompt}"))).get("run")
    assert await run.fire(request("hi")) == "out:hi\n\n--- stderr ---\ncareful\n"


@posix_only
@pytest.mark.anyio
async def test_command_prompt_is_one_argument(tmp_path: Path) -> None:
    nasty = """a b "c" 'd'; echo pwned > x && $(touch y) | `z` --flag\n2nd line"""
    code = "import json, sys; print(json.dumps(sys.argv[1:]))"
    argv = python_argv(code, "{prompt}", "--msg={prompt}", "fixed")
    run = load_assistants(command_file(tmp_path, argv)).get("run")
    output = await run.fire(request(nasty))
    assert json.loads(output) == [nasty, f"--msg={nasty}", "fixed"]
    assert not (tmp_path / "x").exists() and not Path("y").exists()


@posix_only
@pytest.mark.anyio
async def test_command_environment_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AGENTCRON_HTTP_TOKEN", "tok-never-inherited")
    monkeypatch.setenv("AGENTCRON_UNIQUE_API_KEY", "key-never-inherited")
    monkeypatch.setenv("AGENTCRON_TIMEZONE", "Europe/Berlin")
    (tmp_path / "work").mkdir()
    code = (
        "import json, os; print(json.dumps({k: v for k, v in os.environ.items() "
        "if k.startswith('AGENTCRON_')} | {'cwd': os.getcwd(), 'home': os.environ['HOME']}))"
    )
    run = load_assistants(command_file(tmp_path, python_argv(code), 'cwd = "~/work"')).get("run")
    seen = json.loads(await run.fire(request("remember")))
    assert seen["cwd"] == str((tmp_path / "work").resolve())
    assert seen["home"] == str(tmp_path)  # the parent's environment is passed on
    assert seen["AGENTCRON_TASK_ID"] == "task_1"
    assert seen["AGENTCRON_RUN_ID"] == "run_1"
    assert seen["AGENTCRON_SCHEDULED_FOR"] == "2026-03-11T09:00:00Z"
    assert seen["AGENTCRON_PROMPT"] == "remember"
    assert seen["AGENTCRON_TIMEZONE"] == "Europe/Berlin"  # settings pass on, secrets do not
    assert "AGENTCRON_HTTP_TOKEN" not in seen and "AGENTCRON_UNIQUE_API_KEY" not in seen


@posix_only
@pytest.mark.anyio
async def test_command_nonzero_exit_fails_with_stderr(tmp_path: Path) -> None:
    code = "import sys; print('partial'); sys.exit('disk full')"
    run = load_assistants(command_file(tmp_path, python_argv(code))).get("run")
    with pytest.raises(AssistantFailure) as caught:
        await run.fire(request())
    assert str(caught.value) == "command exited with status 1: disk full"


@posix_only
@pytest.mark.anyio
async def test_command_missing_program_fails(tmp_path: Path) -> None:
    run = load_assistants(command_file(tmp_path, ["agentcron-no-such-program", "{prompt}"])).get(
        "run"
    )
    with pytest.raises(AssistantFailure, match="agentcron-no-such-program"):
        await run.fire(request())


@posix_only
@pytest.mark.anyio
async def test_command_missing_cwd_fails(tmp_path: Path) -> None:
    path = command_file(tmp_path, python_argv("pass"), f"cwd = {toml_str(str(tmp_path / 'gone'))}")
    with pytest.raises(AssistantFailure, match="does not exist"):
        await load_assistants(path).get("run").fire(request())


@posix_only
@pytest.mark.anyio
async def test_command_output_is_bounded(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('x' * 300_000)"
    output = (
        await load_assistants(command_file(tmp_path, python_argv(code))).get("run").fire(request())
    )
    assert output.startswith("x" * 1000)
    assert len(output.encode()) < 70 * 1024
    assert output.endswith("[truncated to 64 KiB]")


# A child that starts a grandchild in its process group, records both pids, then sleeps.
FAMILY = """
import os, subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(f"{os.getpid()} {grandchild.pid}")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(30)
"""


async def family_pids(pid_file: Path) -> list[int]:
    for _ in range(200):
        if pid_file.exists():
            return [int(p) for p in pid_file.read_text().split()]
        await asyncio.sleep(0.01)
    raise AssertionError("the child never wrote its pids")


@posix_only
@pytest.mark.anyio
async def test_command_timeout_kills_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    path = command_file(tmp_path, python_argv(FAMILY, str(pid_file)), "timeout_seconds = 0.8")
    run = load_assistants(path).get("run")
    started = time.monotonic()
    with pytest.raises(AssistantTimeout, match=r"0\.8 s"):
        await run.fire(request())
    assert time.monotonic() - started < 1.8
    pids = [int(p) for p in pid_file.read_text().split()]
    assert wait_gone(pids) == []


@posix_only
@pytest.mark.anyio
async def test_command_cancellation_kills_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    run = load_assistants(command_file(tmp_path, python_argv(FAMILY, str(pid_file)))).get("run")
    fire = asyncio.ensure_future(run.fire(request()))
    pids = await family_pids(pid_file)
    assert all(alive(p) for p in pids)
    fire.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fire
    assert wait_gone(pids, within=0.5) == []


STUBBORN = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(30)
"""


@posix_only
@pytest.mark.anyio
async def test_command_ignoring_sigterm_gets_sigkill(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    config = CommandConfig(
        type="command", argv=python_argv(STUBBORN, str(pid_file)), timeout_seconds=0.5
    )
    run = CommandAssistant("run", config, kill_grace_seconds=0.2)
    with pytest.raises(AssistantTimeout):
        await run.fire(request())
    assert wait_gone(await family_pids(pid_file), within=0.5) == []


# --- firing: openai-compatible --------------------------------------------------------------


class Conversations:
    """In-memory ConversationStore (the real one is SQLite, in the local store)."""

    def __init__(self) -> None:
        self.chats: dict[str, list[dict[str, str]]] = {}

    def load(self, chat_id: str) -> list[dict[str, str]]:
        return list(self.chats.get(chat_id, []))

    def append(self, chat_id: str, messages: list[dict[str, str]]) -> None:
        self.chats.setdefault(chat_id, []).extend(messages)


def completion(text: str) -> Reply:
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
    return Reply(200, json.dumps(body).encode(), content_type="application/json")


def chatty(received: Received) -> Reply:
    """Answers with how many messages it was sent, so history is visible in the reply."""
    return completion(f"reply to {len(received.json()['messages'])} messages")


def openai_file(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    return write(
        tmp_path,
        f"""
        [assistants.gpt]
        type = "openai"
        base_url = {toml_str(base_url)}
        model = "gpt-test"
        api_key_env = "TEST_OPENAI_KEY"
        {extra}
    """,
    )


API_KEY = "sk-test-0123456789abcdef"


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TEST_OPENAI_KEY", API_KEY)
    return API_KEY


@pytest.mark.anyio
async def test_openai_request_shape(tmp_path: Path, http_sink: HttpSink, api_key: str) -> None:
    http_sink.respond = lambda _: completion("Build is green.")
    path = openai_file(tmp_path, http_sink.url + "/v1", 'system = "Be brief."')
    gpt = load_assistants(path).get("gpt")

    assert await gpt.fire(request("How is the build?")) == "Build is green."

    [got] = http_sink.received
    assert got.path == "/v1/chat/completions"
    assert got.headers["authorization"] == f"Bearer {api_key}"
    assert got.headers["content-type"] == "application/json"
    assert got.json() == {
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "How is the build?"},
        ],
    }


@pytest.mark.anyio
async def test_openai_chat_id_continues_conversation(
    tmp_path: Path, http_sink: HttpSink, api_key: str
) -> None:
    http_sink.respond = chatty
    store = Conversations()
    gpt = load_assistants(
        openai_file(tmp_path, http_sink.url + "/v1", 'system = "S"'), conversations=store
    ).get("gpt")

    first = await gpt.fire(request("one", chat_id="c1"))
    second = await gpt.fire(request("two", chat_id="c1"))
    other = await gpt.fire(request("three", chat_id="c2"))
    stateless = await gpt.fire(request("four"))

    assert (first, second, other, stateless) == (
        "reply to 2 messages",
        "reply to 4 messages",
        "reply to 2 messages",
        "reply to 2 messages",
    )
    assert http_sink.received[1].json()["messages"] == [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "reply to 2 messages"},
        {"role": "user", "content": "two"},
    ]
    assert store.chats["c1"] == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "reply to 2 messages"},
        {"role": "user", "content": "two"},
        {"role": "assistant", "content": "reply to 4 messages"},
    ]
    assert set(store.chats) == {"c1", "c2"}


@pytest.mark.anyio
async def test_openai_failure_keeps_history_unchanged(
    tmp_path: Path, http_sink: HttpSink, api_key: str
) -> None:
    http_sink.respond = lambda _: Reply(500, b"oops")
    store = Conversations()
    gpt = load_assistants(
        openai_file(tmp_path, http_sink.url + "/v1"), conversations=store, retry_delays=FAST_RETRIES
    ).get("gpt")
    with pytest.raises(AssistantFailure, match="HTTP 500: oops"):
        await gpt.fire(request("one", chat_id="c1"))
    assert store.chats == {}


def echo_json(received: Received) -> Reply:
    message = f"Incorrect API key provided: {received.headers['authorization']}"
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return Reply(401, json.dumps(body).encode(), content_type="application/json")


def echo_text(received: Received) -> Reply:
    return Reply(502, f"upstream rejected {received.headers['authorization']}".encode())


@pytest.mark.anyio
@pytest.mark.parametrize(("respond", "status"), [(echo_json, 401), (echo_text, 502)])
async def test_openai_key_never_leaks(
    tmp_path: Path,
    http_sink: HttpSink,
    api_key: str,
    respond: Callable[[Received], Reply],
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http_sink.respond = respond
    caplog.set_level("DEBUG", logger="agentcron")
    gpt = load_assistants(
        openai_file(tmp_path, http_sink.url + "/v1"), retry_delays=FAST_RETRIES
    ).get("gpt")
    with pytest.raises(AssistantFailure) as caught:
        await gpt.fire(request())
    message = str(caught.value)
    assert f"HTTP {status}" in message
    assert "[redacted]" in message
    assert api_key not in message
    assert api_key not in caplog.text
    if respond is echo_json:
        assert message.startswith("chat completions endpoint answered HTTP 401: Incorrect API key")


@pytest.mark.anyio
async def test_openai_missing_key_names_variable(
    tmp_path: Path, http_sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_OPENAI_KEY", raising=False)
    gpt = load_assistants(openai_file(tmp_path, http_sink.url + "/v1")).get("gpt")
    with pytest.raises(AssistantFailure, match="TEST_OPENAI_KEY"):
        await gpt.fire(request())
    assert http_sink.received == []


@pytest.mark.anyio
async def test_openai_unexpected_answer_fails(
    tmp_path: Path, http_sink: HttpSink, api_key: str
) -> None:
    http_sink.respond = lambda _: Reply(200, b'{"choices": []}', content_type="application/json")
    gpt = load_assistants(openai_file(tmp_path, http_sink.url + "/v1")).get("gpt")
    with pytest.raises(AssistantFailure, match=r"choices\[0\]\.message\.content"):
        await gpt.fire(request())


@pytest.mark.anyio
async def test_openai_without_key_env_sends_no_authorization(
    tmp_path: Path, http_sink: HttpSink
) -> None:
    http_sink.respond = lambda _: completion("local")
    path = write(
        tmp_path,
        f"""
        [assistants.local]
        type = "openai"
        base_url = {toml_str(http_sink.url + "/v1/")}
        model = "llama"
    """,
    )
    assert await load_assistants(path).get("local").fire(request()) == "local"
    assert http_sink.received[0].path == "/v1/chat/completions"
    assert "authorization" not in http_sink.received[0].headers
