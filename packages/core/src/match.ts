/**
 * Patterns for branches, tags and image names: globs (`release/*`, `v1.*`, `**`) and, for tags,
 * semver ranges (`^1.2.0`, `~1.4`, `>=2.0.0 <3`, `1.x || 2.x`). One implementation serves every
 * trigger so that `tags: ['^1.0.0']` means the same for a git tag and an image tag.
 */

const globCache = new Map<string, RegExp>()

/** `*` matches within a path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const cached = globCache.get(glob)
  if (cached) return cached
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        source += '.*'
        i++
      } else source += '[^/]*'
    } else if (ch === '?') source += '[^/]'
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  const re = new RegExp(`^${source}$`)
  if (globCache.size < 1000) globCache.set(glob, re)
  return re
}

export function matchGlob(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value)
}

interface Version {
  major: number
  minor: number
  patch: number
  prerelease: string | null
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/

/** Parses `1.2.3`, `v1.2.3`, `1.2.3-rc.1`; null for anything else (`latest`, `main`). */
export function parseVersion(text: string): Version | null {
  const m = VERSION.exec(text.trim())
  if (!m || m[2] === undefined || m[3] === undefined) return null
  return { major: +m[1]!, minor: +m[2], patch: +m[3], prerelease: m[4] ?? null }
}

function comparePrerelease(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  const pa = a.split('.')
  const pb = b.split('.')
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    const nx = /^\d+$/.test(x) ? +x : Number.NaN
    const ny = /^\d+$/.test(y) ? +y : Number.NaN
    if (x === y) continue
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx < ny ? -1 : 1
    if (!Number.isNaN(nx)) return -1
    if (!Number.isNaN(ny)) return 1
    return x < y ? -1 : 1
  }
  return 0
}

export function compareVersions(a: Version, b: Version): number {
  return (
    Math.sign(a.major - b.major) ||
    Math.sign(a.minor - b.minor) ||
    Math.sign(a.patch - b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  )
}

type Comparator = { op: '<' | '<=' | '>' | '>=' | '='; v: Version }

const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$/
const isWild = (p: string | undefined) => p === undefined || /^[xX*]$/.test(p)
const v = (
  major: number,
  minor: number,
  patch: number,
  prerelease: string | null = null,
): Version => ({
  major,
  minor,
  patch,
  prerelease,
})

// Expands one range term (`^1.2`, `~1`, `>=1.0.0`, `1.x`) into comparators; null if not a range.
function expandTerm(term: string): Comparator[] | null {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(term)
  if (!m) return null
  const op = m[1] ?? ''
  const p = PARTIAL.exec(m[2]!)
  if (!p) return null
  const [, maj, min, pat, pre] = p
  if (isWild(maj)) return op === '<' || op === '>' ? [{ op: '<', v: v(0, 0, 0, '0') }] : []
  const M = +maj!
  const mi = isWild(min) ? null : +min!
  const pa = isWild(pat) ? null : +pat!
  const base = v(M, mi ?? 0, pa ?? 0, pre ?? null)
  switch (op) {
    case '^': {
      const upper =
        M > 0 || mi === null
          ? v(M + 1, 0, 0, '0')
          : mi > 0 || pa === null
            ? v(0, mi + 1, 0, '0')
            : v(0, 0, pa + 1, '0')
      return [
        { op: '>=', v: base },
        { op: '<', v: upper },
      ]
    }
    case '~':
      return [
        { op: '>=', v: base },
        { op: '<', v: mi === null ? v(M + 1, 0, 0, '0') : v(M, mi + 1, 0, '0') },
      ]
    case '':
    case '=':
      if (mi === null)
        return [
          { op: '>=', v: base },
          { op: '<', v: v(M + 1, 0, 0, '0') },
        ]
      if (pa === null)
        return [
          { op: '>=', v: base },
          { op: '<', v: v(M, mi + 1, 0, '0') },
        ]
      return [{ op: '=', v: base }]
    case '>':
      if (mi === null) return [{ op: '>=', v: v(M + 1, 0, 0, '0') }]
      if (pa === null) return [{ op: '>=', v: v(M, mi + 1, 0, '0') }]
      return [{ op: '>', v: base }]
    case '<=':
      if (mi === null) return [{ op: '<', v: v(M + 1, 0, 0, '0') }]
      if (pa === null) return [{ op: '<', v: v(M, mi + 1, 0, '0') }]
      return [{ op: '<=', v: base }]
    default:
      return [{ op: op as Comparator['op'], v: base }]
  }
}

function test(c: Comparator, version: Version): boolean {
  const cmp = compareVersions(version, c.v)
  switch (c.op) {
    case '<':
      return cmp < 0
    case '<=':
      return cmp <= 0
    case '>':
      return cmp > 0
    case '>=':
      return cmp >= 0
    default:
      return cmp === 0
  }
}

const rangeCache = new Map<string, Comparator[][] | null>()

/** Parses a semver range into OR-ed sets of AND-ed comparators; null if it is not a range. */
export function parseRange(range: string): Comparator[][] | null {
  if (rangeCache.has(range)) return rangeCache.get(range)!
  const parsed = parseRangeUncached(range)
  // Patterns come from a handful of trigger configs; the cap only guards against abuse.
  if (rangeCache.size < 1000) rangeCache.set(range, parsed)
  return parsed
}

function parseRangeUncached(range: string): Comparator[][] | null {
  const sets: Comparator[][] = []
  for (const part of range.split('||')) {
    const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(part)
    const terms = hyphen
      ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`]
      : part
          .trim()
          .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
          .split(/\s+/)
    const set: Comparator[] = []
    for (const term of terms) {
      const expanded = expandTerm(term)
      if (!expanded) return null
      set.push(...expanded)
    }
    sets.push(set)
  }
  return sets
}

/**
 * True when `version` is in `range`. A prerelease only satisfies a range that names a prerelease
 * of the same major.minor.patch, as npm does: `^1.0.0` never deploys `1.1.0-rc.1` by surprise.
 */
export function satisfies(version: string, range: string): boolean {
  const parsed = parseVersion(version)
  const sets = parseRange(range)
  if (!parsed || !sets) return false
  return sets.some(
    (set) =>
      set.every((c) => test(c, parsed)) &&
      (parsed.prerelease === null ||
        set.some(
          (c) =>
            c.v.prerelease !== null &&
            c.v.prerelease !== '0' &&
            c.v.major === parsed.major &&
            c.v.minor === parsed.minor &&
            c.v.patch === parsed.patch,
        )),
  )
}

/** A pattern is a semver range when it starts with an operator: `^`, `~`, `>`, `<`, `=`. */
export function isSemverRange(pattern: string): boolean {
  return /^\s*[\^~<>=]/.test(pattern) && parseRange(pattern) !== null
}

/**
 * True when `value` matches any pattern. An empty or absent list matches everything. Patterns
 * that start with `!` exclude (`['v*', '!v*-rc*']`); a value matching only exclusions is refused.
 */
export function matchPatterns(
  patterns: readonly string[] | undefined | null,
  value: string,
): boolean {
  if (!patterns || patterns.length === 0) return true
  const include = patterns.filter((p) => !p.startsWith('!'))
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  const hit = (p: string) => (isSemverRange(p) ? satisfies(value, p) : matchGlob(p, value))
  return (include.length === 0 || include.some(hit)) && !exclude.some(hit)
}
