import { validateConfig, validateConfigSync } from '@forge/core/host'
import type { Release } from '@forge/source-image'
import {
  faceHost,
  faceRoutes,
  imageConfigSchema,
  imageSource,
  withRelease,
} from '@forge/source-image'
import { describe, expect, it } from 'vitest'

describe('image config', () => {
  it('fills defaults: pull missing, HTTP health check on /, 5 releases, blue-green drain', () => {
    const config = imageConfigSchema.parse({ image: 'web', port: 8080 })
    expect(config).toMatchObject({
      tag: 'latest',
      pull: 'missing',
      healthcheck: { type: 'http', path: '/', interval: 500, timeout: 2000, retries: 60 },
      keepReleases: 5,
      drainMs: 2000,
      restart: 'unless-stopped',
      faces: [],
      volumes: [],
    })
  })

  it('names the field of a bad config with its dotted path', () => {
    const result = validateConfigSync(imageConfigSchema, {
      image: 'web',
      port: 70000,
      volumes: [{ scope: 'absolute', source: 'relative/path', target: '/data' }],
    })
    expect(result.ok).toBe(false)
    const paths = result.ok ? [] : result.issues.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['config.port', 'config.volumes.0.source']))
  })

  it('takes registry credentials as a username and the name of an env key, never a password', () => {
    const auth = { username: 'bot', passwordEnv: 'REGISTRY_PASSWORD' }
    expect(
      imageConfigSchema.parse({ image: 'web', port: 80, registryAuth: auth }).registryAuth,
    ).toEqual(auth)
    const result = validateConfigSync(imageConfigSchema, {
      image: 'web',
      port: 80,
      registryAuth: { username: 'bot', passwordEnv: 'hunter2 is my password', password: 'x' },
    })
    expect(result.ok).toBe(false)
    const paths = result.ok ? [] : result.issues.map((i) => i.path)
    // The unknown `password` field is named by its own path (too far from passwordEnv to be a typo).
    expect(paths.sort()).toEqual([
      'config.registryAuth.password',
      'config.registryAuth.passwordEnv',
    ])
    expect(result.ok ? [] : result.issues).toContainEqual({
      path: 'config.registryAuth.password',
      message: 'unknown field',
    })
  })
})

describe('unknown fields', () => {
  it('refuses a misspelt healthcheck, naming it and the field it resembles', async () => {
    const result = await validateConfig(
      imageSource.configSchema,
      { image: 'web', port: 8080, heathcheck: { path: '/healthz' } },
      { at: 'source.config' },
    )
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'source.config.heathcheck', message: 'unknown field; did you mean healthcheck?' },
    ])
    expect(result.ok ? '' : result.error.message).toContain(
      'source.config.heathcheck: unknown field; did you mean healthcheck?',
    )
  })

  it('refuses unknown fields inside the health check and faces too', () => {
    const result = validateConfigSync(
      imageSource.configSchema,
      {
        image: 'web',
        port: 8080,
        healthcheck: { pth: '/' },
        faces: [{ host: 'web', prefix: '/' }],
      },
      { at: 'source.config' },
    )
    expect(result.ok ? [] : result.issues.map((i) => i.path).sort()).toEqual([
      'source.config.faces.0.prefix',
      'source.config.healthcheck.pth',
    ])
  })

  it('keeps its sample valid', () => {
    expect(imageConfigSchema.safeParse(imageSource.sample).success).toBe(true)
  })
})

describe('faces', () => {
  it('completes a bare subdomain with the host domain and leaves full names alone', () => {
    expect(faceHost({ host: 'web' }, 'example.com')).toBe('web.example.com')
    expect(faceHost({ host: 'web' }, null)).toBe('web')
    expect(faceHost({ host: 'app.acme.io' }, 'example.com')).toBe('app.acme.io')
  })

  it('routes each face to the host port of its container port, with stable ids', () => {
    const config = imageConfigSchema.parse({
      image: 'web',
      port: 8080,
      faces: [{ host: 'web' }, { host: 'web', pathPrefix: '/admin', port: 9090 }],
    })
    const workload = { id: 'abcdef12-3456' }
    expect(faceRoutes(workload, config, { 8080: 32001, 9090: 32002 }, 'example.com')).toEqual([
      { id: 'forge-abcdef12-web', hosts: ['web.example.com'], upstream: '127.0.0.1:32001' },
      {
        id: 'forge-abcdef12-web-admin',
        hosts: ['web.example.com'],
        pathPrefix: '/admin',
        upstream: '127.0.0.1:32002',
      },
    ])
  })
})

describe('release history', () => {
  const release = (id: string) => ({ id }) as Release
  it('keeps the newest releases, and a rollback moves an old one to the front', () => {
    const history = ['r3', 'r2', 'r1'].map(release)
    expect(withRelease(history, release('r4'), 3).map((r) => r.id)).toEqual(['r4', 'r3', 'r2'])
    expect(withRelease(history, release('r2'), 3).map((r) => r.id)).toEqual(['r2', 'r3', 'r1'])
  })
})
