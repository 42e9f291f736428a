import { execFileSync } from 'node:child_process'
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The machine's durable-write ceiling for one writer: appends of one 4 KiB page, each followed by fdatasync,
 * in `dir` (the database's own directory, so the same disk and file system), for `ms` milliseconds.
 * A receiver that commits each request with its own fsync cannot answer faster than this.
 *
 * @example const perSecond = fsyncRate('/tmp/bench-data', 1000)
 */
export function fsyncRate(dir, ms = 1000) {
  const file = join(dir, `fsync-probe-${process.pid}-${Date.now()}`)
  const fd = openSync(file, 'w')
  const page = Buffer.alloc(4096, 7)
  let count = 0
  const started = performance.now()
  try {
    while (performance.now() - started < ms) {
      writeSync(fd, page)
      fdatasyncSync(fd)
      count++
    }
    return count / ((performance.now() - started) / 1000)
  } finally {
    closeSync(fd)
    rmSync(file, { force: true })
  }
}

/**
 * `fsyncRate` in a child process with `env` added (the slow-fsync library applies to a process from its start).
 *
 * @example const perSecond = fsyncRateWith({ LD_PRELOAD: lib, SLOW_FSYNC_US: '2000' }, dir, 1000)
 */
export function fsyncRateWith(env, dir, ms = 1000) {
  const script = `import(${JSON.stringify(import.meta.url)}).then((m) => console.log(m.fsyncRate(${JSON.stringify(dir)}, ${ms})))`
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })
  return Number(stdout.trim())
}
