import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { TransactionWork } from 'aghanim-webhooks'
import type {
  ClaimOptions,
  ClaimResult,
  DeliveryLog,
  IdempotencyStore,
  StoredAnswer,
} from 'aghanim-webhooks/store'
import type { BackgroundCheckpoints } from './background-checkpoints.js'
import { pruneInChunks, SqliteDeliveryLog } from './delivery-log.js'
import { GroupCommit } from './group-commit.js'
import { migrate, type SqliteMigration } from './migrate.js'
import { statementCache } from './statements.js'
import { type CommitSync, NO_SYNC } from './wal-sync.js'

/** What SQLite work items receive: the store's connection, inside the group transaction. Synchronous only. */
export interface SqliteTx {
  db: DatabaseSync
}

/**
 * `fsync`: the WAL is fsynced before a commit is acknowledged — an acknowledged commit survives kill -9, an OS
 * crash and power loss. (The fsync runs off the event loop, see `WalSync`.)
 * `process`: `synchronous=NORMAL` — it survives kill -9 and process crashes; the last commits before an OS
 * crash or power loss may be lost (the file stays consistent). See docs/stores.md.
 */
export type SqliteDurability = 'fsync' | 'process'

/**
 * The SQLite idempotency store and delivery log (create it with `openSqliteStore`). Claims, completions,
 * releases and log appends requested in the same event-loop turn share one transaction and one fsync.
 */
/** A database file's path and the pragmas its checkpointing connection needs. */
export interface CheckpointSettings {
  path: string
  pragmas: string
}

export class SqliteStore implements IdempotencyStore<SqliteTx> {
  /**
   * The connection, for tables of your own (add them with `migrate`) and reads. Never BEGIN/COMMIT on it
   * inside work. Write through `transact`: a statement run here directly commits without waiting for the disk
   * (the store's fsync comes after its own groups), so it may not survive a power cut.
   */
  readonly db: DatabaseSync
  readonly durability: SqliteDurability
  /**
   * What a thread checkpointing this file needs (its absolute path, and the pragmas that make its checkpoints
   * fsync as the store does): with `checkpoints: 'external'`, pass it to `openSqliteDeliveryFiles`.
   */
  readonly checkpointing: CheckpointSettings | undefined
  /** The delivery log, in the same file. */
  readonly deliveries: DeliveryLog
  readonly #group: GroupCommit
  readonly #now: () => number
  readonly #statement: (sql: string) => StatementSync
  readonly #backgroundCheckpoints: BackgroundCheckpoints | undefined
  readonly #sync: CommitSync
  #closing: Promise<void> | undefined

  constructor(
    db: DatabaseSync,
    options: {
      durability: SqliteDurability
      now: () => number
      /** The worker checkpointing `db`'s WAL, stopped by `close()`. */
      backgroundCheckpoints?: BackgroundCheckpoints
      checkpointing?: CheckpointSettings
      /** What makes a commit durable before it is acknowledged (`WalSync` for `durability: 'fsync'`). */
      sync?: CommitSync
    },
  ) {
    this.db = db
    this.durability = options.durability
    this.checkpointing = options.checkpointing
    this.#now = options.now
    this.#backgroundCheckpoints = options.backgroundCheckpoints
    this.#sync = options.sync ?? NO_SYNC
    this.#group = new GroupCommit(db, this.#sync)
    this.#statement = statementCache(db)
    this.deliveries = new SqliteDeliveryLog(db, this.#group, options.now)
  }

  claim(key: string, options: ClaimOptions): Promise<ClaimResult> {
    const token = crypto.randomUUID()
    return this.#group.submit(() => {
      const now = this.#now()
      const won = this.#statement(
        `INSERT INTO idempotency_keys (key, state, token, attempt, lease_expires_at, event_type, event_id, created_at, updated_at)
         VALUES (?, 'in_progress', ?, 1, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET state = 'in_progress', token = excluded.token, attempt = idempotency_keys.attempt + 1,
           lease_expires_at = excluded.lease_expires_at, event_type = excluded.event_type, event_id = excluded.event_id,
           updated_at = excluded.updated_at
         WHERE idempotency_keys.state = 'released' OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.lease_expires_at <= ?)
         RETURNING attempt`,
      ).get(
        key,
        token,
        now + options.leaseMs,
        options.eventType ?? null,
        options.eventId ?? null,
        now,
        now,
        now,
      )
      if (won) return { kind: 'acquired', token, attempt: Number(won.attempt) }
      const row = this.#statement(
        'SELECT state, answer_status, answer_body, completed_at, lease_expires_at FROM idempotency_keys WHERE key = ?',
      ).get(key)
      if (row?.state === 'completed') {
        return {
          kind: 'completed',
          answer: { status: Number(row.answer_status), body: String(row.answer_body) },
          completedAt: Number(row.completed_at),
        }
      }
      return { kind: 'busy', leaseExpiresAt: Number(row?.lease_expires_at) }
    }, CLAIM_SYNC)
  }

  complete(
    key: string,
    token: string,
    answer: StoredAnswer,
    work: readonly TransactionWork<SqliteTx>[] = [],
  ): Promise<boolean> {
    return this.#group.submit((db) => {
      const now = this.#now()
      const updated = this.#statement(
        `UPDATE idempotency_keys SET state = 'completed', token = NULL, lease_expires_at = NULL, answer_status = ?, answer_body = ?,
           completed_at = ?, updated_at = ?
         WHERE key = ? AND token = ? AND state = 'in_progress'`,
      ).run(answer.status, answer.body, now, now, key, token)
      if (Number(updated.changes) === 0) return false
      for (const item of work) runSynchronously(item, { db })
      return true
    })
  }

  release(key: string, token: string): Promise<void> {
    return this.#group.submit(() => {
      const now = this.#now()
      this.#statement(
        `UPDATE idempotency_keys SET state = 'released', token = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE key = ? AND token = ? AND state = 'in_progress'`,
      ).run(now, key, token)
    }, NEVER_SYNC)
  }

  /**
   * Releases every claim in progress, so that their retries run at once instead of waiting out the lease.
   * Call it only where no attempt can be running: at start, in the one process that owns the file (a server
   * and its workers), before anything is served — every claim in progress then belongs to a process that died.
   * Were another process still running an attempt, nothing would be granted twice (its completion checks its
   * token), but its retry could run while it does. Resolves with how many were released.
   *
   * @example await store.releaseAllClaims() // at start, after a crash
   */
  releaseAllClaims(): Promise<number> {
    return this.#group.submit(() => {
      const now = this.#now()
      return Number(
        this.#statement(
          `UPDATE idempotency_keys SET state = 'released', token = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE state = 'in_progress'`,
        ).run(now).changes,
      )
    })
  }

  /**
   * Runs `work` in the next group transaction (in its own savepoint) and resolves with its result once
   * committed: durable writes of your own tables at the cost of a share of one fsync.
   *
   * @example await store.transact(({ db }) => db.prepare('UPDATE players SET banned = 1 WHERE player_id = ?').run(id))
   */
  transact<T>(work: (tx: SqliteTx) => T): Promise<T> {
    return this.#group.submit((db) => runSynchronously(work, { db }))
  }

  /**
   * Applies the not-yet-applied migrations of `scope` (numbered by position; lists are append-only) in one
   * transaction; safe when several processes open the file at once. Resolves with how many were applied.
   *
   * @example await store.migrate('my-game', ['CREATE TABLE grants (key TEXT PRIMARY KEY, sku TEXT NOT NULL)'])
   */
  async migrate(scope: string, migrations: readonly SqliteMigration[]): Promise<number> {
    const applied = migrate(this.db, scope, migrations, this.#now())
    await new Promise<void>((resolve, reject) =>
      this.#sync.afterCommit((error) => (error ? reject(error) : resolve())),
    )
    return applied
  }

  /**
   * Forgets settled keys (completed or released) last touched before `olderThan` (Unix ms). A duplicate of a
   * forgotten key runs again, so keep keys longer than Aghanim keeps retrying.
   *
   * @example await store.pruneKeys(Date.now() - 30 * 86_400_000)
   */
  pruneKeys(olderThan: number): Promise<number> {
    return pruneInChunks(
      this.#group,
      this.#statement(
        `DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys
           WHERE state <> 'in_progress' AND updated_at < ? LIMIT ?)`,
      ),
      olderThan,
    )
  }

  /** Commits what is queued, stops the background checkpoints (checkpointing what is left), then closes the file. */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    this.#group.close()
    try {
      await this.#sync.close()
      await this.#backgroundCheckpoints?.stop()
    } finally {
      this.db.close()
    }
  }
}

/**
 * An acquired (or busy) claim settles once committed, without waiting for the WAL fsync: other processes see
 * it from the commit on, and what the claim protects (the handler's work and its answer) is only acknowledged
 * after the completion's fsync, which covers the claim's pages too. Were the claim alone lost to a power cut,
 * the retry would claim the key again, as after a crash once the lease ends (with attempt 1 rather than 2).
 * A `completed` claim waits: its stored answer goes to Aghanim, so what it reports must be on disk.
 */
const CLAIM_SYNC = { needsSync: (result: ClaimResult) => result.kind === 'completed' }

/** A release only makes the key claimable again; if a power cut undid it, the lease would end the same way. */
const NEVER_SYNC = { needsSync: () => false }

function runSynchronously<T>(work: (tx: SqliteTx) => T, tx: SqliteTx): T {
  const result = work(tx)
  if (result instanceof Promise) {
    result.catch(() => {}) // its failure is reported below; never as an unhandled rejection
    throw new TypeError(
      'SQLite work must be synchronous: node:sqlite statements are synchronous, and the group transaction cannot wait.',
    )
  }
  return result
}
