import { describe, expect, it } from 'vitest'
import { isSemverRange, satisfies } from '../src/match.js'
import { matchGlob, matchPatterns, patternProblem } from '../src/trigger.js'

describe('matchGlob()', () => {
  it.each([
    ['main', 'main', true],
    ['main', 'mainline', false],
    ['release/*', 'release/1.2', true],
    ['release/*', 'release/1.2/hotfix', false],
    ['release/**', 'release/1.2/hotfix', true],
    ['v1.?', 'v1.2', true],
    ['v1.?', 'v1.22', false],
    ['v1.*', 'v1x', false],
    ['feat-(x)', 'feat-(x)', true],
    ['*', 'anything', true],
    // Only `*`, `**` and `?` are special: groups, classes, braces and alternations are literal.
    ['feat-(x)', 'feat-x', false],
    ['fix(*)', 'fix(ui)', true],
    ['a|b', 'a', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['{a,b}', 'a', false],
    ['+(a)', '+(a)', true],
    ['*', '.hidden', true],
    // `**` is zero or more whole segments.
    ['release/**', 'release', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['**/web', 'demo/web', true],
  ])('%s against %s is %s', (pattern, value, expected) => {
    expect(matchGlob(pattern, value)).toBe(expected)
  })
})

describe('satisfies()', () => {
  it.each([
    ['1.2.3', '^1.0.0', true],
    ['2.0.0', '^1.0.0', false],
    ['0.2.5', '^0.2.0', true],
    ['0.3.0', '^0.2.0', false],
    ['0.0.4', '^0.0.3', false],
    ['1.4.9', '~1.4', true],
    ['1.5.0', '~1.4', false],
    ['1.4.2', '~1.4.1', true],
    ['v2.1.0', '>=2.0.0 <3', true],
    ['3.0.0', '>=2.0.0 <3', false],
    ['2.5.0', '1.x || >=3', false],
    ['1.9.0', '1.x || >=3', true],
    ['3.1.0', '1.x || >=3', true],
    ['1.2.0', '=1.2', true],
    ['1.2.0', '>1.2', false],
    ['1.3.0', '>1.2', true],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['1.3.0', '1.2.0 - 1.4.0', true],
    ['1.4.1', '1.2.0 - 1.4.0', false],
    ['2.3.0', '1.x || 2.x', true],
    ['3.0.0', '1.x || 2.x', false],
    ['v1.2.3', '^1.0.0', true],
    ['1.1.0-rc.1', '^1.0.0', false],
    ['1.1.0-rc.2', '^1.1.0-rc.1', true],
    ['1.1.0', '^1.1.0-rc.1', true],
    ['latest', '^1.0.0', false],
    ['1.2', '^1.0.0', false],
  ])('%s in %s is %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected)
  })
})

describe('matchPatterns()', () => {
  it('matches everything when no patterns are given', () => {
    expect(matchPatterns(undefined, 'x')).toBe(true)
    expect(matchPatterns([], 'x')).toBe(true)
  })

  it('mixes globs and semver ranges', () => {
    expect(matchPatterns(['latest', '^2.0.0'], 'latest')).toBe(true)
    expect(matchPatterns(['latest', '^2.0.0'], 'v2.3.1')).toBe(true)
    expect(matchPatterns(['latest', '^2.0.0'], 'v3.0.0')).toBe(false)
  })

  it('applies ! exclusions after inclusions', () => {
    expect(matchPatterns(['v*', '!v*-rc*'], 'v1.0.0')).toBe(true)
    expect(matchPatterns(['v*', '!v*-rc*'], 'v1.0.0-rc1')).toBe(false)
    expect(matchPatterns(['!dev'], 'main')).toBe(true)
    expect(matchPatterns(['!dev'], 'dev')).toBe(false)
  })

  it('answers promptly for a long value a sender chose, and matches no glob with it', () => {
    const started = performance.now()
    expect(matchPatterns(['v*.*.*-rc*'], `v${'.'.repeat(5000)}`)).toBe(false)
    expect(matchPatterns(['!v*.*.*-rc*'], `v${'.'.repeat(255)}`)).toBe(true)
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('refuses a pattern with more runs of * than matching can afford, naming it', () => {
    expect(matchPatterns(['v*.*.*-*'], 'v1.2.3-rc')).toBe(true)
    expect(() => matchPatterns(['a*b*c*d*e*'], 'abcde')).toThrow(
      expect.objectContaining({
        code: 'FORGE_PATTERN_TOO_COMPLEX',
        message:
          'The pattern "a*b*c*d*e*" has 5 runs of *, over the limit of 4: matching it could stall the server.',
      }),
    )
  })

  it('says which patterns it would refuse, for config schemas', () => {
    expect(patternProblem('v*.*.*-*')).toBeNull()
    expect(patternProblem('^1.0.0')).toBeNull()
    expect(patternProblem('!a*b*c*d*e*')).toBe(
      '"a*b*c*d*e*" has 5 runs of *, over the limit of 4: split it into simpler patterns',
    )
  })

  it('tells a semver range from a glob by its leading operator', () => {
    expect(isSemverRange('^1.0.0')).toBe(true)
    expect(isSemverRange('>=1 <2')).toBe(true)
    expect(isSemverRange('v1.*')).toBe(false)
    expect(isSemverRange('>=banana')).toBe(false)
  })
})
