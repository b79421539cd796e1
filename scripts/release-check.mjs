// The release flow, rehearsed in a temporary copy of the checkout (the checkout is never changed):
// `changeset version` must succeed and bump no package a major by accident; then every public
// package must pack into a tarball whose files and package.json are what npm users will get, and
// `pnpm publish -r --dry-run` must succeed. Packages must be built first (`pnpm build`).
// Exits non-zero naming every package and step that failed. docs/releasing.md explains the flow.
//
//   RELEASE_CHECK_ALLOW_MAJOR=@forge/core,@forge/server   majors that are meant
//   RELEASE_CHECK_KEEP=1                                   keep the copy and print where it is
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
const semver = createRequire(join(root, 'packages/core/package.json'))('semver')
// Not turbo inputs: this script runs outside turbo.
const { RELEASE_CHECK_ALLOW_MAJOR = '', RELEASE_CHECK_KEEP } = process.env
const allowedMajors = new Set(RELEASE_CHECK_ALLOW_MAJOR.split(',').filter(Boolean))
const failures = []
const log = (line) => console.log(`[release] ${line}`)
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'))
const run = (command, args, cwd) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, CI: '1' },
  })
const output = (error) =>
  `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n')

/** The workspace's package folders, from pnpm-workspace.yaml's `packages:` globs (`dir/*`). */
function workspaceDirs(base) {
  const yaml = readFileSync(join(base, 'pnpm-workspace.yaml'), 'utf8')
  const globs = [...yaml.matchAll(/^\s+-\s+['"]?([\w./-]+)\/\*['"]?\s*$/gm)].map((m) => m[1])
  return globs
    .flatMap((group) =>
      existsSync(join(base, group))
        ? readdirSync(join(base, group)).map((name) => join(group, name))
        : [],
    )
    .filter((dir) => existsSync(join(base, dir, 'package.json')))
}

// ---------------------------------------------------------------------------------------------
// 1. A copy: what git sees in the working tree (tracked and new files, not ignored ones), plus
//    each package's built dist/, which is ignored but is what a tarball holds.

const copy = mkdtempSync(join(tmpdir(), 'forge-release-'))
const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root)
  .split('\0')
  .filter((path) => path && existsSync(join(root, path)))
for (const path of listed) {
  mkdirSync(dirname(join(copy, path)), { recursive: true })
  cpSync(join(root, path), join(copy, path), { verbatimSymlinks: true })
}
const dirs = workspaceDirs(root)
const built = dirs.filter((dir) => existsSync(join(root, dir, 'dist')))
for (const dir of built)
  cpSync(join(root, dir, 'dist'), join(copy, dir, 'dist'), { recursive: true })
log(`copy: ${listed.length} files and ${built.length} dist/ folders in ${copy}`)

const before = new Map(dirs.map((dir) => [dir, readJson(join(root, dir, 'package.json'))]))
const publicDirs = dirs.filter((dir) => !before.get(dir).private)
for (const dir of publicDirs.filter((d) => !built.includes(d)))
  failures.push(`${before.get(dir).name}: no dist/ (run pnpm build first)`)

// ---------------------------------------------------------------------------------------------
// 2. changeset version, and what it bumped.

/** `{ package: bump }` of every changeset in the checkout, by file. */
function changesets() {
  const dir = join(root, '.changeset')
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .map((file) => {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? ''
      const bumps = Object.fromEntries(
        [...front.matchAll(/^["']?([^"':\s]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)].map((m) => [
          m[1],
          m[2],
        ]),
      )
      return { file, bumps }
    })
}

/** The ranges of a package on other workspace packages that their new versions fall outside. */
function outgrownRanges(manifest) {
  const found = []
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dependency, spec] of Object.entries(manifest[field] ?? {})) {
      const next = nextVersion(dependency)
      const range = String(spec).replace(/^workspace:/, '')
      if (next && semver.validRange(range) && !semver.satisfies(next, range))
        found.push(`${field}.${dependency} ${range} does not hold ${next}`)
    }
  }
  return found
}

const nextVersion = (name) => {
  const dir = dirs.find((d) => before.get(d).name === name)
  return dir ? readJson(join(copy, dir, 'package.json')).version : undefined
}

let versioned = false
try {
  run(join(root, 'node_modules/.bin/changeset'), ['version'], copy)
  versioned = true
  log(`changeset version: ok (${changesets().length} changesets)`)
} catch (error) {
  failures.push(`changeset version failed:\n${output(error)}`)
}

if (versioned) {
  const asked = changesets()
  const rows = []
  for (const dir of dirs) {
    const { name, version: from } = before.get(dir)
    const to = readJson(join(copy, dir, 'package.json')).version
    const bump = from === to ? 'none' : semver.diff(from, to)
    if (bump !== 'none')
      rows.push(`  ${name.padEnd(34)} ${from.padEnd(8)} → ${to.padEnd(8)} ${bump}`)
    if (semver.major(to) > semver.major(from) && !allowedMajors.has(name)) {
      const by = asked.filter((c) => c.bumps[name] === 'major').map((c) => `.changeset/${c.file}`)
      const outgrown = outgrownRanges(before.get(dir))
      failures.push(
        `${name}: bumped a major (${from} → ${to}) ${
          by.length > 0
            ? `because ${by.join(', ')} asks for it`
            : `though no changeset asks for it: it depends on what this release moves out of its ranges (${outgrown.join('; ') || 'see changeset status'}), so widen those ranges or make the bump a minor`
        }. If the major is meant, set RELEASE_CHECK_ALLOW_MAJOR=${name}.`,
      )
    }
  }
  log(rows.length > 0 ? `bumps:\n${rows.join('\n')}` : 'bumps: none (no changesets)')
  const majors = rows.filter((row) => row.endsWith(' major'))
  log(
    `majors: ${majors.length === 0 ? 'none' : majors.map((row) => row.trim().split(/\s+/)[0]).join(', ')}`,
  )
}

// ---------------------------------------------------------------------------------------------
// 3. Pack every public package (after an offline install, so workspace: ranges resolve to the new
//    versions) and check each tarball; then the publish dry run.

/** Every path a package.json points at: main, types, bin, and each exports target. */
function entryTargets(manifest) {
  const targets = [manifest.main, manifest.types, manifest.module]
  if (typeof manifest.bin === 'string') targets.push(manifest.bin)
  else targets.push(...Object.values(manifest.bin ?? {}))
  const walk = (node) => {
    if (typeof node === 'string') targets.push(node)
    else if (node && typeof node === 'object') Object.values(node).forEach(walk)
  }
  walk(manifest.exports)
  return targets
    .filter((target) => typeof target === 'string')
    .map((target) => target.replace(/^\.\//, ''))
}

/** What is wrong with one tarball, in sentences. */
function tarballProblems(manifest, files) {
  const problems = []
  const always = /^(package\.json|readme(\.md)?|licen[cs]e(\.\w+)?|changelog\.md)$/i
  const declared = (manifest.files ?? []).map((entry) =>
    entry.replace(/^\.\//, '').replace(/\/$/, ''),
  )
  const stray = files.filter(
    (file) => !always.test(file) && !declared.some((d) => file === d || file.startsWith(`${d}/`)),
  )
  if (stray.length > 0) problems.push(`files outside "files": ${stray.slice(0, 5).join(', ')}`)
  if (!files.some((file) => /^readme(\.md)?$/i.test(file))) problems.push('no README')
  for (const target of entryTargets(manifest)) {
    // A subpath pattern (`./dist/*`) must match some file; a plain target must be one.
    const pattern = new RegExp(
      `^${target.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.+')}$`,
    )
    if (!files.some((file) => pattern.test(file)))
      problems.push(`${target} is named in package.json but not in the tarball`)
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        problems.push(`${field}.${dependency} is still ${range}`)
      const next = nextVersion(dependency)
      if (next && !String(range).startsWith('workspace:') && !semver.satisfies(next, range))
        problems.push(
          `${field}.${dependency} is ${range}, which the release's ${dependency}@${next} does not satisfy`,
        )
    }
  }
  return problems
}

let installed = false
if (versioned) {
  try {
    run(
      'pnpm',
      [
        'install',
        '--offline',
        '--no-frozen-lockfile',
        '--ignore-scripts',
        '--reporter=append-only',
      ],
      copy,
    )
    installed = true
    log('pnpm install --offline in the copy: ok (the lockfile takes the new versions)')
  } catch (error) {
    failures.push(
      `pnpm install --offline in the copy failed (after changeset version):\n${output(error)}`,
    )
  }
}

if (installed) {
  const tarballs = join(copy, '.tarballs')
  mkdirSync(tarballs)
  for (const dir of publicDirs) {
    const { name } = before.get(dir)
    try {
      const packed = JSON.parse(
        run('pnpm', ['pack', '--json', '--pack-destination', tarballs], join(copy, dir)),
      )
      const files = packed.files.map((file) => file.path)
      const unpacked = join(tarballs, name.replace('/', '+'))
      mkdirSync(unpacked)
      run(
        'tar',
        ['-xzf', packed.filename, '-C', unpacked, '--strip-components=1', 'package/package.json'],
        copy,
      )
      const manifest = readJson(join(unpacked, 'package.json'))
      const problems = tarballProblems(manifest, files)
      if (problems.length > 0) failures.push(`${name}: ${problems.join('; ')}`)
      const entries = Object.keys(manifest.exports ?? {}).join(' ')
      log(
        `${problems.length > 0 ? 'FAIL' : 'ok  '} ${`${name}@${manifest.version}`.padEnd(36)} ${String(files.length).padStart(3)} files; exports ${entries}`,
      )
    } catch (error) {
      failures.push(`${name}: pnpm pack failed in ${dir}:\n${output(error)}`)
    }
  }

  // The registry is asked which versions exist; nothing is published and no login is needed.
  const expected = publicDirs.map((dir) => before.get(dir).name)
  try {
    run('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks', '--report-summary'], copy)
    const published = readJson(join(copy, 'pnpm-publish-summary.json')).publishedPackages.map(
      (p) => p.name,
    )
    const missing = expected.filter((name) => !published.includes(name))
    if (missing.length > 0)
      failures.push(`pnpm publish -r --dry-run would not publish: ${missing.join(', ')}`)
    log(`pnpm publish -r --dry-run: would publish ${published.length} packages`)
  } catch (error) {
    const summary = join(copy, 'pnpm-publish-summary.json')
    const done = existsSync(summary) ? readJson(summary).publishedPackages.map((p) => p.name) : []
    const pending = expected.filter((name) => !done.includes(name))
    failures.push(
      `pnpm publish -r --dry-run failed (not through: ${pending.join(', ') || 'none'}):\n${output(error)}`,
    )
  }
  log(
    'note: the tarballs hold dist/ as built before versioning; `pnpm release` builds after `changeset version`',
  )
}

if (RELEASE_CHECK_KEEP) log(`kept the copy: ${relative(process.cwd(), copy) || copy}`)
else rmSync(copy, { recursive: true, force: true })

if (failures.length > 0) {
  console.error(`\n[release] ${failures.length} problem(s):\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
log(
  `release check passed: ${publicDirs.length} public packages version, pack and publish (dry run)`,
)
