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
import type { Pool, PoolClient, QueryConfig } from 'pg'
import { statementName } from './prepared.js'
import { RELAXED_COMMIT } from './relaxed-commit.js'

type Row = Record<string, unknown>
type DeliveryRow = ReturnType<typeof deliveryRowValues>

const column = (name: (typeof DELIVERY_LOG_COLUMNS)[number]) => DELIVERY_LOG_COLUMNS.indexOf(name)
const HEADERS = column('headers')
const BODY = column('body')
/** The columns inserted from one array each, with that array's type (headers and bodies travel apart). */
const INSERT_ARRAYS = (
  [
    ['id', 'text'],
    ['received_at', 'bigint'],
    ['method', 'text'],
    ['path', 'text'],
    ['outcome', 'text'],
    ['event_id', 'text'],
    ['event_type', 'text'],
    ['idempotency_key', 'text'],
    ['player_id', 'text'],
    ['status', 'integer'],
    ['response_body', 'text'],
    ['duration_ms', 'double precision'],
    ['attempt', 'integer'],
    ['duplicate', 'integer'],
    ['replay_of', 'text'],
    ['game', 'text'],
    ['sandbox', 'integer'],
  ] as const
).map(([name, type]) => ({ name, type, index: column(name) }))

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
  readonly #insertSql: string
  readonly #insertName: string

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
    // $1…$17 the arrays of INSERT_ARRAYS, then the headers (one JSON array), the bodies end to end, and each
    // body's position in them (1-based) and length (NULL: no body).
    const n = INSERT_ARRAYS.length
    const select = (name: string) => {
      if (name === 'headers') return `($${n + 1}::jsonb) -> (r.ord - 1)::int`
      if (name === 'body') return `substring($${n + 2}::bytea FROM r.body_start FOR r.body_length)`
      if (name === 'duplicate' || name === 'sandbox') return `r.${name} <> 0`
      return `r.${name}`
    }
    this.#insertSql = `INSERT INTO ${this.#table} (${DELIVERY_LOG_COLUMNS.join(', ')})
      SELECT ${DELIVERY_LOG_COLUMNS.map(select).join(', ')}
      FROM unnest(${INSERT_ARRAYS.map((array, i) => `$${i + 1}::${array.type}[]`).join(', ')}, $${n + 3}::integer[], $${n + 4}::integer[])
        WITH ORDINALITY AS r (${INSERT_ARRAYS.map((array) => array.name).join(', ')}, body_start, body_length, ord),
        ${RELAXED_COMMIT}`
    this.#insertName = statementName(this.#insertSql)
  }

  async append(record: DeliveryInput): Promise<string> {
    const [id] = await this.appendMany([record])
    return id!
  }

  /**
   * One INSERT per chunk of 1,000 rows whose values arrive as one array per column, so its text is the same
   * for every batch and it is prepared once per connection (a multi-row VALUES list with a placeholder per
   * value was a new statement, parsed and planned, at every batch size). The bodies travel as one binary
   * bytea cut by offset and length, the headers as one JSON array: neither is escaped into an array literal.
   */
  async appendMany(records: readonly DeliveryInput[]): Promise<string[]> {
    const rows = records.map((record) => deliveryRowValues(record, this.#now()))
    if (rows.length === 0) return []
    if (rows.length <= ROWS_PER_STATEMENT) {
      await this.#pool.query(this.#insert(rows))
    } else {
      await this.#transact(async (client) => {
        for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT)
          await client.query(this.#insert(rows.slice(start, start + ROWS_PER_STATEMENT)))
      })
    }
    return rows.map((row) => row[0] as string)
  }

  #insert(rows: readonly DeliveryRow[]): QueryConfig {
    const columns: unknown[][] = INSERT_ARRAYS.map(() => new Array(rows.length))
    const headers: string[] = new Array(rows.length)
    const bodies: Uint8Array[] = []
    const bodyStarts: (number | null)[] = new Array(rows.length)
    const bodyLengths: (number | null)[] = new Array(rows.length)
    let bodyEnd = 0
    for (let r = 0; r < rows.length; r += 1) {
      const row = rows[r]!
      for (let c = 0; c < INSERT_ARRAYS.length; c += 1) columns[c]![r] = row[INSERT_ARRAYS[c]!.index]
      headers[r] = row[HEADERS] as string
      const body = row[BODY] as Uint8Array | null
      bodyStarts[r] = body === null ? null : bodyEnd + 1
      bodyLengths[r] = body === null ? null : body.byteLength
      if (body !== null) {
        bodies.push(body)
        bodyEnd += body.byteLength
      }
    }
    return {
      name: this.#insertName,
      text: this.#insertSql,
      values: [...columns, `[${headers.join(',')}]`, Buffer.concat(bodies), bodyStarts, bodyLengths],
    }
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
