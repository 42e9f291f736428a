import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startProcess } from './process.mjs'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const CLI_BIN = join(ROOT, 'packages/cli/dist/bin.js')
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=8']

/** What each target is, for the report. */
export const TARGETS = {
  bare: 'bare node:http, no verification (Node’s ceiling)',
  'node-verify': 'bare node:http that verifies correctly',
  express: 'Express, like Aghanim’s sample',
  library: 'the library alone (node adapter, minimal router)',
  ours: 'aghanim-webhooks serve',
  before: 'aghanim-webhooks serve, the build given to --compare-with',
  backend: 'a backend alone (node:http that verifies), called directly',
  forward: 'aghanim-webhooks serve --forward-to that backend (both on the server CPU)',
}

/** Targets that are our server (seeded with players, checked for grants). */
export const isOurServer = (kind) => kind === 'ours' || kind === 'before'

/**
 * Starts one target on a free port and waits for its health check. `store` (`sqlite` | `postgres`) only
 * matters for our server (`dataDir` reuses an existing embedded database); the baselines keep nothing.
 * `profileDir` runs it under `node --cpu-prof`, profiles written there when it stops. `before` is our server
 * from another checkout (`compareWith`, built), for before/after measurements in one run. `env` is added to the
 * target's environment (the slow-fsync library, for one).
 *
 * @example const target = await startTarget('ours', { workers: 1, cpus: '0', secret, dir, store: 'sqlite' })
 */
export async function startTarget(
  kind,
  { workers = 1, cpus, secret, dir, store = 'sqlite', postgres, dataDir, profileDir, compareWith, env = {} },
) {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const logFile = join(dir, `${kind}-${port}.log`)
  const common = { cpus, cwd: ROOT, logFile, readyUrl: `${base}/healthz` }
  const portArgs = ['--port', String(port), '--host', '127.0.0.1', '--workers', String(workers)]
  // Cluster workers inherit execArgv, so each process writes its own profile (named by pid) when it exits.
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, `${kind}-${port}`)] : []
  let started
  // Our server's data directory, where the bench reads its delivery log's files (server-latency.mjs).
  let ownData
  if (kind === 'forward') return startForward({ workers, cpus, secret, dir, profileDir, env })
  if (isOurServer(kind)) {
    ownData = dataDir ?? join(dir, `data-${port}`)
    mkdirSync(ownData, { recursive: true })
    started = await startProcess({
      ...common,
      command: process.execPath,
      args: [
        ...nodeArgs,
        // As `npm start` runs it (a small young generation; docs/benchmarks.md says what it saves).
        ...SERVE_NODE_FLAGS,
        kind === 'before' ? join(compareWith, 'packages/cli/dist/bin.js') : CLI_BIN,
        'serve',
        ...portArgs,
        '--data-dir',
        ownData,
        ...databaseArgs(store, ownData, postgres),
      ],
      // The secret goes in the environment, never on a command line that `ps` shows.
      env: { ...env, AGHANIM_WEBHOOK_SECRET: secret, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' },
    })
  } else {
    started = await startProcess({
      ...common,
      command: process.execPath,
      args: [...nodeArgs, join(ROOT, baselineScript(kind)), ...portArgs],
      env: { ...env, BENCH_WEBHOOK_SECRET: secret },
    })
  }
  return { kind, workers, store, url: `${base}/webhook`, base, logFile, dataDir: ownData, ...started }
}

function baselineScript(kind) {
  if (kind === 'library') return 'bench/targets/library.mjs'
  // The backend of the forward suites is the verifying baseline: the cost of a real, minimal backend.
  return `bench/baselines/${kind === 'backend' ? 'node-verify' : kind}.mjs`
}

/**
 * Forward mode: the backend (the verifying baseline, forward secret = webhook secret) and our server forwarding
 * to it, both on the server's CPUs, so the rate compared with the backend alone is what the gateway costs.
 */
async function startForward({ workers, cpus, secret, dir, profileDir, env }) {
  const backend = await startTarget('backend', { workers, cpus, secret, dir, env })
  try {
    const gateway = await startTarget('ours', {
      workers,
      cpus,
      secret,
      dir,
      store: 'sqlite',
      profileDir,
      env: { ...env, FORWARD_TO: backend.url, FORWARD_SECRET: secret },
    })
    return {
      ...gateway,
      kind: 'forward',
      async stop() {
        await gateway.stop()
        await backend.stop()
      },
    }
  } catch (error) {
    await backend.stop()
    throw error
  }
}

function databaseArgs(store, dataDir, postgres) {
  if (store === 'postgres') return ['--database-url', postgres.url, '--database-schema', postgres.schema]
  return ['--database-url', `sqlite:${join(dataDir, 'bench.db')}`]
}

/** True once `npm run build` has produced the CLI. */
export function cliBuilt() {
  return existsSync(CLI_BIN)
}
