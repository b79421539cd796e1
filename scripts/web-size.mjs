// Prints the gzipped size of the web UI's built JavaScript (every file a browser may load) and
// fails over the 60 KB budget.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const BUDGET = 60 * 1024
const assets = new URL('../apps/web/dist/assets/', import.meta.url).pathname
let files = []
try {
  files = readdirSync(assets).filter((f) => f.endsWith('.js'))
} catch {}
if (files.length === 0) {
  console.error('apps/web/dist/assets has no .js files: run `pnpm build` first')
  process.exit(1)
}
const sizes = files.map((f) => {
  const bytes = readFileSync(join(assets, f))
  return { f, raw: bytes.byteLength, gz: gzipSync(bytes, { level: 9 }).byteLength }
})
const gz = sizes.reduce((sum, s) => sum + s.gz, 0)
const raw = sizes.reduce((sum, s) => sum + s.raw, 0)
console.log(
  `@forge/web: ${(gz / 1024).toFixed(2)} KB gzipped JS (${files.length} file${files.length === 1 ? '' : 's'}, ${(raw / 1024).toFixed(1)} KB minified); budget ${BUDGET / 1024} KB`,
)
if (gz > BUDGET) {
  for (const s of sizes.sort((a, b) => b.gz - a.gz))
    console.error(`  ${(s.gz / 1024).toFixed(2)} KB  ${s.f}`)
  console.error(`@forge/web is over its size budget by ${gz - BUDGET} bytes`)
  process.exit(1)
}
