"""The `webhook` assistant: POST each occurrence as JSON to one URL the user configured.

The request a receiver gets:

    POST <url>
    Content-Type: application/json
    User-Agent: agentcron/<version>
    Idempotency-Key: <task_id>:<scheduled_for>
    X-Agentcron-Signature: sha256=<hex>      (only when `secret_env` is set)
    <configured headers>

    {"task_id": ..., "run_id": ..., "scheduled_for": "2026-03-11T09:00:00Z",
     "prompt": ..., "metadata": {...}, "chat_id": ... | null, "task_name": ... | null,
     "attempt": 1, "owner": "local" | "<issuer>#<sub>"}

As a failure alert (DESIGN.md §9) the body is the `run.failed` event with `Idempotency-Key:
alert:<run_id>`; as an on_success target (§12) it is the `run.succeeded` event carrying the
run's output, with `Idempotency-Key: deliver:<run_id>` (docs/deliveries.md).

`scheduled_for` in the body and in `Idempotency-Key` is the same string (contract). Retries
(connection errors, 429/502/503/504; at most 2) resend the same key, so dedupe on it.

Verifying the signature: compute HMAC-SHA256 over the raw request body bytes, exactly as
received and before any JSON parsing, keyed with the UTF-8 bytes of the secret; compare
`"sha256=" + hexdigest` with the header in constant time (`hmac.compare_digest`). There is no
timestamp header: replay protection comes from deduping on `Idempotency-Key`.

A 2xx answer is success and the run's output is "HTTP <status>: <body>", the body read up to
64 KiB (the runner also caps the stored output at 64 KiB).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal


from agentcron.backends.local.assistants.base import (
    AssistantFailure,
    FireRequest,
    excerpt,
    logger,
    redact,
)
from agentcron.backends.local.assistants.http import (
    RETRY_DELAYS_SECONDS,
    display_url,
    post_with_retries,
)
from agentcron.backends.local.assistants.schema import WebhookConfig

if TYPE_CHECKING:
    import httpx

SIGNATURE_HEADER = "X-Agentcron-Signature"
TRUNCATION_NOTE = "\n[response body truncated to 64 KiB]"


def sign(body: bytes, secret: str) -> str:
    """The `X-Agentcron-Signature` value for `body`: "sha256=" + hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(request: FireRequest) -> bytes:
    """The JSON body, encoded once: these exact bytes are sent and signed."""
    document: dict[str, object]
    if request.failure is not None:  # a failure alert (DESIGN.md §9, contract)
        document = {
            "event": "run.failed",
            "task_id": request.task_id,
            "task_name": request.task_name,
            "run_id": request.run_id,
            "scheduled_for": request.scheduled_for_text,
            "status": request.failure.status,
            "error": request.failure.error,
            "attempts": request.failure.attempts,
            "owner": request.owner,
        }
    elif request.delivered_output is not None:  # an on_success delivery (DESIGN.md §12)
        document = {
            "event": "run.succeeded",
            "task_id": request.task_id,
            "task_name": request.task_name,
            "run_id": request.run_id,
            "scheduled_for": request.scheduled_for_text,
            "prompt": request.prompt,
            "output": request.delivered_output,
            "metadata": request.metadata,
            "owner": request.owner,
        }
    else:
        document = {
            "task_id": request.task_id,
            "run_id": request.run_id,
            "scheduled_for": request.scheduled_for_text,
            "prompt": request.prompt,
            "metadata": request.metadata,
            "chat_id": request.chat_id,
            "task_name": request.task_name,
            "attempt": request.attempt,
            "owner": request.owner,
        }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookAssistant:
    """POSTs the occurrence; success is a 2xx answer."""

    type: Literal["webhook"] = "webhook"

    def __init__(
        self,
        name: str,
        config: WebhookConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS,
    ) -> None:
        self.name = name
        self.config = config
        self.url = str(config.url)
        self.timeout_seconds = config.timeout_seconds
        self.summary = f"POST to {display_url(self.url)}"
        self._http_client = http_client
        self._retry_delays = tuple(retry_delays)

    def _secret(self) -> str | None:
        """The HMAC key from the environment, read at fire time (rotation needs no restart)."""
        variable = self.config.secret_env
        if variable is None:
            return None
        secret = os.environ.get(variable)
        if not secret:
            raise AssistantFailure(
                f"environment variable {variable} (secret_env of assistant '{self.name}') "
                "is not set in the agentcron process; the webhook was not called"
            )
        return secret

    async def fire(self, request: FireRequest) -> str:
        secret = self._secret()
        body = payload(request)
        headers = {
            **self.config.headers,
            "Content-Type": "application/json",
            "Idempotency-Key": request.idempotency_key,
        }
        if secret is not None:
            headers[SIGNATURE_HEADER] = sign(body, secret)
        target = f"webhook {display_url(self.url)}"
        logger.info("assistant '%s': POST to %s for run %s", self.name, display_url(self.url),
                    request.run_id)
        answer = await post_with_retries(
            client=self._http_client,
            url=self.url,
            content=body,
            headers=headers,
            timeout_seconds=self.timeout_seconds,
            retry_delays=self._retry_delays,
            what=target,
        )
        text = redact(answer.text, [secret])
        if not answer.ok:
            detail = excerpt(text) or "(empty body)"
            raise AssistantFailure(f"webhook answered HTTP {answer.status}: {detail}")
        return f"HTTP {answer.status}: {text}" + (TRUNCATION_NOTE if answer.truncated else "")
