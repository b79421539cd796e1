import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterEach, expect } from 'vitest'
import { logCollector, makeFirstPartyInstance } from '../../../server/test/e2e/support.js'

/** The real server as a user installs it: its built dist, the first-party plugins, the UI at /. */
const SERVER_DIST = new URL('../../../server/dist/index.js', import.meta.url).pathname
const WEB_DIST = new URL('../../dist/index.html', import.meta.url).pathname
const SHOTS = new URL('../../../../docs/ui/', import.meta.url).pathname
const CHROMIUM = '/usr/bin/chromium'

export const TOKEN = 'ui-test-admin-token-0123456789'
// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on them
export type Json = any

export interface UiServer {
  url: string
  port: number
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>
  log(): string
  /** Stops the server (every connection ends) and starts it again on the same port and data. */
  restart(between?: () => Promise<void>): Promise<void>
  close(): Promise<void>
}

export async function startUiServer(
  options: {
    plugins: string[]
    /** Plugin definitions registered as they are (a third-party kind written in the test). */
    definitions?: unknown[]
    proxy?: string
    proxyOptions?: Record<string, string>
  } = { plugins: [] },
): Promise<UiServer> {
  if (!existsSync(SERVER_DIST) || !existsSync(WEB_DIST))
    throw new Error('apps/server or apps/web is not built: run `pnpm build` first')
  const dir = makeFirstPartyInstance(options.plugins)
  const log = logCollector()
  const { createServer } = await import(SERVER_DIST)
  const boot = (port: number) =>
    createServer({
      instanceDir: dir,
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port,
      adminToken: TOKEN,
      secretKey: null,
      publicUrl: null,
      proxy: options.proxy ?? 'none',
      proxyOptions: options.proxyOptions ?? {},
      reconcileIntervalMs: 5_000,
      log: log.options,
      shutdownGraceMs: 2_000,
      plugins: options.definitions ?? [],
    })
  let server = await boot(0)
  const port: number = server.port
  return {
    url: server.url,
    port,
    async api(method, path, body) {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    },
    log: () => log.tail(60),
    async restart(between) {
      await server.close()
      await between?.()
      server = await boot(port)
    },
    async close() {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Debian's chromium, driven by playwright-core (which downloads nothing). Playwright gives every
 * launch a fresh profile; the flags keep Chromium off this closed network.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `The browser tests need Debian's chromium at ${CHROMIUM}. Run \`bash scripts/test-env.sh\` as root: it installs it (apt-get install chromium).`,
    )
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Script errors and console errors each page met, shown when a test fails. */
const pageProblems = new WeakMap<Page, string[]>()

export async function openPage(
  browser: Browser,
  options: { locale?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: 1280, height: 900 },
    // axe is injected as a script; the server's CSP would (rightly) refuse it.
    bypassCSP: true,
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  pageProblems.set(page, problems)
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  return { context, page }
}

export async function logIn(page: Page, baseUrl: string, path = '/apps'): Promise<void> {
  await page.goto(baseUrl + path)
  await page.getByLabel('Admin token').fill(TOKEN)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core on what the page shows now: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE })
  const violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] =
    await page.evaluate(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: axe is injected into the page at run time
      const result = await (window as any).axe.run(document, {
        runOnly: {
          type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
        },
      })
      return result.violations
    })
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  expect(bad, `axe on ${what}`).toEqual([])
}

/** A screenshot of the whole page for docs/ui.md. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  // Ages ("3 seconds ago") and the caret must not make every run a different picture.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, caret: 'hide' })
}

/** What the page showed when a test failed, as its accessibility tree: read with the error. */
export function reportFailures(page: () => Page | undefined): void {
  afterEach(async (context) => {
    const current = page()
    if (context.task.result?.state !== 'fail' || !current) return
    const tree = await current
      .locator('body')
      .ariaSnapshot()
      .catch((e: Error) => e.message)
    const problems = (pageProblems.get(current) ?? []).slice(-20).join('\n')
    console.error(
      `The page at ${current.url()} when "${context.task.name}" failed:\n${tree}\n${problems}`,
    )
  })
}

/** The accessible description of a control (its aria-describedby text): where errors land. */
export async function descriptionOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
      .join(' ')
      .trim(),
  )
}
