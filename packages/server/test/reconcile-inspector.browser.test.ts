import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type FakeS2s, paidOrder, startFakeS2s } from './support/fake-s2s.js'
import { type InspectorBrowser, openInspectorBrowser } from './support/inspector-browser.js'
import { startTestServer, type TestServer } from './support/test-server.js'

// The inspector's Reconciliation page, in Debian's Chromium: the last runs, what each found, and what it fixed.

const API_KEY = 's2s_key_inspector_4e2'
let fake: FakeS2s
let t: TestServer
let inspector: InspectorBrowser
let page: Page

beforeAll(async () => {
  fake = await startFakeS2s({ '': API_KEY })
  t = await startTestServer({ AGHANIM_API_KEY: API_KEY, AGHANIM_API_URL: fake.url }, [], {
    reconcile: { pageSize: 3, s2s: { backoffMs: 20, perMinute: 3000 } },
  })
  await t.api('/api/players/p_seen', { method: 'PUT', body: JSON.stringify({ name: 'seen' }) })
  const paidAt = Math.floor(Date.now() / 1000) - 3600
  fake.addOrder('', paidOrder('ord_inspected', 'p_seen', [{ sku: 'crystals', quantity: 480 }], paidAt))
  inspector = await openInspectorBrowser()
  page = inspector.page
  await inspector.signIn(t.url)
})

afterAll(async () => {
  await inspector?.close()
  await t?.close()
  await fake?.close()
})

test('shows the last runs with the orders each found and what the fix did', async () => {
  const report = await t.api('/api/reconcile', { method: 'POST', body: '{}' })
  expect(report.json.missing).toHaveLength(1)
  const fixed = await t.api('/api/reconcile', { method: 'POST', body: JSON.stringify({ fix: true }) })
  expect(fixed.json.fixed[0].result).toBe('granted')

  await page.getByRole('link', { name: 'Reconciliation' }).click()
  await page.getByRole('heading', { name: 'Reconciliation' }).waitFor()
  const runs = page.locator('section.reconcile-run')
  await expect.poll(() => runs.count()).toBe(2)
  // Newest first: the fix, then the report.
  const newest = runs.nth(0).locator('tr[data-order="ord_inspected"]')
  await expect.poll(() => newest.textContent()).toContain('granted')
  expect(await newest.textContent()).toContain('480 × crystals')
  expect(await runs.nth(1).textContent()).toContain('(report only)')
  expect(await runs.nth(1).locator('tr[data-order="ord_inspected"]').textContent()).toContain('missing')
  await inspector.screenshot('reconcile-runs', { fullPage: true })
  await newest.getByRole('link', { name: 'p_seen' }).click()
  await page.getByText('crystals').first().waitFor()
})
