import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeLabelled } from '../../../../test-support/docker.js'
import {
  expectAccessible,
  type Json,
  launchBrowser,
  logIn,
  openPage,
  reportFailures,
  screenshot,
  startUiServer,
  TOKEN,
  type UiServer,
} from './support'

// One trigger, two workloads bound to it (one with an override), a webhook that reaches both: the
// deliveries log says what each binding did and why, live; then redeliver, toggle, unbind, rotate.
let server: UiServer
let browser: Browser
let page: Page
let triggerId = ''
let secret = ''
const workloads: Record<string, string> = {}

async function createWorkload(name: string): Promise<void> {
  const res = await server.api('POST', '/api/workloads', {
    name,
    source: {
      kind: 'image',
      config: { image: 'forge-test/busybox', tag: '1', port: 8080, pull: 'never' },
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  workloads[name] = res.body.id
}

async function push(tag: string, url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ image: 'forge-test/busybox', tag }),
  })
  return { status: res.status, body: await res.json() }
}

beforeAll(async () => {
  server = await startUiServer({ plugins: ['@forge/source-image', '@forge/trigger-registry'] })
  await createWorkload('api')
  await createWorkload('worker')
  browser = await launchBrowser()
  page = (await openPage(browser)).page
  await logIn(page, server.url, '/triggers')
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  for (const id of Object.values(workloads))
    await removeLabelled(`forge.workload.id=${id}`).catch(() => {})
})

describe('a trigger in the browser', () => {
  reportFailures(() => page)

  it('creates a trigger with its kind’s form and shows the signing secret once', async () => {
    await page.getByRole('heading', { name: 'Triggers', level: 1 }).waitFor()
    await page.getByText('No triggers yet.').waitFor()
    await page.getByRole('link', { name: 'New trigger' }).first().click()
    await page.getByLabel('Kind').selectOption({ label: 'Registry push' })
    await page.getByRole('textbox', { name: 'Trigger name' }).fill('registry')
    const config = page.getByRole('group', { name: 'Trigger config' })
    await config.getByText('More settings').click()
    await config.getByRole('button', { name: 'Add to Tags' }).click()
    await config.getByRole('textbox', { name: 'Tags 1' }).fill('v*')
    await expectAccessible(page, 'new trigger')
    await screenshot(page, 'trigger-new')
    await page.getByRole('button', { name: 'Create trigger' }).click()

    await page.getByRole('heading', { name: 'registry', level: 1 }).waitFor()
    triggerId = new URL(page.url()).pathname.split('/').pop()!
    const setup = page.getByRole('region', { name: 'Set up registry' })
    secret = await setup.getByRole('textbox', { name: 'Signing secret' }).inputValue()
    expect(secret.length).toBeGreaterThan(16)
    const trigger = (await server.api('GET', `/api/triggers/${triggerId}`)).body
    expect(trigger).toMatchObject({
      kind: 'registry',
      config: { tags: ['v*'] },
      hasSigningSecret: true,
    })
    expect(JSON.stringify(trigger)).not.toContain(secret)
    await expectAccessible(page, 'trigger with its fresh secret')
    await screenshot(page, 'trigger-secret')
  })

  it('says what to paste where, per vendor', async () => {
    const setup = page.getByRole('region', { name: 'Set up registry' })
    const vendors = setup.getByRole('group')
    expect(await vendors.count(), 'setup[] of the POST /api/triggers answer').toBeGreaterThan(1)
    await vendors.first().click()
    expect(await vendors.first().getByRole('listitem').count()).toBeGreaterThan(0)
  })

  it('forgets the secret once the user says it is saved', async () => {
    const setup = page.getByRole('region', { name: 'Set up registry' })
    await setup.getByRole('button', { name: 'I have saved it' }).click()
    await setup.waitFor({ state: 'detached' })
    await page.reload()
    await page.getByRole('heading', { name: 'registry', level: 1 }).waitFor()
    expect(await page.getByRole('textbox', { name: 'Signing secret' }).count()).toBe(0)
  })

  it('binds two workloads from the trigger’s page', async () => {
    const bindings = page.getByRole('region', { name: 'Bound workloads' })
    for (const name of ['api', 'worker']) {
      await bindings.getByLabel('Bind a workload').selectOption({ label: name })
      await bindings.getByRole('button', { name: 'Bind', exact: true }).click()
      await bindings.getByRole('link', { name }).waitFor()
    }
    expect((await server.api('GET', `/api/triggers/${triggerId}`)).body.bindings).toHaveLength(2)
  })

  it('overrides the worker’s binding, with the merged preview and its size', async () => {
    await page
      .getByRole('region', { name: 'Bound workloads' })
      .getByRole('link', { name: 'worker' })
      .click()
    const panel = page.getByRole('region', { name: 'Triggers' })
    await panel.getByText('inherits the trigger’s config').waitFor()
    await panel.getByRole('button', { name: 'Override' }).click()
    const override = panel.getByLabel('This binding’s override (JSON)')
    await override.fill('{ "tags": ["release-*"] }')
    const merged = panel.getByRole('region', { name: 'What this workload matches with' })
    await merged.getByText('release-*').waitFor()
    expect(await merged.innerText()).not.toContain('v*')
    await panel.getByText(/^\d+ of 8192 bytes/).waitFor()
    await panel.getByRole('button', { name: 'Save override' }).click()
    await panel.getByText('overrides 1 field').waitFor()
    const binding = (await server.api('GET', `/api/workloads/${workloads.worker}/triggers`)).body[0]
    expect(binding.config).toEqual({ tags: ['release-*'] })
    await expectAccessible(page, 'binding override editor')
    await screenshot(page, 'binding-override')
  })

  it('shows a delivery arrive live with every binding’s outcome and the skip reason', async () => {
    await page
      .getByRole('region', { name: 'Triggers' })
      .getByRole('link', { name: 'registry' })
      .click()
    const deliveries = page.getByRole('region', { name: 'Deliveries' })
    await deliveries.getByText(/Nothing received yet/).waitFor()
    const url = await page
      .getByRole('region', { name: 'Webhook URL' })
      .getByRole('code')
      .innerText()
    const answer = await push('v2', url)
    expect(answer.status, JSON.stringify(answer.body)).toBe(202)

    const delivery = deliveries.getByRole('article').first()
    await delivery.getByText('signature verified').waitFor()
    await delivery.getByText(/image\.push .*forge-test\/busybox:v2/).waitFor()
    const api = delivery
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: 'api' }) })
    const worker = delivery
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: 'worker' }) })
    await api.getByText('queued').waitFor()
    await worker.getByText('no match').waitFor()
    expect(await worker.innerText()).toMatch(/does not match tags \[release-\*\]/)
    await expectAccessible(page, 'trigger with deliveries')
    await screenshot(page, 'trigger')
  })

  it('redelivers a delivery, which shows up as a new one', async () => {
    const deliveries = page.getByRole('region', { name: 'Deliveries' })
    await deliveries
      .getByRole('button', { name: /^Redeliver delivery/ })
      .first()
      .click()
    await expect.poll(() => deliveries.getByRole('article').count()).toBe(2)
    await deliveries.getByRole('article').first().getByText('redelivery').waitFor()
    await page.getByRole('status').getByText('Processed again').waitFor()
  })

  it('turns a binding off and unbinds the other, behind a confirmation', async () => {
    const bindings = page.getByRole('region', { name: 'Bound workloads' })
    await bindings.getByRole('checkbox', { name: 'Binding of api enabled' }).uncheck()
    await expect
      .poll(
        async () =>
          (await server.api('GET', `/api/workloads/${workloads.api}/triggers`)).body[0]?.enabled,
      )
      .toBe(false)
    await bindings.getByRole('button', { name: 'Unbind worker' }).click()
    const dialog = page.getByRole('dialog', { name: 'Unbind worker?' })
    await dialog.getByRole('button', { name: 'Unbind' }).click()
    await bindings.getByRole('link', { name: 'worker' }).waitFor({ state: 'detached' })
    expect((await server.api('GET', `/api/workloads/${workloads.worker}/triggers`)).body).toEqual(
      [],
    )
  })

  it('rotates the webhook URL only once confirmed; the old one then answers 404', async () => {
    const webhook = page.getByRole('region', { name: 'Webhook URL' })
    const before = await webhook.getByRole('code').innerText()
    await webhook.getByRole('button', { name: 'Rotate URL' }).click()
    const dialog = page.getByRole('dialog', { name: 'Rotate the webhook URL?' })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await webhook.getByRole('code').innerText()).toBe(before)
    await webhook.getByRole('button', { name: 'Rotate URL' }).click()
    await dialog.getByRole('button', { name: 'Rotate URL' }).click()
    await expect.poll(() => webhook.getByRole('code').innerText()).not.toBe(before)
    expect((await push('v3', before)).status).toBe(404)
  })

  it('lists triggers with their kind, binding count and last delivery', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Triggers' })
      .click()
    const row = page.getByRole('row', { name: /registry/ })
    await row.getByText('1 workload').waitFor()
    await row.getByText(/ago|now/).waitFor()
    await expectAccessible(page, 'triggers')
    await screenshot(page, 'triggers')
  })
})

describe('in Russian', () => {
  let ru: Page
  reportFailures(() => ru)

  it('follows the browser’s language, and the switch overrides it', async () => {
    ru = (await openPage(browser, { locale: 'ru-RU' })).page
    await ru.goto(`${server.url}/triggers`)
    await ru.getByRole('heading', { name: 'Вход в Forge' }).waitFor()
    expect(await ru.evaluate(() => document.documentElement.lang)).toBe('ru')
    await expectAccessible(ru, 'login in Russian')
    await ru.getByLabel('Токен администратора').fill(TOKEN)
    await ru.getByRole('button', { name: 'Войти' }).click()
    await ru.getByRole('heading', { name: 'Триггеры', level: 1 }).waitFor()
    await ru
      .getByRole('row', { name: /registry/ })
      .getByText('1 нагрузка')
      .waitFor()
    await expectAccessible(ru, 'triggers in Russian')
    await screenshot(ru, 'triggers-ru')
    await ru.getByRole('link', { name: 'registry' }).click()
    await ru.getByRole('heading', { name: 'Доставки' }).waitFor()
    await ru.getByText('не подошло').first().waitFor()
    await expectAccessible(ru, 'trigger in Russian')
    await screenshot(ru, 'trigger-ru')

    await ru.getByRole('combobox', { name: 'Язык' }).selectOption('en')
    await ru.getByRole('heading', { name: 'Deliveries' }).waitFor()
    await ru.reload()
    await ru.getByRole('heading', { name: 'Deliveries' }).waitFor()
    expect(await ru.evaluate(() => document.documentElement.lang)).toBe('en')
  })
})
