import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunningServer, startServer } from '@aghanim-webhooks/server'
import { fixtureEvent, signedHeaders } from 'aghanim-webhooks'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { CHROMIUM, prepareInspectorBrowser, SCREENSHOTS } from './support/inspector-browser.js'

// A delivery a laptop answered (`aghanim-webhooks listen`, mirror mode) shows that answer in the inspector, in
// Debian's Chromium; one no laptop got shows no such panel.

const SECRET = 'whsec_listen_inspector'
const TOKEN = 'listen-inspector-token'

let server: RunningServer
let browser: Browser
let page: Page
let workDir: string

beforeAll(async () => {
  prepareInspectorBrowser()
  workDir = mkdtempSync(join(tmpdir(), 'awh-listen-inspector-'))
  server = await startServer(
    loadConfig(
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(workDir, 'data')],
      { AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'silent' },
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
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

async function send(event: object): Promise<number> {
  const body = JSON.stringify(event)
  const headers = await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })
  return (await fetch(`${server.url}/webhook`, { method: 'POST', body, headers })).status
}

const admin = { authorization: `Bearer ${TOKEN}` }

test("a delivery shows what the laptop answered: listener, target, status and the local answer's body", async () => {
  const abort = new AbortController()
  const stream = await fetch(
    `${server.url}/api/listen?name=dev%40laptop&target=http://localhost:3000/webhook`,
    {
      headers: admin,
      signal: abort.signal,
    },
  )
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const nextDelivery = async () => {
    for (;;) {
      const match = /event: delivery\nid: .*\ndata: (.*)\n\n/.exec(text)
      if (match) return JSON.parse(match[1]!) as { ticket: string; delivery_id: string }
      text += (await reader.read()).value ?? ''
    }
  }
  expect(await send(fixtureEvent('order.paid'))).toBe(200)
  const frame = await nextDelivery()
  const reported = await fetch(`${server.url}/api/listen/answers`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
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

  await page.goto(`${server.url}/inspector/#/deliveries/${frame.delivery_id}`)
  const panel = page.locator('section:has(#listens-title)')
  const row = panel.locator('table.listens tbody tr').first()
  await row.waitFor()
  const cells = await row.textContent()
  expect(cells).toMatch(/mirror \(copy\)/)
  expect(cells).toMatch(/dev@laptop/)
  expect(cells).toMatch(/202/)
  expect(cells).toMatch(/seen_by/)
  expect(await panel.locator('td.clip').first().getAttribute('title')).toBe('http://localhost:3000/webhook')
  await page.screenshot({ path: join(SCREENSHOTS, 'listen-delivery.png'), fullPage: true })

  expect(await send(fixtureEvent('order.paid'))).toBe(200)
  const list = await (await fetch(`${server.url}/api/deliveries?limit=1`, { headers: admin })).json()
  await page.goto(`${server.url}/inspector/#/deliveries/${list.deliveries[0].id}`)
  await page.locator('#answer-title').waitFor()
  await expect.poll(() => page.locator('#listens-title').count()).toBe(0)
})
