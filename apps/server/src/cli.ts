#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { isForgeError } from '@forge/core'
import { loadConfig, positionalArgs } from './config.js'
import { createServer, SERVER_VERSION } from './index.js'
import { DEFAULT_PLUGINS, initInstance } from './instance/init.js'
import {
  backupDatabase,
  type DatabaseSummary,
  describeCounts,
  type KeyCheck,
  restoreDatabase,
} from './store/backup.js'
import { openDatabase } from './store/db.js'
import { assertNotServing, rotateKey } from './store/rekey.js'
import { sessionsRepo } from './store/sessions.js'
import { settingsRepo } from './store/settings.js'

const USAGE = `Usage:
  forge serve [--port 7300] [--host 127.0.0.1] [--data-dir <instance>/.forge] [--instance-dir DIR]
              [--public-url URL] [--proxy none|caddy] [--reconcile-interval 30s] [--deploy-concurrency 2]
  forge init <dir> [--plugins image,git,registry,manual,caddy] [--force]
                                         write a new instance: a package.json with the server and these plugins
  forge key rotate [--new-key KEY] [--data-dir DIR]
                                         re-seal every stored secret under a new encryption key (server stopped)
  forge token rotate [--data-dir DIR] [--instance-dir DIR]
                                         print a new admin token; the old one and its sessions stop working
  forge backup <file> [--data-dir DIR] [--instance-dir DIR]
                                         a consistent copy of the database, safe while the server runs
                                         (the encryption key is not in it: keep secret.key with it)
  forge restore <file> [--data-dir DIR] [--instance-dir DIR] [--force]
                                         put a backup in place as the data dir's database (refuses one
                                         that exists unless --force; stop the server first)

The instance is the nearest folder at or above the current one whose package.json depends on
@forge/server (else the one this forge is installed in); the data dir defaults to <instance>/.forge.

Environment: FORGE_DATA_DIR FORGE_INSTANCE_DIR FORGE_HOST FORGE_PORT FORGE_PUBLIC_URL FORGE_ADMIN_TOKEN
  FORGE_SECRET_KEY DOCKER_HOST FORGE_PROXY FORGE_<PROXY KIND>_* (FORGE_CADDY_ADMIN_URL, FORGE_CADDY_LISTEN)
  FORGE_DOMAIN FORGE_PUBLISH_HOST FORGE_RECONCILE_INTERVAL FORGE_DEPLOY_CONCURRENCY FORGE_DEPLOY_TIMEOUT
  FORGE_LOG_LEVEL FORGE_SESSION_TTL FORGE_DELIVERIES_MAX_AGE FORGE_DELIVERIES_KEEP FORGE_DEPLOYS_KEEP
  (see docs/operations.md)`

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

const kib = (s: DatabaseSummary) => `${Math.max(1, Math.round(s.bytes / 1024))} KiB`

/** The one argument a command takes besides flags, resolved against the shell's folder. */
function fileArgument(argv: string[], command: string): string {
  const [file, ...extra] = positionalArgs(argv)
  if (!file || extra.length) fail(new Error(`Usage: forge ${command} <file> [--data-dir DIR]`))
  return resolve(file)
}

async function backup(argv: string[]): Promise<void> {
  const file = fileArgument(argv, 'backup')
  const config = loadConfig(argv)
  const summary = await backupDatabase(config.dataDir, file)
  const key = config.secretKey ? 'your FORGE_SECRET_KEY' : join(config.dataDir, 'secret.key')
  process.stdout.write(
    `Backed up ${join(config.dataDir, 'forge.db')} to ${file} (${kib(summary)}, schema version ${summary.schemaVersion}): ${describeCounts(summary)}.\n` +
      `The encryption key is NOT in the backup: keep ${key} with it (somewhere else as safe). Without it, env values, signing secrets and notification secrets cannot be decrypted.\n`,
  )
}

function keyAdvice(key: KeyCheck, dataDir: string): string {
  switch (key.status) {
    case 'decrypts':
      return `The key (${key.source}) decrypts its secrets: forge serve can start.`
    case 'does-not-decrypt':
      return `WARNING: the key (${key.source}) does NOT decrypt its secrets: it is not the key of the server that made the backup. Put that server's secret.key in ${dataDir} (mode 0600) or set its FORGE_SECRET_KEY before forge serve.`
    case 'missing':
      return `No encryption key yet: copy the secret.key kept with the backup to ${key.expected} (mode 0600), or set FORGE_SECRET_KEY, before forge serve. A server started without it makes a new key, and the restored secrets stay unreadable.`
    case 'nothing-sealed':
      return 'It holds no sealed secret: any key will do.'
  }
}

function restore(argv: string[]): void {
  const force = argv.includes('--force')
  const rest = argv.filter((a) => a !== '--force')
  const file = fileArgument(rest, 'restore')
  const config = loadConfig(rest)
  assertNotServing(config.dataDir, 'restoring a backup over its database')
  const { summary, replaced, key } = restoreDatabase(file, config.dataDir, {
    force,
    secretKey: config.secretKey,
  })
  process.stdout.write(
    `Restored ${file} to ${summary.file} (${kib(summary)}, schema version ${summary.schemaVersion}): ${describeCounts(summary)}.\n` +
      (replaced ? `It replaced a database of ${describeCounts(replaced)}.\n` : '') +
      `${keyAdvice(key, config.dataDir)}\n`,
  )
}

function rotate(argv: string[]): void {
  const at = argv.indexOf('--new-key')
  const next = at >= 0 ? argv[at + 1] : undefined
  if (at >= 0 && !next) fail(new Error('--new-key needs the key: forge key rotate --new-key <key>'))
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv
  const config = loadConfig(rest)
  const { moved, keyFile } = rotateKey({
    dataDir: config.dataDir,
    currentFromEnv: config.secretKey,
    next,
  })
  const total = Object.values(moved).reduce((a, b) => a + b, 0)
  const where = Object.entries(moved)
    .filter(([, n]) => n > 0)
    .map(([column, n]) => `${n} ${column}`)
    .join(', ')
  process.stdout.write(
    `Re-sealed ${total} value(s) under the new key${where ? ` (${where})` : ''}.\n` +
      (keyFile
        ? `The new key is in ${keyFile} (0600): back it up with the database; the old one opens nothing any more.\n`
        : 'Set FORGE_SECRET_KEY to the new key before the next start: the old one opens nothing any more.\n'),
  )
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
  if (command === 'backup') return backup(rest)
  if (command === 'restore') return restore(rest)
  if (command === 'key' && rest[0] === 'rotate') return rotate(rest.slice(1))
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  process.stderr.write(`forge: unknown command "${argv.join(' ')}"\n${USAGE}\n`)
  process.exit(2)
}

main(process.argv.slice(2)).catch(fail)
