#!/usr/bin/env bash
# Quick start: install, build, and start the Forge server on its embedded defaults
# (SQLite in apps/quickstart/.forge, the local Docker socket, http://127.0.0.1:7300).
# Extra arguments go to `forge serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@10 >/dev/null
pnpm install --frozen-lockfile --reporter=append-only >.pnpm-install.log 2>&1 || {
  tail -40 .pnpm-install.log >&2
  exit 1
}
pnpm build

# The server discovers the plugins listed in its instance's package.json: apps/quickstart lists
# @forge/server and every first-party plugin.
if [ ! -f apps/server/dist/cli.js ]; then
  echo 'Built every package; apps/server has no CLI yet, so there is nothing to start.'
  exit 0
fi
docker info >/dev/null 2>&1 || echo 'Note: no Docker engine answers; Forge starts anyway and deploys once one does (as root: bash scripts/test-env.sh installs and starts one).'
cd apps/quickstart
echo "Forge's CLI from anywhere (this instance, its data dir $(pwd)/.forge):"
echo "  alias forge='FORGE_INSTANCE_DIR=$(pwd) node $(cd ../server && pwd)/dist/cli.js'    # then: forge token rotate, forge help"
exec node ../server/dist/cli.js serve "$@"
