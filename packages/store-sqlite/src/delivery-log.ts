import type { DatabaseSync, StatementSync } from 'node:sqlite'
import {
  DELIVERY_LOG_COLUMNS,
  type DeliveryInput,
  type DeliveryLog,
  type DeliveryPage,
  type DeliveryQuery,
  type DeliveryRecord,
  decodeDeliveryCursor,
  deleteInChunks,
  deliveryPageSize,
  deliveryRowValues,
  deliverySummaryFromRow,
  encodeDeliveryCursor,
} from 'aghanim-webhooks/store'
import { DELIVERY_SUMMARY_COLUMNS, deliveryFilters } from './delivery-filters.js'
import type { GroupCommit } from './group-commit.js'
import { statementCache } from './statements.js'

const INSERT_SQL = `INSERT INTO delivery_log (${DELIVERY_LOG_COLUMNS.join(', ')})
  VALUES (${DELIVERY_LOG_COLUMNS.map(() => '?').join(', ')})`

/**
 * Rows deleted per transaction when pruning: small enough that one transaction holds the event loop only a few
 * milliseconds (docs/benchmarks.md).
 */
export const PRUNE_CHUNK_ROWS = 500

/**
 * Deletes what `statement` (`… LIMIT ?`, bound to `olderThan` and a chunk size) selects, a chunk per group
 * commit, so requests keep being answered between chunks; resolves with how many rows went. Internal.
 */
export function pruneInChunks(
  group: GroupCommit,
  statement: StatementSync,
  olderThan: number,
): Promise<number> {
  return deleteInChunks(
    (limit) => group.submit(() => Number(statement.run(olderThan, limit).changes)),
    PRUNE_CHUNK_ROWS,
  )
}

const SUMMARY_COLUMNS = DELIVERY_SUMMARY_COLUMNS

/**
 * The delivery log in the store's SQLite file. Appends join the store's group commit; reads run at once
 * (WAL readers never wait for the writer). Internal: reach it as `SqliteStore.deliveries`.
 */
export class SqliteDeliveryLog implements DeliveryLog {
  readonly #statement: (sql: string) => StatementSync
  readonly #group: GroupCommit
  readonly #now: () => number

  constructor(db: DatabaseSync, group: GroupCommit, now: () => number) {
    this.#statement = statementCache(db)
    this.#group = group
    this.#now = now
  }

  append(record: DeliveryInput): Promise<string> {
    return this.appendMany([record]).then((ids) => ids[0]!)
  }

  appendMany(records: readonly DeliveryInput[]): Promise<string[]> {
    if (records.length === 0) return Promise.resolve([])
    const rows = records.map((record) => deliveryRowValues(record, this.#now()))
    // One work item for the whole batch: one savepoint instead of one per row.
    return this.#group.submit(() => {
      const insert = this.#statement(INSERT_SQL)
      for (const row of rows) insert.run(...row)
      return rows.map((row) => row[0] as string)
    })
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.#statement(
      `SELECT ${SUMMARY_COLUMNS}, headers, body, response_body FROM delivery_log WHERE id = ?`,
    ).get(id)
    if (!row) return undefined
    return {
      ...deliverySummaryFromRow(row),
      headers: JSON.parse(String(row.headers)) as Record<string, string>,
      body: row.body === null ? null : (row.body as Uint8Array),
      responseBody: String(row.response_body),
    }
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryPage> {
    const limit = deliveryPageSize(query.limit)
    const { clause, params } = deliveryFilters(
      query,
      query.cursor ? decodeDeliveryCursor(query.cursor) : undefined,
    )
    const rows = this.#statement(
      `SELECT ${SUMMARY_COLUMNS} FROM delivery_log ${clause} ORDER BY received_at DESC, id DESC LIMIT ?`,
    ).all(...params, limit + 1)
    const records = rows.slice(0, limit).map(deliverySummaryFromRow)
    const last = records.at(-1)
    return { records, nextCursor: rows.length > limit && last ? encodeDeliveryCursor(last) : null }
  }

  prune(olderThan: number): Promise<number> {
    return pruneInChunks(
      this.#group,
      this.#statement(
        'DELETE FROM delivery_log WHERE rowid IN (SELECT rowid FROM delivery_log WHERE received_at < ? LIMIT ?)',
      ),
      olderThan,
    )
  }
}
