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


def test_every_setting_the_doc_names_exists() -> None:
    from agentcron.config import Settings

    fields = {f"AGENTCRON_{name.upper()}" for name in Settings.model_fields}
    for name in set(re.findall(r"AGENTCRON_[A-Z_]+", DOC)):
        if name in ("AGENTCRON_OWNER", "AGENTCRON_URL"):  # a command's environment; a snippet's
            continue
        assert name in fields, f"{name} is not a setting"


def test_toml_snippets_are_valid_assistants_files(tmp_path: Path) -> None:
    from agentcron.backends.local.assistants import load_assistants

    blocks = re.findall(r"```toml\n(.*?)```", DOC, re.S)
    assert blocks
    for number, block in enumerate(blocks):
        path = tmp_path / f"assistants{number}.toml"
        path.write_text(re.sub(r"^  ", "", block, flags=re.M), encoding="utf-8")
        assert load_assistants(path).names()
