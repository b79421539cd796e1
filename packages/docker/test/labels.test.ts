import {
  digestReference,
  dockerConnection,
  forgeLabels,
  normalizeState,
  referenceTag,
  repository,
  resourceName,
  withDefaultTag,
  workloadFilter,
} from '@forge/docker'
import { describe, expect, it } from 'vitest'

const workload = {
  id: '1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809',
  source: { kind: 'image', config: {} },
}

describe('labels and names', () => {
  it('labels a resource with the four fixed labels', () => {
    expect(forgeLabels(workload, 'blue')).toEqual({
      'forge.managed': 'true',
      'forge.workload.id': workload.id,
      'forge.workload.kind': 'image',
      'forge.role': 'blue',
    })
  })

  it('names resources after the first 8 characters of the workload id', () => {
    expect(resourceName(workload, 'blue')).toBe('forge-1a2b3c4d-blue')
    expect(resourceName(workload, 'Data Dir/..')).toBe('forge-1a2b3c4d-data-dir-..')
    expect(resourceName(workload, '')).toBe('forge-1a2b3c4d')
  })

  it('filters one workload, optionally one role', () => {
    expect(workloadFilter(workload, 'green').label).toEqual([
      'forge.managed=true',
      `forge.workload.id=${workload.id}`,
      'forge.role=green',
    ])
  })
})

describe('normalizeState', () => {
  it.each([
    ['running', 'running'],
    ['exited', 'exited'],
    ['Restarting', 'restarting'],
    ['dead', 'dead'],
    ['something-new', 'unknown'],
  ])('maps Docker state %s to %s', (docker, core) => {
    expect(normalizeState(docker)).toBe(core)
    expect(normalizeState({ Status: docker })).toBe(core)
  })

  it('maps a missing state to unknown', () => {
    expect(normalizeState(undefined)).toBe('unknown')
  })
})

describe('dockerConnection', () => {
  it('reads unix sockets, tcp addresses and the default socket', () => {
    expect(dockerConnection(undefined)).toEqual({ socketPath: '/var/run/docker.sock' })
    expect(dockerConnection('unix:///run/user/docker.sock')).toEqual({
      socketPath: '/run/user/docker.sock',
    })
    expect(dockerConnection('tcp://10.0.0.2:2375')).toEqual({
      protocol: 'http',
      host: '10.0.0.2',
      port: 2375,
    })
  })
})

describe('repository', () => {
  it('drops the tag or digest, keeping a registry port', () => {
    expect(repository('127.0.0.1:5000/app:2')).toBe('127.0.0.1:5000/app')
    expect(repository('127.0.0.1:5000/app')).toBe('127.0.0.1:5000/app')
    expect(repository('app@sha256:abc')).toBe('app')
  })
})

describe('referenceTag', () => {
  it('reads the tag, never a registry port or a digest', () => {
    expect(referenceTag('127.0.0.1:5000/app:2')).toBe('2')
    expect(referenceTag('127.0.0.1:5000/app')).toBeNull()
    expect(referenceTag('app@sha256:abc')).toBeNull()
    expect(referenceTag('app:latest')).toBe('latest')
  })
})

describe('digestReference', () => {
  it('joins a bare digest to the image and keeps a full reference as it is', () => {
    expect(digestReference('reg:5000/web', 'sha256:ab')).toBe('reg:5000/web@sha256:ab')
    expect(digestReference('reg:5000/api', 'reg:5000/web@sha256:ab')).toBe('reg:5000/web@sha256:ab')
  })
})

describe('withDefaultTag', () => {
  it('adds :latest only where no tag or digest is given', () => {
    expect(withDefaultTag('nginx')).toBe('nginx:latest')
    expect(withDefaultTag('127.0.0.1:5000/app')).toBe('127.0.0.1:5000/app:latest')
    expect(withDefaultTag('127.0.0.1:5000/app:2')).toBe('127.0.0.1:5000/app:2')
    expect(withDefaultTag('app@sha256:abc')).toBe('app@sha256:abc')
  })
})
