#!/usr/bin/env bash
# The whole test suite, from a bare machine: tools, dependencies, real components, build, tests.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test] %s\n' "$*"; }
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`Forge needs Node >= 20.19, found ${process.version}`); process.exit(1) }'

if ! command -v pnpm >/dev/null 2>&1; then
  log "installing pnpm 10 (npm i -g pnpm@10)"
  npm install -g pnpm@10 >/dev/null
fi

log "installing dependencies (pnpm install --frozen-lockfile; better-sqlite3 compiles from source, about a minute)"
if ! pnpm install --frozen-lockfile --reporter=append-only >.pnpm-install.log 2>&1; then
  tail -40 .pnpm-install.log >&2
  echo 'pnpm install failed: see the lines above (.pnpm-install.log has all of it)' >&2
  exit 1
fi

bash scripts/test-env.sh

log "building every package"
pnpm build

log "typecheck and lint"
pnpm typecheck
pnpm lint

log "package checks (publint, attw), API reports, the API reference, the READMEs' config references, core and web UI size budgets"
node scripts/check-packages.mjs
node scripts/api-report.mjs
node scripts/api-reference.mjs
node scripts/config-docs.mjs --check
node scripts/core-size.mjs
node scripts/web-size.mjs

log "release rehearsal in a temporary copy: changeset version, pack every public package, publish --dry-run"
node scripts/release-check.mjs

log "running the test suite"
report=.vitest-report.json
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?
# One plain closing line, whatever the reporter printed above it.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)
' "$report" || true
exit "$status"
