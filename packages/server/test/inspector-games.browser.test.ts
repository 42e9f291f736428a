import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunningServer, startServer } from '@aghanim-webhooks/server'
import { signedHeaders } from 'aghanim-webhooks'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, prepareInspectorBrowser, SCREENSHOTS } from './support/inspector-browser.js'
import { grant } from './support/test-server.js'

// The inspector of a server of two games, whose sandbox is kept apart: a player is asked for by game, its sandbox
// ledger is one link away and marked, and a sandbox delivery says so and links to the sandbox's player.

const GAME_A = 'whsec_inspector_games_a'

let server: RunningServer
let browser: BrowserContext
let page: Page
let workDir: string
const pageErrors: string[] = []

beforeAll(async () => {
  prepareInspectorBrowser()
  workDir = mkdtempSync(join(tmpdir(), 'awh-inspector-games-'))
  // No admin token: a loopback browser opens the inspector without signing in.
  server = await startServer(
    loadConfig(
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(workDir, 'data')],
      { AGHANIM_GAME_SECRETS: `gm_a=${GAME_A};gm_b=whsec_inspector_games_b`, LOG_LEVEL: 'silent' },
      workDir,
    ),
  )
  for (const [query, name] of [
    ['game=gm_a', 'Live Ann'],
    ['game=gm_a&sandbox=true', 'Sandbox Ann'],
  ] as const) {
    const put = await fetch(`${server.url}/api/players/p1?${query}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
    expect(put.status).toBe(201)
  }
  const body = JSON.stringify(grant('p1', 'gems', 5, { game_id: 'gm_a', sandbox: true }))
  const headers = await signedHeaders({ secret: GAME_A, timestamp: Math.floor(Date.now() / 1000), body })
  const sent = await fetch(`${server.url}/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })
  expect(sent.status).toBe(200)
  browser = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 860 },
  })
  page = browser.pages()[0] ?? (await browser.newPage())
  page.setDefaultTimeout(10_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

const title = () => page.locator('#detail-title').textContent()

describe('the inspector with several games', () => {
  it('asks which game’s player, then shows the live ledger and links to the marked sandbox one', async () => {
    await page.goto(`${server.url}/inspector/#/players/p1`)
    await page.getByText('which one’s player?').waitFor()
    await page.getByRole('link', { name: 'gm_a' }).click()
    await expect.poll(title).toBe('Live Ann')
    expect(await page.locator('.badge-sandbox').count()).toBe(0)
    await page.getByRole('link', { name: 'Sandbox ledger' }).click()
    await expect.poll(title).toBe('Sandbox Ann')
    await page.locator('.badge-sandbox').waitFor()
    await page.getByRole('cell', { name: 'gems' }).first().waitFor()
    await page.screenshot({ path: join(SCREENSHOTS, 'games-01-sandbox-player.png') })
  })

  it('marks a sandbox delivery and links to its player in the sandbox ledger', async () => {
    const listed = (await (await fetch(`${server.url}/api/deliveries?type=item.add`)).json()) as {
      deliveries: { id: string }[]
    }
    await page.goto(`${server.url}/inspector/#/deliveries/${encodeURIComponent(listed.deliveries[0]!.id)}`)
    await expect.poll(title).toBe('item.add')
    await page.locator('.detail-header .badge-sandbox').waitFor()
    await page.getByRole('link', { name: 'p1' }).click()
    await expect.poll(title).toBe('Sandbox Ann')
  })

  it('ran without a script error', () => {
    expect(pageErrors).toEqual([])
  })
})
