// Runs publint and @arethetypeswrong/cli (profile esm-only) on every publishable package.
// Packages must be built first (`pnpm build`); exits non-zero naming every package that fails.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
// examples/ too: a public example (a third-party plugin) is published like any package.
const dirs = ['packages', 'apps', 'examples']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name)))
  .filter((dir) => existsSync(join(root, dir, 'package.json')))

const failures = []
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
  if (pkg.private) continue
  if (!existsSync(join(root, dir, 'dist'))) {
    failures.push(`${pkg.name}: no dist/ — run \`pnpm build\` first`)
    continue
  }
  for (const [tool, args] of [
    ['publint', ['publint', '--strict', dir]],
    ['attw', ['attw', '--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync('pnpm', ['exec', ...args], { cwd: root, stdio: 'pipe', encoding: 'utf8' })
      console.log(`ok   ${tool.padEnd(8)} ${pkg.name}`)
    } catch (error) {
      console.log(`FAIL ${tool.padEnd(8)} ${pkg.name}\n${error.stdout}${error.stderr}`)
      failures.push(`${pkg.name}: ${tool}`)
    }
  }
}
if (failures.length) {
  console.error(`\n${failures.length} package check(s) failed:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log(`\nall ${dirs.length} packages pass publint and attw`)
