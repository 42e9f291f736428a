import { readFileSync, writeFileSync } from 'node:fs'
import { fsyncShim } from '../../test-support/fsync-shim.mjs'
import { median, percentile } from './stats.mjs'

/**
 * The environment that makes a process log every fsync()/fdatasync() it runs to `file`: which thread (`loop`,
 * the main thread, where a stall holds up every request; `other`, the thread pool and worker threads), what
 * it flushed (`wal`, `db`, `other`) and how long it took (test-support/fsync-shim.c, preloaded). Merged with
 * `base` (the slow-disk environment, which preloads the same library).
 *
 * @example startTarget('ours', { env: fsyncTimingEnv('/tmp/ours.fsync', slowFsyncEnv(2000)) })
 */
export function fsyncTimingEnv(file, base = {}) {
  return { ...base, LD_PRELOAD: fsyncShim(), FSYNC_TIMING_LOG: file }
}

/** Forgets what was logged so far (the warm-up); the shim keeps appending to the same file (O_APPEND). */
export function resetFsyncTiming(file) {
  writeFileSync(file, '')
}

/**
 * The flushes logged to `file` over `seconds`, grouped by thread and file: how many per second, and p50, p99
 * and the longest in milliseconds.
 *
 * @example summarizeFsyncTiming(file, 12) // [{ thread: 'other', file: 'wal', perSecond: 210, p50: 0.24, p99: 2.3, max: 28 }]
 */
export function summarizeFsyncTiming(file, seconds) {
  const groups = new Map()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [thread, kind, micros] = line.split(' ')
    if (micros === undefined) continue
    const key = `${thread} ${kind}`
    if (!groups.has(key)) groups.set(key, { thread, file: kind, durations: [] })
    groups.get(key).durations.push(Number(micros) / 1000)
  }
  return [...groups.values()]
    .map(({ thread, file: kind, durations }) => {
      durations.sort((a, b) => a - b)
      return {
        thread,
        file: kind,
        perSecond: durations.length / seconds,
        p50: median(durations),
        p99: percentile(durations, 99),
        max: durations.at(-1),
      }
    })
    .sort((a, b) => `${a.thread} ${a.file}`.localeCompare(`${b.thread} ${b.file}`))
}
