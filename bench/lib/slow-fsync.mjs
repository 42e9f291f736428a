import { fsyncShim } from '../../test-support/fsync-shim.mjs'

/**
 * The environment that makes a process's fsync() and fdatasync() `delayUs` slower (LD_PRELOAD of
 * test-support/fsync-shim.c, compiled with the system's C compiler on first use). Linux only.
 *
 * @example const env = slowFsyncEnv(2000) // { LD_PRELOAD: '/tmp/awh-fsync-shim-….so', SLOW_FSYNC_US: '2000' }
 */
export function slowFsyncEnv(delayUs) {
  return { LD_PRELOAD: fsyncShim(), SLOW_FSYNC_US: String(delayUs) }
}
