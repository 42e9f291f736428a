import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { ADMIN_TOKEN, type TestServer } from './test-server.js'

/** Debian's Chromium (no browser download: the machines are offline). */
export const CHROMIUM = '/usr/bin/chromium'
export const ROOT = resolve(import.meta.dirname, '../../../..')
export const SCREENSHOTS = join(ROOT, 'test-output/inspector')

/**
 * What a browser test of the inspector needs first: Chromium (a missing one fails the test, with the fix), the
 * screenshots folder, and the compiled page (the server serves inspector/dist; tests run from sources).
 */
export function prepareInspectorBrowser(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (./run test does).`,
    )
  }
  mkdirSync(SCREENSHOTS, { recursive: true })
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-b', join(ROOT, 'packages/server/inspector')], { stdio: 'inherit' })
  execFileSync(process.execPath, [join(ROOT, 'packages/server/inspector/copy-static.mjs')], {
    stdio: 'inherit',
  })
}

/** Headless Chromium with one page on the inspector's window size, watched for what must never happen. */
export interface InspectorBrowser {
  /** The browser's one context: a second tab (`context.newPage()`) shares its storage but not sessionStorage. */
  context: BrowserContext
  page: Page
  /** Script errors the page threw; a test ends by expecting none. */
  pageErrors: string[]
  /** Dialogs the page opened (each dismissed): untrusted text that ran as markup would open one. */
  dialogs: string[]
  /** Opens the inspector of the server at `url` and signs in with `token`. */
  signIn(url: string, token?: string): Promise<void>
  /** Saves a picture of the page to test-output/inspector/`name`.png for a person to look at. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>
  close(): Promise<void>
}

/** Prepares the page (see `prepareInspectorBrowser`) and starts Chromium on a 1280 × 860 window. */
export async function openInspectorBrowser(): Promise<InspectorBrowser> {
  prepareInspectorBrowser()
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] })
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  const pageErrors: string[] = []
  const dialogs: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return {
    context,
    page,
    pageErrors,
    dialogs,
    async signIn(url, token = ADMIN_TOKEN) {
      await page.goto(`${url}/inspector/`)
      await page.fill('#token', token)
      await page.click('button[type=submit]')
    },
    async screenshot(name, options = {}) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), ...options })
    },
    close: () => browser.close(),
  }
}

/** A file's server and the inspector open on it; the fields are set once the file's `beforeAll` has run. */
export interface InspectorSession {
  t: TestServer
  inspector: InspectorBrowser
  page: Page
}

/**
 * Registers the hooks of a browser test file: before its tests, `start()` starts the server (and whatever it
 * needs) and Chromium signs in to its inspector; after them, both are closed.
 */
export function inspectorSession(start: () => Promise<TestServer>): InspectorSession {
  const session = {} as InspectorSession
  beforeAll(async () => {
    session.t = await start()
    session.inspector = await openInspectorBrowser()
    session.page = session.inspector.page
    await session.inspector.signIn(session.t.url)
  })
  afterAll(async () => {
    await session.inspector?.close()
    await session.t?.close()
  })
  return session
}
