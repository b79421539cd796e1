import { describe, expect, it } from 'vitest'
import { CheckTableError, checkTester } from '../src/index.js'
import { source } from './fixtures.js'

// A check a schema could not do: the image must name a registry host.
const checked = source({
  check: (config) =>
    config.image.includes('/') && config.image.split('/')[0]?.includes('.')
      ? []
      : [{ path: 'image', message: `${config.image} names no registry host` }],
})

describe('checkTester()', () => {
  it('passes valid configs and invalid ones whose issues it reports exactly', async () => {
    const summary = await checkTester(checked).run({
      valid: [{ name: 'an image on a registry', config: { image: 'ghcr.io/acme/web' } }],
      invalid: [
        {
          name: 'an image without a host',
          config: { image: 'web' },
          issues: [{ path: 'image', message: /names no registry host/ }],
        },
      ],
    })
    expect(summary.passed).toBe(2)
    expect(summary.cases[1]?.issues).toEqual([
      { path: 'image', message: 'web names no registry host' },
    ])
  })

  it('lists every failing case: an unexpected issue, a missing one, a config the schema refuses', async () => {
    const error = await checkTester(checked)
      .run({
        valid: [
          { name: 'wrongly valid', config: { image: 'web' } },
          { name: 'schema-invalid', config: { image: 'ghcr.io/a/b', prot: 1 } },
        ],
        invalid: [
          {
            name: 'wrongly invalid',
            config: { image: 'ghcr.io/a/b' },
            issues: [{ path: 'image' }],
          },
        ],
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CheckTableError)
    const message = (error as Error).message
    expect(message).toContain('Source "memo" check: 3 of 3 case(s) failed')
    expect(message).toContain(
      '✗ valid › wrongly valid\n      expected no issues, received image: web names no registry host',
    )
    expect(message).toContain("the case's config fails the schema before check runs")
    expect(message).toContain('source.config.prot: unknown field; did you mean port?')
    expect(message).toContain(
      '✗ invalid › wrongly invalid\n      expected image, received no issues',
    )
  })

  it('check() throws for one failing case, for it.each', async () => {
    const tester = checkTester(checked)
    await tester.check('valid', { name: 'ok', config: { image: 'ghcr.io/a/b' } })
    await expect(tester.check('valid', { name: 'bad', config: { image: 'b' } })).rejects.toThrow(
      CheckTableError,
    )
  })

  it('says so for a source without check, or a check that throws', async () => {
    const none = await checkTester(source()).evaluate('valid', {
      name: 'x',
      config: { image: 'a' },
    })
    expect(none.problems).toEqual(['source "memo" has no check to test'])
    const buggy = source({ check: () => Promise.reject(new Error('boom')) })
    const report = await checkTester(buggy).evaluate('valid', { name: 'x', config: { image: 'a' } })
    expect(report.problems[0]).toMatch(/^check threw Error: boom/)
  })
})
