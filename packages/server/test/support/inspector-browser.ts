import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

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
