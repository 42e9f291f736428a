import { execFile, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('./wrk.lua', import.meta.url))

export const WRK_INSTALL_HINT =
  'wrk (the HTTP load generator) is not installed. On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y wrk ' +
  '(macOS: brew install wrk). Then run `npm run bench` again.'

/** True when `wrk` is on PATH. */
export function hasWrk() {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined
}

/**
 * Runs wrk against `url` with a pre-signed request pool, pinned to `cpus` with taskset when given.
 *
 * @example const result = await runWrk({ url: 'http://127.0.0.1:8000/webhook', pool, connections: 50, seconds: 5 })
 */
export async function runWrk({ url, pool, connections, seconds, threads = 1, cpus }) {
  const wrkArgs = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    SCRIPT,
    url,
    '--',
    pool,
    String(threads),
  ]
  const [command, args] = cpus ? ['taskset', ['-c', cpus, 'wrk', ...wrkArgs]] : ['wrk', wrkArgs]
  const { stdout } = await run(command, args, { maxBuffer: 1 << 20 })
  return parseWrkOutput(stdout)
}

/**
 * Reads the summary line `wrk.lua` prints into req/s, latency percentiles (ms) and error counts.
 * Throws when the line is missing (wrk failed before `done`).
 *
 * @example parseWrkOutput('WRK_JSON {"requests":10,"duration_us":1000000,...}').rps // 10
 */
export function parseWrkOutput(stdout) {
  const line = stdout.split('\n').find((text) => text.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no summary:\n${stdout.slice(-2000)}`)
  const raw = JSON.parse(line.slice('WRK_JSON '.length))
  const errors = raw.errors
  return {
    requests: raw.requests,
    seconds: raw.duration_us / 1e6,
    rps: raw.requests / (raw.duration_us / 1e6),
    p50: raw.p50_us / 1000,
    p90: raw.p90_us / 1000,
    p99: raw.p99_us / 1000,
    max: raw.max_us / 1000,
    /** Non-2xx/3xx answers: a target that refuses the requests is not fast, it is wrong. */
    badStatus: errors.status,
    socketErrors: errors.connect + errors.read + errors.write + errors.timeout,
    /** How many times a thread went round its pool: > 0 on a unique-key run means some keys repeated. */
    wraps: raw.wraps,
  }
}
