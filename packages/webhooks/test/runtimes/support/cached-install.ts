import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where installed runtimes are kept between runs (CI's clean clone reuses the machine's temp directory). */
export const RUNTIMES_CACHE =
  process.env.AGHANIM_RUNTIMES_CACHE ?? join(tmpdir(), 'aghanim-webhooks-runtimes')

/**
 * A directory whose node_modules holds exactly `dependencies` (exact versions) from the npm registry,
 * installed once per set of versions and kept: the key is a hash of the versions, so a version bump
 * installs afresh and nothing stale is ever reused. Installs into a private directory and renames it into
 * place, so concurrent test runs never see half an install. A failed install throws: the test fails.
 */
export async function cachedInstall(name: string, dependencies: Record<string, string>): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(dependencies)).digest('hex').slice(0, 12)
  const dir = join(RUNTIMES_CACHE, `${name}-${key}`)
  if (existsSync(join(dir, '.installed'))) return dir
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`
  mkdirSync(staging, { recursive: true })
  try {
    writeFileSync(
      join(staging, 'package.json'),
      JSON.stringify({ name: `${name}-runtime`, private: true, type: 'module', dependencies }, null, 2),
    )
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: staging,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 9 * 60_000,
    })
    writeFileSync(join(staging, '.installed'), `${new Date().toISOString()}\n`)
    try {
      renameSync(staging, dir)
    } catch (error) {
      // Another run finished the same install first: use theirs.
      if (!existsSync(join(dir, '.installed'))) throw error
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  pruneOtherVersions(name, dir)
  return dir
}

// Installs of other versions of the same runtime go once no run has installed them for a day (a run on
// another branch may still use one), so version bumps do not pile up in the temp directory.
function pruneOtherVersions(name: string, kept: string): void {
  const sameRuntime = new RegExp(`^${name}-[0-9a-f]{12}$`)
  for (const entry of readdirSync(RUNTIMES_CACHE)) {
    const dir = join(RUNTIMES_CACHE, entry)
    if (dir === kept || !sameRuntime.test(entry)) continue
    const installed = join(dir, '.installed')
    if (existsSync(installed) && Date.now() - statSync(installed).mtimeMs > 24 * 3600_000)
      rmSync(dir, { recursive: true, force: true })
  }
}
