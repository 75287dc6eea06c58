"""A venv made the way the README tells users to install agentcron, for benches to run it from.

`python3 -m venv X && X/bin/pip install .` (or `".[postgres]"` for the PostgreSQL dialect) from a
clean copy of the source tree: the files git tracks or would track, as they are now, without
the development venv's test extras. The venv is kept under the user's cache directory, keyed by
a hash of those files and the extra, so a bench run builds it once and later runs reuse it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agentcron-bench"


@dataclass(frozen=True)
class InstalledVenv:
    """Where the venv is and the command that made it (for the bench's output)."""

    python: Path
    command: str
    reused: bool

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """`base` without anything that would load the development tree instead of the venv's."""
        clean = {k: v for k, v in base.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        clean["PATH"] = f"{self.python.parent}{os.pathsep}{base.get('PATH', '')}"
        return clean


def source_files() -> list[str]:
    """The files git tracks or would track (untracked ones not ignored), as a clean copy has."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        check=True, capture_output=True,
    ).stdout.decode()
    return sorted(p for p in listed.split("\0") if p and (ROOT / p).is_file())


def tree_hash(files: list[str], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for name in files:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def installed_venv(extra: str = "") -> InstalledVenv:
    """The venv for this source tree (built now if no earlier run built it)."""
    files = source_files()
    target = f".[{extra}]" if extra else "."
    venv = CACHE / f"venv-{tree_hash(files, extra)}"
    python = venv / "bin" / "python"
    command = f"python3 -m venv X && X/bin/pip install {target!r}" if extra else \
        "python3 -m venv X && X/bin/pip install ."
    if (venv / "done").exists():
        return InstalledVenv(python, command, reused=True)
    shutil.rmtree(venv, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "agentcron"
        for name in files:
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        print(f"building the as-installed venv: {command} (from a clean copy, in {venv})",
              file=sys.stderr, flush=True)
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True, env=env)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", target],
                       check=True, cwd=copy, env=env)
    (venv / "done").write_text(command + "\n")
    return InstalledVenv(python, command, reused=False)


def installed_packages(venv: InstalledVenv) -> list[str]:
    """`pip freeze` of the venv: what a user of that install command has."""
    out = subprocess.run([str(venv.python), "-m", "pip", "freeze"], check=True,
                         capture_output=True, text=True, env=venv.env(dict(os.environ))).stdout
    return out.split()
