import { openPostgresStore, type PostgresTx } from '@aghanim-webhooks/store-postgres'
import { createPostgresLedger } from '../ledger/postgres-ledger.js'
import { postgresLedgerMigrations } from '../ledger/postgres-schema.js'
import { LEDGER_SCOPE, type ServerDatabase } from './server-database.js'

/** PostgreSQL: one schema holding keys, the delivery log and the ledger, shared by every instance. Internal. */
export async function openPostgresDatabase(options: {
  connectionString: string
  schema: string
  queryTimeoutMs?: number
  now: () => number
}): Promise<ServerDatabase<PostgresTx>> {
  const store = await openPostgresStore({
    connectionString: options.connectionString,
    schema: options.schema,
    queryTimeoutMs: options.queryTimeoutMs,
    // A new connection gets no longer than a query to come up.
    connectTimeoutMs: Math.min(5000, options.queryTimeoutMs ?? 5000),
    now: options.now,
  })
  try {
    await store.migrate(LEDGER_SCOPE, postgresLedgerMigrations)
  } catch (error) {
    await store.close()
    throw error
  }
  const ledger = createPostgresLedger(store, options.now)
  return {
    kind: 'postgres',
    store,
    deliveries: store.deliveries,
    ledger,
    async deliveryStats(since, until) {
      const { rows } = await store.pool.query<{ minute: string; outcome: string; count: string }>(
        'SELECT minute, outcome, count FROM delivery_stats WHERE minute >= $1 AND minute < $2 ORDER BY minute',
        [since, until],
      )
      return rows.map((row) => ({
        minute: Number(row.minute),
        outcome: String(row.outcome),
        count: Number(row.count),
      }))
    },
    async countDeliveries(counts) {
      if (counts.length === 0) return
      // One statement for the batch; concurrent instances add to the same rows atomically.
      await store.pool.query(
        `INSERT INTO delivery_stats AS s (minute, outcome, count)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
         ON CONFLICT (minute, outcome) DO UPDATE SET count = s.count + excluded.count`,
        [counts.map((c) => c.minute), counts.map((c) => c.outcome), counts.map((c) => c.count)],
      )
    },
    async pruneDeliveryStats(olderThan) {
      const result = await store.pool.query('DELETE FROM delivery_stats WHERE minute < $1', [olderThan])
      return result.rowCount ?? 0
    },
    pruneKeys: (olderThan) => store.pruneKeys(olderThan),
    releaseAbandonedClaims: async () => 0,
    ping: () => ledger.ping(),
    close: () => store.close(),
  }
}
