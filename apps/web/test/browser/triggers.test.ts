import { definePlugin, defineSource } from '@forge/core'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
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

// A kind the UI has never heard of: its form comes from its schema and .meta() alone.
const acme = definePlugin({
  name: '@acme/forge-notes',
  version: '1.0.0',
  sources: [
    defineSource({
      kind: 'acme.notes',
      title: 'Notes (Acme)',
      description: 'Posts a note; a third-party kind.',
      configSchema: z.strictObject({
        message: z
          .string()
          .min(1)
          .meta({ title: 'Message', 'x-forge-widget': 'textarea', 'x-forge-order': 2 }),
        channel: z.string().min(1).meta({ title: 'Channel', 'x-forge-order': 1 }),
        apiKey: z
          .string()
          .min(8)
          .meta({ title: 'API key', description: 'From Acme', 'x-forge-widget': 'secret' }),
        priority: z.enum(['low', 'high']).default('low'),
      }),
      async deploy() {
        return { status: 'deployed' as const }
      },
      async teardown() {},
      async reconcile() {
        return { status: 'running' as const }
      },
    }),
  ],
})

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
  server = await startUiServer({
    plugins: ['@forge/source-image', '@forge/trigger-registry', '@forge/trigger-manual'],
    definitions: [acme],
  })
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
    await page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Registry push' })
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
    await panel.getByText('overrides 1 field', { exact: true }).waitFor()
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

describe('a workload made with a new trigger and a secret env', () => {
  reportFailures(() => page)

  it('creates a trigger inline and the env from a pasted .env block, keyboard first', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click()
    await page.getByRole('link', { name: 'New workload' }).click()
    await page.getByRole('heading', { name: 'New workload' }).waitFor()
    // From the keyboard: the kind, then the example config, then the rest of the form.
    await page.getByRole('radio', { name: /Docker image/ }).focus()
    await page.keyboard.press('Space')
    await page.getByRole('button', { name: 'Fill in the example' }).focus()
    await page.keyboard.press('Enter')
    const form = page.getByRole('group', { name: /Configure: Docker image/ })
    expect(await form.getByRole('textbox', { name: 'Image', exact: true }).inputValue()).toBe(
      'ghcr.io/acme/web',
    )
    await page.getByRole('radio', { name: 'A new trigger' }).check()
    await page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Manual' })
    await page.getByRole('textbox', { name: 'Trigger name' }).fill('button')
    await page.getByRole('radio', { name: 'Accept unsigned deliveries' }).check()
    await page
      .getByRole('textbox', { name: 'Paste a .env block' })
      .fill('# app\nLOG_LEVEL=debug\nAPI_TOKEN="s3cr3t-value"\n')
    await page.getByRole('button', { name: 'Add these' }).click()
    expect(await page.getByRole('checkbox', { name: 'Keep API_TOKEN secret' }).isChecked()).toBe(
      true,
    )
    expect(await page.getByRole('checkbox', { name: 'Keep LOG_LEVEL secret' }).isChecked()).toBe(
      false,
    )
    const name = page.getByRole('textbox', { name: 'Name', exact: true })
    await name.focus()
    await page.keyboard.type('sample')
    await page.keyboard.press('Enter')

    await page.getByRole('heading', { name: 'sample', level: 1 }).waitFor()
    workloads.sample = new URL(page.url()).pathname.split('/').pop()!
    await page
      .getByRole('region', { name: 'Triggers' })
      .getByRole('link', { name: 'button' })
      .waitFor()
    const env = page.getByRole('region', { name: 'Environment' })
    expect(await env.getByRole('textbox', { name: 'Value of LOG_LEVEL' }).inputValue()).toBe(
      'debug',
    )
    // Secret values are write-only: the field is empty, and the page holds no trace of it.
    expect(await env.getByLabel('Value of API_TOKEN').inputValue()).toBe('')
    expect(await page.content()).not.toContain('s3cr3t-value')
    const stored = (await server.api('GET', `/api/workloads/${workloads.sample}/env`)).body
    expect(stored).toEqual({
      LOG_LEVEL: { value: 'debug', secret: false },
      API_TOKEN: { value: null, secret: true },
    })
  })

  it('keeps a secret it was not given when the env is saved again', async () => {
    const env = page.getByRole('region', { name: 'Environment' })
    await env.getByRole('textbox', { name: 'Value of LOG_LEVEL' }).fill('info')
    await env.getByRole('button', { name: 'Save environment' }).click()
    await env.getByText('Saved.').waitFor()
    const stored = (await server.api('GET', `/api/workloads/${workloads.sample}/env`)).body
    expect(stored.LOG_LEVEL).toEqual({ value: 'info', secret: false })
    expect(stored.API_TOKEN).toEqual({ value: null, secret: true })
  })

  it('says why promote cannot work, and what the server answered', async () => {
    const chain = page.getByRole('region', { name: 'Promotion chain' })
    await chain.getByLabel('Takes releases from').selectOption({ label: 'api' })
    await expect
      .poll(
        async () => (await server.api('GET', `/api/workloads/${workloads.sample}`)).body.parentId,
      )
      .toBe(workloads.api)
    const promote = page.getByRole('button', { name: 'Promote', exact: true })
    await expect.poll(() => promote.isEnabled()).toBe(true)
    await promote.click()
    await page
      .getByRole('alert')
      .getByText(/no successful deploy to promote/)
      .waitFor()
  })

  it('saves the notification URL and keeps its secret write-only', async () => {
    const notifications = page.getByRole('region', { name: 'Notifications' })
    await notifications
      .getByRole('textbox', { name: 'Notification URL' })
      .fill('http://127.0.0.1:9/hook')
    await notifications.getByLabel('Signing secret').fill('notify-secret-123')
    await notifications.getByRole('button', { name: 'Save notifications' }).click()
    await notifications.getByText('A secret is stored').waitFor()
    expect(await notifications.getByLabel('Signing secret').inputValue()).toBe('')
    const body = (await server.api('GET', `/api/workloads/${workloads.sample}`)).body
    expect(body).toMatchObject({
      notificationUrl: 'http://127.0.0.1:9/hook',
      hasNotificationSecret: true,
    })
  })

  it('fetches what is on screen again when the tab is shown and after a reconnect', async () => {
    // A rename sends no event: only a resync can show it.
    await server.api('PATCH', `/api/workloads/${workloads.sample}`, { name: 'renamed' })
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
    await page.getByRole('heading', { name: 'renamed', level: 1 }).waitFor()

    // A restart ends the event stream; what changed meanwhile arrives by the refetch after it.
    await server.restart(async () => {
      await page.getByRole('banner').getByText('Reconnecting…').waitFor({ timeout: 10_000 })
    })
    await server.api('PATCH', `/api/workloads/${workloads.sample}`, { name: 'renamed again' })
    await page.getByRole('banner').getByText('Live', { exact: true }).waitFor({ timeout: 20_000 })
    await page.getByRole('heading', { name: 'renamed again', level: 1 }).waitFor()
  })
})

describe('a third-party kind', () => {
  reportFailures(() => page)

  it('gets a usable form from its schema, with its titles, widgets and order', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click()
    await page.getByRole('link', { name: 'New workload' }).click()
    await page.getByRole('radio', { name: /Notes \(Acme\)/ }).check()
    const form = page.getByRole('group', { name: /Configure: Notes \(Acme\)/ })
    const labels = await form.locator('label').allInnerTexts()
    expect(labels.slice(0, 3)).toEqual(['Channel*', 'Message*', 'API key*'])
    await form.getByRole('textbox', { name: 'Channel' }).fill('#ops')
    const message = form.getByRole('textbox', { name: 'Message' })
    expect(await message.evaluate((el) => el.tagName)).toBe('TEXTAREA')
    await message.fill('deployed')
    const key = form.getByLabel('API key')
    expect(await key.getAttribute('type')).toBe('password')
    await key.fill('short')
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('notes')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await expect.poll(() => key.getAttribute('aria-invalid')).toBe('true')
    await key.fill('long-enough-key')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('heading', { name: 'notes', level: 1 }).waitFor()
    workloads.notes = new URL(page.url()).pathname.split('/').pop()!
    const created = (await server.api('GET', `/api/workloads/${workloads.notes}`)).body
    expect(created.source).toMatchObject({
      kind: 'acme.notes',
      config: { channel: '#ops', message: 'deployed', apiKey: 'long-enough-key' },
    })
    await expectAccessible(page, 'a third-party kind')
  })
})

describe('a page that does not exist', () => {
  reportFailures(() => page)

  it('says so and leads back', async () => {
    await page.goto(`${server.url}/no/such/page`)
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor()
    await expectAccessible(page, 'not found')
    await page.getByRole('link', { name: 'Back to apps' }).click()
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor()
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

describe('in a dark system theme', () => {
  let dark: Page
  reportFailures(() => dark)

  it('follows the system’s colour scheme and keeps its contrast', async () => {
    dark = (await openPage(browser, { colorScheme: 'dark' })).page
    await logIn(dark, server.url, `/triggers/${triggerId}`)
    await dark.getByRole('heading', { name: 'Deliveries' }).waitFor()
    const background = await dark.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    )
    expect(background).toBe('rgb(19, 20, 23)')
    await expectAccessible(dark, 'trigger in dark mode')
    await screenshot(dark, 'trigger-dark')
  })
})
