"""Who a call acts for (DESIGN.md §13): the one accessor every layer asks, `current_owner()`.

Why a context variable: the HTTP layer learns the caller from the request's OAuth token, long
before any tool or resource runs, and the SDK runs each request's handler in a task that
inherits the request's context. Stdio, the static-token mode and the CLI never set it, so they
act as `local`. Nothing here imports the MCP SDK: the embedded backend reads it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LOCAL_OWNER = "local"
# An issuer URL has no fragment (RFC 8414 §2), so "#" separates it from the subject unambiguously.
SEPARATOR = "#"

_owner: ContextVar[str] = ContextVar("agentcron_owner", default=LOCAL_OWNER)


def current_owner() -> str:
    """The principal of the call being served: `local`, or `<issuer>#<sub>` under OAuth."""
    return _owner.get()


def has_limits(owner: str) -> bool:
    """Whether the per-owner limits of DESIGN.md §13 apply: they protect a server many people
    share from one of them, so they bind OAuth principals; `local` (stdio, the static token,
    the CLI) is the machine's own user, who may schedule thousands of tasks at once."""
    return owner != LOCAL_OWNER


def owner_of(issuer: str, subject: str) -> str:
    """The owner string of an OAuth principal `(issuer, sub)`."""
    return f"{issuer}{SEPARATOR}{subject}"


def subject_of(owner: str) -> str | None:
    """The `sub` part of an OAuth owner (what assistants' `users` lists name); None for local."""
    if owner == LOCAL_OWNER or SEPARATOR not in owner:
        return None
    return owner.split(SEPARATOR, 1)[1]


@contextmanager
def acting_as(owner: str) -> Iterator[None]:
    """Run the enclosed code for `owner` (the HTTP gate around a request, tests, watchers)."""
    token = _owner.set(owner)
    try:
        yield
    finally:
        _owner.reset(token)
