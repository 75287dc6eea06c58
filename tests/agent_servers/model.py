"""A scripted model on 127.0.0.1 speaking both APIs the agent uses (tests only).

It serves `POST /v1/chat/completions` (OpenAI-compatible) and `POST /v1/messages` (Anthropic).
Each request takes the next step of the script; every request is kept (path, headers, body) so
tests can assert what the model received: the real tool results and the API key.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def api(self) -> str:
        return "anthropic" if self.path.endswith("/messages") else "openai"

    def tool_results(self) -> list[str]:
        """The tool answers this request carries back to the model, in order."""
        if self.api == "openai":
            return [m["content"] for m in self.body["messages"] if m.get("role") == "tool"]
        return [block["content"] for m in self.body["messages"] if m["role"] == "user"
                and isinstance(m["content"], list) for block in m["content"]
                if block.get("type") == "tool_result"]

    def tool_names(self) -> list[str]:
        tools = self.body.get("tools", [])
        if self.api == "openai":
            return [t["function"]["name"] for t in tools]
        return [t["name"] for t in tools]


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Step = Callable[[Seen, int], Reply]  # (request, its 0-based index) -> reply


def call_tools(*calls: tuple[str, dict[str, Any]], usage: tuple[int, int] = (10, 5)) -> Step:
    """The model asks for these tool calls."""
    def step(seen: Seen, index: int) -> Reply:
        ids = [f"call_{index}_{n}" for n in range(len(calls))]
        if seen.api == "openai":
            return Reply(200, {
                "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": None,
                    "tool_calls": [{"id": i, "type": "function", "function": {
                        "name": name, "arguments": json.dumps(args)}}
                        for i, (name, args) in zip(ids, calls)]}}],
                "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]}})
        return Reply(200, {
            "type": "message", "role": "assistant", "stop_reason": "tool_use",
            "content": [{"type": "tool_use", "id": i, "name": name, "input": args}
                        for i, (name, args) in zip(ids, calls)],
            "usage": {"input_tokens": usage[0], "output_tokens": usage[1]}})
    return step


def answer(text: str, usage: tuple[int, int] = (20, 7)) -> Step:
    """The model's final text."""
    def step(seen: Seen, index: int) -> Reply:
        if seen.api == "openai":
            return Reply(200, {
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]}})
        return Reply(200, {"type": "message", "role": "assistant", "stop_reason": "end_turn",
                           "content": [{"type": "text", "text": text}],
                           "usage": {"input_tokens": usage[0], "output_tokens": usage[1]}})
    return step


def http_error(status: int, retry_after: str | None = None) -> Step:
    def step(seen: Seen, index: int) -> Reply:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return Reply(status, {"error": {"message": f"scripted {status}"}}, headers)
    return step


def slowly(seconds: float, inner: Step) -> Step:
    def step(seen: Seen, index: int) -> Reply:
        reply = inner(seen, index)
        reply.delay = seconds
        return reply
    return step


class ScriptedModel:
    """The running server: `url` is the base URL (`.../v1`), `seen` every request so far."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[Seen] = []
        self.script: list[Step] = []
        self.lock = threading.Lock()

    def play(self, *steps: Step) -> None:
        self.script = list(steps)
        self.seen.clear()

    def next_reply(self, seen: Seen) -> Reply:
        with self.lock:
            index = len(self.seen)
            self.seen.append(seen)
        if index >= len(self.script):
            return Reply(500, {"error": {"message": "the script has no more steps"}})
        return self.script[index](seen, index)


@contextmanager
def scripted_model() -> Iterator[ScriptedModel]:
    holder: dict[str, ScriptedModel] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            reply = holder["model"].next_reply(seen)
            if reply.delay:
                time.sleep(reply.delay)
            data = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["model"] = ScriptedModel(f"http://127.0.0.1:{server.server_address[1]}/v1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["model"]
    finally:
        server.shutdown()
        server.server_close()
