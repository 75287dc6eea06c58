"""A minimal token issuer for OAuth unit tests: an RSA key, its JWKS and RFC 8414 metadata
served on 127.0.0.1, and tokens minted with PyJWT (good ones and every kind the server must
refuse). The end-to-end tests use a real authorization server instead (tests/oidc.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A token PyJWT would refuse to make: `alg: none` (no signature) or HS256 keyed with
    whatever bytes are given (e.g. the issuer's public key)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@dataclass
class FakeIssuer:
    """Serves `/.well-known/oauth-authorization-server` and `/jwks` for its keys."""

    url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)  # kids in the JWKS
    jwks_fetches: int = 0

    def add_key(self, kid: str, publish: bool = True) -> rsa.RSAPrivateKey:
        self.keys[kid] = new_rsa_key()
        if publish:
            self.published.append(kid)
        return self.keys[kid]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(self.keys[kid], kid) for kid in self.published]}

    def claims(self, audience: str, sub: str = "alice", scope: str = "agentcron",
               **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.url, "sub": sub, "aud": audience, "iat": now, "exp": now + 600,
                "scope": scope, "client_id": sub, **extra}

    def token(self, audience: str, kid: str = "k1", sub: str = "alice", scope: str = "agentcron",
              **extra: Any) -> str:
        return jwt.encode(self.claims(audience, sub, scope, **extra), self.keys[kid],
                          algorithm="RS256", headers={"kid": kid})


@contextmanager
def serve_issuer() -> Iterator[FakeIssuer]:
    issuer = FakeIssuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path == "/.well-known/oauth-authorization-server":
                body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks",
                        "token_endpoint": f"{issuer.url}/token"}
            elif self.path == "/jwks":
                issuer.jwks_fetches += 1
                body = issuer.jwks()
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    issuer.add_key("k1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
