// Compares the API report of every public entry point (packages/*/etc/*.api.md) with the built
// .d.ts, through API Extractor. `--update` rewrites the reports instead. Build first.
//   node scripts/api-report.mjs            check (CI, scripts/test.sh, `pnpm api:check`)
//   node scripts/api-report.mjs --update   accept the current API (`pnpm api:update`)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const root = new URL('..', import.meta.url).pathname
const update = process.argv.includes('--update')

// Every entry in a package's `exports` gets a report named after the package and the subpath:
// packages/core/etc/core-host.api.md for `@forge/core/host`.
const PACKAGES = ['packages/core', 'packages/testing']

const configPath = join(root, 'scripts/api-extractor.json')
const base = ExtractorConfig.loadFile(configPath)
const temp = mkdtempSync(join(tmpdir(), 'forge-api-'))
const problems = []

// The first lines of a unified diff, to show what changed without opening the files.
function diff(before, after) {
  const out = spawnSync('diff', ['-u', before, after], { encoding: 'utf8' }).stdout ?? ''
  return out
    .split('\n')
    .slice(2, 42)
    .map((line) => `    ${line}`)
    .join('\n')
}

// Names a report declares (`export function mergeConfig`, `export interface Registry`), and the
// types its entry uses without exporting (API Extractor writes an ae-forgotten-export warning).
const declared = (text) =>
  [...text.matchAll(/^export (?:declare )?(?:abstract )?\w+ (\w+)/gm)].map((m) => m[1])
const forgottenIn = (text) =>
  [...text.matchAll(/\(ae-forgotten-export\) The symbol "([^"]+)"/g)].map((m) => m[1])

function entriesOf(dir) {
  const folder = join(root, dir)
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
  const unscoped = pkg.name.replace(/^@[^/]+\//, '')
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object' && target.types)
    .map(([subpath, target]) => {
      const name =
        subpath === '.' ? unscoped : `${unscoped}-${subpath.slice(2).replaceAll('/', '-')}`
      return {
        folder,
        entry: join(folder, target.types),
        name,
        report: `${dir}/etc/${name}.api.md`,
        specifier: pkg.name + subpath.slice(1),
      }
    })
}

function extract({ folder, entry, name }) {
  if (update) mkdirSync(join(folder, 'etc'), { recursive: true })
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      projectFolder: folder,
      mainEntryPointFilePath: entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            types: ['node'],
          },
          files: [entry],
        },
      },
      apiReport: {
        ...base.apiReport,
        enabled: true,
        reportFileName: name,
        reportFolder: join(folder, 'etc'),
        reportTempFolder: temp,
      },
    },
    configObjectFullPath: configPath,
    packageJsonFullPath: join(folder, 'package.json'),
  })
  const messages = []
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback(message) {
      message.handled = true
      // "report created/copied" notices repeat what the summary line says.
      if (message.messageId.startsWith('console-api-report')) return
      if (message.logLevel === 'error' || message.logLevel === 'warning')
        messages.push(`  ${message.logLevel}: ${message.text}`)
    },
  })
  return { result, messages }
}

for (const dir of PACKAGES) {
  const exported = new Set()
  const uses = []
  for (const entry of entriesOf(dir)) {
    if (!existsSync(entry.entry)) {
      problems.push(
        `${entry.report}: ${relative(root, entry.entry)} is missing: run \`pnpm build\``,
      )
      continue
    }
    const { result, messages } = extract(entry)
    const fresh = join(temp, `${entry.name}.api.md`)
    const changed = result.apiReportChanged && !update
    if (changed) {
      problems.push(
        `${entry.report} differs from ${relative(root, entry.entry)}.\n` +
          `  The public API of ${entry.specifier} changed. If that is intended, run \`pnpm api:update\`\n` +
          `  and commit the report with the change; the new report is at ${fresh}\n` +
          diff(join(root, entry.report), fresh),
      )
    } else if (!result.succeeded) {
      problems.push(`${entry.report}: API Extractor failed\n${messages.join('\n')}`)
      continue
    } else {
      console.log(`${update && result.apiReportChanged ? 'updated' : 'ok     '} ${entry.report}`)
    }
    if (messages.length) console.log(messages.join('\n'))
    const text = readFileSync(changed ? fresh : join(root, entry.report), 'utf8')
    for (const symbol of declared(text)) exported.add(symbol)
    for (const symbol of forgottenIn(text)) uses.push({ symbol, entry })
  }
  // An entry may use a type another entry of the package exports (host's effectiveBindingConfig
  // takes the root's TriggerDefinition); a type that no entry exports cannot be named by users.
  for (const { symbol, entry } of uses) {
    if (!exported.has(symbol))
      problems.push(
        `${entry.report}: ${symbol} appears in the API of ${entry.specifier} but no entry of the package exports it; export it or keep it out of public signatures`,
      )
  }
}

if (problems.length) {
  console.error(`\n${problems.length} API report problem(s):\n\n${problems.join('\n\n')}`)
  process.exit(1)
}
rmSync(temp, { recursive: true, force: true })
