import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SQLInputValue } from 'node:sqlite'
import {
  type LegacyProgress,
  openSqliteDeliveryFiles,
  openSqliteStore,
  type SqliteStore,
  type SqliteTx,
} from '@aghanim-webhooks/store-sqlite'
import { nameLedgerStatements, OWNER_QUERY } from '../ledger/ledger-owner.js'
import { createSqliteLedger } from '../ledger/sqlite-ledger.js'
import { sqliteLedgerMigrations } from '../ledger/sqlite-schema.js'
import { closeOnFailure } from './close-on-failure.js'
import { type DatabaseEvents, LEDGER_SCOPE, type ServerDatabase } from './server-database.js'

/**
 * The embedded database: one SQLite file (WAL) holding keys and the ledger, and next to it the delivery log's
 * own directory (`<file>-deliveries/`), written by its own thread, so logging a delivery never touches the
 * ledger's file, its write lock or its fsyncs. Internal.
 */
export async function openSqliteDatabase(options: {
  path: string
  durability: 'fsync' | 'process'
  now: () => number
  events: DatabaseEvents
}): Promise<ServerDatabase<SqliteTx>> {
  mkdirSync(dirname(options.path), { recursive: true })
  // The delivery log's thread runs the store's checkpoints too: one thread (and isolate) instead of two.
  const store = openSqliteStore({
    path: options.path,
    durability: options.durability,
    now: options.now,
    checkpoints: 'external',
  })
  await closeOnFailure(store, () => store.migrate(LEDGER_SCOPE, sqliteLedgerMigrations))
  let forgettingLegacy: Promise<unknown> = Promise.resolve()
  const deliveries = await closeOnFailure(store, () =>
    openSqliteDeliveryFiles({
      directory: `${options.path}-deliveries`,
      now: options.now,
      legacyStorePath: options.path,
      checkpoints: store.checkpointing,
      onLegacyProgress: (progress) => {
        reportLegacy(progress, options.events)
        if (progress.state === 'done') forgettingLegacy = forgetLegacyLog(store, options.events)
      },
    }),
  )
  const ledger = createSqliteLedger(store, options.now)
  return {
    kind: 'sqlite',
    store,
    deliveries,
    ledger,
    deliveryStats: (since, until) => deliveries.stats(since, until),
    pruneKeys: (olderThan) => store.pruneKeys(olderThan),
    releaseAbandonedClaims: () => store.releaseAllClaims(),
    nameLedger: (game) =>
      store.transact(({ db }) => {
        const { claim, move } = nameLedgerStatements(game, options.now())
        const claimed = db.prepare(claim.sql).get(...(claim.values as SQLInputValue[]))
        if (!claimed) return { owner: String(db.prepare(OWNER_QUERY).get()?.game), moved: false }
        for (const statement of move) db.prepare(statement.sql).run(...(statement.values as SQLInputValue[]))
        return { owner: game, moved: true }
      }),
    async ledgerOwner() {
      const row = store.db.prepare(OWNER_QUERY).get()
      return row ? String(row.game) : undefined
    },
    // Ready means able to acknowledge: an empty transaction through the group commit waits for the write lock
    // and the WAL fsync, so a file another process keeps locked, or a disk whose fsync failed (after which the
    // store acknowledges nothing more), makes /readyz answer 503 and lets the orchestrator replace the process.
    ping: () => store.transact(() => undefined),
    async close() {
      await forgettingLegacy
      await deliveries.close()
      await store.close()
    },
  }
}

function reportLegacy(progress: LegacyProgress, events: DatabaseEvents): void {
  if (progress.state === 'copying') events.info(progress, 'moving the delivery log to its own files')
  else if (progress.state === 'failed')
    events.warn({ reason: progress.message }, 'moving the delivery log failed; will retry at the next start')
  else if (progress.copied > 0) events.info(progress, 'moved the delivery log to its own files')
}

/** Deletes the moved rows from the store's file in short transactions, as retention does. */
async function forgetLegacyLog(store: SqliteStore, events: DatabaseEvents): Promise<void> {
  try {
    await store.deliveries.prune(Number.MAX_SAFE_INTEGER)
    await store.transact(({ db }) => db.exec('DELETE FROM delivery_stats'))
  } catch (error) {
    events.warn(
      { err: error },
      'could not delete the moved delivery log from the database; will retry at the next start',
    )
  }
}
