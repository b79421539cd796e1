#!/usr/bin/env node
import { relative } from 'node:path'
import { parseArgs } from 'node:util'
import { PLUGIN_KINDS, type PluginKind, ScaffoldError, scaffoldPlugin } from './scaffold.js'

const USAGE = `Usage: create-forge-plugin <package-name> --kind source|trigger [--kind-name <kind>] [--dir <folder>]

  npm create forge-plugin@latest forge-trigger-acme -- --kind trigger
  npx create-forge-plugin @acme/forge-source-nginx --kind source --kind-name nginx

  <package-name>  the npm name of the new plugin package
  --kind          source (a kind of workload) or trigger (a kind of webhook)
  --kind-name     the Forge kind it provides (default: from the name, forge-trigger-acme → acme)
  --dir           where to write it (default: ./<name without its scope>); must be new or empty`

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    return 1
  }
  if (parsed.values.help) {
    console.log(USAGE)
    return 0
  }
  const [name, ...extra] = parsed.positionals
  const kind = parsed.values.kind
  if (!name || extra.length > 0 || !kind) {
    const what = !name
      ? 'a package name is required'
      : extra.length > 0
        ? `one package name, received ${parsed.positionals.length}`
        : `--kind is required: ${PLUGIN_KINDS.join(' or ')}`
    console.error(`create-forge-plugin: ${what}.\n\n${USAGE}`)
    return 1
  }
  try {
    const result = scaffoldPlugin({
      name,
      kind: kind as PluginKind,
      dir: parsed.values.dir,
      kindName: parsed.values['kind-name'],
    })
    const where = relative(process.cwd(), result.dir) || '.'
    console.log(`Wrote the ${kind} ${name} (kind ${result.kindName}) to ${where}:`)
    for (const file of result.files) console.log(`  ${file}`)
    console.log(
      `\nNext:\n  cd ${where}\n  npm install\n  npm run build && npm test && npm run check\n\nThen follow "Make it yours" in its README.`,
    )
    return 0
  } catch (error) {
    if (!(error instanceof ScaffoldError)) throw error
    console.error(`create-forge-plugin: ${error.message}\n\n${USAGE}`)
    return 1
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      'kind-name': { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

process.exitCode = main(process.argv.slice(2))
