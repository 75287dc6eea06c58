"""OAuth 2.1 resource server (DESIGN.md §13) with tokens minted by PyJWT and a JWKS served on
127.0.0.1: which tokens are refused and why, the key cache, the HTTP answers (401/403, RFC 9728
metadata, WWW-Authenticate) of the real `agentcron serve --http`, and start-up refusals."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from agentcron import oauth
from agentcron.errors import ConfigError
from agentcron.oauth import JwtVerifier, KeyCache, OAuthSettings, TokenRejected
from tests.oauth_issuer import FakeIssuer, forge, public_pem, serve_issuer
from tests.procs import AGENTCRON, ServerProcess, free_port, server_env

pytestmark = pytest.mark.anyio

AUDIENCE = "http://127.0.0.1:8765/mcp"
READY = "agentcron serving MCP over HTTP at"
INITIALIZE = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {},
               "clientInfo": {"name": "raw-test", "version": "1"}},
}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    with serve_issuer() as served:
        yield served


def verifier_for(issuer: FakeIssuer, audience: str = AUDIENCE) -> JwtVerifier:
    settings = OAuthSettings.from_values(issuer.url, audience, None, "agentcron")
    assert settings is not None
    return JwtVerifier(settings)


# --- which tokens get in ---------------------------------------------------------------------


async def test_a_good_token_names_its_principal(issuer: FakeIssuer) -> None:
    access = await verifier_for(issuer).check(issuer.token(AUDIENCE, sub="alice"))
    assert access.subject == "alice"
    assert access.scopes == ["agentcron"]
    assert oauth.owner_of_token(access) == f"{issuer.url}#alice"


async def test_an_audience_list_containing_this_server_is_accepted(issuer: FakeIssuer) -> None:
    token = issuer.token(AUDIENCE, aud=["https://other.example/api", AUDIENCE])
    assert (await verifier_for(issuer).check(token)).subject == "alice"


def _refused_tokens(issuer: FakeIssuer) -> dict[str, tuple[str, str]]:
    """Every kind of token the server must refuse, with the reason it must give."""
    now = int(time.time())
    claims = issuer.claims(AUDIENCE)
    stranger = FakeIssuer(url=issuer.url)
    stranger.add_key("k1")  # same kid, a key the issuer never published
    return {
        "expired": (issuer.token(AUDIENCE, exp=now - 61, iat=now - 700), "expired"),
        "not yet valid": (issuer.token(AUDIENCE, nbf=now + 120), "not valid yet"),
        "wrong audience": (issuer.token("https://elsewhere.example/mcp"),
                           "not issued for this server"),
        "wrong issuer": (issuer.token(AUDIENCE, iss="https://evil.example"), "not issued by"),
        "bad signature": (stranger.token(AUDIENCE), "signature does not verify"),
        "alg none": (forge({"alg": "none", "typ": "JWT"}, claims, None), "'none' is not accepted"),
        "HS256 with the public key": (
            forge({"alg": "HS256", "typ": "JWT", "kid": "k1"}, claims,
                  public_pem(issuer.keys["k1"])), "'HS256' is not accepted"),
        "no sub": (jwt.encode({k: v for k, v in claims.items() if k != "sub"},
                              issuer.keys["k1"], algorithm="RS256", headers={"kid": "k1"}),
                   "no 'sub' claim"),
        "not a JWT": ("opaque-token-value", "not a JWT"),
    }


@pytest.mark.parametrize("kind", ["expired", "not yet valid", "wrong audience", "wrong issuer",
                                  "bad signature", "alg none", "HS256 with the public key",
                                  "no sub", "not a JWT"])
async def test_refused_tokens_say_why(issuer: FakeIssuer, kind: str) -> None:
    token, reason = _refused_tokens(issuer)[kind]
    verifier = verifier_for(issuer)
    with pytest.raises(TokenRejected) as refused:
        await verifier.check(token)
    assert reason in str(refused.value)
    assert token not in str(refused.value)
    assert await verifier.verify_token(token) is None  # the SDK's TokenVerifier answer


async def test_leeway_is_at_most_60_seconds(issuer: FakeIssuer) -> None:
    now = int(time.time())
    verifier = verifier_for(issuer)
    assert await verifier.check(issuer.token(AUDIENCE, exp=now - 30, iat=now - 600))
    with pytest.raises(TokenRejected, match="expired"):
        await verifier.check(issuer.token(AUDIENCE, exp=now - 90, iat=now - 600))


async def test_unknown_kid_refreshes_the_keys_at_most_once_per_interval(issuer: FakeIssuer) -> None:
    clock = [1000.0]
    settings = OAuthSettings.from_values(issuer.url, AUDIENCE, None, "agentcron")
    assert settings is not None
    verifier = JwtVerifier(settings, KeyCache(issuer.url, monotonic=lambda: clock[0]))
    await verifier.check(issuer.token(AUDIENCE))
    assert issuer.jwks_fetches == 1
    await verifier.check(issuer.token(AUDIENCE))
    assert issuer.jwks_fetches == 1  # cached

    issuer.add_key("k2")  # the issuer rotates in a new key
    clock[0] += oauth.REFRESH_INTERVAL
    assert (await verifier.check(issuer.token(AUDIENCE, kid="k2"))).subject == "alice"
    assert issuer.jwks_fetches == 2

    issuer.add_key("k3")
    clock[0] += 1  # too soon for another fetch: a flood of made-up kids cannot hammer it
    for _ in range(5):
        with pytest.raises(TokenRejected, match="kid 'k3'"):
            await verifier.check(issuer.token(AUDIENCE, kid="k3"))
    assert issuer.jwks_fetches == 2
    clock[0] += oauth.REFRESH_INTERVAL
    assert await verifier.check(issuer.token(AUDIENCE, kid="k3"))
    assert issuer.jwks_fetches == 3


def test_half_an_oauth_configuration_is_refused() -> None:
    with pytest.raises(ConfigError, match="AGENTCRON_AUTH_AUDIENCE"):
        OAuthSettings.from_values("https://issuer.example", None, None, "agentcron")
    with pytest.raises(ConfigError, match="https://"):
        OAuthSettings.from_values("http://issuer.example", AUDIENCE, None, "agentcron")
    assert OAuthSettings.from_values(None, None, None, "agentcron") is None


def test_metadata_urls_follow_rfc_8414_then_openid() -> None:
    assert oauth.metadata_urls("https://id.example/tenant1") == [
        "https://id.example/.well-known/oauth-authorization-server/tenant1",
        "https://id.example/tenant1/.well-known/openid-configuration",
    ]


# --- the real server over HTTP ---------------------------------------------------------------


@pytest.fixture
def oauth_server(issuer: FakeIssuer, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    port = free_port()
    audience = f"http://127.0.0.1:{port}/mcp"
    server = ServerProcess(
        ["serve", "--http", "--port", str(port), "--log-level", "DEBUG"],
        server_env(tmp_path, AGENTCRON_AUTH_ISSUER=issuer.url, AGENTCRON_AUTH_AUDIENCE=audience),
        cwd=tmp_path,
    )
    try:
        server.wait_for_stderr(READY)
        yield server, audience
    finally:
        server.stop()


def test_protected_resource_metadata_names_the_issuer(
    oauth_server: tuple[ServerProcess, str], issuer: FakeIssuer
) -> None:
    _, audience = oauth_server
    root = audience.removesuffix("/mcp")
    for path in ("/.well-known/oauth-protected-resource/mcp",
                 "/.well-known/oauth-protected-resource"):
        answer = httpx.get(root + path)
        assert answer.status_code == 200, path
        metadata = answer.json()
        assert metadata["resource"] == audience
        assert metadata["authorization_servers"] == [issuer.url]
        assert metadata["scopes_supported"] == ["agentcron"]


def _post(audience: str, token: str | None) -> httpx.Response:
    headers = dict(MCP_HEADERS)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(audience, json=INITIALIZE, headers=headers)


def test_no_token_gets_401_pointing_at_the_metadata(oauth_server: tuple[ServerProcess, str]) -> None:
    _, audience = oauth_server
    answer = _post(audience, None)
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    metadata_url = audience.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    assert f'resource_metadata="{metadata_url}"' in challenge
    assert 'scope="agentcron"' in challenge
    assert "no bearer token" in answer.json()["error_description"]


def test_refused_tokens_get_401_saying_why_and_are_never_logged(
    oauth_server: tuple[ServerProcess, str], issuer: FakeIssuer
) -> None:
    server, audience = oauth_server
    refused = _refused_tokens(issuer)
    for kind in ("expired", "wrong audience", "bad signature", "alg none",
                 "HS256 with the public key"):
        token, reason = refused[kind]
        answer = _post(audience, token)
        assert answer.status_code == 401, kind
        assert reason in answer.json()["error_description"], kind
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]
        assert token not in answer.text
    good = issuer.token(audience)
    assert _post(audience, good).status_code == 200
    time.sleep(0.3)
    logs = server.stderr
    assert "refused POST /mcp" in logs
    for token, _ in refused.values():
        assert token not in logs
    assert good not in logs
    assert good.split(".")[2] not in logs  # not even the signature part


def test_a_token_without_the_scope_gets_403_insufficient_scope(
    oauth_server: tuple[ServerProcess, str], issuer: FakeIssuer
) -> None:
    _, audience = oauth_server
    answer = _post(audience, issuer.token(audience, scope="profile"))
    assert answer.status_code == 403
    assert answer.json()["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    assert 'scope="agentcron"' in answer.headers["www-authenticate"]


# --- start-up ----------------------------------------------------------------------------------


def _start(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AGENTCRON, "serve", "--http", "--port", str(free_port()), *args],
                          env=server_env(tmp_path, **settings), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


OAUTH = {"AGENTCRON_AUTH_ISSUER": "https://id.example", "AGENTCRON_AUTH_AUDIENCE": AUDIENCE}


def test_static_token_and_oauth_together_is_one_line_exit_2(tmp_path: Path) -> None:
    done = _start(tmp_path, AGENTCRON_HTTP_TOKEN="tok-xyz-secret", **OAUTH)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "choose one" in lines[0], done.stderr
    assert "tok-xyz-secret" not in done.stderr


def test_oauth_with_a_hosted_backend_is_refused_at_start_up(tmp_path: Path) -> None:
    done = _start(tmp_path, AGENTCRON_BACKEND="toolhouse", AGENTCRON_TOOLHOUSE_API_KEY="k", **OAUTH)
    assert done.returncode == 2
    assert "local backend only" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_oauth_counts_as_auth_for_a_non_loopback_bind(tmp_path: Path) -> None:
    refused = _start(tmp_path, "--host", "0.0.0.0")
    assert refused.returncode == 2 and "AGENTCRON_AUTH_ISSUER" in refused.stderr
    # With OAuth the same bind is allowed: it starts (and is stopped by us).
    port = free_port()
    server = ServerProcess(["serve", "--http", "--host", "0.0.0.0", "--port", str(port)],
                           server_env(tmp_path, **OAUTH), cwd=tmp_path)
    try:
        server.wait_for_stderr(READY)
    finally:
        assert server.stop() == 0


async def test_an_unreachable_issuer_is_503_not_the_tokens_fault(issuer: FakeIssuer) -> None:
    settings = OAuthSettings.from_values(issuer.url, AUDIENCE, f"http://127.0.0.1:{free_port()}/jwks",
                                         "agentcron")
    assert settings is not None
    verifier = JwtVerifier(settings)
    for _ in range(2):  # the first fetch fails; the second call is inside the refresh interval
        with pytest.raises(oauth.KeysUnavailable) as refused:
            await verifier.check(issuer.token(AUDIENCE))
        assert refused.value.status == 503
    assert verifier.keys.fetches == 1
