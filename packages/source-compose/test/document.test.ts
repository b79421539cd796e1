import { isForgeError } from '@forge/core'
import { validateConfig } from '@forge/core/host'
import { bindPort, composeSource, labelCompose, projectName } from '@forge/source-compose'
import { checkTester } from '@forge/testing'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const workload = {
  id: '1A2b3C4d-5e6f-7a8b-9c0d-112233445566',
  source: { kind: 'compose', config: {} },
}
const forge = {
  'forge.managed': 'true',
  'forge.workload.id': workload.id,
  'forge.workload.kind': 'compose',
}

function services(text: string): Record<string, { labels: unknown }> {
  return parse(labelCompose(text, workload).text).services
}

function thrown(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (error) {
    if (isForgeError(error)) return error
    throw error
  }
  throw new Error('expected an error')
}

describe('labelCompose', () => {
  it('adds the fixed labels to a service without labels, with the service name as role', () => {
    const out = services('services:\n  web:\n    image: a\n  db:\n    image: b\n')
    expect(out.web?.labels).toEqual({ ...forge, 'forge.role': 'web' })
    expect(out.db?.labels).toEqual({ ...forge, 'forge.role': 'db' })
  })

  it('keeps map labels and overrides a forged forge label', () => {
    const out = services(
      'services:\n  web:\n    image: a\n    labels:\n      team: x\n      forge.role: evil\n',
    )
    expect(out.web?.labels).toEqual({ team: 'x', ...forge, 'forge.role': 'web' })
  })

  it('keeps list labels in list form and drops forged forge entries', () => {
    const out = services(
      'services:\n  web:\n    image: a\n    labels: ["team=x", "forge.workload.id=other"]\n',
    )
    expect(out.web?.labels).toEqual([
      'team=x',
      'forge.managed=true',
      `forge.workload.id=${workload.id}`,
      'forge.workload.kind=compose',
      'forge.role=web',
    ])
  })

  it('resolves merge keys so shared settings reach every service', () => {
    const text =
      'x-base: &base\n  image: shared\nservices:\n  a:\n    <<: *base\n  b:\n    <<: *base\n'
    const out = parse(labelCompose(text, workload).text).services
    expect(out.a.image).toBe('shared')
    expect(out.b.labels['forge.role']).toBe('b')
  })

  it('counts the containers each service asks for: scale, else deploy.replicas, else one', () => {
    const text = [
      'services:',
      '  a: { image: x, scale: 3 }',
      '  b: { image: x, deploy: { replicas: 2 } }',
      '  c: { image: x }',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own interpolation
      '  d: { image: x, scale: "${N}" }',
      '  e: { image: x, scale: 0 }',
    ].join('\n')
    const plans = labelCompose(text, workload).services
    expect(Object.fromEntries(plans.map((p) => [p.name, p.replicas]))).toEqual({
      a: 3,
      b: 2,
      c: 1,
      d: null,
      e: 0,
    })
  })

  it('gives the same hash for the same document and a new one when a service changes', () => {
    const a = labelCompose('services:\n  web:\n    image: a\n', workload)
    const b = labelCompose('services:\n  web:\n    image: a\n', workload)
    const c = labelCompose('services:\n  web:\n    image: c\n', workload)
    expect(a.hash).toBe(b.hash)
    expect(c.hash).not.toBe(a.hash)
  })

  it('reports bad YAML with its line and column', () => {
    const error = thrown(() => labelCompose('services:\n  web:\n    image: "a\n', workload))
    expect(error.code).toBe('FORGE_COMPOSE_INVALID_YAML')
    expect(error.message).toMatch(/line \d+, column \d+/)
  })

  it('reports a bad indentation at the line where it happens', () => {
    const error = thrown(() =>
      labelCompose('services:\n  web:\n    image: a\n   ports: [1]\n', workload),
    )
    expect(error.code).toBe('FORGE_COMPOSE_INVALID_YAML')
    expect(error.message).toContain('line 4')
  })

  it.each([
    ['a document without services', 'version: "3"\n', 'services'],
    ['a scalar document', 'hello\n', '(root)'],
    ['a service without image or build', 'services:\n  web:\n    ports: [80]\n', 'services.web'],
    ['labels of the wrong type', 'services:\n  web:\n    image: a\n    labels: 3\n', 'labels'],
  ])('rejects %s, naming the path', (_name, text, path) => {
    const error = thrown(() => labelCompose(text, workload))
    expect(error.code).toBe('FORGE_COMPOSE_INVALID_DOCUMENT')
    expect(error.message).toContain(path)
  })
})

describe('projectName', () => {
  it('carries the short id prefix and only characters compose accepts', () => {
    expect(projectName({ id: workload.id, name: 'My Shop / API' })).toBe(
      'forge-1a2b3c4d-my-shop-api',
    )
    expect(projectName({ id: workload.id, name: 'x' }, '__Ünïcode__')).toBe('forge-1a2b3c4d-n-code')
    expect(projectName({ id: workload.id, name: '!!!' })).toBe('forge-1a2b3c4d')
  })
})

describe('published ports', () => {
  it.each([
    ['8080:80', '127.0.0.1:8080:80'],
    ['80', '127.0.0.1::80'],
    [80, '127.0.0.1::80'],
    ['8000-8001:80-81', '127.0.0.1:8000-8001:80-81'],
    ['53:53/udp', '127.0.0.1:53:53/udp'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation
    ['${WEB_PORT:-8080}:80', '127.0.0.1:${WEB_PORT:-8080}:80'],
    [{ target: 80, published: 8080 }, '127.0.0.1:8080:80'],
    [{ target: 53, protocol: 'udp' }, '127.0.0.1::53/udp'],
  ])('binds %j to the publish host: %j', (entry, bound) => {
    expect(bindPort(entry, '127.0.0.1')).toEqual(bound)
  })

  it.each([
    '0.0.0.0:8080:80',
    '192.168.1.10:8080:80',
    '[::1]:8080:80',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation
    '${BIND}:8080:80',
  ])('keeps %s, which names its address', (entry) => {
    expect(bindPort(entry, '127.0.0.1')).toBe(entry)
  })

  it('keeps a long entry that names host_ip, and writes an IPv6 publish host in brackets', () => {
    const long = { target: 80, published: 8080, host_ip: '0.0.0.0' }
    expect(bindPort(long, '127.0.0.1')).toBe(long)
    expect(bindPort('8080:80', '::1')).toBe('[::1]:8080:80')
  })

  it('rewrites the document: ports bound, and a loopback port for a face the service does not publish', () => {
    const text = 'services:\n  web:\n    image: a\n    ports: ["8080:80"]\n  api:\n    image: b\n'
    const out = labelCompose(text, workload, {
      publishHost: '127.0.0.1',
      faces: [
        { service: 'web', port: 80 },
        { service: 'api', port: 3000 },
      ],
    })
    const doc = parse(out.text).services
    expect(doc.web.ports).toEqual(['127.0.0.1:8080:80'])
    expect(doc.api.ports).toEqual(['127.0.0.1::3000'])
    expect(out.facePorts).toEqual([{ service: 'api', port: 3000 }])
  })
})

describe('check', () => {
  const stack = 'services:\n  web:\n    image: nginx\n'
  it('accepts the sample and sound documents, and reports what compose would refuse with its path', async () => {
    await checkTester(composeSource).run({
      valid: [
        { name: 'the sample', config: composeSource.sample ?? {} },
        {
          name: 'every top-level key compose knows, and an extension',
          config: {
            compose: `version: "3.8"\nname: shop\nx-base: &b\n  image: nginx\n${stack}volumes: {}\nnetworks: {}\nconfigs: {}\nsecrets: {}\n`,
          },
        },
        {
          name: 'a face on a service',
          config: { compose: stack, faces: [{ host: 'www', service: 'web', port: 80 }] },
        },
      ],
      invalid: [
        {
          name: 'YAML that does not parse',
          config: { compose: 'services:\n  web:\n    image: "nginx\n' },
          issues: [{ path: 'compose', message: /^not valid YAML at line \d+, column \d+: / }],
        },
        {
          name: 'a misspelt top-level key',
          config: { compose: `${stack}volumse: {}\n` },
          issues: [
            {
              path: 'compose.volumse',
              message: 'unknown top-level key (line 4, column 1); did you mean volumes?',
            },
          ],
        },
        {
          name: 'a key compose does not know at all',
          config: { compose: `${stack}deploy: {}\n` },
          issues: [
            {
              path: 'compose.deploy',
              message: /compose knows services, volumes, .* and x-\* extensions/,
            },
          ],
        },
        {
          name: 'no services',
          config: { compose: 'version: "3"\n' },
          issues: [{ path: 'compose.services', message: 'expected a map of at least one service' }],
        },
        {
          name: 'a service without image or build',
          config: { compose: 'services:\n  web:\n    ports: [80]\n' },
          issues: [
            { path: 'compose.services.web', message: 'a service needs an `image` or a `build`' },
          ],
        },
        {
          name: 'a face on a service the document does not have',
          config: { compose: stack, faces: [{ host: 'www', service: 'api', port: 80 }] },
          issues: [
            {
              path: 'faces.0.service',
              message: 'no service api in the compose document (it has web)',
            },
          ],
        },
      ],
    })
  })

  it('refuses unknown config fields with a suggestion', async () => {
    const result = await validateConfig(
      composeSource.configSchema,
      { compose: stack, startTimeoutSecond: 30 },
      { at: 'source.config' },
    )
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: 'source.config.startTimeoutSecond',
        message: 'unknown field; did you mean startTimeoutSeconds?',
      },
    ])
  })
})
