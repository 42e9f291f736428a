import { fixtureEvent } from 'aghanim-webhooks'
import { expect, test } from 'vitest'
import { inspectorSession } from './support/inspector-browser.js'
import { ADMIN_TOKEN, startTestServer } from './support/test-server.js'

// A delivery a laptop answered (`aghanim-webhooks listen`, mirror mode) shows that answer in the inspector, in
// Debian's Chromium; one no laptop got shows no such panel.

const session = inspectorSession(() => startTestServer())

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

test("a delivery shows what the laptop answered: listener, target, status and the local answer's body", async () => {
  const { t, page } = session
  const abort = new AbortController()
  const stream = await fetch(`${t.url}/api/listen?name=dev%40laptop&target=http://localhost:3000/webhook`, {
    headers: admin,
    signal: abort.signal,
  })
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const nextDelivery = async () => {
    for (;;) {
      const match = /event: delivery\nid: .*\ndata: (.*)\n\n/.exec(text)
      if (match) return JSON.parse(match[1]!) as { ticket: string; delivery_id: string }
      text += (await reader.read()).value ?? ''
    }
  }
  expect((await t.send(fixtureEvent('order.paid'))).status).toBe(200)
  const frame = await nextDelivery()
  const reported = await t.api('/api/listen/answers', {
    method: 'POST',
    body: JSON.stringify({
      ticket: frame.ticket,
      status: 202,
      body: '{"status":"ok","seen_by":"laptop"}',
      duration_ms: 12.5,
      error: null,
    }),
  })
  expect(reported.status).toBe(200)
  abort.abort()

  await page.goto(`${t.url}/inspector/#/deliveries/${frame.delivery_id}`)
  const panel = page.locator('section:has(#listens-title)')
  const row = panel.locator('table.listens tbody tr').first()
  await row.waitFor()
  const cells = await row.textContent()
  expect(cells).toMatch(/mirror \(copy\)/)
  expect(cells).toMatch(/dev@laptop/)
  expect(cells).toMatch(/202/)
  expect(cells).toMatch(/seen_by/)
  expect(await panel.locator('td.clip').first().getAttribute('title')).toBe('http://localhost:3000/webhook')
  await session.inspector.screenshot('listen-delivery', { fullPage: true })

  expect((await t.send(fixtureEvent('order.paid'))).status).toBe(200)
  const list = (await t.api('/api/deliveries?limit=1')).json
  await page.goto(`${t.url}/inspector/#/deliveries/${list.deliveries[0].id}`)
  await page.locator('#answer-title').waitFor()
  await expect.poll(() => page.locator('#listens-title').count()).toBe(0)
})
