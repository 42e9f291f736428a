import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SOURCE = fileURLToPath(new URL('./fsync-shim.c', import.meta.url))

/**
 * The path of the fsync shim (`fsync-shim.c`) as a shared library, compiled with the system's C compiler the
 * first time (into the temp directory, named by the source's hash, so a changed source is rebuilt). Linux.
 *
 * @example spawn(node, args, { env: { LD_PRELOAD: fsyncShim(), FAIL_FSYNC_WHEN_EXISTS: flagFile } })
 */
export function fsyncShim() {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 12)
  const library = join(tmpdir(), `awh-fsync-shim-${hash}.so`)
  if (existsSync(library)) return library
  if (spawnSync('cc', ['--version'], { stdio: 'ignore' }).error !== undefined) {
    throw new Error('The fsync shim needs a C compiler: apt-get install -y gcc (./run test installs it).')
  }
  // Built under a unique name and renamed into place: test files running at once never load half a file.
  const building = `${library}.${process.pid}.${Date.now()}`
  execFileSync('cc', ['-O2', '-shared', '-fPIC', '-o', building, SOURCE, '-ldl'])
  renameSync(building, library)
  return library
}
