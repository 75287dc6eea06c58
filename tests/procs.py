"""Helpers for tests that start the real `agentcron` command as a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

AGENTCRON = [sys.executable, "-m", "agentcron"]


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(home: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without any AGENTCRON_ setting, data kept under `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTCRON_")}
    env.update(
        AGENTCRON_DB=str(home / "agentcron.db"),
        AGENTCRON_ASSISTANTS=str(home / "assistants.toml"),
        AGENTCRON_RUNNER="off",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


class ServerProcess:
    """A running `agentcron ...` whose stdout and stderr are collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [*AGENTCRON, *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._readers = [
            threading.Thread(target=self._drain, args=(stream, lines), daemon=True)
            for stream, lines in (
                (self.proc.stdout, self.stdout_lines),
                (self.proc.stderr, self.stderr_lines),
            )
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _drain(stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def wait_for_stderr(self, text: str, timeout: float = 30.0) -> str:
        """Wait for a stderr line containing `text`; fail with the server's stderr if it died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stderr_lines):
                if text in line:
                    return line
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the readers catch the last lines
                raise AssertionError(
                    f"server exited with {self.proc.returncode} before {text!r}:\n{self.stderr}"
                )
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} on stderr within {timeout} s:\n{self.stderr}")

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after 10 s; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for reader in self._readers:
            reader.join(timeout=5)
        return self.proc.returncode
