import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pluginManifest } from './manifest.js'
import { KIND_NAME, kindNameFor, packageNameProblem, titleFor, unscoped } from './names.js'

export const PLUGIN_KINDS = ['source', 'trigger'] as const
export type PluginKind = (typeof PLUGIN_KINDS)[number]

export interface ScaffoldOptions {
  /** The npm package name (`forge-trigger-acme`, `@acme/forge-source-x`). */
  name: string
  kind: PluginKind
  /** Where to write it; default `./<name without scope>`. Must not exist, or be empty. */
  dir?: string
  /** The Forge kind it provides; default derived from the name (`forge-trigger-acme` → `acme`). */
  kindName?: string
}

export interface ScaffoldResult {
  dir: string
  kindName: string
  /** Paths written, relative to `dir`. */
  files: string[]
}

/** A mistake in what was asked: the CLI prints the message and the usage, no stack. */
export class ScaffoldError extends Error {
  override name = 'ScaffoldError'
}

// Beside dist/ and src/ alike, so the built CLI and the tests find the same files.
const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url))
// npm leaves .gitignore out of a published tarball, so the template is stored as _gitignore.
const RENAMED: Record<string, string> = { _gitignore: '.gitignore' }
const targetOf = (path: string) => join(dirname(path), RENAMED[basename(path)] ?? basename(path))

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(root, path)).isFile())
    .sort()
}

/** Writes a new plugin package that builds, tests and passes publint and attw as it is. */
export function scaffoldPlugin(options: ScaffoldOptions): ScaffoldResult {
  const problem = packageNameProblem(options.name)
  if (problem) throw new ScaffoldError(`Invalid package name "${options.name}": ${problem}.`)
  if (!(PLUGIN_KINDS as readonly string[]).includes(options.kind))
    throw new ScaffoldError(
      `Invalid --kind "${options.kind}": expected ${PLUGIN_KINDS.join(' or ')}.`,
    )
  const kindName = options.kindName ?? kindNameFor(options.name)
  if (kindName === null || !KIND_NAME.test(kindName))
    throw new ScaffoldError(
      kindName === null
        ? `No Forge kind can be made from "${options.name}": pass one with --kind-name (lower case words joined by - or ., such as acme-push).`
        : `Invalid --kind-name "${kindName}": expected lower case words joined by - or . (acme-push).`,
    )
  const dir = resolve(options.dir ?? unscoped(options.name))
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new ScaffoldError(`${dir} exists and is not empty: choose another folder with --dir.`)

  const fill = (text: string) =>
    text
      .replaceAll('__PACKAGE_NAME__', options.name)
      .replaceAll('__KIND__', kindName)
      .replaceAll('__TITLE__', titleFor(kindName))
  const written: string[] = []
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
    written.push(path)
  }

  const manifest = pluginManifest(options.name, kindName, options.kind)
  write('package.json', `${JSON.stringify(manifest, null, 2)}\n`)
  for (const root of [join(TEMPLATES, 'common'), join(TEMPLATES, options.kind)]) {
    for (const path of filesUnder(root))
      write(targetOf(path), fill(readFileSync(join(root, path), 'utf8')))
  }
  return { dir, kindName, files: written.sort() }
}
