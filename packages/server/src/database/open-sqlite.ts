import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { openSqliteStore, type SqliteTx } from '@aghanim-webhooks/store-sqlite'
import { createSqliteLedger } from '../ledger/sqlite-ledger.js'
import { sqliteLedgerMigrations } from '../ledger/sqlite-schema.js'
import { LEDGER_SCOPE, type ServerDatabase } from './server-database.js'

/** The embedded database: one SQLite file (WAL) holding keys, the delivery log and the ledger. Internal. */
export async function openSqliteDatabase(options: {
  path: string
  durability: 'fsync' | 'process'
  now: () => number
}): Promise<ServerDatabase<SqliteTx>> {
  mkdirSync(dirname(options.path), { recursive: true })
  const store = openSqliteStore({ path: options.path, durability: options.durability, now: options.now })
  try {
    await store.migrate(LEDGER_SCOPE, sqliteLedgerMigrations)
  } catch (error) {
    await store.close()
    throw error
  }
  const stats = store.db.prepare(
    `SELECT CAST(received_at / 60000 AS INTEGER) * 60000 AS minute, outcome, count(*) AS count
     FROM delivery_log WHERE received_at >= ? AND received_at < ? GROUP BY 1, 2 ORDER BY 1`,
  )
  const ledger = createSqliteLedger(store, options.now)
  return {
    kind: 'sqlite',
    store,
    deliveries: store.deliveries,
    ledger,
    async deliveryStats(since, until) {
      return stats.all(since, until).map((row) => ({
        minute: Number(row.minute),
        outcome: String(row.outcome),
        count: Number(row.count),
      }))
    },
    pruneKeys: (olderThan) => store.pruneKeys(olderThan),
    // Ready means able to acknowledge: an empty transaction through the group commit waits for the write lock
    // and the WAL fsync, so a file another process keeps locked, or a disk whose fsync failed (after which the
    // store acknowledges nothing more), makes /readyz answer 503 and lets the orchestrator replace the process.
    ping: () => store.transact(() => undefined),
    close: () => store.close(),
  }
}
