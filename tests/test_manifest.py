"""manifest.json (MCP Bundle): parses, points at real files, lists exactly the server's tools."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from mcp import Client

import agentcron
from agentcron.app import build_server
from agentcron.config import Settings

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = ROOT / "manifest.json"


def _load_bundle_main() -> ModuleType:
    """server/bundle_main.py is the bundle's entry script, not part of the package."""
    spec = importlib.util.spec_from_file_location("bundle_main", ROOT / "server" / "bundle_main.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


@pytest.mark.anyio
async def test_manifest_lists_exactly_the_servers_tools(
    manifest: dict[str, Any], tmp_path: Path
) -> None:
    settings = Settings(
        db=tmp_path / "agentcron.db", assistants=tmp_path / "assistants.toml", runner="off"
    )
    async with Client(build_server(settings)) as client:
        served = {tool.name for tool in (await client.list_tools()).tools}
    listed = [tool["name"] for tool in manifest["tools"]]
    assert len(listed) == len(set(listed)), "a tool is listed twice"
    assert set(listed) == served
    assert all(tool.get("description") for tool in manifest["tools"])


def test_manifest_version_matches_the_package(manifest: dict[str, Any]) -> None:
    assert manifest["manifest_version"] == "0.3"
    assert manifest["version"] == agentcron.__version__


def test_manifest_points_at_files_that_exist(manifest: dict[str, Any]) -> None:
    server = manifest["server"]
    assert server["type"] == "python"
    assert (ROOT / server["entry_point"]).is_file()
    config = server["mcp_config"]
    for arg in config["args"]:
        if arg.startswith("${__dirname}/"):
            assert (ROOT / arg.removeprefix("${__dirname}/")).is_file(), arg
    assert config["env"]["PYTHONPATH"] == "${__dirname}/server/lib"
    pictures = [manifest["icon"]] if "icon" in manifest else []
    for path in pictures + manifest.get("screenshots", []):
        assert (ROOT / path).is_file(), path


def test_every_user_setting_reaches_the_server(manifest: dict[str, Any]) -> None:
    env = manifest["server"]["mcp_config"]["env"]
    used = set(re.findall(r"\$\{user_config\.(\w+)\}", json.dumps(env)))
    assert used == set(manifest["user_config"])
    assert all(key.startswith("AGENTCRON_") for key, value in env.items() if "user_config" in value)
    secrets = {key for key, option in manifest["user_config"].items() if option.get("sensitive")}
    assert {k for k in secrets if k.endswith("api_key")} == secrets
    hosted = {"langgraph_api_key", "toolhouse_api_key", "handinger_api_key", "unique_api_key"}
    assert hosted <= secrets


def test_settings_named_in_the_manifest_exist(manifest: dict[str, Any]) -> None:
    """Every AGENTCRON_ variable the bundle sets is one the settings (or the design) read."""
    env = manifest["server"]["mcp_config"]["env"]
    fields = {f"AGENTCRON_{name.upper()}" for name in Settings.model_fields}
    hosted = {
        "AGENTCRON_LANGGRAPH_URL", "AGENTCRON_LANGGRAPH_API_KEY", "AGENTCRON_TOOLHOUSE_API_KEY",
        "AGENTCRON_HANDINGER_API_KEY", "AGENTCRON_HANDINGER_WORKER_ID", "AGENTCRON_UNIQUE_API_KEY",
        "AGENTCRON_UNIQUE_COMPANY_ID", "AGENTCRON_UNIQUE_USER_ID", "AGENTCRON_UNIQUE_APP_ID",
    }
    assert {k for k in env if k.startswith("AGENTCRON_")} <= fields | hosted


def test_bundle_launcher_treats_empty_settings_as_unset() -> None:
    environ = {
        "AGENTCRON_DB": "",
        "AGENTCRON_TIMEZONE": "${user_config.timezone}",
        "AGENTCRON_RUNNER": "false",
        "AGENTCRON_BACKEND": "local",
        "PATH": "/bin",
    }
    _load_bundle_main().clean_environment(environ)
    assert environ == {"AGENTCRON_RUNNER": "off", "AGENTCRON_BACKEND": "local", "PATH": "/bin"}


def _mcpb_schema() -> Path | None:
    """The schema shipped in the npm package, if `npx @anthropic-ai/mcpb` ran on this machine."""
    pattern = "_npx/*/node_modules/@anthropic-ai/mcpb/schemas/mcpb-manifest-v0.3.schema.json"
    found = sorted((Path.home() / ".npm").glob(pattern))
    return found[-1] if found else None


def test_manifest_matches_the_mcpb_json_schema(manifest: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = _mcpb_schema()
    if schema is None:
        pytest.skip("no cached @anthropic-ai/mcpb package (run `npx @anthropic-ai/mcpb` once)")
    jsonschema.validate(manifest, json.loads(schema.read_text(encoding="utf-8")))
