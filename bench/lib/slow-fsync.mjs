import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './targets.mjs'

const SOURCE = join(ROOT, 'bench/slow-fsync/slow-fsync.c')
const LIBRARY = join(ROOT, 'bench/results/slow-fsync.so')

/**
 * The environment that makes a process's fsync() and fdatasync() `delayUs` slower (LD_PRELOAD of
 * bench/slow-fsync/slow-fsync.c, compiled here with the system's C compiler on first use). Linux only.
 *
 * @example const env = slowFsyncEnv(2000) // { LD_PRELOAD: '…/slow-fsync.so', SLOW_FSYNC_US: '2000' }
 */
export function slowFsyncEnv(delayUs) {
  if (!existsSync(LIBRARY)) {
    if (spawnSync('cc', ['--version'], { stdio: 'ignore' }).error !== undefined) {
      throw new Error('--fsync-delay-us needs a C compiler (Debian/Ubuntu: apt-get install -y gcc).')
    }
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    execFileSync('cc', ['-O2', '-shared', '-fPIC', '-o', LIBRARY, SOURCE, '-ldl'])
  }
  return { LD_PRELOAD: LIBRARY, SLOW_FSYNC_US: String(delayUs) }
}
