#!/usr/bin/env node
// npm run bench [-- --quick] — our server against baselines written here, in the same run on the same
// machine, with wrk as the load generator. See docs/benchmarks.md for what each number means.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fsyncRate, fsyncRateWith } from './lib/fsync.mjs'
import { fsyncTimingEnv, resetFsyncTiming, summarizeFsyncTiming } from './lib/fsync-timing.mjs'
import { machineInfo } from './lib/machine.mjs'
import { hasPgbench, pgbenchGrants } from './lib/pgbench.mjs'
import { writePool } from './lib/pool.mjs'
import { createBenchSchema, DEFAULT_POSTGRES_URL } from './lib/postgres.mjs'
import { cpuOfTree, sampleRss } from './lib/process.mjs'
import { renderReport } from './lib/report.mjs'
import { grantedQuantity, seedPlayers } from './lib/seed.mjs'
import { serverLatency } from './lib/server-latency.mjs'
import { slowFsyncEnv } from './lib/slow-fsync.mjs'
import { measureReady, measureSendColdStart } from './lib/startup.mjs'
import { median } from './lib/stats.mjs'
import { describeSuite, SUITES } from './lib/suites.mjs'
import { CLI_BIN, cliBuilt, isOurServer, ROOT, startTarget } from './lib/targets.mjs'
import { hasWrk, runWrk, WRK_INSTALL_HINT } from './lib/wrk.mjs'

const HELP = `Usage: npm run bench [-- options]

Measures aghanim-webhooks serve against three baselines (bare node:http, node:http that verifies, Express
like Aghanim's sample) with wrk, interleaved, and prints Markdown tables (also written to bench/results/).

  --quick              one short round per target (about 2 minutes) instead of the full run (about 8)
  --cpu-prof           run every target under node --cpu-prof; profiles in bench/results/profiles/
  --update-docs        also replace the results section of docs/benchmarks.md with this run's
  --runs N             rounds per target (default 3; quick 1)
  --seconds S          seconds per measured wrk run (default 4; quick 2)
  --only a,b           only these suites (${SUITES.map((suite) => suite.id).join(', ')}, micro, store,
                       startup), or families of them by first word (verify, add, forward)
  --targets a,b        only these targets (bare, node-verify, express, library, ours; backend, forward)
  --fsync-delay-us N   every fsync/fdatasync of the targets (and of the fsync-rate probe and the store
                       micro-benchmark) sleeps N µs first (LD_PRELOAD, needs a C compiler): a slower disk,
                       such as cloud block storage (1–2 ms), on a machine whose disk flushes faster
  --fsync-timing       log every fsync of our server in the SQLite suites (LD_PRELOAD, needs a C compiler)
                       and report how long they took, on the event loop and on other threads
  --compare-with DIR   also run our server from another checkout (built, e.g. a git worktree of main) as
                       target "before", next to "ours" in every suite: before/after in the same run
  --postgres-url URL   PostgreSQL for the PostgreSQL suite (default ${DEFAULT_POSTGRES_URL}; the bench
                       creates and drops a schema of its own)
  --no-build           skip \`npm run build\` (use the existing dist/)
  -h, --help           this help

Needs wrk (Debian/Ubuntu: apt-get install wrk). hyperfine is used for the CLI cold start when installed.`

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    seconds: { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string' },
    'postgres-url': { type: 'string' },
    'no-build': { type: 'boolean' },
    'update-docs': { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    'compare-with': { type: 'string' },
    'fsync-delay-us': { type: 'string' },
    'fsync-timing': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}

const quick = values.quick === true
const settings = {
  quick,
  runs: Number(values.runs ?? (quick ? 1 : 3)),
  seconds: Number(values.seconds ?? (quick ? 2 : 4)),
  warmupSeconds: quick ? 1 : 2,
  only: values.only ? new Set(values.only.split(',')) : undefined,
  targets: values.targets ? new Set(values.targets.split(',')) : undefined,
  postgresUrl: values['postgres-url'] ?? process.env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL,
}
// A suite is wanted by its id or by its family, the id's first word (`--only forward` runs forward-*).
const wanted = (id) => !settings.only || settings.only.has(id) || settings.only.has(id.split('-')[0])
const wantedTarget = (kind) => !settings.targets || settings.targets.has(kind)
const compareWith = values['compare-with'] ? resolve(values['compare-with']) : undefined
if (compareWith && !existsSync(join(compareWith, 'packages/cli/dist/bin.js'))) {
  console.error(
    `${compareWith}/packages/cli/dist/bin.js is missing: run \`npm ci && npm run build\` there first.`,
  )
  process.exit(1)
}
const fsyncDelayUs = Number(values['fsync-delay-us'] ?? 0)
const slowDisk = fsyncDelayUs > 0 ? slowFsyncEnv(fsyncDelayUs) : undefined
const withBefore = (targets) =>
  compareWith ? targets.flatMap((kind) => (kind === 'ours' ? ['ours', 'before'] : [kind])) : targets
const suites = SUITES.map((suite) => ({
  ...suite,
  targets: withBefore(suite.targets).filter(wantedTarget),
})).filter((suite) => wanted(suite.id) && suite.targets.length > 0)
const needsServer =
  suites.some((suite) => suite.targets.includes('ours')) || (wanted('startup') && wantedTarget('ours'))

if (!hasWrk()) {
  console.error(WRK_INSTALL_HINT)
  process.exit(1)
}
// Server on CPU 0, wrk and this script on CPU 1: they must not steal each other's cycles.
const pinned =
  availableParallelism() >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).error === undefined
const SERVER_CPUS = pinned ? '0' : undefined
const LOAD_CPUS = pinned ? '1' : undefined
if (pinned) execFileSync('taskset', ['-p', '-c', LOAD_CPUS, String(process.pid)], { stdio: 'ignore' })
else console.error('warning: fewer than 2 CPUs or no taskset: server and load generator share the CPUs.')

if (!values['no-build']) {
  log('building (npm run build) ...')
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' })
}
if (needsServer && !cliBuilt()) {
  console.error(`${CLI_BIN} is missing: run \`npm run build\` first.`)
  process.exit(1)
}

const secret = `bench_${Math.random().toString(36).slice(2)}`
const dir = mkdtempSync(join(tmpdir(), 'awh-bench-'))
const results = {
  settings: {
    ...settings,
    only: values.only ?? null,
    targets: values.targets ?? null,
    pinned,
    fsyncDelayUs,
    fsyncTiming: values['fsync-timing'] === true,
  },
  machine: machineInfo(dir),
  suites: [],
}
let failed = false

try {
  if (wanted('micro')) results.micro = micro()
  if (wanted('store')) results.store = storeAlone()
  for (const suite of suites) {
    results.suites.push(await runSuite(suite))
    if (suite.store === 'postgres')
      results.pgbench = await pgbenchBaseline(suite).catch((error) => {
        console.error(`pgbench failed, no PostgreSQL baseline: ${error.message}`)
        return undefined
      })
  }
  if (wanted('startup') && wantedTarget('ours')) results.startup = await startup()
} finally {
  rmSync(dir, { recursive: true, force: true })
}

const report = renderReport(results)
console.log(`\n${report}`)
const outDir = join(ROOT, 'bench/results')
mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, 'latest.md'), `${report}\n`)
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
log(`written: bench/results/latest.md, bench/results/latest.json`)
if (values['update-docs']) updateDocs(report)
if (failed) {
  console.error('Some targets answered non-2xx or dropped connections: their numbers are not comparable.')
  process.exit(1)
}

/** pgbench's grant transaction on the same database, right after the PostgreSQL suite, on wrk's CPU. */
async function pgbenchBaseline(suite) {
  if (!hasPgbench()) {
    console.error('pgbench is missing (Debian: apt-get install postgresql-client): no PostgreSQL baseline.')
    return undefined
  }
  log('pgbench: the same grant transaction, 50 clients ...')
  const schema = await createBenchSchema(settings.postgresUrl)
  try {
    const rounds = []
    for (let round = 0; round < settings.runs; round += 1)
      rounds.push(
        await pgbenchGrants({
          url: settings.postgresUrl,
          schema: schema.schema,
          clients: suite.connections,
          seconds: settings.seconds,
          cpus: LOAD_CPUS,
        }),
      )
    return { clients: suite.connections, tps: median(rounds) }
  } finally {
    await schema.drop()
  }
}

function micro() {
  log('verification micro-benchmark ...')
  return runMicro('bench/micro/verify.mjs', 'MICRO_JSON ')
}

function storeAlone() {
  log('SQLite store alone: durable claim + complete with a grant, 50 at a time ...')
  return runMicro('bench/micro/store.mjs', 'STORE_JSON ', ['--dir', dir], slowDisk)
}

/** Runs a one-process benchmark on the server's CPU and parses the JSON line it prints after `prefix`. */
function runMicro(script, prefix, extra = [], env = {}) {
  const args = [join(ROOT, script), '--json', ...(quick ? ['--quick'] : []), ...extra]
  const [command, argv] = SERVER_CPUS
    ? ['taskset', ['-c', SERVER_CPUS, process.execPath, ...args]]
    : [process.execPath, args]
  const stdout = execFileSync(command, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } })
  const line = stdout.split('\n').find((text) => text.startsWith(prefix))
  return JSON.parse(line.slice(prefix.length))
}

async function runSuite(suite) {
  log(`${suite.id}: ${describeSuite(suite)}`)
  // One schema per server: two builds compared in one run must not count each other's grants.
  const schemas = []
  const targets = []
  const outcome = {
    ...suite,
    title: describeSuite(suite),
    targets: [],
    fsync: [],
    fsyncTiming: [],
    serverLatency: [],
  }
  // Every suite but PostgreSQL's runs our server on SQLite (the default).
  const timed = (kind) => values['fsync-timing'] && suite.store !== 'postgres' && isOurServer(kind)
  try {
    const cpus = suite.workers > 1 ? undefined : SERVER_CPUS
    for (const kind of suite.targets) {
      const postgres =
        suite.store === 'postgres' && isOurServer(kind)
          ? await createBenchSchema(settings.postgresUrl)
          : undefined
      if (postgres) schemas.push(postgres)
      const target = await startTarget(kind, {
        workers: suite.workers,
        cpus,
        secret,
        dir,
        store: suite.store,
        postgres,
        profileDir: values['cpu-prof'] ? join(ROOT, 'bench/results/profiles', suite.id) : undefined,
        compareWith,
        env: timed(kind) ? fsyncTimingEnv(fsyncLog(suite, { kind }), slowDisk) : slowDisk,
      })
      if (isOurServer(kind)) await seedPlayers(target)
      targets.push(target)
    }
    const shared = suite.pool === 'unique' ? undefined : await pool(suite, 4096)
    for (const target of targets) {
      // Warm-up: JIT, connection set-up, the database's first pages; also sizes the unique-key pools.
      const warm = await load(
        target,
        suite,
        shared ?? (await pool(suite, 30_000 * settings.warmupSeconds)),
        settings.warmupSeconds,
      )
      target.estimate = warm.rps
      target.rounds = []
      target.sent = [warm]
    }
    // From here on, only the measured rounds' flushes count.
    for (const target of targets) if (timed(target.kind)) resetFsyncTiming(fsyncLog(suite, target))
    const measuredFrom = Date.now()
    for (let round = 0; round < settings.runs; round++) {
      if (suite.store === 'sqlite' && suite.pool === 'unique')
        outcome.fsync.push(
          slowDisk ? fsyncRateWith(slowDisk, dir, quick ? 500 : 1000) : fsyncRate(dir, quick ? 500 : 1000),
        )
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length]
        // Three times the fastest rate seen so far: a target that speeds up after the warm-up (JIT, caches)
        // must not run out of unique keys, or its duplicates would be counted as grants it never made.
        const size = Math.min(Math.ceil(target.estimate * settings.seconds * 3) + 5000, 300_000)
        const result = await load(target, suite, shared ?? (await pool(suite, size)), settings.seconds)
        target.rounds.push(result)
        target.sent.push(result)
        target.estimate = Math.max(target.estimate, result.rps)
        log(
          `  ${target.kind.padEnd(12)} ${Math.round(result.rps).toString().padStart(6)} req/s  p99 ${result.p99.toFixed(1)} ms`,
        )
      }
    }
    for (const target of targets.filter((entry) => timed(entry.kind))) {
      const seconds = settings.runs * settings.seconds
      outcome.fsyncTiming.push({
        kind: target.kind,
        flushes: summarizeFsyncTiming(fsyncLog(suite, target), seconds),
      })
    }
    const measuredUntil = Date.now()
    for (const target of targets.filter((entry) => isOurServer(entry.kind))) {
      const latency = await serverLatency(target, measuredFrom, measuredUntil)
      if (latency) outcome.serverLatency.push({ kind: target.kind, ...latency })
    }
    const ours = targets.find((target) => target.kind === 'ours')
    if (ours && suite.pool === 'unique') outcome.grants = await checkGrants(ours, suite)
  } finally {
    await Promise.all(targets.map((target) => target.stop()))
    await Promise.all(schemas.map((schema) => schema.drop()))
  }
  for (const target of targets) {
    if (target.rounds.some((round) => round.badStatus > 0 || round.socketErrors > 0)) failed = true
    outcome.targets.push({ kind: target.kind, workers: target.workers, rounds: target.rounds })
  }
  return outcome
}

/**
 * Every acknowledged unique item.add must be in the ledger exactly once. wrk counts only the answers it
 * received, and up to one request per connection was still in flight when each run stopped (committed, but
 * never counted), hence the slack.
 */
async function checkGrants(target, suite) {
  const acknowledged = target.sent.reduce((sum, run) => sum + run.requests - run.badStatus, 0)
  const granted = (await grantedQuantity(target)) / 100
  const slack = suite.connections * target.sent.length
  const ok = granted >= acknowledged && granted <= acknowledged + slack
  if (!ok) failed = true
  log(
    `  grants: ${granted} in the ledger for ${acknowledged} acknowledged (+ up to ${slack} in flight): ${ok ? 'ok' : 'MISMATCH'}`,
  )
  return { acknowledged, granted, slack, ok }
}

function fsyncLog(suite, target) {
  return join(dir, `fsync-${suite.id}-${target.kind}.log`)
}

async function load(target, suite, poolFile, seconds) {
  const sampler = sampleRss(target.pid)
  const cpuBefore = cpuOfTree(target.pid)
  try {
    const result = await runWrk({
      url: target.url,
      pool: poolFile,
      connections: suite.connections,
      seconds,
      cpus: LOAD_CPUS,
    })
    const cpuUsPerRequest = ((cpuOfTree(target.pid) - cpuBefore) * 1e6) / result.requests
    return { ...result, rss: sampler.stop(), cpuUsPerRequest }
  } finally {
    sampler.stop()
  }
}

async function pool(suite, size) {
  const file = join(dir, `pool-${suite.id}-${Date.now()}.txt`)
  await writePool(file, { kind: suite.pool, size, bodyBytes: suite.body, secret })
  return file
}

async function startup() {
  log('start-up: server ready time and send cold start ...')
  const times = quick ? 3 : 7
  const ready = await measureReady({ secret, dir, cpus: SERVER_CPUS, times })
  const receiver = await startTarget('bare', { secret, dir, cpus: SERVER_CPUS })
  try {
    const send = await measureSendColdStart({
      url: receiver.url,
      secret,
      dir,
      times: quick ? 10 : 30,
      cpus: LOAD_CPUS,
    })
    return { ready, send }
  } finally {
    await receiver.stop()
  }
}

function updateDocs(report) {
  const file = join(ROOT, 'docs/benchmarks.md')
  const text = readFileSync(file, 'utf8')
  const start = '<!-- results:start -->'
  const end = '<!-- results:end -->'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} section.`)
  // The report's own "## Results" heading would sit under the doc's; demote it.
  const body = report.replace(/^## /m, '### ').replace(/^### (?!Results)/gm, '#### ')
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`)
  log('updated docs/benchmarks.md')
}

function log(message) {
  console.error(`[bench] ${message}`)
}
