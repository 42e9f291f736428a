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
    'SELECT minute, outcome, count FROM delivery_stats WHERE minute >= ? AND minute < ? ORDER BY minute',
  )
  // Statements of the store's own connection, which `transact` runs its work on.
  const addCount = store.db.prepare(
    `INSERT INTO delivery_stats (minute, outcome, count) VALUES (?, ?, ?)
     ON CONFLICT (minute, outcome) DO UPDATE SET count = count + excluded.count`,
  )
  const pruneCounts = store.db.prepare('DELETE FROM delivery_stats WHERE minute < ?')
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
    countDeliveries: (counts) =>
      store.transact(() => {
        for (const { minute, outcome, count } of counts) addCount.run(minute, outcome, count)
      }),
    pruneDeliveryStats: (olderThan) => store.transact(() => Number(pruneCounts.run(olderThan).changes)),
    pruneKeys: (olderThan) => store.pruneKeys(olderThan),
    releaseAbandonedClaims: () => store.releaseAllClaims(),
    // Ready means able to acknowledge: an empty transaction through the group commit waits for the write lock
    // and the WAL fsync, so a file another process keeps locked, or a disk whose fsync failed (after which the
    // store acknowledges nothing more), makes /readyz answer 503 and lets the orchestrator replace the process.
    ping: () => store.transact(() => undefined),
    close: () => store.close(),
  }
}
