import { parseImageRef } from '@forge/trigger-registry'
import { describe, expect, it } from 'vitest'

const D = `sha256:${'ab'.repeat(32)}`

describe('parseImageRef', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', null, null],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', null],
    ['user/app', 'docker.io', 'user/app', null, null],
    ['docker.io/nginx', 'docker.io', 'library/nginx', null, null],
    ['index.docker.io/library/nginx:latest', 'docker.io', 'library/nginx', 'latest', null],
    ['registry-1.docker.io/user/app', 'docker.io', 'user/app', null, null],
    ['127.0.0.1:5000/demo/web', '127.0.0.1:5000', 'demo/web', null, null],
    ['127.0.0.1:5000/demo/web:v1', '127.0.0.1:5000', 'demo/web', 'v1', null],
    ['localhost/app', 'localhost', 'app', null, null],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', null],
    ['GHCR.io/Org/App:V1', 'ghcr.io', 'org/app', 'V1', null],
    [`ghcr.io/org/app@${D}`, 'ghcr.io', 'org/app', null, D],
    [
      `ghcr.io/org/app:v2@${D.toUpperCase().replace('SHA256', 'sha256')}`,
      'ghcr.io',
      'org/app',
      'v2',
      D,
    ],
    [
      'registry.gitlab.com/group/sub/project/image',
      'registry.gitlab.com',
      'group/sub/project/image',
      null,
      null,
    ],
    ['https://quay.io/acme/web', 'quay.io', 'acme/web', null, null],
    [
      'my-registry.internal:443/a_b/c.d-e__f',
      'my-registry.internal:443',
      'a_b/c.d-e__f',
      null,
      null,
    ],
  ])('%s → %s / %s / %s / %s', (text, registry, repository, tag, digest) => {
    expect(parseImageRef(text)).toEqual({ registry, repository, tag, digest })
  })

  it.each([
    '',
    '   ',
    'bad ref',
    'a//b',
    '/leading',
    'app:',
    'app:-bad',
    `app:${'x'.repeat(129)}`,
    'app@sha256:short',
    'app@notadigest',
    'host:port/app',
    '-app',
    'app--',
  ])('%j is not an image reference', (text) => {
    expect(parseImageRef(text)).toBeNull()
  })

  it('config and events agree: every spelling of one image normalizes to the same name', () => {
    const names = [
      'nginx',
      'docker.io/nginx',
      'docker.io/library/nginx',
      'index.docker.io/library/nginx:1',
    ]
    const normalized = new Set(names.map((n) => JSON.stringify({ ...parseImageRef(n), tag: null })))
    expect(normalized.size).toBe(1)
  })
})
