import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunningServer, startServer } from '@aghanim-webhooks/server'
import { fixtureEvent, signedHeaders } from 'aghanim-webhooks'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CHROMIUM, prepareInspectorBrowser, SCREENSHOTS } from '../support/inspector-browser.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

// Forward mode in the inspector, in Debian's Chromium at 1280 px: the deliveries table fits the window, a
// delivery shows its calls to the backend, and the outbox's dead letters are redriven with a button.

const SECRET = 'whsec_forward_inspector'
const TOKEN = 'forward-inspector-token'

let backend: NodeBackend
let server: RunningServer
let browser: Browser
let page: Page
let workDir: string
let backendDown = true

beforeAll(async () => {
  prepareInspectorBrowser()
  backend = await startNodeBackend()
  backend.answer(({ event }) => {
    if (event.event_type === 'order.paid' && backendDown)
      return { status: 503, body: { status: 'error', message: 'maintenance window' } }
    if (event.event_type === 'player.verify')
      return { status: 200, body: { player_id: event.event_data.player_id, name: 'Molly', attributes: {} } }
    return { status: 200, body: { status: 'ok', granted_by: 'game-backend' } }
  })
  workDir = mkdtempSync(join(tmpdir(), 'awh-fwd-inspector-'))
  server = await startServer(
    loadConfig(
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(workDir, 'data')],
      {
        AGHANIM_WEBHOOK_SECRET: SECRET,
        ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: 'silent',
        FORWARD_TO: backend.url,
        FORWARD_SECRET: 'fwd_inspector',
        FORWARD_ASYNC: 'notifications',
        FORWARD_RETRY_SCHEDULE: '20ms',
      },
      workDir,
    ),
  )
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] })
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
  page.setDefaultTimeout(10_000)
  await page.goto(`${server.url}/inspector/`)
  await page.fill('#token', TOKEN)
  await page.click('button[type=submit]')
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await backend?.close()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

async function send(event: object): Promise<number> {
  const body = JSON.stringify(event)
  const headers = await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })
  return (await fetch(`${server.url}/webhook`, { method: 'POST', body, headers })).status
}

describe('forward mode in the inspector', () => {
  test('the deliveries table fits a 1280 px window, long ids included', async () => {
    const long = 'player_with_a_rather_long_identifier_from_the_game_backend'
    for (let index = 0; index < 4; index++) {
      const grant = fixtureEvent('item.add', {
        idempotency_key: `idmpt_01J9ZKQ4X8V2N6B3M5C7D9F1G2H3J4K5${index}`,
        event_data: {
          player_id: `${long}_${index}`,
          items: [{ id: 'i', sku: 'gem', name: 'Gem', quantity: 1 }],
          reason: 'paid',
        },
      })
      expect(await send(grant)).toBe(200)
    }
    expect(
      await send(fixtureEvent('player.marketing_consent.updated', { event_data: { player_id: long } })),
    ).toBe(200)
    await page.goto(`${server.url}/inspector/#/deliveries`)
    await page.waitForSelector('table.deliveries tbody tr >> nth=4')
    const layout = await page.evaluate(() => {
      const table = document.querySelector('table.deliveries') as HTMLElement
      const last = table.querySelector('thead th:last-child') as HTMLElement
      return {
        window: window.innerWidth,
        page: document.documentElement.scrollWidth,
        tableRight: table.getBoundingClientRect().right,
        lastColumnRight: last.getBoundingClientRect().right,
        containerRight: (table.parentElement as HTMLElement).getBoundingClientRect().right,
        scrolls:
          (table.parentElement as HTMLElement).scrollWidth > (table.parentElement as HTMLElement).clientWidth,
      }
    })
    await page.screenshot({ path: join(SCREENSHOTS, 'forward-deliveries-1280.png') })
    expect(layout.page).toBeLessThanOrEqual(layout.window)
    expect(layout.scrolls).toBe(false)
    expect(layout.lastColumnRight).toBeLessThanOrEqual(layout.containerRight)
    expect(layout.tableRight).toBeLessThanOrEqual(layout.window)
  })

  test("a delivery shows its calls to the backend: route, status, duration and the backend's answer", async () => {
    await page.goto(`${server.url}/inspector/#/deliveries?type=item.add`)
    await page.click('table.deliveries tbody tr >> nth=0')
    const panel = page.locator('section:has(#forwards-title)')
    await panel.locator('table.forwards tbody tr').first().waitFor()
    const row = await panel.locator('table.forwards tbody tr').first().textContent()
    expect(row).toMatch(/sync/)
    expect(row).toMatch(/200/)
    expect(row).toMatch(/granted_by/)
    expect(await panel.locator('td.clip').first().getAttribute('title')).toBe(backend.url)
    await page.screenshot({ path: join(SCREENSHOTS, 'forward-delivery.png'), fullPage: true })
  })

  test('the outbox lists a dead letter with the last answer, and its Redrive button delivers it', async () => {
    expect(await send(fixtureEvent('order.paid', { event_data: { player_id: 'outbox_player' } }))).toBe(200)
    await page.goto(`${server.url}/inspector/#/deliveries`)
    await page.locator('a.button', { hasText: 'Outbox' }).click()
    const dead = page.locator('section:has(#dead-title) table.outbox tbody tr')
    await expect.poll(() => dead.count(), { timeout: 10_000 }).toBe(1)
    expect(await dead.first().textContent()).toMatch(/HTTP 503[\s\S]*maintenance window/)
    await page.screenshot({ path: join(SCREENSHOTS, 'forward-outbox.png'), fullPage: true })

    backendDown = false
    await dead.first().locator('button', { hasText: 'Redrive' }).click()
    await page.getByRole('status').filter({ hasText: 'Redrove 1 dead letter' }).waitFor()
    await expect
      .poll(
        () =>
          backend.calls.filter((call) => call.event.event_type === 'order.paid' && call.answered === 200)
            .length,
      )
      .toBe(1)
    await expect.poll(() => dead.count(), { timeout: 10_000 }).toBe(0)
  })
})
