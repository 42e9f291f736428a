// The SQLite store alone, in one process: how many keys per second it claims and completes durably (with a
// grant row written in the completion's transaction, as the server's ledger does) when `concurrency` loops
// run at once, next to the machine's fsync rate measured in the same directory in the same run. This is the
// group commit's number: the server's own CPU per request is what keeps it from reaching it (see
// docs/benchmarks.md). Prints one `STORE_JSON {...}` line for run.mjs; alone: node bench/micro/store.mjs
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { fsyncRate } from '../lib/fsync.mjs'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    concurrency: { type: 'string', default: '50' },
    dir: { type: 'string' },
  },
})
const seconds = values.quick ? 2 : 5
const concurrency = Number(values.concurrency)
const root = mkdtempSync(join(values.dir ?? tmpdir(), 'awh-store-bench-'))
const ANSWER = { status: 200, body: '{"status":"ok"}' }

const results = []
try {
  for (const durability of ['fsync', 'process']) {
    for (const checkpoints of ['background', 'inline']) {
      results.push(await measure({ durability, checkpoints }))
    }
  }
  const fsyncPerSecond = fsyncRate(root, 1000)
  if (values.json)
    console.log(`STORE_JSON ${JSON.stringify({ concurrency, seconds, fsyncPerSecond, results })}`)
  else {
    console.log(`fsync/s in ${root}: ${Math.round(fsyncPerSecond)}; ${concurrency} loops, ${seconds} s each`)
    console.table(
      results.map((r) => ({
        ...r,
        'keys/s ÷ fsync/s': (r.keysPerSecond / fsyncPerSecond).toFixed(1),
      })),
    )
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}

async function measure({ durability, checkpoints }) {
  const path = join(root, `${durability}-${checkpoints}.db`)
  const store = openSqliteStore({ path, durability, checkpoints })
  await store.migrate('bench', ['CREATE TABLE grants (key TEXT NOT NULL, quantity INTEGER NOT NULL)'])
  const latencies = []
  let largestWal = 0
  const walSampler = setInterval(() => {
    largestWal = Math.max(largestWal, sizeOf(`${path}-wal`))
  }, 50)
  const deadline = performance.now() + seconds * 1000
  let next = 0
  const loop = async () => {
    while (performance.now() < deadline) {
      const key = `key-${next++}`
      const started = performance.now()
      const claim = await store.claim(key, { leaseMs: 60_000 })
      if (claim.kind !== 'acquired') throw new Error(`${key} was not acquired: ${claim.kind}`)
      const grant = ({ db }) => db.prepare('INSERT INTO grants (key, quantity) VALUES (?, 100)').run(key)
      if (!(await store.complete(key, claim.token, ANSWER, [grant]))) throw new Error(`${key} not completed`)
      latencies.push(performance.now() - started)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, loop))
  const elapsed = (performance.now() - started) / 1000
  clearInterval(walSampler)
  const granted = Number(store.db.prepare('SELECT count(*) AS n FROM grants').get().n)
  await store.close()
  if (granted !== latencies.length) throw new Error(`${granted} grants for ${latencies.length} completions`)
  latencies.sort((a, b) => a - b)
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  return {
    durability,
    checkpoints,
    keysPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: Number(at(0.5).toFixed(2)),
    p99Ms: Number(at(0.99).toFixed(2)),
    largestWalMiB: Number((largestWal / 2 ** 20).toFixed(1)),
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}
