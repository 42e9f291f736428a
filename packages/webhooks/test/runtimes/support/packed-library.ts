import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const libraryDir = fileURLToPath(new URL('../../../', import.meta.url))

let packed: Promise<string> | undefined

/**
 * The library as npm would publish it: `npm pack` of packages/webhooks, once per test file. It packs the
 * built dist (`npm test` builds first) and refuses a dist older than its sources, which would prove nothing.
 */
export function packedLibrary(): Promise<string> {
  packed ??= pack()
  return packed
}

async function pack(): Promise<string> {
  const source = newest(join(libraryDir, 'src'))
  const built = newest(join(libraryDir, 'dist'))
  if (built < source)
    throw new Error('packages/webhooks/dist is older than its sources: run `npm run build` first.')
  const destination = mkdtempSync(join(tmpdir(), 'aghanim-webhooks-pack-'))
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', destination], {
    cwd: libraryDir,
  })
  return join(destination, stdout.trim().split('\n').at(-1)!)
}

function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.tsbuildinfo')) continue
    const stat = statSync(join(dir, entry))
    if (stat.isFile()) latest = Math.max(latest, stat.mtimeMs)
  }
  return latest
}
