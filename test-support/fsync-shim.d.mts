/** The path of the compiled fsync shim (LD_PRELOAD): SLOW_FSYNC_US slows every flush, FAIL_FSYNC_WHEN_EXISTS fails them. */
export function fsyncShim(): string
