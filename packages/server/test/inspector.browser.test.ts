import { runCli } from '@aghanim-webhooks/cli'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InspectorBrowser, openInspectorBrowser } from './support/inspector-browser.js'
import { ADMIN_TOKEN, SECRET, startTestServer, type TestServer } from './support/test-server.js'

// The inspector in a real browser against a real server: Debian's Chromium (no browser download, machines are
// offline), the server with a temporary SQLite file and an admin token, events signed like Aghanim's.

let t: TestServer
let inspector: InspectorBrowser
let page: Page

beforeAll(async () => {
  t = await startTestServer()
  inspector = await openInspectorBrowser()
  page = inspector.page
})

afterAll(async () => {
  await inspector?.close()
  await t?.close()
})

/** Sends one event with the CLI, in-process, exactly as a user would from a terminal. */
async function cli(...argv: string[]): Promise<{ code: number; output: string }> {
  let output = ''
  const stream = { write: (text: string) => (output += text) }
  const code = await runCli(argv, { env: {}, stdout: stream, stderr: stream, cwd: t.dir })
  return { code, output }
}

const webhookUrl = () => `${t.url}/webhook`

function envelope(type: string, eventData: Record<string, unknown>, idempotencyKey: string | null) {
  const id = Math.random().toString(36).slice(2, 12)
  return {
    event_type: type,
    event_data: eventData,
    event_time: Math.floor(Date.now() / 1000),
    event_id: `whevt_${id}`,
    idempotency_key: idempotencyKey,
    sandbox: false,
    trigger: null,
    request_id: null,
    transaction_id: `whtx_${id}`,
    context: null,
    game_id: 'gm_inspector',
  }
}

const crystals = {
  id: 'itm_crystals',
  name: 'Crystals',
  description: 'A pile of crystals.',
  sku: 'crystals',
  quantity: 120,
  price: 499,
  price_decimal: 4.99,
  currency: 'USD',
  type: 'item',
  nested_items: null,
}

const shot = (name: string) => inspector.screenshot(name, { fullPage: true })

const rows = () => page.locator('table.deliveries tbody tr')

/** Live updates and the chart's refresh take a moment; a missing update still fails after ten seconds. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 10_000 })

describe('the inspector', () => {
  it('asks for the admin token and refuses a wrong one', async () => {
    await page.goto(`${t.url}/inspector/`)
    await page.getByLabel('Admin token').fill('not-the-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await eventually(() => page.locator('.form-error').textContent()).toContain('refused')
    await shot('01-sign-in-refused')

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.keyboard.press('Enter')
    await page.getByText('No deliveries yet.').waitFor()
    await eventually(() => page.locator('.live-status').textContent()).toBe('Live')
    await shot('02-empty')
  })

  it('shows deliveries as they arrive, with their outcome in words', async () => {
    const send = (...argv: string[]) => cli('send', ...argv, '--url', webhookUrl())
    const verify = await send('player.verify', '--secret', SECRET, '--player', 'testplayer')
    expect(verify.code, verify.output).toBe(0)
    // Aghanim retrying: the identical signed bytes twice. The second is answered from the store.
    const grant = await send(
      ...['item.add', '--secret', SECRET, '--player', 'testplayer', '--idempotency-key', 'idmpt_grant_1'],
      ...['--data', JSON.stringify({ items: [crystals], reason: 'Order paid ord_1' }), '--repeat', '2'],
    )
    expect(grant.code, grant.output).toBe(0)
    const forged = await send(
      ...['item.add', '--secret', 'not-the-secret', '--player', 'testplayer'],
      ...['--set', 'reason=<script>alert(1)</script>'],
    )
    expect(forged.code, forged.output).toBe(1)
    // Headers the CLI never sends: markup, and a credential the server must redact before storing.
    const odd = await t.send(envelope('player.verify', { player_id: 'testplayer' }, null), {
      headers: {
        'x-note': '<img src=x onerror=alert(document.cookie)>',
        authorization: 'Bearer studio-credential-123',
      },
    })
    expect(odd.status).toBe(200)

    // No reload: the rows come from the live stream.
    await eventually(() => rows().count()).toBe(5)
    await eventually(() => rows().filter({ hasText: 'signature_mismatch' }).count()).toBe(1)
    await eventually(() => rows().filter({ hasText: 'duplicate' }).count()).toBe(1)
    await eventually(() => page.locator('.chart-figure').getAttribute('data-total')).toBe('5')
    await shot('03-live-list')
  })

  it('filters the list by outcome and clears the filter', async () => {
    await page.getByLabel('Outcome').fill('signature_mismatch')
    await page.getByRole('button', { name: 'Apply' }).click()
    await eventually(() => rows().count()).toBe(1)
    expect(page.url()).toContain('outcome=signature_mismatch')
    await page.getByRole('link', { name: 'Clear' }).click()
    await eventually(() => rows().count()).toBe(5)
  })

  it('opens a delivery with Enter and shows what came in and what went out', async () => {
    const grant = rows()
      .filter({ hasText: 'item.add' })
      .filter({ hasNotText: 'duplicate' })
      .filter({ has: page.locator('.badge-ok') })
    await grant.focus()
    await page.keyboard.press('Enter')
    await page.locator('#detail-title').waitFor()
    expect(await page.locator('#detail-title').textContent()).toBe('item.add')
    expect(await page.locator('.verification-result').textContent()).toContain('Verified')
    const body = await page.getByLabel('Request body').textContent()
    expect(body).toContain('"sku": "crystals"')
    expect(body).toContain('\n  "event_data": {')
    expect(await page.locator('table.headers').textContent()).toContain('x-aghanim-signature-timestamp')
    expect(await page.getByLabel('Response body').textContent()).toContain('"status": "ok"')
    // The duplicate of the same key is listed beside it.
    await eventually(() => page.locator('table.deliveries tbody tr').count()).toBe(1)
    expect(await page.locator('table.deliveries').textContent()).toContain('duplicate')
    expect(await page.content()).not.toContain(SECRET)
    await shot('04-delivery')
  })

  it('replays the delivery and shows the answer inline', async () => {
    await page.getByRole('button', { name: 'Replay' }).click()
    const result = page.locator('.replay-answer')
    await result.waitFor()
    expect(await result.textContent()).toContain('Replayed as')
    expect(await result.textContent()).toContain('HTTP 200')
    await shot('05-replayed')
  })

  it('shows a refused delivery’s reason, and its body as text', async () => {
    await page.goto(`${t.url}/inspector/#/deliveries?outcome=signature_mismatch`)
    // Verification comes before parsing: a refused body was never read as an event.
    await rows().first().getByRole('link', { name: '(unverified)' }).click()
    await page.locator('#detail-title').waitFor()
    expect(await page.locator('.verification-result').textContent()).toContain(
      'Not verified — signature_mismatch',
    )
    expect(await page.getByLabel('Request body').textContent()).toContain(
      '"reason": "<script>alert(1)</script>"',
    )
    await shot('06-refused')
  })

  it('never replays a refused delivery: a re-signed forgery would become genuine', async () => {
    expect(await page.getByRole('button', { name: 'Replay' }).isDisabled()).toBe(true)
    expect(await page.locator('.replay-why').textContent()).toBe('Only verified deliveries can be replayed.')
    const id = new URL(page.url()).hash.split('/').pop()!
    const response = await fetch(`${t.url}/api/deliveries/${id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({ status: 'error', code: 'not_replayable' })
  })

  it('shows headers as text with credentials redacted', async () => {
    await page.goto(`${t.url}/inspector/#/deliveries?type=player.verify`)
    await rows().first().focus()
    await page.keyboard.press('Enter')
    await page.locator('table.headers').waitFor()
    const headers = await page.locator('table.headers').textContent()
    expect(headers).toContain('<img src=x onerror=alert(document.cookie)>')
    expect(headers).toContain('[redacted]')
    expect(await page.content()).not.toContain('studio-credential-123')
    expect(inspector.dialogs).toEqual([])
  })

  it('opens the player from a delivery and shows the inventory granted once', async () => {
    await page.goto(`${t.url}/inspector/#/deliveries?type=item.add&outcome=ok`)
    await rows().first().getByRole('link', { name: 'testplayer' }).click()
    await page.locator('table.inventory').waitFor()
    const inventory = await page.locator('table.inventory').textContent()
    expect(inventory).toContain('crystals')
    expect(inventory).toContain('120')
    expect(inventory).not.toContain('240')
    expect(await page.locator('table.history tbody tr').count()).toBe(1)
    expect(await page.locator('table.history').textContent()).toContain('+120')
    await shot('07-player')
  })

  it('says so when a player does not exist', async () => {
    await page.getByLabel('Player id').fill('nobody-here')
    await page.getByRole('button', { name: 'Open player' }).click()
    await page.getByText('No player with id “nobody-here”.').waitFor()
  })

  it('keeps following new deliveries by polling when the stream is unavailable', async () => {
    const second = await inspector.context.newPage()
    await second.route('**/api/deliveries/stream', (route) => route.abort())
    await second.goto(`${t.url}/inspector/`)
    // sessionStorage belongs to one tab: a new tab signs in again.
    await second.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await second.keyboard.press('Enter')
    await second.locator('table.deliveries').waitFor()
    await eventually(() => second.locator('.live-status').textContent()).toContain('Polling')
    const before = await second.locator('table.deliveries > tbody > tr').count()
    const sent = await cli(
      'send',
      'player.verify',
      '--url',
      webhookUrl(),
      '--secret',
      SECRET,
      '--player',
      'testplayer',
    )
    expect(sent.code, sent.output).toBe(0)
    await expect
      .poll(() => second.locator('table.deliveries > tbody > tr').count(), { timeout: 15_000 })
      .toBe(before + 1)
    await second.close()
  })

  it('opens without signing in when the server has no admin token and the browser is on loopback', async () => {
    const open = await startTestServer({ ADMIN_TOKEN: '' })
    const tab = await inspector.context.newPage()
    try {
      await tab.goto(`${open.url}/inspector`)
      await tab.getByText('No deliveries yet.').waitFor()
      expect(await tab.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    } finally {
      await tab.close()
      await open.close()
    }
  })

  it('ran without a script error', () => {
    expect(inspector.pageErrors).toEqual([])
  })
})
