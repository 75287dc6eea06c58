"""A real authorization server for the tests: panva's oidc-provider (tests/node/oidc, installed
by `.ci/run` with `npm ci`), run by node on 127.0.0.1 with the client-credentials grant and
resource indicators, issuing RS256 JWT access tokens. Each client is one owner (its `sub` is
its client id). It exits when the test closes its stdin."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PROVIDER_DIR = Path(__file__).resolve().parent / "node" / "oidc"


@dataclass(frozen=True)
class OidcClient:
    client_id: str
    client_secret: str
    scope: str = "agentcron"


@dataclass
class Provider:
    issuer: str
    stderr: list[str]

    def token(self, client: OidcClient, resource: str, scope: str | None = None) -> str:
        """An access token for `resource` by the client-credentials grant (RFC 8707)."""
        answer = httpx.post(
            f"{self.issuer}/token",
            data={"grant_type": "client_credentials", "scope": scope or client.scope,
                  "resource": resource},
            auth=(client.client_id, client.client_secret),
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


@contextmanager
def oidc_provider(clients: list[OidcClient]) -> Iterator[Provider]:
    """Start the provider; fail (never skip) when node or its packages are missing."""
    node = shutil.which("node")
    assert node, "node is required for the OAuth tests (Debian: apt-get install nodejs)"
    assert (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(), (
        f"run `npm ci` in {PROVIDER_DIR} (.ci/run does) to install oidc-provider")
    spec = [{"client_id": c.client_id, "client_secret": c.client_secret, "scope": c.scope}
            for c in clients]
    process = subprocess.Popen([node, "provider.mjs", json.dumps(spec)], cwd=PROVIDER_DIR,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True).start()  # type: ignore[arg-type]
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, f"oidc-provider did not start:\n{''.join(stderr)}"
        yield Provider(issuer=json.loads(line)["issuer"], stderr=stderr)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
