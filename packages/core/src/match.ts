/**
 * Patterns for branches, tags and image names: globs (`release/*`, `v1.*`, `**`) through
 * picomatch and, for tags, semver ranges (`^1.2.0`, `~1.4`, `>=2.0.0 <3`, `1.x || 2.x`) through
 * semver. One implementation serves every trigger so that `tags: ['^1.0.0']` means the same for a
 * git tag and an image tag.
 */
import picomatch from 'picomatch'
import semver from 'semver'
import { ForgeErrors, forgeError } from './errors.js'

type Matcher = (value: string) => boolean

// `*` stays within a segment, `**` crosses, `?` is one character; `*` matches a leading dot too.
// `!` is read by matchPatterns, so picomatch must not negate; extglobs and braces are off.
const GLOB_OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  nonegate: true,
  noextglob: true,
  nobrace: true,
  windows: false,
}

// Every other character is literal, as the documented syntax promises: a branch `fix(ui)` or a
// pattern with `[`, `{` or `|` means exactly those characters, never a regex group or class.
const LITERAL = /[\\()|[\]{}]/g

// Each `*` run is a regex loop: beyond a few, a value the sender chose can make one match take
// seconds of backtracking, so longer values and busier patterns are refused up front.
const MAX_VALUE_LENGTH = 256
const MAX_STARS = 4

const cache = new Map<string, Matcher>()

// Patterns come from a handful of trigger configs; the cap only guards against abuse.
function cached(key: string, build: () => Matcher): Matcher {
  const hit = cache.get(key)
  if (hit) return hit
  const matcher = build()
  if (cache.size < 1000) cache.set(key, matcher)
  return matcher
}

/** `*` matches within a path segment, `**` across segments, `?` one character. */
export function matchGlob(pattern: string, value: string): boolean {
  return cached(`glob:${pattern}`, () => compileGlob(pattern))(value)
}

const starRuns = (pattern: string): number => pattern.match(/\*+/g)?.length ?? 0

function compileGlob(pattern: string): Matcher {
  const stars = starRuns(pattern)
  if (stars > MAX_STARS)
    throw forgeError(ForgeErrors.PatternTooComplex, { pattern, stars, limit: MAX_STARS })
  const test = picomatch(pattern.replace(LITERAL, '\\$&'), GLOB_OPTIONS)
  return (value) => value.length <= MAX_VALUE_LENGTH && test(value)
}

/** A pattern is a semver range when it starts with an operator: `^`, `~`, `>`, `<`, `=`. */
export function isSemverRange(pattern: string): boolean {
  return /^\s*[\^~<>=]/.test(pattern) && semver.validRange(pattern) !== null
}

/**
 * True when `version` is in `range`. A prerelease only satisfies a range that names a prerelease
 * of the same major.minor.patch (semver's default): `^1.0.0` never deploys `1.1.0-rc.1` by
 * surprise. `v1.2.3` is a version; `1.2` and `latest` are not.
 */
export function satisfies(version: string, range: string): boolean {
  return semver.satisfies(version, range)
}

// A pattern is read once as a range or a glob; the predicate is kept.
function patternMatcher(pattern: string): Matcher {
  return cached(`pattern:${pattern}`, () =>
    isSemverRange(pattern) ? (value) => satisfies(value, pattern) : compileGlob(pattern),
  )
}

/**
 * Why `matchPatterns` would refuse a pattern (a glob with too many runs of `*`), or null: for a
 * trigger's config schema, so that a user hears it when saving the config, not at the next push.
 */
export function patternProblem(pattern: string): string | null {
  const bare = pattern.startsWith('!') ? pattern.slice(1) : pattern
  const stars = starRuns(bare)
  if (stars <= MAX_STARS || isSemverRange(bare)) return null
  return `${JSON.stringify(bare)} has ${stars} runs of *, over the limit of ${MAX_STARS}: split it into simpler patterns`
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
  const hit = (p: string) => patternMatcher(p)(value)
  return (include.length === 0 || include.some(hit)) && !exclude.some(hit)
}
