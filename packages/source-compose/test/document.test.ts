import { isForgeError } from '@forge/core'
import { labelCompose, projectName } from '@forge/source-compose'
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
