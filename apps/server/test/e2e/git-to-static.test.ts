import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSYBOX_IMAGE, removeLabelled, requireDocker } from '../../../../test-support/docker.js'
import { type Json, startServer, type TestServer } from '../helpers.js'
import { explainChain, finishedDeploy, logCollector, makeFirstPartyInstance } from './support.js'

// A real `git push` to a bare repository whose post-receive hook posts a signed Gitea push webhook
// → @forge/trigger-git → the server's fan-out and deploy queue → @forge/source-static clones the
// repository over file:// and serves it from the busybox image (proxy none: a published port).
const run = promisify(execFile)
const SIGNING = 'e2e-gitea-signing-secret'
const REPOSITORY = 'forge-e2e/site'

const log = logCollector()
let server: TestServer | undefined
let instanceDir: string | undefined
let root: string | undefined
let triggerId: string | undefined
let workloadId: string | undefined

const explain = () => explainChain(server as TestServer, triggerId, workloadId, log.tail())

async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('git', args, { cwd, timeout: 30_000 })
    return `${stdout}${stderr}`
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string }
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${e.stderr || e.message}${e.stdout}`)
  }
}

/**
 * The hook a Gitea server would run: for each updated ref, a push payload shaped like Gitea's
 * (ref, before, after, commits, head_commit, repository.full_name, pusher), signed with
 * `X-Gitea-Signature` (hex HMAC-SHA256 of the body). Each answer is appended to answers.jsonl.
 */
function hookScript(webhookUrl: string, answers: string): string {
  return `const { createHmac, randomUUID } = require('node:crypto')
const { execFileSync } = require('node:child_process')
const { appendFileSync } = require('node:fs')
const url = ${JSON.stringify(webhookUrl)}
const secret = ${JSON.stringify(SIGNING)}
const [owner, name] = ${JSON.stringify(REPOSITORY)}.split('/')
let input = ''
process.stdin.on('data', (chunk) => (input += chunk))
process.stdin.on('end', async () => {
  for (const line of input.trim().split('\\n')) {
    const [before, after, ref] = line.split(' ')
    const message = /^0+$/.test(after) ? '' : execFileSync('git', ['log', '-1', '--format=%B', after]).toString()
    const commit = { id: after, message, author: { name: 'e2e', email: 'e2e@forge.test', username: 'e2e' } }
    const body = JSON.stringify({
      ref, before, after,
      commits: /^0+$/.test(after) ? [] : [commit],
      head_commit: /^0+$/.test(after) ? null : commit,
      repository: { id: 1, name, full_name: owner + '/' + name, owner: { id: 1, login: owner, username: owner } },
      pusher: { id: 1, login: 'e2e', username: 'e2e' },
      sender: { id: 1, login: 'e2e', username: 'e2e' },
    })
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitea-event': 'push',
        'x-gitea-delivery': randomUUID(),
        'x-gitea-signature': createHmac('sha256', secret).update(body).digest('hex'),
      },
      body,
    })
    const text = await res.text()
    appendFileSync(${JSON.stringify(answers)}, JSON.stringify({ ref, after, status: res.status, body: JSON.parse(text) }) + '\\n')
    console.log('forge answered ' + res.status + ': ' + text)
  }
})
`
}

/** Pushes main and returns the webhook answer the hook got for it. */
async function pushMain(work: string, answers: string): Promise<Json> {
  const before = readFileSync(answers, 'utf8').trim().split('\n').filter(Boolean).length
  const output = await git(work, 'push', 'origin', 'main')
  const lines = readFileSync(answers, 'utf8').trim().split('\n').filter(Boolean)
  if (lines.length !== before + 1)
    throw new Error(`The post-receive hook recorded no answer for this push. git said:\n${output}`)
  return JSON.parse(lines.at(-1) as string)
}

async function commit(work: string, content: string): Promise<string> {
  writeFileSync(join(work, 'index.html'), content)
  await git(work, 'add', 'index.html')
  await git(
    work,
    '-c',
    'user.name=e2e',
    '-c',
    'user.email=e2e@forge.test',
    'commit',
    '-qm',
    content,
  )
  return (await git(work, 'rev-parse', 'HEAD')).trim()
}

/** The workload's one site container, and what it serves on its published port. */
async function site(): Promise<{ containerId: string; body: string }> {
  const srv = server as TestServer
  const rows = (await srv.api('GET', `/api/workloads/${workloadId}/containers`)).body as Json[]
  expect(rows, await explain()).toHaveLength(1)
  const [row] = rows
  const res = await fetch(`http://127.0.0.1:${row.port}/index.html`)
  return { containerId: row.containerId, body: (await res.text()).trim() }
}

beforeAll(async () => {
  await requireDocker()
  await git(tmpdir(), '--version')
  instanceDir = makeFirstPartyInstance(['@forge/trigger-git', '@forge/source-static'])
  server = await startServer({ dir: instanceDir, proxy: 'none', log: log.options })
  root = mkdtempSync(join(tmpdir(), 'forge-e2e-git-'))
})

afterAll(async () => {
  if (server && workloadId) {
    const res = await server.api('DELETE', `/api/workloads/${workloadId}`)
    if (res.status !== 204) console.error('teardown answered', res.status, res.body)
  }
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  await server?.stop()
  for (const dir of [instanceDir, root]) if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('git push to a static site, end to end', () => {
  it('a git push redeploys the site with the new files, and the same commit again is unchanged', async () => {
    const srv = server as TestServer
    const dir = root as string
    const trigger = await srv.api('POST', '/api/triggers', {
      name: 'site-push',
      kind: 'git',
      config: { repository: REPOSITORY, branches: ['main'] },
      signingSecret: SIGNING,
      requireSignature: true,
    })
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
    triggerId = trigger.body.id

    const bare = join(dir, 'site.git')
    const work = join(dir, 'work')
    const answers = join(dir, 'answers.jsonl')
    mkdirSync(work)
    writeFileSync(answers, '')
    await git(dir, 'init', '-q', '--bare', '-b', 'main', bare)
    writeFileSync(
      join(bare, 'hooks', 'post-receive.cjs'),
      hookScript(trigger.body.webhookUrl, answers),
    )
    writeFileSync(
      join(bare, 'hooks', 'post-receive'),
      `#!/bin/sh\nexec '${process.execPath}' '${join(bare, 'hooks', 'post-receive.cjs')}'\n`,
    )
    chmodSync(join(bare, 'hooks', 'post-receive'), 0o755)
    await git(work, 'init', '-q', '-b', 'main')
    await git(work, 'remote', 'add', 'origin', `file://${bare}`)

    const workload = await srv.api('POST', '/api/workloads', {
      name: 'site',
      source: {
        kind: 'static',
        config: {
          provider: 'git',
          repository: `file://${bare}`,
          branch: 'main',
          serverImage: BUSYBOX_IMAGE,
          serverRoot: '/www',
          serverPort: 8080,
        },
      },
    })
    expect(workload.status, JSON.stringify(workload.body)).toBe(201)
    workloadId = workload.body.id
    const binding = await srv.api('POST', `/api/workloads/${workloadId}/triggers`, { triggerId })
    expect(binding.status, JSON.stringify(binding.body)).toBe(201)

    const served: string[] = []
    let lastDeliveryId = ''
    for (const content of ['first version', 'second version']) {
      const sha = await commit(work, content)
      const answer = await pushMain(work, answers)
      expect(answer.status, JSON.stringify(answer)).toBe(202)
      const [outcome] = answer.body.outcomes
      expect(outcome, JSON.stringify(answer)).toMatchObject({ workloadId, outcome: 'queued' })
      const deploy = await finishedDeploy(srv, outcome.deployId, explain)
      expect(deploy.status, await explain()).toBe('succeeded')
      expect(deploy.intent).toMatchObject({
        reason: 'git.push',
        commit: sha,
        ref: 'refs/heads/main',
      })
      expect(deploy.release).toMatchObject({ commit: sha })
      const now = await site()
      expect(now.body, await explain()).toBe(content)
      served.push(now.containerId)
      lastDeliveryId = answer.body.deliveryId
      console.log(
        `pushed ${sha.slice(0, 12)} "${content}": deploy ${deploy.id} succeeded, site serves it`,
      )
    }
    expect(served[0]).not.toBe(served[1])

    // The same commit again (the last delivery replayed): nothing is redeployed.
    const again = await srv.api(
      'POST',
      `/api/triggers/${triggerId}/deliveries/${lastDeliveryId}/redeliver`,
    )
    expect(again.status, JSON.stringify(again.body)).toBe(202)
    const [outcome] = again.body.outcomes
    expect(outcome, JSON.stringify(again.body)).toMatchObject({ outcome: 'queued' })
    const unchanged = await finishedDeploy(srv, outcome.deployId, explain)
    expect(unchanged.status, await explain()).toBe('unchanged')
    const after = await site()
    expect(after).toEqual({ containerId: served[1], body: 'second version' })
    console.log(`redelivered the same commit: deploy ${unchanged.id} ${unchanged.status}`)

    const deliveries = (await srv.api('GET', `/api/triggers/${triggerId}/deliveries`))
      .body as Json[]
    expect(deliveries).toHaveLength(3)
    for (const d of deliveries)
      expect(d).toMatchObject({ vendor: 'gitea', status: 202, signature: 'verified' })
    const deploys = (await srv.api('GET', `/api/workloads/${workloadId}/deploys`)).body as Json[]
    expect(deploys.map((d) => d.status).reverse()).toEqual(['succeeded', 'succeeded', 'unchanged'])
  }, 60_000)
})
