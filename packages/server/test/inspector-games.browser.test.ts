import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InspectorBrowser, openInspectorBrowser } from './support/inspector-browser.js'
import { grant, startTestServer, type TestServer } from './support/test-server.js'

// The inspector of a server of two games, whose sandbox is kept apart: a player is asked for by game, its sandbox
// ledger is one link away and marked, and a sandbox delivery says so and links to the sandbox's player.

const GAME_A = 'whsec_inspector_games_a'
const GAME_B = 'whsec_inspector_games_b'

let t: TestServer
let inspector: InspectorBrowser
let page: Page

beforeAll(async () => {
  // No admin token: a loopback browser opens the inspector without signing in.
  t = await startTestServer({
    AGHANIM_WEBHOOK_SECRET: '',
    ADMIN_TOKEN: '',
    AGHANIM_GAME_SECRETS: `gm_a=${GAME_A};gm_b=${GAME_B}`,
  })
  for (const [query, name] of [
    ['game=gm_a', 'Live Ann'],
    ['game=gm_a&sandbox=true', 'Sandbox Ann'],
  ] as const) {
    const put = await t.api(`/api/players/p1?${query}`, { method: 'PUT', body: JSON.stringify({ name }) })
    expect(put.status).toBe(201)
  }
  const sandboxGrant = grant('p1', 'gems', 5, { game_id: 'gm_a', sandbox: true })
  expect((await t.send(sandboxGrant, { secret: GAME_A })).status).toBe(200)
  // A live delivery of the other game (it knows no p1, so it declines): for the list's game picker.
  await t.send(grant('p1', 'gems', 1, { game_id: 'gm_b' }), { secret: GAME_B })
  inspector = await openInspectorBrowser()
  page = inspector.page
})

afterAll(async () => {
  await inspector?.close()
  await t?.close()
})

const title = () => page.locator('#detail-title').textContent()

describe('the inspector with several games', () => {
  it('asks which game’s player, then shows the live ledger and links to the marked sandbox one', async () => {
    await page.goto(`${t.url}/inspector/#/players/p1`)
    await page.getByText('which one’s player?').waitFor()
    await page.getByRole('link', { name: 'gm_a' }).click()
    await expect.poll(title).toBe('Live Ann')
    expect(await page.locator('.badge-sandbox').count()).toBe(0)
    await page.getByRole('link', { name: 'Sandbox ledger' }).click()
    await expect.poll(title).toBe('Sandbox Ann')
    await page.locator('.badge-sandbox').waitFor()
    await page.getByRole('cell', { name: 'gems' }).first().waitFor()
    await inspector.screenshot('games-01-sandbox-player')
  })

  it('marks a sandbox delivery and links to its player in the sandbox ledger', async () => {
    const listed = (await t.api('/api/deliveries?type=item.add&game=gm_a')).json as {
      deliveries: { id: string }[]
    }
    await page.goto(`${t.url}/inspector/#/deliveries/${encodeURIComponent(listed.deliveries[0]!.id)}`)
    await expect.poll(title).toBe('item.add')
    await page.locator('.detail-header .badge-sandbox').waitFor()
    await page.getByRole('link', { name: 'p1' }).click()
    await expect.poll(title).toBe('Sandbox Ann')
  })

  it('lists one game’s deliveries from the game picker, the sandbox ones marked', async () => {
    await page.goto(`${t.url}/inspector/#/deliveries`)
    await page.locator('tr.row').nth(1).waitFor()
    const game = page.getByLabel('Game')
    await expect.poll(() => game.isVisible()).toBe(true)
    await game.selectOption('gm_a')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.url()).toContain('game=gm_a')
    await expect.poll(() => page.locator('tr.row').count()).toBe(1)
    await page.locator('tr.row .tag-sandbox').waitFor()
    await page.getByLabel('Game').selectOption('gm_b')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.url()).toContain('game=gm_b')
    // gm_b's one live delivery, and not gm_a's sandbox row still on the page while the list reloads.
    const rowsAndSandboxTags = async () => [
      await page.locator('tr.row').count(),
      await page.locator('tr.row .tag-sandbox').count(),
    ]
    await expect.poll(rowsAndSandboxTags).toEqual([1, 0])
    await page.getByLabel('Sandbox').selectOption('true')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.getByText('No deliveries match these filters.').waitFor()
  })

  it('ran without a script error', () => {
    expect(inspector.pageErrors).toEqual([])
  })
})
