#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { isForgeError } from '@forge/core'
import { loadConfig } from './config.js'
import { createServer, SERVER_VERSION } from './index.js'
import { DEFAULT_PLUGINS, initInstance } from './instance/init.js'
import { openDatabase } from './store/db.js'
import { sessionsRepo } from './store/sessions.js'
import { settingsRepo } from './store/settings.js'

const USAGE = `Usage:
  forge serve [--port 7300] [--host 127.0.0.1] [--data-dir <instance>/.forge] [--instance-dir DIR]
              [--public-url URL] [--proxy none|caddy] [--reconcile-interval 30s] [--deploy-concurrency 2]
  forge init <dir> [--plugins image,git,registry,manual,caddy] [--force]
                                         write a new instance: a package.json with the server and these plugins
  forge token rotate [--data-dir DIR] [--instance-dir DIR]
                                         print a new admin token; the old one and its sessions stop working

The instance is the nearest folder at or above the current one whose package.json depends on
@forge/server (else the one this forge is installed in); the data dir defaults to <instance>/.forge.

Environment: FORGE_DATA_DIR FORGE_INSTANCE_DIR FORGE_HOST FORGE_PORT FORGE_PUBLIC_URL FORGE_ADMIN_TOKEN
  FORGE_SECRET_KEY DOCKER_HOST FORGE_PROXY FORGE_<PROXY KIND>_* (FORGE_CADDY_ADMIN_URL, FORGE_CADDY_LISTEN)
  FORGE_DOMAIN FORGE_PUBLISH_HOST FORGE_RECONCILE_INTERVAL FORGE_DEPLOY_CONCURRENCY FORGE_DEPLOY_TIMEOUT
  FORGE_LOG_LEVEL FORGE_SESSION_TTL FORGE_DELIVERIES_MAX_AGE FORGE_DELIVERIES_KEEP (see docs/operations.md)`

function fail(error: unknown): never {
  if (isForgeError(error)) process.stderr.write(`forge: ${error.message}\n  fix: ${error.hint}\n`)
  else process.stderr.write(`forge: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv)
  const server = await createServer(config)
  if (server.adminToken) {
    process.stdout.write(
      `\nAdmin token (shown once; store it now, or make a new one with \`forge token rotate\`):\n  ${server.adminToken}\n\n`,
    )
  }
  process.stdout.write(`forge listening on ${server.url}\n`)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`forge: ${signal}, finishing running deploys and closing\n`)
    server.close().then(
      () => process.exit(0),
      (error) => fail(error),
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

function rotateToken(argv: string[]): void {
  const config = loadConfig(argv)
  const file = join(config.dataDir, 'forge.db')
  // Opening would create an empty database, and its token would work nowhere.
  if (!existsSync(file))
    fail(
      new Error(
        `No Forge database at ${file}: no server has run with this data dir. Run the command from the instance dir (where forge serve runs), or pass --data-dir / --instance-dir (FORGE_DATA_DIR, FORGE_INSTANCE_DIR).`,
      ),
    )
  const db = openDatabase(config.dataDir)
  try {
    const token = settingsRepo(db).rotateAdminToken()
    sessionsRepo(db).removeAll() // sessions opened with the old token end with it
    process.stdout.write(`${token}\n`)
  } finally {
    db.close()
  }
}

function init(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { plugins: { type: 'string' }, force: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  })
  const [dir] = positionals
  if (!dir)
    fail(new Error('forge init needs the folder to write the instance in: forge init <dir>'))
  const plugins = (values.plugins ?? DEFAULT_PLUGINS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  const made = initInstance({ dir, plugins, serverVersion: SERVER_VERSION, force: values.force })
  process.stdout.write(
    `Wrote ${join(made.dir, 'package.json')} with ${Object.keys(made.dependencies).join(', ')}.\n\n  cd ${made.dir}\n  npm install\n  npm start\n`,
  )
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command === 'serve') return serve(rest)
  if (command === 'init') return init(rest)
  if (command === 'token' && rest[0] === 'rotate') return rotateToken(rest.slice(1))
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  process.stderr.write(`forge: unknown command "${argv.join(' ')}"\n${USAGE}\n`)
  process.exit(2)
}

main(process.argv.slice(2)).catch(fail)
