// Prints the gzipped size of @forge/core's built ESM and fails over the 10 KB budget.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const BUDGET = 10 * 1024
const dist = new URL('../packages/core/dist/', import.meta.url).pathname
const files = readdirSync(dist).filter((f) => f.endsWith('.js'))
if (files.length === 0) {
  console.error('packages/core/dist has no .js files: run `pnpm build` first')
  process.exit(1)
}
const all = Buffer.concat(files.map((f) => readFileSync(join(dist, f))))
const gz = gzipSync(all, { level: 9 }).byteLength
const main = gzipSync(readFileSync(join(dist, 'index.js')), { level: 9 }).byteLength
console.log(
  `@forge/core: ${(gz / 1024).toFixed(2)} KB gzipped (all ${files.length} ESM files), main entry ${(main / 1024).toFixed(2)} KB; budget ${BUDGET / 1024} KB`,
)
if (gz > BUDGET) {
  console.error(`@forge/core is over its size budget by ${gz - BUDGET} bytes`)
  process.exit(1)
}
