import { openPostgresStore, type PostgresTx } from '@aghanim-webhooks/store-postgres'
import { createPostgresLedger } from '../ledger/postgres-ledger.js'
import { postgresLedgerMigrations } from '../ledger/postgres-schema.js'
import { LEDGER_SCOPE, type ServerDatabase } from './server-database.js'

/** PostgreSQL: one schema holding keys, the delivery log and the ledger, shared by every instance. Internal. */
export async function openPostgresDatabase(options: {
  connectionString: string
  schema: string
  now: () => number
}): Promise<ServerDatabase<PostgresTx>> {
  const store = await openPostgresStore({
    connectionString: options.connectionString,
    schema: options.schema,
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
        `SELECT (received_at / 60000) * 60000 AS minute, outcome, count(*) AS count
         FROM delivery_log WHERE received_at >= $1 AND received_at < $2 GROUP BY 1, 2 ORDER BY 1`,
        [since, until],
      )
      return rows.map((row) => ({
        minute: Number(row.minute),
        outcome: String(row.outcome),
        count: Number(row.count),
      }))
    },
    pruneKeys: (olderThan) => store.pruneKeys(olderThan),
    ping: () => ledger.ping(),
    close: () => store.close(),
  }
}
