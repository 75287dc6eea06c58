"""The `command` assistant: run the user's fixed argv, no shell, in its own process group.

`{prompt}` is replaced inside each argument with `str.replace`, so the prompt always stays
inside the argument the user wrote ("--msg={prompt}" works) and shell syntax in it is inert.
The program (argv[0]) never contains `{prompt}` (checked when the file is loaded). A prompt
that starts with "-" may still look like an option to the program: write
`["tool", "--", "{prompt}"]` if the program accepts `--`.

The child gets this process's environment, minus agentcron's own secrets (the HTTP token and
the hosted backends' API keys: a command is not meant to act as agentcron), plus
AGENTCRON_TASK_ID, AGENTCRON_RUN_ID, AGENTCRON_SCHEDULED_FOR, AGENTCRON_PROMPT and AGENTCRON_OWNER
(`local`, or `<issuer>#<sub>` under OAuth), and no stdin. On timeout or cancellation
(runner shutdown) the whole process group gets SIGTERM, then SIGKILL after KILL_GRACE_SECONDS,
so helpers the program started die with it. When the program exits by itself, processes it left
running in the background are left alone, as cron does.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Literal

from agentcron.backends.local.assistants.base import (
    ERROR_EXCERPT_CHARS,
    MAX_CAPTURE_BYTES,
    AssistantFailure,
    AssistantTimeout,
    FireRequest,
    excerpt,
    logger,
)
from agentcron.backends.local.assistants.process_group import (
    KILL_GRACE_SECONDS,
    terminate_group,
)
from agentcron.backends.local.assistants.schema import PROMPT_PLACEHOLDER, CommandConfig

PIPE_DRAIN_SECONDS = 1.0  # after exit, how long background children may hold our pipes open
STDERR_SEPARATOR = "\n--- stderr ---\n"
TRUNCATION_NOTE = "\n[truncated to 64 KiB]"


class _Capture:
    """Drains a pipe to EOF (so the child never blocks on a full pipe), keeping a bounded part."""

    def __init__(self, keep: Literal["head", "tail"]) -> None:
        self.keep = keep
        self.data = bytearray()
        self.dropped = False

    async def drain(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(MAX_CAPTURE_BYTES):
            self.data += chunk
            if len(self.data) > MAX_CAPTURE_BYTES:
                self.dropped = True
                if self.keep == "head":
                    del self.data[MAX_CAPTURE_BYTES:]
                else:
                    del self.data[:-MAX_CAPTURE_BYTES]

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        if not self.dropped:
            return text
        return text + TRUNCATION_NOTE if self.keep == "head" else "[...]" + text


def render_argv(template: list[str], prompt: str) -> list[str]:
    """Substitute the prompt inside each argument; the count of arguments never changes."""
    return [arg.replace(PROMPT_PLACEHOLDER, prompt) for arg in template]


# agentcron settings a command never inherits (AGENTCRON_HTTP_TOKEN, AGENTCRON_*_API_KEY).
SECRET_SUFFIXES = ("_TOKEN", "_API_KEY", "_SECRET")


class CommandAssistant:
    """Runs the configured program; success is exit status 0."""

    type: Literal["command"] = "command"

    def __init__(
        self, name: str, config: CommandConfig, *, kill_grace_seconds: float = KILL_GRACE_SECONDS
    ) -> None:
        self.name = name
        self.config = config
        self.timeout_seconds = config.timeout_seconds
        self.program = config.argv[0]
        self.summary = f"Runs {self.program} (timeout {config.timeout_seconds:g} s)"
        self._kill_grace = kill_grace_seconds

    def _environment(self, request: FireRequest) -> dict[str, str]:
        inherited = {
            key: value for key, value in os.environ.items()
            if not (key.startswith("AGENTCRON_") and key.endswith(SECRET_SUFFIXES))
        }
        return {
            **inherited,
            "AGENTCRON_TASK_ID": request.task_id,
            "AGENTCRON_RUN_ID": request.run_id,
            "AGENTCRON_SCHEDULED_FOR": request.scheduled_for_text,
            "AGENTCRON_PROMPT": request.prompt,
            "AGENTCRON_OWNER": request.owner,
        }

    async def _spawn(self, request: FireRequest) -> asyncio.subprocess.Process:
        cwd = self.config.cwd
        if cwd is not None and not Path(cwd).is_dir():
            raise AssistantFailure(
                f"working directory {cwd} (cwd of assistant '{self.name}') does not exist"
            )
        try:
            return await asyncio.create_subprocess_exec(
                *render_argv(self.config.argv, request.prompt),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd,
                env=self._environment(request),
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise AssistantFailure(
                f"command not found: '{self.program}' (argv[0] of assistant '{self.name}'); "
                "use an absolute path if it is not on the agentcron process's PATH"
            ) from exc
        except PermissionError as exc:
            raise AssistantFailure(f"command '{self.program}' is not executable") from exc
        except ValueError as exc:  # a NUL character in the prompt
            raise AssistantFailure(
                "the prompt contains a NUL character, which cannot be passed to a command"
            ) from exc
        except OSError as exc:
            raise AssistantFailure(
                f"could not start '{self.program}': {exc.strerror or type(exc).__name__}"
            ) from exc

    async def _collect(self, proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
        """Wait for exit while draining both pipes; returns (status, stdout, stderr)."""
        assert proc.stdout is not None and proc.stderr is not None
        out, err = _Capture("head"), _Capture("tail")
        readers = [
            asyncio.ensure_future(out.drain(proc.stdout)),
            asyncio.ensure_future(err.drain(proc.stderr)),
        ]
        try:
            status = await proc.wait()
            # A background child may keep the pipes open long after the program exited.
            await asyncio.wait(readers, timeout=PIPE_DRAIN_SECONDS)
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
        return status, out.text(), err.text()

    async def fire(self, request: FireRequest) -> str:
        logger.info("assistant '%s': running %s for run %s", self.name, self.program,
                    request.run_id)
        logger.debug("assistant '%s': prompt %r", self.name, request.prompt)
        proc = await self._spawn(request)
        try:
            async with asyncio.timeout(self.timeout_seconds):
                status, stdout, stderr = await self._collect(proc)
        except TimeoutError:
            await terminate_group(proc, self._kill_grace)
            raise AssistantTimeout(
                f"command '{self.program}' ran longer than {self.timeout_seconds:g} s "
                "and was killed with its process group"
            ) from None
        except BaseException:  # cancelled (runner shutdown) or a bug: never leave it running
            await terminate_group(proc, self._kill_grace)
            raise
        if status != 0:
            raise AssistantFailure(self._failure(status, stdout, stderr))
        return stdout + (STDERR_SEPARATOR + stderr if stderr else "")

    def _failure(self, status: int, stdout: str, stderr: str) -> str:
        if status < 0:
            try:
                how = f"was killed by signal {signal.Signals(-status).name}"
            except ValueError:
                how = f"was killed by signal {-status}"
        else:
            how = f"exited with status {status}"
        if stderr.strip():
            return f"command {how}: {excerpt(stderr, ERROR_EXCERPT_CHARS, tail=True)}"
        if stdout.strip():
            tail = excerpt(stdout, ERROR_EXCERPT_CHARS, tail=True)
            return f"command {how} (no stderr; stdout ends: {tail})"
        return f"command {how} (no output)"
