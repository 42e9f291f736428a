// The server's delivery log alone, in one process: the CPU each delivery costs from the recorder's hand-over
// to the record on disk (every thread of the process, and the event loop's own share), with 1 KiB and 64 KiB
// bodies, for this build and, with --compare-with DIR, for the build in another checkout, interleaved.
// Alone: node bench/micro/delivery-log.mjs [--compare-with /tmp/before] [--rounds 3]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    'compare-with': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean' },
  },
})
const root = mkdtempSync(join(tmpdir(), 'awh-log-bench-'))
const builds = [['ours', resolve(import.meta.dirname, '../..')]]
if (values['compare-with']) builds.push(['before', resolve(values['compare-with'])])
const SIZES = [
  [1024, 20_000],
  [64 * 1024, 2_000],
]
const CONCURRENT = 50

const results = []
try {
  for (const [bodyBytes, count] of SIZES) {
    for (let round = 0; round < Number(values.rounds); round += 1) {
      for (const [name, dir] of round % 2 ? [...builds].reverse() : builds)
        results.push({ build: name, bodyBytes, ...(await measure(dir, bodyBytes, count)) })
    }
  }
  const table = summarize(results)
  if (values.json) console.log(`DELIVERY_LOG_JSON ${JSON.stringify(table)}`)
  else console.table(table)
} finally {
  rmSync(root, { recursive: true, force: true })
}

async function measure(buildDir, bodyBytes, count) {
  const dist = (path) => pathToFileURL(join(buildDir, 'packages/server/dist', path)).href
  const { openDatabase } = await import(dist('database/open-database.js'))
  const { createDeliveryRecorder } = await import(dist('deliveries/delivery-recorder.js'))
  const { createMetrics } = await import(dist('metrics/metrics.js'))
  const { createLogger } = await import(dist('logging/logger.js'))
  const path = join(root, `${Math.random().toString(36).slice(2)}.db`)
  const database = await openDatabase({ kind: 'sqlite', path, durability: 'fsync' }, Date.now)
  const recorder = createDeliveryRecorder({
    log: database.deliveries,
    // Builds before the log counted its own batches took the counting separately.
    countDeliveries: database.countDeliveries ? (counts) => database.countDeliveries(counts) : undefined,
    metrics: createMetrics(),
    logger: createLogger('warn', { write: () => true }),
    watched: () => false,
    publish: () => {},
  })
  const body = new Uint8Array(bodyBytes).fill(0x61)
  const headers = new Headers({
    host: '127.0.0.1:8000',
    'content-type': 'application/json',
    'content-length': String(bodyBytes),
    'x-aghanim-signature': 'f'.repeat(64),
    'x-aghanim-signature-timestamp': '1800000000',
    'user-agent': 'wrk',
  })
  const process0 = process.cpuUsage()
  const thread0 = process.threadCpuUsage()
  for (let sent = 0; sent < count; sent += CONCURRENT) {
    for (let i = 0; i < CONCURRENT; i += 1) recorder.onDelivery(delivery(sent + i, headers, body))
    await new Promise((resolve) => setImmediate(resolve))
  }
  await recorder.flush()
  const all = process.cpuUsage(process0)
  const main = process.threadCpuUsage(thread0)
  await database.close()
  return {
    cpuMicrosPerDelivery: (all.user + all.system) / count,
    eventLoopMicrosPerDelivery: (main.user + main.system) / count,
  }
}

function delivery(index, headers, body) {
  const playerId = `player-${index % 100}`
  return {
    receivedAt: Date.now(),
    method: 'POST',
    url: 'http://127.0.0.1:8000/webhook',
    headers,
    body,
    outcome: 'ok',
    event: { event_type: 'player.verify', event_id: `evt-${index}`, event_data: { player_id: playerId } },
    key: null,
    status: 200,
    responseBody: `{"player_id":"${playerId}","name":"Molly","attributes":{}}`,
    durationMs: 1.5,
    attempt: 1,
    duplicate: false,
  }
}

function summarize(rows) {
  const groups = new Map()
  for (const row of rows) {
    const key = `${row.build} ${row.bodyBytes}`
    groups.set(key, [...(groups.get(key) ?? []), row])
  }
  return [...groups.entries()].map(([key, group]) => {
    const [build, bodyBytes] = key.split(' ')
    const median = (field) =>
      group.map((row) => row[field]).sort((a, b) => a - b)[Math.floor(group.length / 2)]
    return {
      build,
      body: `${Number(bodyBytes) / 1024} KiB`,
      'CPU µs/delivery (all threads)': Number(median('cpuMicrosPerDelivery').toFixed(1)),
      'event loop µs/delivery': Number(median('eventLoopMicrosPerDelivery').toFixed(1)),
    }
  })
}
