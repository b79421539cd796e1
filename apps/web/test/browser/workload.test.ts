import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../../test-support/docker.js'
import { servedAt } from '../../../server/test/e2e/support.js'
import {
  descriptionOf,
  expectAccessible,
  type Json,
  launchBrowser,
  openPage,
  reportFailures,
  screenshot,
  startUiServer,
  TOKEN,
  type UiServer,
} from './support'

// One workload's life in the browser, against the real server, Docker and Caddy: log in, create it
// through the wizard (a bad config first), deploy and watch the log live, open it through Caddy,
// redeploy another tag, roll back, read its container's output, and delete it.
const IMAGE = `forge-ui-test/web-${process.pid}`
const HOST = 'web-ui.forge.test'

let caddy: CaddyInstance
let proxyPort = 0
let server: UiServer
let browser: Browser
let page: Page
let buildDir: string
let workloadId = ''
/** The image id of each tag, as the UI shortens it (the digest a local image runs by). */
const shortIds: Record<string, string> = {}

async function buildTag(tag: string): Promise<void> {
  const context = join(buildDir, tag)
  mkdirSync(context, { recursive: true })
  writeFileSync(join(context, 'index.html'), `forge ui ${tag}\n`)
  // Output a log viewer must show as a terminal would, and never as HTML; then a line a second.
  writeFileSync(
    join(context, 'start.sh'),
    [
      '#!/bin/sh',
      'echo "forge-ui-test $TAG started"',
      "echo '<b>not bold</b> <img src=x onerror=alert(1)>'",
      "printf '\\033[32mgreen text\\033[0m plain\\n'",
      "printf 'progress 10%%\\rprogress 99%%\\n'",
      'i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "line $i"; done',
      '(n=0; while true; do n=$((n+1)); echo "tick $n"; sleep 1; done) &',
      'sleep 2',
      'exec httpd -f -p 8080 -h /www',
      '',
    ].join('\n'),
    { mode: 0o755 },
  )
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nENV TAG=${tag}\nCOPY index.html /www/\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n`,
  )
  await docker(['build', '-q', '-t', `${IMAGE}:${tag}`, context])
  const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', `${IMAGE}:${tag}`])).trim()
  shortIds[tag] = id.replace(/^sha256:/, '').slice(0, 12)
}

const explain = async () => {
  const deploys = workloadId
    ? (await server.api('GET', `/api/workloads/${workloadId}/deploys`)).body
    : []
  return `deploys: ${JSON.stringify(deploys, null, 1)}\nserver log:\n${server.log()}`
}

beforeAll(async () => {
  await requireDocker()
  buildDir = mkdtempSync(join(tmpdir(), 'forge-ui-build-'))
  await Promise.all([buildTag('v1'), buildTag('v2')])
  caddy = await startCaddy()
  proxyPort = await caddyPort()
  server = await startUiServer({
    plugins: ['@forge/source-image', '@forge/trigger-registry', '@forge/proxy-caddy'],
    proxy: 'caddy',
    proxyOptions: { adminUrl: caddy.adminUrl, listen: `127.0.0.1:${proxyPort}` },
  })
  browser = await launchBrowser()
  page = (await openPage(browser)).page
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await caddy?.stop()
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`).catch(() => {})
  await docker(['image', 'rm', '-f', `${IMAGE}:v1`, `${IMAGE}:v2`]).catch(() => {})
  if (buildDir) rmSync(buildDir, { recursive: true, force: true })
})

describe('a workload in the browser', () => {
  reportFailures(() => page)

  it('refuses a wrong token, then logs in with the admin token', async () => {
    await page.goto(`${server.url}/apps`)
    await expect.poll(() => page.url()).toMatch(/\/login$/)
    await expectAccessible(page, 'login')
    await screenshot(page, 'login')
    await page.getByLabel('Admin token').fill('not-the-token')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('alert').getByText('That token is not valid').waitFor()
    await page.getByLabel('Admin token').fill(TOKEN)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('heading', { name: 'Nothing is deployed yet' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/apps')
    await expectAccessible(page, 'apps (empty)')
    await screenshot(page, 'apps-empty')
  })

  it('shows the server’s error on the field it names', async () => {
    await page.getByRole('link', { name: 'Create your first workload' }).click()
    await page.getByRole('heading', { name: 'New workload' }).waitFor()
    // Keyboard only: the kind cards are radio buttons.
    await page.getByRole('radio', { name: /Docker image/ }).focus()
    await page.keyboard.press('Space')
    const form = page.getByRole('group', { name: /Configure: Docker image/ })
    await form.getByRole('textbox', { name: 'Image', exact: true }).fill(IMAGE)
    await form.getByRole('spinbutton', { name: 'Port', exact: true }).fill('8080')
    await form.getByText('More settings').click()
    await form.getByLabel('Tag', { exact: true }).fill('v1')
    await form.getByRole('combobox', { name: 'Pull', exact: true }).selectOption({ label: 'never' })
    const healthcheck = form.getByRole('group', { name: 'Healthcheck' })
    await healthcheck.getByLabel('Path', { exact: true }).fill('healthz')
    await form.getByRole('button', { name: 'Add to Faces' }).click()
    await form
      .getByRole('group', { name: 'Faces 1' })
      .getByRole('textbox', { name: 'Host', exact: true })
      .fill(HOST)
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('web')
    await page.getByRole('button', { name: 'Create', exact: true }).click()

    const path = healthcheck.getByLabel('Path', { exact: true })
    await expect.poll(() => path.getAttribute('aria-invalid')).toBe('true')
    expect(await descriptionOf(path)).toMatch(/\//)
    expect((await server.api('GET', '/api/workloads')).body).toEqual([])
    await expectAccessible(page, 'wizard with an error')
    await screenshot(page, 'wizard-error')
  })

  it('keeps the form and its Advanced JSON view in step', async () => {
    const form = page.getByRole('group', { name: /Configure: Docker image/ })
    await form.getByRole('button', { name: 'Advanced JSON' }).click()
    const json = form.getByLabel('Advanced JSON')
    const value = JSON.parse(await json.inputValue())
    expect(value).toMatchObject({ image: IMAGE, port: 8080, tag: 'v1', pull: 'never' })
    expect(value.healthcheck).toEqual({ path: 'healthz' })
    value.healthcheck.path = '/'
    await json.fill(JSON.stringify(value, null, 2))
    await form.getByRole('button', { name: 'Form' }).click()
    const path = form
      .getByRole('group', { name: 'Healthcheck' })
      .getByLabel('Path', { exact: true })
    expect(await path.inputValue()).toBe('/')
  })

  it('creates and deploys it, the log growing live to success', async () => {
    await page.getByRole('button', { name: 'Create and deploy' }).click()
    await page.getByRole('heading', { name: 'web', level: 1 }).waitFor()
    workloadId = new URL(page.url()).pathname.split('/').pop()!
    const deployLog = page.getByRole('region', { name: 'Deploy log' })
    const log = deployLog.getByRole('log', { name: /Log of deploy/ })
    // Lines arrive while the deploy runs: the first ones are seen before it has finished.
    await expect
      .poll(async () => (await log.innerText()).trim().replace('No lines yet.', ''), {
        timeout: 30_000,
      })
      .not.toBe('')
    const statusWhenFirstSeen = await deployLog
      .getByText(/^(queued|running|succeeded|failed)$/)
      .first()
      .innerText()
    expect(statusWhenFirstSeen).toMatch(/queued|running/)
    await deployLog
      .getByText('succeeded', { exact: true })
      .waitFor({ timeout: 60_000 })
      .catch(async (e) => {
        throw new Error(`${e.message}\n${await explain()}`)
      })
    expect((await log.innerText()).split('\n').length).toBeGreaterThan(2)
    const facts = page.getByRole('region', { name: 'Summary' })
    await facts.getByText(shortIds.v1!, { exact: true }).waitFor()
    await facts.getByText('running', { exact: true }).first().waitFor()
    await expectAccessible(page, 'workload')
    await screenshot(page, 'workload')
  })

  it('names the current release by its tag', async () => {
    const release = page.getByRole('region', { name: 'Summary' }).getByRole('definition').nth(1)
    await release.getByText(shortIds.v1!).waitFor()
    expect(await release.innerText(), 'currentRelease.tag of the workload answer').toContain('v1')
  })

  it('links the URL Caddy serves it at', async () => {
    await expect.poll(() => servedAt(proxyPort, HOST), { timeout: 15_000 }).toBe('200 forge ui v1')
    const link = page
      .getByRole('region', { name: 'Summary' })
      .getByRole('link', { name: new RegExp(HOST) })
    const href = await link.getAttribute('href')
    expect(href, 'the workload answer lists no URL (urls)').toBeTruthy()
    const url = new URL(href!)
    expect(url.hostname).toBe(HOST)
    expect(await servedAt(proxyPort, url.host.split(':')[0]!)).toBe('200 forge ui v1')
  })

  it('redeploys another tag, rolls back, and shows the release change', {
    timeout: 150_000,
  }, async () => {
    const config = page.getByRole('region', { name: 'Configuration' })
    await config.getByRole('button', { name: 'Edit configuration' }).click()
    const tag = config.getByLabel('Tag', { exact: true })
    if (!(await tag.isVisible())) await config.getByText('More settings').click()
    await tag.fill('v2')
    await config.getByRole('button', { name: 'Save and deploy' }).click()
    const facts = page.getByRole('region', { name: 'Summary' })
    await facts.getByText(shortIds.v2!, { exact: true }).waitFor({ timeout: 60_000 })
    await expect.poll(() => servedAt(proxyPort, HOST), { timeout: 15_000 }).toBe('200 forge ui v2')

    await page.getByRole('button', { name: 'Roll back' }).click()
    await facts.getByText(shortIds.v1!, { exact: true }).waitFor({ timeout: 60_000 })
    await expect.poll(() => servedAt(proxyPort, HOST), { timeout: 15_000 }).toBe('200 forge ui v1')
    const history = page.getByRole('region', { name: 'Deploy history' })
    await history.getByRole('cell', { name: 'rollback' }).waitFor()
    await screenshot(page, 'workload-history')
  })

  it('shows the container’s output as a terminal would, never as HTML', async () => {
    const containers = page.getByRole('region', { name: 'Containers' })
    const row = containers.getByRole('row', { name: new RegExp(`${IMAGE}:v1.*running`) })
    await row.waitFor({ timeout: 20_000 })
    await row.getByRole('button', { name: /Logs of/ }).click()
    const viewer = page.getByRole('log', { name: /Output of/ })
    await viewer.getByText('forge-ui-test v1 started').first().waitFor({ timeout: 15_000 })
    await viewer.getByText('<b>not bold</b> <img src=x onerror=alert(1)>').first().waitFor()
    expect(await viewer.evaluate((el) => el.querySelectorAll('b, img, script').length)).toBe(0)
    const green = viewer.getByText('green text', { exact: true }).first()
    expect(await green.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(95, 211, 141)')
    await viewer.getByText('progress 99%').first().waitFor()
    expect(await viewer.getByText('progress 10%').count()).toBe(0)

    await page.getByLabel('Search').fill('no such line')
    await expect.poll(() => viewer.getByText('forge-ui-test v1 started').count()).toBe(0)
    await page.getByLabel('Search').fill('')
    await expectAccessible(page, 'workload with a container log')
    await screenshot(page, 'container-logs')
  })

  it('follows new lines until the reader scrolls up, pauses, and downloads', async () => {
    const viewer = page.getByRole('log', { name: /Output of/ })
    const atBottom = () =>
      viewer.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 8)
    const lines = () => viewer.evaluate((el) => el.children.length)
    await viewer
      .getByText(/tick \d+$/)
      .first()
      .waitFor({ timeout: 10_000 })
    await expect.poll(atBottom).toBe(true)
    await viewer.evaluate((el) => {
      el.scrollTop = 0
      el.dispatchEvent(new Event('scroll'))
    })
    const jump = page.getByRole('button', { name: 'Jump to the latest line' })
    await jump.waitFor()
    const before = await lines()
    await expect.poll(lines, { timeout: 5_000 }).toBeGreaterThan(before)
    expect(await viewer.evaluate((el) => el.scrollTop)).toBe(0)
    await jump.click()
    await expect.poll(atBottom).toBe(true)

    await page.getByRole('button', { name: 'Pause' }).click()
    const paused = await lines()
    const resume = page.getByRole('button', { name: /^Resume \([1-9]\d* new lines?\)$/ })
    await resume.waitFor({ timeout: 5_000 })
    expect(await lines()).toBe(paused)
    await resume.click()
    await expect.poll(lines).toBeGreaterThan(paused)

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download' }).click()
    const file = await download
    expect(file.suggestedFilename()).toMatch(/\.log$/)
    const { readFile } = await import('node:fs/promises')
    expect(await readFile((await file.path())!, 'utf8')).toContain('forge-ui-test v1 started')
  })

  it('lists the container on /containers with its filters in the URL', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Containers' })
      .click()
    await page.getByRole('heading', { name: 'Containers', level: 1 }).waitFor()
    await page.getByLabel('State').selectOption({ label: 'running' })
    await expect.poll(() => new URL(page.url()).search).toBe('?state=running')
    const row = page.getByRole('row', { name: /web/ }).first()
    await row.getByRole('link', { name: 'web' }).waitFor()
    await page.getByLabel('State').selectOption({ label: 'missing' })
    await page.getByText('No containers.').waitFor()
    await page.reload()
    expect(await page.getByLabel('State').inputValue()).toBe('missing')
    await page.getByLabel('State').selectOption({ label: 'any' })
    await row.waitFor()
    await expectAccessible(page, 'containers')
    await screenshot(page, 'containers')
    await page.getByRole('link', { name: 'Apps' }).first().click()
    const apps = page.getByRole('row', { name: /web/ })
    await apps.getByText('running').first().waitFor()
    await expectAccessible(page, 'apps')
    await screenshot(page, 'apps')
  })

  it('deletes it from the danger zone once its name is typed', async () => {
    await page.getByRole('link', { name: 'web', exact: true }).click()
    const danger = page.getByRole('region', { name: 'Danger zone' })
    const remove = danger.getByRole('button', { name: 'Delete workload' })
    expect(await remove.isDisabled()).toBe(true)
    await danger.getByLabel('Type web to confirm').fill('web')
    await remove.click()
    await page
      .getByRole('heading', { name: 'Nothing is deployed yet' })
      .waitFor({ timeout: 60_000 })
    expect((await server.api('GET', `/api/workloads/${workloadId}`)).status).toBe(404)
    const left = (
      await docker(['ps', '-aq', '--filter', `label=forge.workload.id=${workloadId}`])
    ).trim()
    expect(left).toBe('')
  })

  it('sends an expired session back to login, then where it was, and logs out', async () => {
    // A session the server no longer knows answers 401 like an expired one.
    await page.context().clearCookies()
    await page.getByRole('link', { name: 'Triggers' }).click()
    await page.getByRole('heading', { name: 'Log in to Forge' }).waitFor()
    await page.getByText('Your session has ended').waitFor()
    await page.getByLabel('Admin token').fill(TOKEN)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('heading', { name: 'Triggers', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Log in to Forge' }).waitFor()
    const session: Json = await page.evaluate(async () => (await fetch('/api/session')).status)
    expect(session).toBe(401)
  })
})
