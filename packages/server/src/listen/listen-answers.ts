import type { DatabaseSync, SQLInputValue } from 'node:sqlite'
import type { ServerDatabase } from '../database/server-database.js'
import { callFromRow } from '../deliveries/delivery-calls.js'

/** One answer a listener reported for a delivery (or the timeout the server gave up after), as the inspector shows it. */
export interface ListenAnswer {
  deliveryId: string
  /** `tunnel`: the answer Aghanim got; `mirror`: a copy's answer, shown and kept only. */
  mode: 'mirror' | 'tunnel'
  /** Who listened (`user@host`, as the CLI says) and where it sent the delivery (`--forward-to`). */
  listener: string
  target: string
  startedAt: number
  durationMs: number
  /** The local receiver's status; null when it gave none (refused, timed out). */
  status: number | null
  error: string | null
  /** The local answer's body (its start). */
  answer: string | null
}

/** Where listen answers are kept: the ledger's database. Internal. */
export interface ListenAnswerStore {
  /** Stores several answers in one transaction (the batch writer's `recordAttempts`). */
  recordAttempts(answers: readonly ListenAnswer[]): Promise<void>
  answers(deliveryId: string): Promise<ListenAnswer[]>
  /** Forgets answers older than `olderThan`, with the delivery log's retention. */
  prune(olderThan: number): Promise<number>
}

const COLUMNS = [
  'deliveryId',
  'mode',
  'listener',
  'target',
  'startedAt',
  'durationMs',
  'status',
  'error',
  'answer',
] as const satisfies readonly (keyof ListenAnswer)[]
const INSERT = `INSERT INTO listen_answers (delivery_id, mode, listener, target, started_at, duration_ms, status, error, answer)`

interface Queryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount?: number | null }>
}

/** The listen answers' table in the server's database (SQLite's group commit, or the PostgreSQL pool). Internal. */
export function listenAnswerStoreOf(database: ServerDatabase): ListenAnswerStore {
  if (database.kind === 'sqlite') {
    const store = database.store as unknown as {
      db: DatabaseSync
      transact<T>(work: () => T): Promise<T>
    }
    const insert = store.db.prepare(`${INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const select = store.db.prepare('SELECT * FROM listen_answers WHERE delivery_id = ? ORDER BY id')
    const prune = store.db.prepare('DELETE FROM listen_answers WHERE started_at < ?')
    return {
      recordAttempts: (answers) =>
        store.transact(() => {
          for (const a of answers) insert.run(...(COLUMNS.map((column) => a[column]) as SQLInputValue[]))
        }),
      answers: async (deliveryId) => select.all(deliveryId).map(answerFromRow),
      prune: (olderThan) => store.transact(() => Number(prune.run(olderThan).changes)),
    }
  }
  const { pool } = database.store as unknown as { pool: Queryable }
  return {
    async recordAttempts(answers) {
      if (answers.length === 0) return
      await pool.query(
        `${INSERT} SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
           $6::double precision[], $7::int[], $8::text[], $9::text[])`,
        COLUMNS.map((column) => answers.map((answer) => answer[column])),
      )
    },
    async answers(deliveryId) {
      const { rows } = await pool.query('SELECT * FROM listen_answers WHERE delivery_id = $1 ORDER BY id', [
        deliveryId,
      ])
      return rows.map(answerFromRow)
    },
    async prune(olderThan) {
      const result = await pool.query('DELETE FROM listen_answers WHERE started_at < $1', [olderThan])
      return result.rowCount ?? 0
    },
  }
}

function answerFromRow(row: Record<string, unknown>): ListenAnswer {
  return {
    ...callFromRow(row),
    mode: row.mode === 'tunnel' ? 'tunnel' : 'mirror',
    listener: String(row.listener),
    target: String(row.target),
  }
}
