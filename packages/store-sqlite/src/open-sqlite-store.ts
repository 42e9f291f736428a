import { DatabaseSync } from 'node:sqlite'
import { migrate } from './migrate.js'
import { STORE_SCOPE, storeMigrations } from './schema.js'
import { type SqliteDurability, SqliteStore } from './sqlite-store.js'

export interface SqliteStoreOptions {
  /** The database file (created if missing). */
  path: string
  /** `fsync` (default) or `process`; see `SqliteDurability`. */
  durability?: SqliteDurability
  /** Clock in milliseconds (leases, completion times). */
  now?: () => number
  /** How long a statement waits for another process's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number
}

/**
 * Opens (creating and migrating) a SQLite idempotency store with the delivery log. WAL mode, so readers never
 * wait for the writer and several processes may share the file (they queue on its write lock).
 *
 * @example
 * const store = openSqliteStore({ path: 'data/webhooks.db' })
 * const handle = createWebhookHandler({ secret, router, store })
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const durability = options.durability ?? 'fsync'
  if (durability !== 'fsync' && durability !== 'process') {
    throw new RangeError(`Unknown durability ${JSON.stringify(durability)}; use 'fsync' or 'process'.`)
  }
  const now = options.now ?? Date.now
  const db = new DatabaseSync(options.path)
  try {
    // busy_timeout first: switching to WAL and migrating both need the lock another process may hold.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`)
    db.exec('PRAGMA journal_mode = WAL')
    db.exec(
      durability === 'fsync'
        ? 'PRAGMA synchronous = FULL; PRAGMA fullfsync = ON'
        : 'PRAGMA synchronous = NORMAL',
    )
    db.exec('PRAGMA foreign_keys = ON')
    migrate(db, STORE_SCOPE, storeMigrations, now())
  } catch (error) {
    db.close()
    throw error
  }
  return new SqliteStore(db, { durability, now })
}
