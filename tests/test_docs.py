"""README.md and every docs/*.md: what a reader copies works, and every link lands.

Docs are found at collection time, so a page added later is checked without touching this file:
JSON parses (client configs name the server), assistants files load with the real loader,
`agentcron ...` lines parse with the real argument parser (the offline ones also run), Python
compiles, and relative links point at a file and heading that exist.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from agentcron.backends.local.assistants import load_assistants
from agentcron.cli import build_parser
from agentcron.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").rglob("*.md"))]
README_MAX_LINES = 250
# Commands that touch nothing but the cadence engine: safe to run from any checkout.
OFFLINE_COMMANDS = {"parse", "describe"}

FENCE = re.compile(r"^([ \t]*)```([\w+-]*)[^\n]*\n(.*?)^\1```[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
SHELL_OPERATORS = {"&&", "||", "|", ";", ">", ">>", "2>", "2>&1", "<", "&"}


@dataclass(frozen=True)
class Block:
    doc: Path
    lang: str
    body: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    return [
        Block(doc, m.group(2).lower(), textwrap.dedent(m.group(3)), text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
    ]


def prose(doc: Path) -> str:
    """The doc without code blocks or inline code: where links and headings live."""
    return FENCE.sub("", doc.read_text(encoding="utf-8"))


def all_blocks(*langs: str) -> list[Block]:
    return [block for doc in DOCS for block in blocks(doc) if block.lang in langs]


def block_id(block: Block) -> str:
    return block.where


# --- agentcron command lines ---------------------------------------------------------------


def shell_lines(body: str) -> list[str]:
    """Logical lines of a sh/console block: prompts dropped, `\\` continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return [re.sub(r"^\$ ", "", line.strip()) for line in joined.splitlines() if line.strip()]


def agentcron_argvs(line: str) -> list[list[str]]:
    """The argument lists given to `agentcron` (any path to it) on one shell line."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return []
    found: list[list[str]] = []
    command: list[str] = []
    for word in [*words, "&&"]:
        if word not in SHELL_OPERATORS:
            command.append(word)
            continue
        while command and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", command[0]):
            command.pop(0)  # VAR=value prefixes
        if command and Path(command[0]).name == "agentcron":
            found.append(command[1:])
        command = []
    return found


def command_lines() -> list[tuple[Block, list[str]]]:
    return [
        (block, argv)
        for block in all_blocks("sh", "console", "bash", "shell")
        for line in shell_lines(block.body)
        for argv in agentcron_argvs(line)
    ]


COMMANDS = command_lines()


def subcommand(argv: list[str]) -> str | None:
    return next((word for word in argv if not word.startswith("-")), None)


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize(("block", "argv"), COMMANDS, ids=[f"{b.where} {' '.join(a)}" for b, a in COMMANDS])
def test_agentcron_command_lines_parse(block: Block, argv: list[str]) -> None:
    assert_parses(argv, block.where)


OFFLINE = [(block, argv) for block, argv in COMMANDS if subcommand(argv) in OFFLINE_COMMANDS]


@pytest.mark.parametrize(("block", "argv"), OFFLINE, ids=[f"{b.where} {' '.join(a)}" for b, a in OFFLINE])
def test_offline_commands_run(block: Block, argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "AGENTCRON_DB": str(tmp_path / "agentcron.db")}
    done = subprocess.run(
        [sys.executable, "-m", "agentcron", *argv],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False,
    )
    assert done.returncode == 0, f"{block.where}: `agentcron {' '.join(argv)}`: {done.stderr}"
    assert "meaning" in done.stdout and "next run" in done.stdout, done.stdout


def test_the_docs_show_commands_that_run() -> None:
    """The runner above must have something to run: README shows parse and describe."""
    shown = {subcommand(argv) for block, argv in OFFLINE if block.doc == README}
    assert shown == OFFLINE_COMMANDS


def test_inline_agentcron_commands_name_real_subcommands_and_flags() -> None:
    """`agentcron serve --http [--host ...]` in prose: the subcommand and each flag exist."""
    commands = subparsers()
    top_flags = set(build_parser()._option_string_actions)
    problems = []
    for doc in DOCS:
        for span in INLINE_CODE.findall(prose(doc)):
            words = span.strip("`").split()
            if not words or words[0] != "agentcron":
                continue
            name = subcommand([w for w in words[1:] if not w.startswith("[")])
            has_flags = any(w.lstrip("[").startswith("--") for w in words)
            if name not in commands and not has_flags:
                continue  # a log line (`agentcron scheduler ready ...`) or the bare command
            known = set(top_flags)
            if name is not None:
                if name not in commands:
                    problems.append(f"{doc.name}: `{' '.join(words)}`: no subcommand {name!r}")
                    continue
                known |= set(commands[name]._option_string_actions)
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(words)):
                if flag not in known:
                    problems.append(f"{doc.name}: `{' '.join(words)}`: no flag {flag}")
    assert not problems, "\n".join(problems)


# --- config snippets ------------------------------------------------------------------------

JSON_BLOCKS = all_blocks("json")


@pytest.mark.parametrize("block", JSON_BLOCKS, ids=block_id)
def test_json_blocks_parse(block: Block) -> None:
    try:
        config = json.loads(block.body)
    except json.JSONDecodeError as error:
        pytest.fail(f"{block.where}: not JSON: {error}")
    if isinstance(config, dict) and ("mcpServers" in config or "servers" in config):
        servers = config.get("mcpServers") or config.get("servers")
        assert "agentcron" in servers, f"{block.where}: a client config without agentcron"
        if "servers" in config:  # VS Code wants an explicit type
            assert servers["agentcron"]["type"] in ("stdio", "http"), block.where


TOML_BLOCKS = all_blocks("toml")


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=block_id)
def test_assistants_files_load_with_the_real_loader(block: Block, tmp_path: Path) -> None:
    parsed = tomllib.loads(block.body)
    if "assistants" not in parsed:
        return  # another kind of TOML (pyproject, ...): parsing it is the check
    path = tmp_path / "assistants.toml"
    path.write_text(block.body, encoding="utf-8")
    registry = load_assistants(path)
    assert set(parsed["assistants"]) <= set(registry.names()), block.where
    if "default" in parsed:
        assert registry.default == parsed["default"], block.where
    for name, table in parsed["assistants"].items():
        secrets = {key for key in table if re.search(r"(key|secret|token|password)$", key)}
        assert not secrets, f"{block.where}: [{name}] holds {secrets} itself; name an env variable"


def test_a_broken_assistants_file_is_refused(tmp_path: Path) -> None:
    """The loader used above really checks: the first documented file with a typo fails."""
    block = next(b for b in TOML_BLOCKS if "[assistants." in b.body)
    path = tmp_path / "assistants.toml"
    path.write_text(block.body.replace("type = ", "typo = ", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[assistants\.\w+\].*'type'"):
        load_assistants(path)


@pytest.mark.parametrize("block", all_blocks("python"), ids=block_id)
def test_python_blocks_compile(block: Block) -> None:
    compile(block.body, block.where, "exec")


def assert_parses(argv: list[str], where: str) -> None:
    try:
        build_parser().parse_args(argv)
    except SystemExit as stop:
        assert stop.code == 0, f"{where}: `agentcron {' '.join(argv)}` does not parse"


@pytest.mark.parametrize("block", all_blocks("xml"), ids=block_id)
def test_xml_blocks_parse(block: Block) -> None:
    """A launchd plist: well-formed, and the agentcron it starts gets arguments that exist."""
    root = ElementTree.fromstring(block.body.encode())
    for array in root.iter("array"):
        words = [item.text or "" for item in array.iter("string")]
        if words and Path(words[0]).name == "agentcron":
            assert_parses(words[1:], block.where)


@pytest.mark.parametrize("block", all_blocks("ini"), ids=block_id)
def test_ini_blocks_parse(block: Block) -> None:
    """A systemd unit: parses, and its ExecStart gives agentcron arguments that exist."""
    unit = configparser.ConfigParser(interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(block.body)
    for section in unit.sections():
        if "ExecStart" in unit[section]:
            for argv in agentcron_argvs(unit[section]["ExecStart"]):
                assert_parses(argv, block.where)


# --- links ----------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(doc)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(doc: Path) -> list[str]:
    return [
        target for target in LINK.findall(INLINE_CODE.sub("", prose(doc)))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: str(d.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for target in relative_links(doc):
        path_part, _, anchor = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading #{anchor} in {path.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_link_checker_catches_a_broken_anchor(tmp_path: Path) -> None:
    """The check above can fail: a heading that is not there is reported."""
    doc = tmp_path / "page.md"
    doc.write_text("# Title\n\n## The daemon: `agentcron scheduler`\n\n[ok](#the-daemon-agentcron-scheduler)"
                   " [bad](#no-such-heading) [file](missing.md)\n", encoding="utf-8")
    assert anchors(doc) == {"title", "the-daemon-agentcron-scheduler"}
    assert relative_links(doc) == ["#the-daemon-agentcron-scheduler", "#no-such-heading", "missing.md"]


# --- the README -----------------------------------------------------------------------------


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_readme_keeps_the_two_setup_commands() -> None:
    """CI and outside checks run these exact lines."""
    commands = {line for block in blocks(README) if block.lang == "sh" for line in shell_lines(block.body)}
    assert "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/agentcron" in commands
    assert ('python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'
            in commands)


def test_readme_tools_table_lists_every_tool() -> None:
    """The tools table names exactly the tools the server promises (manifest.json)."""
    promised = {tool["name"] for tool in json.loads((ROOT / "manifest.json").read_text())["tools"]}
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Tools"):].split("\n\n", 2)[1]
    listed = set(re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE))
    assert listed == promised


def test_every_doc_is_reachable_from_the_readme() -> None:
    """A page nobody links to is a page nobody finds: each is linked from the README, or from
    a page that is."""
    reached, todo = {README.resolve()}, [README]
    while todo:
        doc = todo.pop()
        for target in relative_links(doc):
            path = (doc.parent / target.partition("#")[0]).resolve()
            if path.suffix == ".md" and path.exists() and path not in reached:
                reached.add(path)
                todo.append(path)
    orphans = [str(doc.relative_to(ROOT)) for doc in DOCS if doc.resolve() not in reached]
    assert not orphans, f"no link leads from README.md to {orphans}"
