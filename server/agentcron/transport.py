"""Streamable HTTP transport: the SDK's `/mcp` app behind a bearer-token gate, run by uvicorn.

Why this shape:
- Anything reachable from another machine must not be an open scheduler, so a non-loopback
  bind refuses to start without `AGENTCRON_HTTP_TOKEN`, and with a token set every request
  (not only `initialize`) is checked.
- The gate is a pure ASGI middleware: Starlette's BaseHTTPMiddleware buffers and breaks the
  SSE streams that streamable HTTP relies on.
- DNS rebinding (a web page whose name resolves to 127.0.0.1) is the threat to a loopback
  server without a token, so loopback binds keep the SDK's Host/Origin check. A non-loopback
  bind always has a token, which a rebinding page cannot know, so there the Host check is off
  (clients may use any name for the machine) unless `--allowed-host` asks for it.

Only the standard library (and our errors) is imported at module level: the token check runs
before the slow MCP SDK import, so a refused start fails fast.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from agentcron.errors import ConfigError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

    from agentcron.oauth import JwtVerifier

logger = logging.getLogger("agentcron.transport")

TOKEN_ENV = "AGENTCRON_HTTP_TOKEN"
MCP_PATH = "/mcp"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK_HOST_PATTERNS = ("127.0.0.1", "localhost", "[::1]")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`: addresses no other machine can reach."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_token_if_exposed(host: str, token: str | None, oauth: bool = False) -> None:
    """Refuse a bind that other machines could reach unless a bearer token (static, or OAuth
    access tokens) protects it."""
    if not is_loopback(host) and not token and not oauth:
        raise ConfigError(
            f"refusing to serve HTTP on {host}: a non-loopback address needs a bearer token; "
            f"set {TOKEN_ENV} (e.g. {TOKEN_ENV}=$(openssl rand -hex 32)), or OAuth "
            "(AGENTCRON_AUTH_ISSUER and AGENTCRON_AUTH_AUDIENCE), or bind 127.0.0.1."
        )


def require_one_auth_mode(token: str | None, oauth: bool) -> None:
    """The static token is for one person, OAuth for many: never both at once."""
    if token and oauth:
        raise ConfigError(
            f"both {TOKEN_ENV} and OAuth (AGENTCRON_AUTH_ISSUER) are set; choose one: unset "
            f"{TOKEN_ENV} to serve many people with OAuth, or the AGENTCRON_AUTH_* settings "
            "for one static token."
        )


def endpoint_url(host: str, port: int) -> str:
    """The URL clients use; IPv6 literals get brackets."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}{MCP_PATH}"


class BearerTokenMiddleware:
    """Let a request through only with `Authorization: Bearer <token>`; 401 otherwise.

    The scheme is case-insensitive (RFC 7235) and the token is compared in constant time.
    Lifespan events pass through untouched. The token is never logged.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("an empty bearer token would let everyone in")
        self.app = app
        self._token = token.encode("utf-8")

    def authorized(self, scope: Scope) -> bool:
        """Whether the request carries the right bearer token."""
        credentials = bearer_credentials(scope)
        return credentials is not None and hmac.compare_digest(credentials, self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.authorized(scope):
            await self.app(scope, receive, send)
            return
        logger.warning(
            "rejected %s %s from %s: missing or wrong bearer token",
            scope.get("method", "WEBSOCKET"),
            scope.get("path", ""),
            client_label(scope),
        )
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _send_unauthorized(send)


async def _send_unauthorized(send: Send) -> None:
    await send_json(send, 401, {
        "error": "unauthorized",
        "error_description": "Send 'Authorization: Bearer <token>' with the value of "
        f"{TOKEN_ENV} the server was started with.",
    }, www_authenticate='Bearer realm="agentcron"')


def bearer_credentials(scope: Scope) -> bytes | None:
    """The credentials of an `Authorization: Bearer <credentials>` header (scheme in any case,
    RFC 7235); None without one, or with another scheme or nothing after it."""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"authorization":
            scheme, _, credentials = bytes(value).strip().partition(b" ")
            credentials = credentials.strip()
            return credentials if scheme.lower() == b"bearer" and credentials else None
    return None


def client_label(scope: Scope) -> str:
    """`host:port` of the peer, for log lines about refused requests."""
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "unknown client"


async def send_json(send: Send, status: int, document: dict[str, Any],
                    www_authenticate: str | None = None) -> None:
    """A complete JSON response (a refusal) straight from ASGI middleware."""
    body = json.dumps(document).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    if www_authenticate is not None:
        headers.append((b"www-authenticate", www_authenticate.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def security_settings(host: str, allowed_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """Host/Origin (DNS-rebinding) checks: on for loopback binds or when hosts are named."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = list(allowed_hosts)
    if is_loopback(host):
        names += list(LOOPBACK_HOST_PATTERNS)
        if host not in ("127.0.0.1", "localhost", "::1"):
            names.append(f"[{host}]" if ":" in host else host)
    if not names:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    unique = list(dict.fromkeys(names))
    hosts = unique + [f"{name}:*" for name in unique]
    origins = [f"{scheme}://{h}" for scheme in ("http", "https") for h in hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def build_app(
    server: MCPServer,
    host: str,
    token: str | None,
    allowed_hosts: Sequence[str] = (),
    verifier: JwtVerifier | None = None,
) -> ASGIApp:
    """The ASGI app: the SDK's streamable HTTP app at /mcp, behind the static-token gate or,
    with a verifier (the server was built with it), the OAuth gate."""
    starlette_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=security_settings(host, allowed_hosts),
        host=host,
    )
    if verifier is not None:
        from agentcron.oauth import OAuthGate, add_bare_metadata_route

        add_bare_metadata_route(starlette_app, verifier.settings)
        return OAuthGate(starlette_app, verifier)
    app: ASGIApp = starlette_app
    return BearerTokenMiddleware(app, token) if token else app


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving so a busy port is one clear error and port 0 picks a free port."""
    address = host[1:-1] if host.startswith("[") else host
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise ConfigError(f"cannot listen on {endpoint_url(host, port)}: {reason}") from None
    return sock


def serve_http(
    server: MCPServer,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    allowed_hosts: Sequence[str] = (),
    log_level: str = "INFO",
    verifier: JwtVerifier | None = None,
) -> None:
    """Serve MCP over streamable HTTP until SIGINT/SIGTERM. Logs go to stderr only."""
    import uvicorn

    host = host.strip().removeprefix("[").removesuffix("]")
    require_one_auth_mode(token, verifier is not None)
    require_token_if_exposed(host, token, oauth=verifier is not None)
    app = build_app(server, host, token, allowed_hosts, verifier)
    sock = bind(host, port)
    url = endpoint_url(host, sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        log_config=None,  # keep our stderr handler; uvicorn's default sends access logs to stdout
        log_level=log_level.lower(),
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    uv_server = uvicorn.Server(config)

    async def announce_when_ready() -> None:
        while not uv_server.started:
            await asyncio.sleep(0.02)
        # A readiness line, printed whatever the log level (like the scheduler's).
        print(f"agentcron serving MCP over HTTP at {url}", file=sys.stderr, flush=True)

    async def run() -> None:
        announcer = asyncio.create_task(announce_when_ready())
        try:
            await uv_server.serve(sockets=[sock])
        finally:
            announcer.cancel()

    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal to the handler
    # it found at start: make that a no-op so a requested stop exits 0, like the scheduler.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    try:
        asyncio.run(run())
    finally:
        sock.close()
