"""docs/clients.md: every config snippet a user pastes is valid and names real flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentcron.cli import build_parser

DOC = (Path(__file__).resolve().parents[1] / "docs" / "clients.md").read_text(encoding="utf-8")
JSON_BLOCKS = re.findall(r"```json\n(.*?)```", DOC, re.S)


@pytest.mark.parametrize("block", JSON_BLOCKS, ids=lambda b: b.split("\n", 3)[2].strip()[:30])
def test_json_snippets_parse_and_name_the_server(block: str) -> None:
    config = json.loads(block)
    servers = config.get("mcpServers") or config.get("servers")
    assert servers and "agentcron" in servers
    if "servers" in config:  # VS Code wants an explicit type
        assert servers["agentcron"]["type"] in ("stdio", "http")


def test_python_snippet_compiles() -> None:
    for block in re.findall(r"```python\n(.*?)```", DOC, re.S):
        compile(block, "docs/clients.md", "exec")


def test_serve_flags_in_the_doc_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    serve_help = capsys.readouterr().out
    for flag in set(re.findall(r"agentcron serve [^\n`]*", DOC)):
        for option in re.findall(r"--[a-z-]+", flag):
            assert option in serve_help, f"{option} (in {flag!r}) is not a serve option"
