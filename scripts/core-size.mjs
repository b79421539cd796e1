// Prints the gzipped size of @forge/core's built ESM, in all and per entry (the entry file with
// the chunks it imports), and fails over the 10 KB budget or when the root entry imports a
// dependency (docs/architecture.md: only `@forge/core/trigger` may use picomatch and semver).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const BUDGET = 10 * 1024
const core = new URL('../packages/core/', import.meta.url).pathname
const dist = join(core, 'dist')
if (!existsSync(join(dist, 'index.js'))) {
  console.error('packages/core/dist/index.js is missing: run `pnpm build` first')
  process.exit(1)
}
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`
const gzip = (names) =>
  gzipSync(Buffer.concat(names.map((f) => readFileSync(join(dist, f)))), { level: 9 }).byteLength

// An entry's own file and every chunk it reaches; bare specifiers are what it imports from outside.
function graph(file, seen = new Set(), external = new Set()) {
  seen.add(file)
  const source = readFileSync(join(dist, file), 'utf8')
  for (const [, specifier] of source.matchAll(
    /^(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']/gm,
  )) {
    if (specifier.startsWith('./')) {
      const chunk = specifier.slice(2)
      if (!seen.has(chunk)) graph(chunk, seen, external)
    } else external.add(specifier)
  }
  return { files: [...seen], external: [...external] }
}

const pkg = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8'))
const failures = []
const lines = []
const shipped = new Set()
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object') continue
  const entry = target.default.replace(/^\.\/dist\//, '')
  const { files: reached, external } = graph(entry)
  for (const file of reached) shipped.add(file)
  const imports = external.length ? `imports ${external.join(', ')}` : 'imports nothing'
  const name = `@forge/core${subpath.slice(1)}`
  lines.push(`  ${name.padEnd(20)} ${kb(gzip(reached)).padStart(8)}  ${imports}`)
  if (subpath === '.' && external.length)
    failures.push(
      `the root entry must import nothing, but dist/${entry} reaches ${external.join(', ')}`,
    )
}
// Only what the entries reach counts: a stale chunk left in dist/ by a cache restore does not ship.
const total = gzip([...shipped])
console.log(`@forge/core: ${kb(total)} gzipped (${shipped.size} ESM files); budget ${kb(BUDGET)}`)
console.log(lines.join('\n'))
if (total > BUDGET) failures.push(`@forge/core is over its size budget by ${total - BUDGET} bytes`)
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}
