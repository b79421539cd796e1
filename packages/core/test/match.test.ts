import { describe, expect, it } from 'vitest'
import { isSemverRange, satisfies } from '../src/match.js'
import { matchGlob, matchPatterns } from '../src/trigger.js'

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

  it('tells a semver range from a glob by its leading operator', () => {
    expect(isSemverRange('^1.0.0')).toBe(true)
    expect(isSemverRange('>=1 <2')).toBe(true)
    expect(isSemverRange('v1.*')).toBe(false)
    expect(isSemverRange('>=banana')).toBe(false)
  })
})
