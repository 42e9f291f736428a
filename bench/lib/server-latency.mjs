import { DatabaseSync } from 'node:sqlite'
import { deliveryFileIndexes } from '../../test-support/delivery-file-indexes.mjs'
import { percentile } from './stats.mjs'

/**
 * How long our SQLite-backed server itself took to answer the accepted deliveries received in [since, until):
 * each delivery's `duration_ms` from its delivery log (from the handler's start to the answer, the grant's
 * fsync included), read from the log's index files once the admin API has flushed them. Next to wrk's
 * percentiles it tells the server's own tail from time the request spent outside it (in socket queues, or
 * while another process had the CPU: wrk's numbers include both). `undefined` when the log is not in files
 * (PostgreSQL).
 *
 * @example const latency = await serverLatency(target, start, Date.now()) // { count, p50, p99, max }
 */
export async function serverLatency(target, since, until) {
  const indexes = target.dataDir ? deliveryFileIndexes(target.dataDir) : []
  if (indexes.length === 0) return undefined
  // Reading deliveries makes the server write what it still holds first.
  await (await fetch(`${target.base}/api/deliveries?limit=1`)).text()
  const durations = []
  for (const index of indexes) {
    const db = new DatabaseSync(index, { readOnly: true })
    try {
      const rows = db
        .prepare(
          'SELECT duration_ms FROM deliveries WHERE received_at >= ? AND received_at < ? AND status < 300',
        )
        .all(since, until)
      for (const row of rows) durations.push(Number(row.duration_ms))
    } finally {
      db.close()
    }
  }
  if (durations.length === 0) return undefined
  durations.sort((a, b) => a - b)
  return {
    count: durations.length,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    max: durations.at(-1),
  }
}
