"""Start-up cost of the stdio server against a bare MCPServer, measured in the same run.

Each sample spawns a process, sends `initialize` on stdin and times the answer on stdout:
`agentcron` (default settings: local backend, runner on, a fresh database and an assistants
file) against a script that only imports `MCPServer` and serves. Samples alternate so both
see the same machine load. Target: median ratio at most 1.15.

agentcron's modules are byte-compiled first, as `pip install` does: an editable checkout with
PYTHONDONTWRITEBYTECODE set would otherwise compile ~40 modules from source at every start,
which no installed copy does (the SDK's modules in site-packages are compiled already).

    python bench/startup.py [--samples 30]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_SERVER = (
    "from mcp.server.mcpserver import MCPServer\n"
    "MCPServer('bare').run()\n"
)
INITIALIZE = json.dumps({
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {},
               "clientInfo": {"name": "startup-bench", "version": "0"}},
}) + "\n"


def time_to_initialize(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from spawn to the initialize result."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(INITIALIZE)
    process.stdin.flush()
    answer = process.stdout.readline()
    elapsed = time.perf_counter() - started
    if '"result"' not in answer:
        raise RuntimeError(f"{argv}: no initialize result: {answer!r}")
    process.stdin.close()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    import agentcron

    compileall.compile_dir(Path(agentcron.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        assistants = Path(tmp) / "assistants.toml"
        assistants.write_text('[assistants.notify]\ntype = "webhook"\n'
                              'url = "http://127.0.0.1:9/hook"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTCRON_")}
        ours_env = {**env, "AGENTCRON_DB": str(Path(tmp) / "agentcron.db"),
                    "AGENTCRON_ASSISTANTS": str(assistants)}
        bare = [sys.executable, "-c", BARE_SERVER]
        ours = [sys.executable, "-m", "agentcron"]
        time_to_initialize(ours, ours_env)  # the first start creates the database
        bare_times, our_times = [], []
        for _ in range(args.samples):
            bare_times.append(time_to_initialize(bare, env))
            our_times.append(time_to_initialize(ours, ours_env))
    bare_median, our_median = statistics.median(bare_times), statistics.median(our_times)
    print(f"bare MCPServer: median {bare_median * 1000:.0f} ms to the initialize result")
    print(f"agentcron:      median {our_median * 1000:.0f} ms (runner on, local backend)")
    print(f"ratio {our_median / bare_median:.2f}   (target at most 1.15)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
