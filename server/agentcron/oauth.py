"""OAuth 2.1 resource server (DESIGN.md §13): JWT access tokens checked against the issuer's JWKS.

Why it looks the way it does:
- The MCP authorization spec makes agentcron a resource server: it accepts only tokens its
  authorization server issued *for it* (RFC 8707: `aud` contains AGENTCRON_AUTH_AUDIENCE),
  signed with an asymmetric key the issuer publishes. `none` and every HMAC algorithm are
  refused before any key is looked at, so a token "signed" with the public key as an HMAC
  secret (the classic RS256 -> HS256 confusion) never verifies.
- PyJWT does the cryptography and the registered-claim checks; this module only fetches and
  caches the keys (refreshed when a token names an unknown `kid`, at most once per
  REFRESH_INTERVAL so a flood of made-up `kid`s cannot hammer the issuer) and says why a
  token was refused, in words that never contain the token.
- `JwtVerifier` is the SDK's `TokenVerifier`, so the SDK's own middleware, session binding and
  protected-resource metadata route are used as they are.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import jwt

from agentcron.errors import ConfigError
from agentcron.principal import owner_of
from agentcron.transport import bearer_credentials, client_label, send_json

if TYPE_CHECKING:  # the SDK loads slowly: a refused start-up should not wait for it
    from mcp.server.auth.provider import AccessToken

logger = logging.getLogger("agentcron.oauth")

# Asymmetric signatures only: RSA, RSA-PSS, ECDSA, EdDSA. Never `none`, never HS*.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 60
REFRESH_INTERVAL = 30.0  # seconds between JWKS fetches caused by unknown `kid`s
FETCH_TIMEOUT = 10.0
ISSUER_ENV, AUDIENCE_ENV = "AGENTCRON_AUTH_ISSUER", "AGENTCRON_AUTH_AUDIENCE"


class TokenRejected(Exception):
    """A token that does not let the request in; the message says why (never the token)."""

    def __init__(self, reason: str, status: int = 401, error: str = "invalid_token") -> None:
        super().__init__(reason)
        self.status = status
        self.error = error


class KeysUnavailable(TokenRejected):
    """The issuer's keys could not be fetched: our problem, not the token's."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, status=503, error="temporarily_unavailable")


@dataclass(frozen=True)
class OAuthSettings:
    """What AGENTCRON_AUTH_* say, checked once at start-up."""

    issuer: str
    audience: str
    scopes: tuple[str, ...]
    jwks_url: str | None = None

    @classmethod
    def from_values(cls, issuer: str | None, audience: str | None, jwks_url: str | None,
                    scopes: str) -> OAuthSettings | None:
        """None when OAuth is off (neither set); ConfigError for half a configuration."""
        if not issuer and not audience:
            return None
        if not issuer or not audience:
            missing = ISSUER_ENV if not issuer else AUDIENCE_ENV
            raise ConfigError(
                f"OAuth needs both {ISSUER_ENV} and {AUDIENCE_ENV}; {missing} is not set "
                f"(e.g. {AUDIENCE_ENV}=https://cron.example.com/mcp)."
            )
        for name, url in ((ISSUER_ENV, issuer), (AUDIENCE_ENV, audience),
                          ("AGENTCRON_AUTH_JWKS_URL", jwks_url)):
            if url is not None:
                _check_url(name, url)
        wanted = tuple(scopes.split())
        if not wanted:
            raise ConfigError("AGENTCRON_AUTH_SCOPES is empty; name at least one scope, "
                              "e.g. AGENTCRON_AUTH_SCOPES=agentcron.")
        return cls(issuer=issuer, audience=audience, scopes=wanted, jwks_url=jwks_url)


def _check_url(name: str, url: str) -> None:
    """https, or http on loopback (a provider on the same machine, tests)."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback) or not parts.hostname:
        raise ConfigError(f"{name}={url!r} must be an https:// URL (http:// only on 127.0.0.1).")


def metadata_urls(issuer: str) -> list[str]:
    """Where the issuer's metadata may live: RFC 8414 (well-known before the path), then
    OpenID Connect Discovery (appended)."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    root = f"{parts.scheme}://{parts.netloc}"
    return [f"{root}/.well-known/oauth-authorization-server{path}",
            f"{root}{path}/.well-known/openid-configuration"]


@dataclass
class KeyCache:
    """The issuer's signing keys by `kid`, fetched at first use and when an unknown `kid`
    shows up (rate-limited)."""

    issuer: str
    jwks_url: str | None = None
    monotonic: Callable[[], float] = time.monotonic
    fetches: int = 0
    _keys: dict[str | None, jwt.PyJWK] = field(default_factory=dict)
    _declared: dict[str | None, str] = field(default_factory=dict)  # kid -> the JWK's `alg`
    _fetched_at: float | None = None
    _fetch_failed: bool = False
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key_for(self, kid: str | None) -> jwt.PyJWK:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and self._may_refresh():
                await self._refresh()
        if kid in self._keys:
            return self._keys[kid]
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if self._fetch_failed:  # until the next allowed fetch, say so rather than blame the token
            raise KeysUnavailable("the issuer's signing keys could not be fetched; try again "
                                  "shortly")
        raise TokenRejected(f"the token's signing key (kid {kid!r}) is not among the issuer's "
                            "published keys")

    def declared_algorithm(self, kid: str | None) -> str | None:
        """The `alg` the issuer published with this key, if any."""
        return self._declared.get(kid)

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self.monotonic() - self._fetched_at >= REFRESH_INTERVAL

    async def _refresh(self) -> None:
        self._fetched_at = self.monotonic()
        self.fetches += 1
        self._fetch_failed = True
        try:
            async with httpx.AsyncClient(timeout=FETCH_TIMEOUT) as client:
                url = self.jwks_url or await self._discover(client)
                answer = await client.get(url)
                answer.raise_for_status()
                document = answer.json()
                key_set = jwt.PyJWKSet.from_dict(document)
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            logger.warning("could not fetch the signing keys of %s: %s", self.issuer, exc)
            raise KeysUnavailable(
                f"the issuer's signing keys could not be fetched ({type(exc).__name__}); "
                "try again shortly") from None
        self._fetch_failed = False
        self.jwks_url = url
        self._keys = {key.key_id: key for key in key_set.keys}
        self._declared = {raw.get("kid"): raw["alg"] for raw in document.get("keys", [])
                          if isinstance(raw, dict) and isinstance(raw.get("alg"), str)}
        logger.info("fetched %d signing key(s) of %s", len(self._keys), self.issuer)

    async def _discover(self, client: httpx.AsyncClient) -> str:
        for url in metadata_urls(self.issuer):
            answer = await client.get(url)
            if answer.status_code != 200:
                continue
            metadata = answer.json()
            if metadata.get("issuer") != self.issuer:
                raise ValueError(f"metadata at {url} names issuer {metadata.get('issuer')!r}")
            if isinstance(metadata.get("jwks_uri"), str):
                return str(metadata["jwks_uri"])
        raise ValueError(f"no metadata with a jwks_uri at {' or '.join(metadata_urls(self.issuer))}")


class JwtVerifier:
    """The SDK's TokenVerifier for JWT access tokens; `check` says why a token is refused."""

    def __init__(self, settings: OAuthSettings, keys: KeyCache | None = None) -> None:
        self.settings = settings
        self.keys = keys or KeyCache(settings.issuer, settings.jwks_url)

    async def check(self, token: str) -> AccessToken:
        """Verify signature, issuer, audience, times and subject (not scopes: that is a 403)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("the bearer token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRejected(f"the token's algorithm {algorithm!r} is not accepted "
                                "(asymmetric signatures only: RS*, PS*, ES*, EdDSA)")
        key = await self.keys.key_for(header.get("kid"))
        declared = self.keys.declared_algorithm(header.get("kid"))
        if declared is not None and declared != algorithm:
            raise TokenRejected(f"the token's algorithm {algorithm!r} is not its key's")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key=key.key, algorithms=[algorithm], audience=self.settings.audience,
                issuer=self.settings.issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRejected("the token is not valid yet (nbf or iat in the future)") from None
        except jwt.InvalidAudienceError:
            raise TokenRejected(f"the token was not issued for this server (its aud does not "
                                f"contain {self.settings.audience})") from None
        except jwt.InvalidIssuerError:
            raise TokenRejected(f"the token was not issued by {self.settings.issuer}") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRejected(f"the token has no {exc.claim!r} claim") from None
        except jwt.InvalidSignatureError:
            raise TokenRejected("the token's signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"the token is not valid ({type(exc).__name__})") from None
        from mcp.server.auth.provider import AccessToken

        scope = claims.get("scope", claims.get("scp", ""))
        scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims["sub"]),
            scopes=scopes,
            expires_at=int(claims["exp"]),
            resource=self.settings.audience,
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )

    def missing_scopes(self, access: AccessToken) -> list[str]:
        return [s for s in self.settings.scopes if s not in access.scopes]

    async def verify_token(self, token: str) -> AccessToken | None:
        """The SDK's TokenVerifier protocol: the token's principal, or None when refused."""
        try:
            return await self.check(token)
        except TokenRejected:
            return None


def owner_of_token(access: AccessToken) -> str:
    """The principal `(issuer, sub)` of a verified token as an owner string."""
    return owner_of(str((access.claims or {})["iss"]), str(access.subject))


# --- the HTTP side: who may reach /mcp, and what a refusal says ---------------------------

METADATA_PATH = "/.well-known/oauth-protected-resource"


def resource_metadata_url(audience: str) -> str:
    """RFC 9728 §3.1: the metadata of `https://host/mcp` is at
    `https://host/.well-known/oauth-protected-resource/mcp` (the SDK serves that route)."""
    from mcp.server.auth.routes import build_resource_metadata_url
    from pydantic import AnyHttpUrl

    return str(build_resource_metadata_url(AnyHttpUrl(audience)))


def add_bare_metadata_route(app: Any, settings: OAuthSettings) -> None:
    """Serve the same RFC 9728 document at the bare well-known path too (clients that look for
    the resource's root metadata first). The SDK has already added the path-suffixed route."""
    from mcp.server.auth.routes import create_protected_resource_routes

    # Strings, not AnyHttpUrl: the metadata model keeps an empty path as given, and an issuer
    # is compared exactly (a trailing slash would name another issuer).
    [route] = create_protected_resource_routes(
        resource_url=settings.audience,  # type: ignore[arg-type]
        authorization_servers=[settings.issuer],  # type: ignore[list-item]
        scopes_supported=list(settings.scopes),
        resource_name="agentcron",
    )
    if urlsplit(settings.audience).path.rstrip("/"):
        app.add_route(METADATA_PATH, route.endpoint, methods=["GET", "OPTIONS"])


class OAuthGate:
    """Pure ASGI (SSE streams must not be buffered): every request outside the well-known
    metadata needs a valid access token with the required scopes; the request then runs as
    the token's principal (`principal.acting_as`). Refusals are 401/403/503 with a JSON body
    and `WWW-Authenticate` naming the metadata URL and the scopes; the token is never logged."""

    def __init__(self, app: Any, verifier: JwtVerifier) -> None:
        self.app = app
        self.verifier = verifier
        self.metadata_url = resource_metadata_url(verifier.settings.audience)
        self.scope_text = " ".join(verifier.settings.scopes)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith("/.well-known/"):
            await self.app(scope, receive, send)
            return
        from agentcron.principal import acting_as

        token = _bearer(scope)
        try:
            if token is None:
                raise TokenRejected("no bearer token: send 'Authorization: Bearer <access "
                                    "token>' from the authorization server", error="")
            access = await self.verifier.check(token)
            missing = self.verifier.missing_scopes(access)
            if missing:
                raise TokenRejected(f"the token lacks the scope(s) {' '.join(missing)}",
                                    status=403, error="insufficient_scope")
        except TokenRejected as refusal:
            _log_refusal(scope, refusal)
            await self._refuse(send, refusal)
            return
        with acting_as(owner_of_token(access)):
            await self.app(scope, receive, send)

    async def _refuse(self, send: Any, refusal: TokenRejected) -> None:
        parts = [f'resource_metadata="{self.metadata_url}"', f'scope="{self.scope_text}"']
        if refusal.error:
            description = str(refusal).replace('"', "'")
            parts = [f'error="{refusal.error}"', f'error_description="{description}"', *parts]
        challenge = "Bearer " + ", ".join(parts) if refusal.status in (401, 403) else None
        await send_json(send, refusal.status, {"error": refusal.error or "invalid_request",
                                               "error_description": str(refusal)}, challenge)


def _bearer(scope: dict[str, Any]) -> str | None:
    credentials = bearer_credentials(scope)
    return None if credentials is None else credentials.decode("latin-1")


def _log_refusal(scope: dict[str, Any], refusal: TokenRejected) -> None:
    logger.warning("refused %s %s from %s: %s (%d)", scope.get("method"), scope.get("path"),
                   client_label(scope), refusal, refusal.status)
