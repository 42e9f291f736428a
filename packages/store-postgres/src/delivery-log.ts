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
import type { Pool, PoolClient } from 'pg'

type Row = Record<string, unknown>

const COLUMN_COUNT = DELIVERY_LOG_COLUMNS.length
const COLUMN_NUMBERS = Array.from({ length: COLUMN_COUNT }, (_, index) => index + 1)
const ROWS_PER_STATEMENT = 1000
/** Rows deleted per transaction when pruning: short transactions, little WAL and few row locks at a time. */
export const PRUNE_CHUNK_ROWS = 5000

const SUMMARY_COLUMNS =
  'id, received_at, method, path, outcome, event_id, event_type, idempotency_key, player_id, status, duration_ms, attempt, duplicate, replay_of, game, sandbox'

/** The delivery log in the store's schema. Internal: reach it as `PostgresStore.deliveries`. */
export class PostgresDeliveryLog implements DeliveryLog {
  readonly #pool: Pool
  readonly #table: string
  readonly #now: () => number

  /** The store's transaction (with its synchronous-commit guarantee), for batches split over statements. */
  readonly #transact: <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>

  constructor(
    pool: Pool,
    quotedSchema: string,
    now: () => number,
    transact: <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>,
  ) {
    this.#pool = pool
    this.#transact = transact
    this.#table = `${quotedSchema}.delivery_log`
    this.#now = now
  }

  async append(record: DeliveryInput): Promise<string> {
    const [id] = await this.appendMany([record])
    return id!
  }

  /** One multi-row INSERT per chunk of 1,000 (PostgreSQL allows 65,535 parameters a statement). */
  async appendMany(records: readonly DeliveryInput[]): Promise<string[]> {
    const rows = records.map((record) => deliveryRowValues(record, this.#now()))
    if (rows.length === 0) return []
    const insertChunk = (chunk: unknown[][]) =>
      `INSERT INTO ${this.#table} (${DELIVERY_LOG_COLUMNS.join(', ')})
       VALUES ${chunk.map((_, index) => `(${COLUMN_NUMBERS.map((column) => `$${index * COLUMN_COUNT + column}`).join(', ')})`).join(', ')}`
    if (rows.length <= ROWS_PER_STATEMENT) {
      await this.#pool.query(insertChunk(rows), rows.flat())
    } else {
      await this.#transact(async (client) => {
        for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
          const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
          await client.query(insertChunk(chunk), chunk.flat())
        }
      })
    }
    return rows.map((row) => row[0] as string)
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT ${SUMMARY_COLUMNS}, headers, body, response_body FROM ${this.#table} WHERE id = $1`,
      [id],
    )
    const row = rows[0]
    if (!row) return undefined
    const body = row.body as Buffer | null
    return {
      ...deliverySummaryFromRow(row),
      headers: row.headers as Record<string, string>,
      body: body === null ? null : new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      responseBody: String(row.response_body),
    }
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryPage> {
    const limit = deliveryPageSize(query.limit)
    const { clause, params } = filters(query)
    const { rows } = await this.#pool.query<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${this.#table} ${clause} ORDER BY received_at DESC, id DESC LIMIT $${params.length + 1}`,
      [...params, limit + 1],
    )
    const records = rows.slice(0, limit).map(deliverySummaryFromRow)
    const last = records.at(-1)
    return { records, nextCursor: rows.length > limit && last ? encodeDeliveryCursor(last) : null }
  }

  prune(olderThan: number): Promise<number> {
    // In chunks: short transactions instead of one that deletes (and writes WAL for) a day of deliveries at once.
    return deleteInChunks(
      async (limit) =>
        (
          await this.#pool.query(
            `DELETE FROM ${this.#table} WHERE id IN (SELECT id FROM ${this.#table} WHERE received_at < $1 LIMIT $2)`,
            [olderThan, limit],
          )
        ).rowCount ?? 0,
      PRUNE_CHUNK_ROWS,
    )
  }
}

function filters(query: DeliveryQuery): { clause: string; params: unknown[] } {
  const conditions: string[] = []
  const params: unknown[] = []
  const add = (column: string, operator: string, value: unknown) => {
    params.push(value)
    conditions.push(`${column} ${operator} $${params.length}`)
  }
  if (query.since !== undefined) add('received_at', '>=', query.since)
  if (query.until !== undefined) add('received_at', '<', query.until)
  if (query.eventType !== undefined) add('event_type', '=', query.eventType)
  if (query.status !== undefined) add('status', '=', query.status)
  if (query.outcome !== undefined) add('outcome', '=', query.outcome)
  if (query.key !== undefined) add('idempotency_key', '=', query.key)
  if (query.playerId !== undefined) add('player_id', '=', query.playerId)
  if (query.replayOf !== undefined) add('replay_of', '=', query.replayOf)
  if (query.game === null) conditions.push('game IS NULL')
  else if (query.game !== undefined) add('game', '=', query.game)
  if (query.sandbox !== undefined) add('sandbox', '=', query.sandbox)
  if (query.cursor) {
    const after = decodeDeliveryCursor(query.cursor)
    params.push(after.receivedAt, after.id)
    conditions.push(`(received_at, id) < ($${params.length - 1}, $${params.length})`)
  }
  return { clause: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params }
}
