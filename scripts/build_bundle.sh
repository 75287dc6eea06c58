#!/usr/bin/env bash
# Build dist/agentcron-<version>-<platform>-py<X.Y>.mcpb (MCP Bundle for Claude Desktop and
# other bundle hosts), then prove it starts from the unpacked bundle alone.
#
# The bundle vendors its dependencies under server/lib for THIS platform and THIS Python minor
# version (pydantic-core and friends are compiled wheels), so the packed manifest's
# `compatibility` is narrowed to them. Build once per OS/Python you ship for.
#
# Everything is staged in a temporary folder: the repo's own server/lib is never created, so
# nothing vendored leaks into the editable install or the tests.
#
# Env: PYTHON (default python3; its pip vendors the deps and its base interpreter runs the
# smoke test), MCPB (default: npx -y @anthropic-ai/mcpb@2.1.2).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
MCPB="${MCPB:-npx -y @anthropic-ai/mcpb@2.1.2}"

rm -rf server/lib   # a leftover from an older, in-place build would shadow the venv's packages

stage="$(mktemp -d)"
unpacked="$(mktemp -d)"
trap 'rm -rf "$stage" "$unpacked"' EXIT

version="$("$PYTHON" -c 'import json; print(json.load(open("manifest.json"))["version"])')"
platform="$("$PYTHON" -c 'import sys; print(sys.platform)')"
pyminor="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
# The interpreter outside any venv: the smoke test must not see a venv's site-packages.
base_python="$("$PYTHON" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')"
out="dist/agentcron-${version}-${platform}-py${pyminor}.mcpb"

echo "== staging agentcron ${version} for ${platform}, Python ${pyminor}"
mkdir -p "$stage/server"
cp manifest.json README.md "$stage/"
cp server/bundle_main.py "$stage/server/"
cp -R server/agentcron "$stage/server/agentcron"
find "$stage/server" -name __pycache__ -type d -prune -exec rm -rf {} +

echo "== vendoring dependencies into server/lib"
"$PYTHON" - > "$stage/requirements.txt" <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
PY
PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check \
    --no-compile --no-warn-conflicts --target "$stage/server/lib" -r "$stage/requirements.txt"
rm -rf "$stage/server/lib/bin" "$stage/requirements.txt"

# Say honestly what this bundle runs on.
"$PYTHON" - "$stage/manifest.json" "$platform" "$pyminor" <<'PY'
import json, sys
path, platform, minor = sys.argv[1:]
major, minor_n = minor.split(".")
manifest = json.load(open(path))
compat = manifest.setdefault("compatibility", {})
compat["platforms"] = [platform]
compat.setdefault("runtimes", {})["python"] = f">={minor} <{major}.{int(minor_n) + 1}"
json.dump(manifest, open(path, "w"), indent=2)
PY

echo "== packing"
mkdir -p dist
rm -f "$out"
$MCPB pack "$stage" "$out"

echo "== smoke test: the unpacked bundle, ${base_python} -S, clean environment"
$MCPB unpack "$out" "$unpacked" > /dev/null
"$base_python" scripts/bundle_smoke.py "$unpacked" "$base_python"
echo "built $out ($(du -h "$out" | cut -f1))"
