import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  assertDockerReachable,
  createDockerClient,
  createVolumes,
  forgeLabels,
  pullImage,
  removeVolumes,
  resolveVolumes,
  waitHealthy,
} from '@forge/docker'
import type Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUSYBOX_IMAGE,
  docker as dockerCli,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { startRegistry } from '../../../test-support/registry.js'

const workload = { id: `dockertest${process.pid}`, source: { kind: 'image', config: {} } }
const label = `forge.workload.id=${workload.id}`
const docker = createDockerClient()

beforeAll(requireDocker)
afterAll(async () => {
  await removeLabelled(label)
  await removeVolumes(docker, workload)
})

async function runBusybox(
  role: string,
  cmd: string[],
  extra: Partial<Docker.ContainerCreateOptions> = {},
): Promise<{ container: Docker.Container; port: number }> {
  const container = await docker.createContainer({
    Image: BUSYBOX_IMAGE,
    Cmd: cmd,
    Labels: forgeLabels(workload, role),
    ExposedPorts: { '8080/tcp': {} },
    ...extra,
    HostConfig: {
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      ...extra.HostConfig,
    },
  })
  await container.start()
  const info = await container.inspect()
  const port = Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort)
  return { container, port }
}

const serve = [
  'sh',
  '-c',
  'mkdir -p /www/ok && echo up > /www/ok/index.html && httpd -f -p 8080 -h /www',
]

describe('createDockerClient', () => {
  it('reaches the engine from DOCKER_HOST or the default socket', async () => {
    await assertDockerReachable(docker)
  })

  it('names the address and the fix when no engine answers', async () => {
    const nowhere = createDockerClient({ host: 'unix:///tmp/forge-no-docker.sock' })
    await expect(assertDockerReachable(nowhere)).rejects.toMatchObject({
      code: 'FORGE_DOCKER_UNREACHABLE',
      message: expect.stringContaining('unix:///tmp/forge-no-docker.sock'),
      hint: expect.stringContaining('DOCKER_HOST'),
    })
  })
})

describe('pullImage', () => {
  it('uses a local image under the "missing" policy without pulling', async () => {
    const progress: string[] = []
    const image = await pullImage(docker, BUSYBOX_IMAGE, {
      policy: 'missing',
      onProgress: (line) => progress.push(line),
    })
    expect(image).toMatchObject({ ref: BUSYBOX_IMAGE, pulled: false })
    expect(image.id).toMatch(/^sha256:/)
    expect(progress).toEqual([])
  })

  it('refuses a missing image under the "never" policy', async () => {
    await expect(
      pullImage(docker, 'forge-test/not-here:1', { policy: 'never' }),
    ).rejects.toMatchObject({ code: 'FORGE_DOCKER_IMAGE_MISSING' })
  })

  it('reports an unreachable registry as a pull failure naming the image', async () => {
    await expect(
      pullImage(docker, '127.0.0.1:1/forge/none:1', { policy: 'always' }),
    ).rejects.toMatchObject({
      code: 'FORGE_DOCKER_PULL_FAILED',
      message: expect.stringContaining('127.0.0.1:1/forge/none:1'),
    })
  })
})

describe('pullImage from a real registry', () => {
  it('pulls a pushed image, reports progress, and returns its registry digest', async () => {
    const registry = await startRegistry()
    const ref = `${registry.host}/forge-test/pull-${process.pid}:1`
    try {
      await dockerCli(['tag', BUSYBOX_IMAGE, ref])
      await dockerCli(['push', ref])
      await dockerCli(['rmi', ref])
      const progress: string[] = []
      const image = await pullImage(docker, ref, {
        policy: 'missing',
        onProgress: (line) => progress.push(line),
      })
      expect(image.pulled).toBe(true)
      expect(image.digest).toMatch(
        new RegExp(`^${registry.host}/forge-test/pull-${process.pid}@sha256:`),
      )
      expect(progress.join('\n')).toMatch(/Pull complete|Already exists|Downloaded newer image/)
      // Now that it is local, "missing" does not pull again.
      expect((await pullImage(docker, ref, { policy: 'missing' })).pulled).toBe(false)
    } finally {
      await dockerCli(['rmi', ref]).catch(() => undefined)
      await registry.stop()
    }
  })
})

describe('waitHealthy', () => {
  it('returns once the HTTP probe answers with a 2xx', async () => {
    const { container, port } = await runBusybox('health-ok', serve)
    await waitHealthy({
      probe: { type: 'http', host: '127.0.0.1', port, path: '/ok/' },
      interval: 100,
      retries: 50,
      container,
    })
  })

  it('backs off from a few ms to the interval, and gives up after retries x interval', async () => {
    const { container, port } = await runBusybox('health-404', serve)
    const attempts: { result: string; at: number }[] = []
    const started = Date.now()
    await expect(
      waitHealthy({
        probe: { type: 'http', host: '127.0.0.1', port, path: '/missing' },
        interval: 50,
        retries: 20,
        container,
        onAttempt: (_, result) => attempts.push({ result, at: Date.now() }),
      }),
    ).rejects.toMatchObject({
      code: 'FORGE_DOCKER_UNHEALTHY',
      message: expect.stringContaining('status 404'),
    })
    const elapsed = Date.now() - started
    expect(attempts.every((a) => a.result === 'status 404')).toBe(true)
    // The patience is retries x interval of sleeping (1 s here), whatever the backoff.
    expect(elapsed).toBeGreaterThanOrEqual(1_000)
    expect(elapsed).toBeLessThan(5_000)
    // The first pauses are short (an app that is up at once is seen at once), the last ones the interval.
    const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i] as { at: number }).at)
    expect(gaps[0]).toBeLessThan(40)
    expect(Math.min(...gaps.slice(-3))).toBeGreaterThanOrEqual(45)
    expect(attempts.length).toBeGreaterThan(20)
  })

  it('fails at once, naming the exit code, when the container crashes', async () => {
    const { container, port } = await runBusybox('health-crash', ['sh', '-c', 'sleep 0.3; exit 3'])
    await expect(
      waitHealthy({
        probe: { type: 'http', host: '127.0.0.1', port: port || 1 },
        interval: 100,
        retries: 100,
        container,
      }),
    ).rejects.toMatchObject({
      code: 'FORGE_DOCKER_CONTAINER_EXITED',
      message: expect.stringContaining('exit code 3'),
    })
  })

  it('says when a probe gets no answer within its timeout', async () => {
    const { createServer } = await import('node:net')
    const silent = createServer(() => {}) // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as { port: number }).port
    const results: string[] = []
    try {
      await expect(
        waitHealthy({
          probe: { type: 'http', host: '127.0.0.1', port },
          timeout: 150,
          interval: 20,
          retries: 2,
          onAttempt: (_, result) => results.push(result),
        }),
      ).rejects.toMatchObject({ code: 'FORGE_DOCKER_UNHEALTHY' })
    } finally {
      silent.close()
    }
    expect(results[0]).toBe('no answer within 150 ms')
  })

  it('stops promptly when the signal aborts', async () => {
    const { port } = await runBusybox('health-abort', ['sleep', '30'])
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('superseded')), 300)
    const started = Date.now()
    await expect(
      waitHealthy({
        probe: { type: 'http', host: '127.0.0.1', port: port || 1 },
        interval: 5_000,
        retries: 10,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'FORGE_ABORTED' })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it("waits for Docker's own HEALTHCHECK", async () => {
    const { container } = await runBusybox('health-docker', serve, {
      Healthcheck: {
        Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/ok/'],
        Interval: 200_000_000,
        Timeout: 1_000_000_000,
        Retries: 3,
      },
    })
    await waitHealthy({ probe: { type: 'docker' }, container, interval: 100, retries: 100 })
    const info = await container.inspect()
    expect(info.State.Health?.Status).toBe('healthy')
  })

  it('says so when a Docker probe meets an image without HEALTHCHECK', async () => {
    const { container } = await runBusybox('health-none', serve)
    await expect(
      waitHealthy({ probe: { type: 'docker' }, container, interval: 100, retries: 5 }),
    ).rejects.toMatchObject({ code: 'FORGE_DOCKER_NO_HEALTHCHECK' })
  })
})

describe('volumes on the engine', () => {
  it('mounts each scope: host folder, tmpfs, per-container and per-workload volumes', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'forge-abs-'))
    try {
      const specs = [
        { scope: 'absolute', source: hostDir, target: '/host' },
        { scope: 'ephemeral', target: '/scratch' },
        { scope: 'instance', name: 'cache', target: '/cache' },
        { scope: 'workload', name: 'data', target: '/data' },
      ] as const
      const script =
        'echo host > /host/out; grep -q "tmpfs /scratch" /proc/mounts && echo tmpfs > /data/scratch; ' +
        'echo $ROLE >> /data/roles; echo x > /cache/$ROLE; ls /cache > /data/cache-$ROLE'
      for (const role of ['blue', 'green']) {
        const volumes = await resolveVolumes(specs, {
          workload,
          role,
          allowedVolumePaths: [hostDir],
        })
        await createVolumes(docker, volumes.create)
        const container = await docker.createContainer({
          Image: BUSYBOX_IMAGE,
          Cmd: ['sh', '-c', script],
          Env: [`ROLE=${role}`],
          Labels: forgeLabels(workload, role),
          HostConfig: { Mounts: volumes.mounts },
        })
        await container.start()
        expect((await container.wait()).StatusCode).toBe(0)
      }
      expect(await readFile(join(hostDir, 'out'), 'utf8')).toBe('host\n')
      const shared = await dockerCli([
        'run',
        '--rm',
        '-v',
        `forge-${workload.id.slice(0, 8)}-data:/d`,
        BUSYBOX_IMAGE,
        'sh',
        '-c',
        'cat /d/scratch /d/roles /d/cache-green',
      ])
      // One workload volume saw both containers; each had its own instance volume.
      expect(shared).toBe('tmpfs\nblue\ngreen\ngreen\n')
      const labelled = await dockerCli(['volume', 'ls', '-q', '--filter', `label=${label}`])
      expect(labelled.split('\n').filter(Boolean).sort()).toEqual([
        `forge-${workload.id.slice(0, 8)}-blue-cache`,
        `forge-${workload.id.slice(0, 8)}-data`,
        `forge-${workload.id.slice(0, 8)}-green-cache`,
      ])
    } finally {
      await removeLabelled(label)
      await rm(hostDir, { recursive: true, force: true })
    }
  })

  it('removes only labelled volumes of the workload', async () => {
    await docker.createVolume({
      Name: `forge-vol-${process.pid}`,
      Labels: forgeLabels(workload, 'volume'),
    })
    await docker.createVolume({ Name: `user-vol-${process.pid}` })
    const removed = await removeVolumes(docker, workload)
    expect(removed).toContain(`forge-vol-${process.pid}`)
    const left = await dockerCli(['volume', 'ls', '-q'])
    expect(left).toContain(`user-vol-${process.pid}`)
    expect(left).not.toContain(`forge-vol-${process.pid}`)
    await dockerCli(['volume', 'rm', `user-vol-${process.pid}`])
  })
})

describe('containerLogLines (real engine)', () => {
  it('splits stdout from stderr, tails, stamps and follows until the container stops', async () => {
    const { containerLogLines } = await import('@forge/docker')
    const { container } = await runBusybox('logs', [
      'sh',
      '-c',
      'echo out-1; echo err-1 >&2; printf "no-newline"; sleep 1; echo; echo out-2',
    ])
    const followed: { stream: string; line: string; at?: string }[] = []
    for await (const entry of containerLogLines(docker, container.id, {
      follow: true,
      timestamps: true,
      signal: AbortSignal.timeout(15_000),
    }))
      followed.push(entry)
    // Within a stream the order is the container's; across the two, lines written in the same
    // instant may come either way (the engine's log driver stamps each stream on its own).
    const of = (stream: string) => followed.filter((e) => e.stream === stream).map((e) => e.line)
    expect(of('stdout')).toEqual(['out-1', 'no-newline', 'out-2'])
    expect(of('stderr')).toEqual(['err-1'])
    expect(followed.at(-1)?.line).toBe('out-2') // written a second later
    expect(followed.every((e) => !Number.isNaN(Date.parse(e.at ?? '')))).toBe(true)
    const tail: string[] = []
    for await (const entry of containerLogLines(docker, container.id, { tail: 1 }))
      tail.push(entry.line)
    expect(tail).toEqual(['out-2'])
  })

  it("reads a TTY container's raw stream as stdout", async () => {
    const { containerLogLines } = await import('@forge/docker')
    const { container } = await runBusybox('logs-tty', ['sh', '-c', 'echo tty-1; echo tty-2 >&2'], {
      Tty: true,
    })
    const lines: string[] = []
    for await (const entry of containerLogLines(docker, container.id, {
      follow: true,
      signal: AbortSignal.timeout(15_000),
    }))
      lines.push(`${entry.stream}:${entry.line}`)
    expect(lines).toEqual(['stdout:tty-1', 'stdout:tty-2'])
  })
})
