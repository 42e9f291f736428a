import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, describe, expect, test } from 'vitest'
import { inspectorSession } from '../support/inspector-browser.js'
import { startTestServer } from '../support/test-server.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

// Forward mode in the inspector, in Debian's Chromium at 1280 px: the deliveries table fits the window, a
// delivery shows its calls to the backend, and the outbox's dead letters are redriven with a button.

let backend: NodeBackend
let backendDown = true

// Registered first, so it runs last: the server is closed before its backend.
afterAll(async () => {
  await backend?.close()
})

const session = inspectorSession(async () => {
  backend = await startNodeBackend()
  backend.answer(({ event }) => {
    if (event.event_type === 'order.paid' && backendDown)
      return { status: 503, body: { status: 'error', message: 'maintenance window' } }
    if (event.event_type === 'player.verify')
      return { status: 200, body: { player_id: event.event_data.player_id, name: 'Molly', attributes: {} } }
    return { status: 200, body: { status: 'ok', granted_by: 'game-backend' } }
  })
  return await startTestServer({
    FORWARD_TO: backend.url,
    FORWARD_SECRET: 'fwd_inspector',
    FORWARD_ASYNC: 'notifications',
    FORWARD_RETRY_SCHEDULE: '20ms',
  })
})

const send = async (event: object) => (await session.t.send(event)).status

describe('forward mode in the inspector', () => {
  test('the deliveries table fits a 1280 px window, long ids included', async () => {
    const { t, page } = session
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
    await page.goto(`${t.url}/inspector/#/deliveries`)
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
    await session.inspector.screenshot('forward-deliveries-1280')
    expect(layout.page).toBeLessThanOrEqual(layout.window)
    expect(layout.scrolls).toBe(false)
    expect(layout.lastColumnRight).toBeLessThanOrEqual(layout.containerRight)
    expect(layout.tableRight).toBeLessThanOrEqual(layout.window)
  })

  test("a delivery shows its calls to the backend: route, status, duration and the backend's answer", async () => {
    const { t, page } = session
    await page.goto(`${t.url}/inspector/#/deliveries?type=item.add`)
    await page.click('table.deliveries tbody tr >> nth=0')
    const panel = page.locator('section:has(#forwards-title)')
    await panel.locator('table.forwards tbody tr').first().waitFor()
    const row = await panel.locator('table.forwards tbody tr').first().textContent()
    expect(row).toMatch(/sync/)
    expect(row).toMatch(/200/)
    expect(row).toMatch(/granted_by/)
    expect(await panel.locator('td.clip').first().getAttribute('title')).toBe(backend.url)
    await session.inspector.screenshot('forward-delivery', { fullPage: true })
  })

  test('the outbox lists a dead letter with the last answer, and its Redrive button delivers it', async () => {
    const { t, page } = session
    expect(await send(fixtureEvent('order.paid', { event_data: { player_id: 'outbox_player' } }))).toBe(200)
    await page.goto(`${t.url}/inspector/#/deliveries`)
    await page.locator('a.button', { hasText: 'Outbox' }).click()
    const dead = page.locator('section:has(#dead-title) table.outbox tbody tr')
    await expect.poll(() => dead.count(), { timeout: 10_000 }).toBe(1)
    expect(await dead.first().textContent()).toMatch(/HTTP 503[\s\S]*maintenance window/)
    await session.inspector.screenshot('forward-outbox', { fullPage: true })

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
