"""The firing path performs no import per fire, as installed by `pip install .` (issue 16).

A failed import scans sys.path: httpcore tried `import sniffio` on every request, which the
development venv satisfied (a test extra brings sniffio) but a plain install did not, costing
12% of a daemon's CPU. The probe hides every package a plain install lacks, warms up, then
fires 200 webhooks through the daemon's own backend and records each import lookup.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Database, Sink, write_assistants

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).parent / "fault_scripts" / "firing_imports.py"
WARMUP = 20
FIRES = 200


def test_200_webhooks_fire_without_a_single_import_lookup(
    tmp_path: Path, sink: Sink, database: Database
) -> None:
    assistants = write_assistants(
        tmp_path / "assistants.toml",
        f'default = "hook"\n[assistants.hook]\ntype = "webhook"\nurl = "{sink.url}"\n',
    )
    env = {**os.environ, "AGENTCRON_DB": database.url, "AGENTCRON_ASSISTANTS": str(assistants),
           "AGENTCRON_LOG_LEVEL": "WARNING"}
    extra = "postgres" if database.dialect == "postgres" else ""
    done = subprocess.run(
        [sys.executable, str(PROBE), str(ROOT / "pyproject.toml"), extra, str(WARMUP),
         str(FIRES)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["fired"] == WARMUP + FIRES
    assert len(set(sink.keys())) == WARMUP + FIRES  # each webhook really arrived, once
    assert result["lookups"] == [], (
        f"{result['lookup_count']} import lookups while {FIRES} webhooks fired: "
        f"{result['lookups']}")


def test_the_probe_sees_a_failed_import_per_fire(tmp_path: Path) -> None:
    """The watch itself: a package a plain install lacks is hidden and each attempt counted."""
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(PROBE.parent)!r})\n"
        "from pathlib import Path\n"
        "import firing_imports as f\n"
        f"watch = f.ImportWatch(f.installed_closure(Path({str(ROOT / 'pyproject.toml')!r}), ''))\n"
        "sys.meta_path.insert(0, watch)\n"
        "watch.armed = True\n"
        "for _ in range(3):\n"
        "    try:\n"
        "        import pytest\n"  # a test extra, never installed by `pip install .`
        "    except ImportError:\n"
        "        pass\n"
        "import json\n"  # already loaded: no lookup
        "print(len(watch.lookups), 'pytest' in watch.hidden)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "True"]
