import { execFile, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { median } from './stats.mjs'
import { CLI_BIN, startTarget } from './targets.mjs'

const run = promisify(execFile)

/**
 * Server readiness: spawn → first 200 from /healthz, `times` times, on a fresh data directory (the first
 * start creates the database) and again on the existing one.
 *
 * @example const { fresh, existing } = await measureReady({ secret, dir, cpus: '0', times: 5 })
 */
export async function measureReady({ secret, dir, cpus, times }) {
  const fresh = []
  const existing = []
  for (let i = 0; i < times; i++) {
    const dataDir = mkdtempSync(join(dir, 'ready-'))
    for (const samples of [fresh, existing]) {
      const target = await startTarget('ours', { secret, dir, cpus, dataDir })
      samples.push(target.readyMs)
      await target.stop()
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  return { fresh: median(fresh), existing: median(existing), samples: { fresh, existing } }
}

/**
 * Cold start of `aghanim-webhooks send`: one process that signs and POSTs one player.verify to `url` and
 * exits. With hyperfine (Debian: apt-get install hyperfine) when present, else a spawn-and-time loop.
 * `node -e 0` is measured alongside: Node's own start-up is the floor no CLI can go under.
 *
 * @example const { send, node } = await measureSendColdStart({ url, secret, dir, times: 20 })
 */
export async function measureSendColdStart({ url, secret, dir, times, cpus }) {
  const send = [process.execPath, CLI_BIN, 'send', 'player.verify', '--url', url, '--player', 'testplayer']
  const node = [process.execPath, '-e', '0']
  const env = { ...process.env, AGHANIM_WEBHOOK_SECRET: secret }
  const pin = cpus ? ['taskset', '-c', cpus] : []
  // A failing send would time an error path: check it once first.
  const check = spawnSync(send[0], send.slice(1), { env, encoding: 'utf8' })
  if (check.status !== 0)
    throw new Error(`send failed (exit ${check.status}):\n${check.stdout}\n${check.stderr}`)
  if (hasHyperfine()) {
    const out = join(dir, 'hyperfine.json')
    await run(
      'hyperfine',
      [
        '-N',
        '--warmup',
        '3',
        '--runs',
        String(times),
        '--export-json',
        out,
        [...pin, ...send].join(' '),
        [...pin, ...node].join(' '),
      ],
      { env, maxBuffer: 1 << 22 },
    )
    const [sendResult, nodeResult] = JSON.parse(readFileSync(out, 'utf8')).results
    return { tool: 'hyperfine', send: sendResult.median * 1000, node: nodeResult.median * 1000 }
  }
  return {
    tool: 'spawn loop',
    send: await timeSpawns([...pin, ...send], env, times),
    node: await timeSpawns([...pin, ...node], env, times),
  }
}

function hasHyperfine() {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).error === undefined
}

async function timeSpawns(argv, env, times) {
  const samples = []
  for (let i = 0; i < times + 3; i++) {
    const started = performance.now()
    const child = spawn(argv[0], argv.slice(1), { env, stdio: 'ignore' })
    const [code] = await once(child, 'exit')
    if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}`)
    if (i >= 3) samples.push(performance.now() - started)
  }
  return median(samples)
}
