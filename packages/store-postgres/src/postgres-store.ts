import type { TransactionWork } from 'aghanim-webhooks'
import {
  type ClaimOptions,
  type ClaimResult,
  type DeliveryLog,
  deleteInChunks,
  type IdempotencyStore,
  type StoredAnswer,
} from 'aghanim-webhooks/store'
import type { Pool, PoolClient } from 'pg'
import { checkout } from './checkout.js'
import { isCompletionStatement, shiftPlaceholders } from './completion-statement.js'
import { PostgresDeliveryLog, PRUNE_CHUNK_ROWS } from './delivery-log.js'
import { migrate, type PostgresMigration } from './migrate.js'
import { PendingReleases } from './pending-releases.js'
import { MAX_NAMED, Prepared } from './prepared.js'
import type { Presence } from './presence.js'
import { RELAXED_COMMIT } from './relaxed-commit.js'

/** What PostgreSQL work items receive: the client holding the open transaction, and the store's schema. */
export interface PostgresTx {
  client: PoolClient
  schema: string
}

interface KeyRow {
  state: string
  answer_status: number | null
  answer_body: string | null
  completed_at: string | null
  lease_expires_at: string | null
}

/**
 * A claim in progress whose owner ($7 is ours) no longer holds its presence lock has no process behind it:
 * taking the lock succeeds only then (see `Presence`), and the transaction-scoped try-lock is let go when the
 * claim's statement commits. CASE keeps the lock attempt to the rows it concerns.
 */
const OWNER_GONE = `CASE WHEN k.owner IS NULL OR k.owner = $7::bigint THEN false ELSE pg_try_advisory_xact_lock(k.owner) END`

/**
 * The PostgreSQL idempotency store and delivery log (create it with `openPostgresStore`). Claims are one
 * atomic upsert; a completion commits the answer and the handler's work in one transaction, so instances
 * sharing the database run each key's handler to success at most once.
 */
export class PostgresStore implements IdempotencyStore<PostgresTx> {
  /** The pool, for tables of your own (add them with `migrate`). */
  readonly pool: Pool
  readonly schema: string
  readonly deliveries: DeliveryLog
  readonly #quoted: string
  readonly #keys: string
  readonly #now: () => number
  readonly #ownsPool: boolean
  readonly #presence: Presence | undefined
  readonly #pendingReleases = new PendingReleases((key, token) => this.#release(key, token))
  readonly #prepared = new Prepared()
  readonly #completionTexts = new Map<string, string>()
  readonly #claimSql: string
  readonly #keyRowSql: string
  readonly #releaseSql: string
  readonly #insertCompletedSql: string

  constructor(
    pool: Pool,
    options: {
      schema: string
      quotedSchema: string
      now: () => number
      ownsPool: boolean
      /** This instance's liveness lock, recorded as the owner of its claims (none: only the lease frees them). */
      presence?: Presence
    },
  ) {
    this.pool = pool
    this.#presence = options.presence
    this.schema = options.schema
    this.#quoted = options.quotedSchema
    this.#keys = `${options.quotedSchema}.idempotency_keys`
    this.#claimSql = `INSERT INTO ${this.#keys} AS k (key, state, token, attempt, lease_expires_at, event_type, event_id, created_at, updated_at, owner)
         SELECT $1::text, 'in_progress', $2::text, 1, $3::bigint, $4::text, $5::text, $6::bigint, $6::bigint, $7::bigint
         FROM ${RELAXED_COMMIT}
         ON CONFLICT (key) DO UPDATE SET state = 'in_progress', token = EXCLUDED.token, attempt = k.attempt + 1,
           lease_expires_at = EXCLUDED.lease_expires_at, event_type = EXCLUDED.event_type, event_id = EXCLUDED.event_id,
           updated_at = EXCLUDED.updated_at, owner = EXCLUDED.owner
         WHERE k.state = 'released' OR (k.state = 'in_progress' AND (k.lease_expires_at <= $6::bigint OR ${OWNER_GONE}))
         RETURNING attempt`
    this.#keyRowSql = `SELECT state, answer_status, answer_body, completed_at, lease_expires_at FROM ${this.#keys} WHERE key = $1`
    this.#releaseSql = `UPDATE ${this.#keys} SET state = 'released', token = NULL, lease_expires_at = NULL, updated_at = $3
       FROM ${RELAXED_COMMIT}
       WHERE key = $1 AND token = $2 AND state = 'in_progress'`
    // A key nobody claimed, recorded completed at once ($1 key, $2/$3 answer, $4 now, $5/$6 event).
    this.#insertCompletedSql = `INSERT INTO ${this.#keys} (key, state, attempt, answer_status, answer_body, completed_at, created_at, updated_at, event_type, event_id)
         VALUES ($1, 'completed', 1, $2, $3, $4, $4, $4, $5, $6)
         ON CONFLICT (key) DO NOTHING`
    this.#now = options.now
    this.#ownsPool = options.ownsPool
    this.deliveries = new PostgresDeliveryLog(pool, options.quotedSchema, options.now, (work) =>
      this.transact(({ client }) => work(client)),
    )
  }

  async claim(key: string, options: ClaimOptions): Promise<ClaimResult> {
    const token = crypto.randomUUID()
    try {
      return await this.#claim(key, token, options)
    } catch (error) {
      // The claim may have committed before its answer was lost (a connection cut mid-statement): free it as
      // soon as the database is back, so the retry of this delivery need not wait out the lease.
      this.#pendingReleases.add(key, token)
      throw error
    }
  }

  async #claim(key: string, token: string, options: ClaimOptions): Promise<ClaimResult> {
    // The row can change between the upsert and the read (released, expired, pruned): then try again.
    for (let tries = 0; ; tries += 1) {
      const now = this.#now()
      const won = await this.pool.query<{ attempt: number }>(
        this.#prepared.query(this.#claimSql, [
          key,
          token,
          now + options.leaseMs,
          options.eventType ?? null,
          options.eventId ?? null,
          now,
          this.#presence?.key ?? null,
        ]),
      )
      if (won.rows[0]) return { kind: 'acquired', token, attempt: won.rows[0].attempt }
      const { rows } = await this.pool.query<KeyRow>(this.#prepared.query(this.#keyRowSql, [key]))
      const row = rows[0]
      if (row?.state === 'completed') {
        return {
          kind: 'completed',
          answer: { status: Number(row.answer_status), body: String(row.answer_body) },
          completedAt: Number(row.completed_at),
        }
      }
      if (row?.state === 'in_progress' && Number(row.lease_expires_at) > this.#now())
        return { kind: 'busy', leaseExpiresAt: Number(row.lease_expires_at) }
      if (tries >= 5) return { kind: 'busy', leaseExpiresAt: this.#now() }
    }
  }

  complete(
    key: string,
    token: string,
    answer: StoredAnswer,
    work: readonly TransactionWork<PostgresTx>[] = [],
  ): Promise<boolean> {
    const only = work.length === 1 ? work[0] : undefined
    if (this.#ownsPool && isCompletionStatement(only))
      return this.#completeInOneStatement(key, token, answer, only.sql)
    return this.#inTransaction(async (tx) => {
      const now = this.#now()
      const updated = await tx.client.query(
        `UPDATE ${this.#keys} SET state = 'completed', token = NULL, lease_expires_at = NULL, answer_status = $3, answer_body = $4,
           completed_at = $5, updated_at = $5
         WHERE key = $1 AND token = $2 AND state = 'in_progress'`,
        [key, token, answer.status, answer.body, now],
      )
      // The row lock taken here makes a concurrent take-over wait for this transaction, then see 'completed'.
      if (updated.rowCount === 0) return { commit: false, value: false }
      for (const item of work) await item(tx)
      return { commit: true, value: true }
    })
  }

  /**
   * The key recorded completed with its answer and work, for a handler that ran before any claim
   * (`transactional`): with the completion's own one-statement work, one round trip in all. A key that
   * already has a row (another instance's claim or answer, a released attempt) is left as it is: `false`.
   * Another instance inserting the same key meanwhile makes this wait for its commit, then find the row.
   */
  completeUnclaimed(
    key: string,
    answer: StoredAnswer,
    work: readonly TransactionWork<PostgresTx>[],
    options: ClaimOptions,
  ): Promise<boolean> {
    const values: unknown[] = [
      key,
      answer.status,
      answer.body,
      this.#now(),
      options.eventType ?? null,
      options.eventId ?? null,
    ]
    const only = work.length === 1 ? work[0] : undefined
    if (this.#ownsPool && isCompletionStatement(only)) {
      values.push(...only.sql.values)
      return this.#inOneStatement(this.#unclaimedSql(only.sql.ctes), values)
    }
    return this.#inTransaction(async (tx) => {
      const inserted = await tx.client.query(this.#insertCompletedSql, values)
      if (inserted.rowCount === 0) return { commit: false, value: false }
      for (const item of work) await item(tx)
      return { commit: true, value: true }
    })
  }

  /**
   * The key's completion and its work as one statement, committed on its own (one round trip instead of
   * BEGIN, the completion, the work and COMMIT), synchronously like any completion.
   */
  #completeInOneStatement(
    key: string,
    token: string,
    answer: StoredAnswer,
    work: { ctes: string; values: readonly unknown[] },
  ): Promise<boolean> {
    return this.#inOneStatement(this.#completionSql(work.ctes), [
      key,
      token,
      answer.status,
      answer.body,
      this.#now(),
      ...work.values,
    ])
  }

  async #inOneStatement(sql: string, values: unknown[]): Promise<boolean> {
    const { rows } = await this.pool.query<{ completed: number }>(this.#prepared.query(sql, values))
    return rows[0]?.completed === 1
  }

  /** The completion statement around `ctes`, built once per distinct text (see `Prepared` for the bound). */
  #completionSql(ctes: string): string {
    return this.#statementAround(
      'claimed',
      ctes,
      `UPDATE ${this.#keys} SET state = 'completed', token = NULL, lease_expires_at = NULL, answer_status = $3,
           answer_body = $4, completed_at = $5, updated_at = $5
         WHERE key = $1 AND token = $2 AND state = 'in_progress'
         RETURNING 1`,
      5,
    )
  }

  /** The same for a key nobody claimed: it is inserted completed, and the work runs only if it was. */
  #unclaimedSql(ctes: string): string {
    return this.#statementAround('unclaimed', ctes, `${this.#insertCompletedSql} RETURNING 1`, 6)
  }

  #statementAround(kind: string, ctes: string, completed: string, ownValues: number): string {
    const cacheKey = `${kind}\0${ctes}`
    const known = this.#completionTexts.get(cacheKey)
    if (known !== undefined) return known
    const sql = `WITH completed AS (
         ${completed}
       ), ${shiftPlaceholders(ctes, ownValues)}
       SELECT (SELECT count(*) FROM completed)::int AS completed, set_config('synchronous_commit', 'on', true) AS durable`
    if (this.#completionTexts.size < MAX_NAMED) this.#completionTexts.set(cacheKey, sql)
    return sql
  }

  async release(key: string, token: string): Promise<void> {
    try {
      await this.#release(key, token)
    } catch (error) {
      // Tried again in the background once the database answers (see PendingReleases).
      this.#pendingReleases.add(key, token)
      throw error
    }
  }

  async #release(key: string, token: string): Promise<void> {
    await this.pool.query(this.#prepared.query(this.#releaseSql, [key, token, this.#now()]))
  }

  /**
   * Runs `work` in a transaction with the same guarantees as a completion (search_path set to the schema,
   * synchronous commit) and resolves with its result once committed.
   *
   * @example await store.transact(({ client }) => client.query('UPDATE players SET banned = true WHERE player_id = $1', [id]))
   */
  transact<T>(work: (tx: PostgresTx) => Promise<T>): Promise<T> {
    return this.#inTransaction(async (tx) => ({ commit: true, value: await work(tx) }))
  }

  /**
   * Applies the not-yet-applied migrations of `scope` (numbered by position; lists are append-only) inside the
   * store's schema, in one transaction behind an advisory lock. Resolves with how many were applied.
   *
   * @example await store.migrate('my-game', ['CREATE TABLE grants (key text PRIMARY KEY, sku text NOT NULL)'])
   */
  async migrate(scope: string, migrations: readonly PostgresMigration[]): Promise<number> {
    const client = await checkout(this.pool)
    // A migration may rewrite a big table: its statements are not cut by the pool's query timeout.
    const parameters = (client as unknown as { connectionParameters?: { query_timeout?: unknown } })
      .connectionParameters
    const queryTimeout = parameters?.query_timeout
    if (parameters) parameters.query_timeout = false
    try {
      return await migrate(client, this.schema, this.#quoted, scope, migrations, this.#now())
    } finally {
      if (parameters) parameters.query_timeout = queryTimeout
      client.release()
    }
  }

  /**
   * Forgets settled keys (completed or released) last touched before `olderThan` (Unix ms). A duplicate of a
   * forgotten key runs again, so keep keys longer than Aghanim keeps retrying.
   *
   * @example await store.pruneKeys(Date.now() - 30 * 86_400_000)
   */
  pruneKeys(olderThan: number): Promise<number> {
    // In chunks, as the delivery log's prune.
    return deleteInChunks(
      async (limit) =>
        (
          await this.pool.query(
            `DELETE FROM ${this.#keys} WHERE key IN (SELECT key FROM ${this.#keys}
               WHERE state <> 'in_progress' AND updated_at < $1 LIMIT $2)`,
            [olderThan, limit],
          )
        ).rowCount ?? 0,
      PRUNE_CHUNK_ROWS,
    )
  }

  /** Ends the pool if the store created it (a pool you passed in stays yours to end). */
  async close(): Promise<void> {
    this.#pendingReleases.stop()
    await this.#presence?.close()
    if (this.#ownsPool) await this.pool.end()
  }

  async #inTransaction<T>(body: (tx: PostgresTx) => Promise<{ commit: boolean; value: T }>): Promise<T> {
    const client = await checkout(this.pool)
    let broken: Error | undefined
    try {
      // One round trip. synchronous_commit=on whatever the server default: an acknowledged grant is on disk.
      await client.query(
        `BEGIN; SET LOCAL search_path TO ${this.#quoted}, public; SET LOCAL synchronous_commit TO on`,
      )
      const outcome = await body({ client, schema: this.schema })
      if (!outcome.commit) {
        await client.query('ROLLBACK')
        return outcome.value
      }
      const committed = await client.query('COMMIT')
      // COMMIT of a transaction a failed statement aborted answers ROLLBACK instead of failing.
      if (committed.command !== 'COMMIT')
        throw new Error(
          'The transaction was rolled back: a statement in the work failed (and its error was caught).',
        )
      return outcome.value
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError
      })
      throw error
    } finally {
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than return it to the pool.
      client.release(broken)
    }
  }
}
