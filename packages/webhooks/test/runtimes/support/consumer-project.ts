import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { packedLibrary } from './packed-library.js'

const run = promisify(execFile)

export interface ConsumerProject {
  readonly dir: string
  remove(): void
}

/**
 * A fresh project inside a cached runtime's directory (so its node_modules resolve from there) with the
 * packed library installed by npm as a user would, and `files` written as given.
 */
export async function consumerProject(
  runtimeDir: string,
  files: Record<string, string>,
  packageJson: Record<string, unknown> = {},
): Promise<ConsumerProject> {
  const dir = join(runtimeDir, 'runs', randomUUID())
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'studio-backend', private: true, type: 'module', ...packageJson }, null, 2),
  )
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', await packedLibrary()],
    { cwd: dir },
  )
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
