"""The arrows that keep the layout livable (DESIGN.md §1), checked on every import, lazy ones too.

- `cadence` is pure schedule maths and language: no backend, config or MCP code;
- `backends/local` (store, runner, assistants) never reaches up into the MCP layer; only the
  `agent` assistant, an MCP *client* of the user's tool servers, uses the SDK's client side;
- the hosted adapters never import the embedded backend;
- the package root holds only entry points, config, models, errors, the app and the packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "agentcron"

MCP_LAYER = ("mcp", "agentcron.app", "agentcron.transport", "agentcron.views", "agentcron.cli",
             "agentcron.client_features", "agentcron.tasks")
FORBIDDEN = {
    "cadence": ("agentcron.backends", "agentcron.config", *MCP_LAYER),
    "backends/local": MCP_LAYER,
    "backends/hosted": ("agentcron.backends.local", *MCP_LAYER[:-1]),
}
# Imports a folder may make although FORBIDDEN names their package (DESIGN.md §12).
ALLOWED = {"backends/local/assistants/agent": ("mcp.client", "mcp.types")}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (top level or inside functions), as absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports are not used in this package; catch them anyway
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module:
                found += [(node.lineno, node.module)]
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for line, module in imported_modules(path):
            if module.startswith("."):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} relative import {module}")
            elif any(module == f or module.startswith(f + ".") for f in forbidden) and not (
                    _allowed(path, module)):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    return bad


def _allowed(path: Path, module: str) -> bool:
    return any(path.is_relative_to(PACKAGE / folder)
               and any(module == a or module.startswith(a + ".") for a in allowed)
               for folder, allowed in ALLOWED.items())


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_import_crosses_an_arrow(folder: str) -> None:
    assert (PACKAGE / folder).is_dir()
    assert violations(folder, FORBIDDEN[folder]) == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The check above is only worth something if it catches a lazy import in a function."""
    module = tmp_path / "sneaky.py"
    module.write_text("def f():\n    from agentcron.backends.local.store import Store\n")
    assert (2, "agentcron.backends.local.store") in imported_modules(module)


def test_the_package_root_holds_entry_points_and_packages_only() -> None:
    modules = {p.name for p in PACKAGE.glob("*.py")}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    # client_features: completions, elicitation, progress and icons for app.py (DESIGN.md §13)
    assert packages == {"backends", "cadence", "client_features", "views"}
    assert modules == {
        "__init__.py", "__main__.py",
        # entry points: the CLI and its subcommands, the HTTP transport, the scheduler daemon
        "cli.py", "daemon.py", "pause_cli.py", "tasks_cli.py", "transport.py", "logs.py",
        # the HTTP transport's OAuth resource server (JWT access tokens, JWKS)
        "oauth.py",
        # shared by every layer (principal: who a call acts for)
        "config.py", "models.py", "errors.py", "principal.py",
        # the MCP server and the service its tools call
        "app.py", "tasks.py",
    }
