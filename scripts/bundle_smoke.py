"""Start an unpacked .mcpb the way a host would, and complete initialize + tools/list over stdio.

Usage: python scripts/bundle_smoke.py UNPACKED_DIR INTERPRETER

The command comes from the bundle's manifest (`mcp_config`), with `${__dirname}` and the
`user_config` defaults filled in, in a clean environment (PATH and a throw-away HOME only).
The manifest's `python3` is replaced by INTERPRETER run with `-S`: no site-packages at all,
so every import must come from the bundle's `server/lib`. Standard library only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any


def host_config(bundle: Path) -> tuple[list[str], dict[str, str], list[str]]:
    """The argv and env a host would launch, plus the tool names the manifest promises."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    values = {"__dirname": str(bundle)}
    for key, option in manifest.get("user_config", {}).items():
        default = option.get("default")
        if default is not None:
            values[f"user_config.{key}"] = (
                ("true" if default else "false") if isinstance(default, bool) else str(default)
            )

    def fill(text: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)

    config = manifest["server"]["mcp_config"]
    argv = [fill(a) for a in config.get("args", [])]
    env = {k: fill(v) for k, v in config.get("env", {}).items()}
    return argv, env, [t["name"] for t in manifest.get("tools", [])]


def exchange(proc: subprocess.Popen[str], message: dict[str, Any]) -> dict[str, Any]:
    """Send one request and return its response (skipping notifications)."""
    assert proc.stdin and proc.stdout
    proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the bundled server closed stdout")
        reply: dict[str, Any] = json.loads(line)
        if reply.get("id") == message["id"]:
            return reply


def main(bundle_dir: str, interpreter: str) -> int:
    bundle = Path(bundle_dir).resolve()
    argv, env, promised = host_config(bundle)
    with tempfile.TemporaryDirectory() as home:
        env.update(PATH=os.environ.get("PATH", "/usr/bin:/bin"), HOME=home, LANG="C.UTF-8")
        proc = subprocess.Popen(
            [interpreter, "-S", *argv],
            env=env,
            cwd=home,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        errors: list[str] = []
        threading.Thread(target=lambda: errors.extend(proc.stderr or ()), daemon=True).start()
        timer = threading.Timer(60, proc.kill)
        timer.start()
        try:
            init = exchange(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "bundle-smoke", "version": "1"}}})
            proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')  # type: ignore[union-attr]
            listed = exchange(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
            call = exchange(proc, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": "describe_cron", "arguments": {"cron": "0 9 * * 1-5"}}})
        except (RuntimeError, ValueError) as exc:
            proc.kill()
            proc.wait()
            print(f"bundle smoke test failed: {exc}\n{''.join(errors)}", file=sys.stderr)
            return 1
        finally:
            timer.cancel()
        proc.stdin.close()  # type: ignore[union-attr]
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    names = sorted(t["name"] for t in listed["result"]["tools"])
    missing = sorted(set(promised) - set(names))
    cron = call.get("result", {}).get("structuredContent", {}).get("cron")
    server = init["result"]["serverInfo"]
    print(f"bundle serves {server['name']} {server['version']}: "
          f"{len(names)} tools: {', '.join(names)}")
    if missing or cron != "0 9 * * 1-5":
        print(f"bundle smoke test failed: missing tools {missing}, describe_cron gave {cron!r}\n"
              f"{''.join(errors)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
