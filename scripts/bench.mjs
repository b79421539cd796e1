// Runs every benchmark file (`packages/*/bench/*.bench.mjs`, `apps/*/bench/*.bench.mjs`) in turn.
// Each bench measures its own baseline in the same run and prints its figure as a ratio to it,
// because these machines are shared and absolute times are noise.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const only = process.argv[2]
const files = ['packages', 'apps']
  .flatMap((group) =>
    readdirSync(join(root, group)).map((name) => join(root, group, name, 'bench')),
  )
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.bench.mjs'))
      .map((f) => join(dir, f)),
  )
  .filter((file) => !only || file.includes(only))

if (files.length === 0) {
  console.error(only ? `no bench file matches "${only}"` : 'no bench files found')
  process.exit(1)
}
for (const file of files) {
  console.log(`\n# ${file.slice(root.length)}`)
  execFileSync(process.execPath, [file], { stdio: 'inherit' })
}
