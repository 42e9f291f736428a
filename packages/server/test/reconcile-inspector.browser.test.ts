import { afterAll, expect, test } from 'vitest'
import { type FakeS2s, paidOrder, startFakeS2s } from './support/fake-s2s.js'
import { inspectorSession } from './support/inspector-browser.js'
import { startTestServer } from './support/test-server.js'

// The inspector's Reconciliation page, in Debian's Chromium: the last runs, what each found, and what it fixed.

const API_KEY = 's2s_key_inspector_4e2'
let fake: FakeS2s
// Registered first, so it runs last: the server is closed before its fake S2S API.
afterAll(async () => {
  await fake?.close()
})

const session = inspectorSession(async () => {
  fake = await startFakeS2s({ '': API_KEY })
  const t = await startTestServer({ AGHANIM_API_KEY: API_KEY, AGHANIM_API_URL: fake.url }, [], {
    reconcile: { pageSize: 3, s2s: { backoffMs: 20, perMinute: 3000 } },
  })
  await t.api('/api/players/p_seen', { method: 'PUT', body: JSON.stringify({ name: 'seen' }) })
  const paidAt = Math.floor(Date.now() / 1000) - 3600
  fake.addOrder('', paidOrder('ord_inspected', 'p_seen', [{ sku: 'crystals', quantity: 480 }], paidAt))
  return t
})

test('shows the last runs with the orders each found and what the fix did', async () => {
  const { t, page } = session
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
  await session.inspector.screenshot('reconcile-runs', { fullPage: true })
  await newest.getByRole('link', { name: 'p_seen' }).click()
  await page.getByText('crystals').first().waitFor()
})
