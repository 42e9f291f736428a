import { resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import {
  type BackgroundCheckpoints,
  externalCheckpoints,
  startBackgroundCheckpoints,
} from './background-checkpoints.js'
import { migrate } from './migrate.js'
import { STORE_SCOPE, storeMigrations } from './schema.js'
import { type CheckpointSettings, type SqliteDurability, SqliteStore } from './sqlite-store.js'
import { type CommitSync, WalSync } from './wal-sync.js'

export interface SqliteStoreOptions {
  /** The database file (created if missing). */
  path: string
  /** `fsync` (default) or `process`; see `SqliteDurability`. */
  durability?: SqliteDurability
  /** Clock in milliseconds (leases, completion times). */
  now?: () => number
  /** How long a statement waits for another process's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number
  /**
   * Where WAL checkpoints (copying committed pages into the database file, then fsyncing it) run.
   * `background` (default): on a worker thread with its own connection, so COMMITs on the event loop do not
   * stall for them; the store's connection only checkpoints what little is left every 4000 WAL pages, which
   * rewinds the WAL. If the worker fails, the store falls back to `inline`. `inline`: SQLite's automatic
   * checkpoints, inside the COMMIT that fills 1000 WAL pages. `external`: as `background`, on a thread you run
   * yourself with the store's `checkpointing` settings (the delivery log's writer takes them, so one thread
   * does both, and each thread's isolate costs resident memory). See docs/stores.md.
   */
  checkpoints?: 'background' | 'inline' | 'external'
}

const SYNCHRONOUS_PRAGMAS: Record<SqliteDurability, string> = {
  fsync: 'PRAGMA synchronous = FULL; PRAGMA fullfsync = ON',
  process: 'PRAGMA synchronous = NORMAL',
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
  const checkpoints = options.checkpoints ?? 'background'
  if (checkpoints !== 'background' && checkpoints !== 'inline' && checkpoints !== 'external') {
    throw new RangeError(
      `Unknown checkpoints ${JSON.stringify(checkpoints)}; use 'background', 'inline' or 'external'.`,
    )
  }
  const now = options.now ?? Date.now
  const busyTimeoutPragma = `PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`
  const db = new DatabaseSync(options.path)
  let backgroundCheckpoints: BackgroundCheckpoints | undefined
  let checkpointing: CheckpointSettings | undefined
  let sync: CommitSync | undefined
  try {
    // busy_timeout first: switching to WAL and migrating both need the lock another process may hold.
    db.exec(busyTimeoutPragma)
    const journalMode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode
    db.exec(SYNCHRONOUS_PRAGMAS[durability])
    db.exec('PRAGMA foreign_keys = ON')
    migrate(db, STORE_SCOPE, storeMigrations, now())
    if (durability === 'fsync' && journalMode === 'wal') {
      // From here on the WAL is fsynced off the event loop before each acknowledgement (see WalSync), so the
      // COMMITs themselves need not wait for the disk.
      sync = new WalSync(walFileOf(db))
      db.exec('PRAGMA synchronous = NORMAL')
    }
    checkpointing = {
      path: resolve(options.path),
      pragmas: `${busyTimeoutPragma}; ${SYNCHRONOUS_PRAGMAS[durability]}`,
    }
    // An in-memory database stays out of WAL mode and has nothing to checkpoint.
    if (checkpoints === 'background' && journalMode === 'wal')
      backgroundCheckpoints = startBackgroundCheckpoints(db, checkpointing)
    if (checkpoints === 'external' && journalMode === 'wal') backgroundCheckpoints = externalCheckpoints(db)
  } catch (error) {
    void sync?.close().catch(() => {})
    db.close()
    throw error
  }
  return new SqliteStore(db, { durability, now, backgroundCheckpoints, sync, checkpointing })
}

/** The main database's `-wal` file, by absolute path (SQLite resolved it when it opened the file). */
function walFileOf(db: DatabaseSync): string {
  const main = db.prepare("SELECT file FROM pragma_database_list WHERE name = 'main'").get()
  return `${String(main?.file)}-wal`
}
