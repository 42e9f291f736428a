import {
  type DeliveryInput,
  type DeliveryLog,
  type DeliveryPage,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliverySummary,
  decodeDeliveryCursor,
  deliveryPageSize,
  encodeDeliveryCursor,
  newDeliveryId,
} from 'aghanim-webhooks'
import type { Pool } from 'pg'

type Row = Record<string, unknown>

const SUMMARY_COLUMNS =
  'id, received_at, method, path, outcome, event_id, event_type, idempotency_key, player_id, status, duration_ms, attempt, duplicate, replay_of'

/** The delivery log in the store's schema. Internal: reach it as `PostgresStore.deliveries`. */
export class PostgresDeliveryLog implements DeliveryLog {
  readonly #pool: Pool
  readonly #table: string
  readonly #now: () => number

  constructor(pool: Pool, quotedSchema: string, now: () => number) {
    this.#pool = pool
    this.#table = `${quotedSchema}.delivery_log`
    this.#now = now
  }

  async append(record: DeliveryInput): Promise<string> {
    const id = record.id ?? newDeliveryId(this.#now())
    const body = typeof record.body === 'string' ? new TextEncoder().encode(record.body) : record.body
    await this.#pool.query(
      `INSERT INTO ${this.#table} (id, received_at, method, path, headers, body, outcome, event_id, event_type, idempotency_key,
         player_id, status, response_body, duration_ms, attempt, duplicate, replay_of)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        id,
        record.receivedAt,
        record.method,
        record.path,
        JSON.stringify(record.headers),
        body === null ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        record.outcome,
        record.eventId ?? null,
        record.eventType ?? null,
        record.key ?? null,
        record.playerId ?? null,
        record.status,
        record.responseBody,
        record.durationMs,
        record.attempt,
        record.duplicate,
        record.replayOf ?? null,
      ],
    )
    return id
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
      ...toSummary(row),
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
    const records = rows.slice(0, limit).map(toSummary)
    const last = records.at(-1)
    return { records, nextCursor: rows.length > limit && last ? encodeDeliveryCursor(last) : null }
  }

  async prune(olderThan: number): Promise<number> {
    return (
      (await this.#pool.query(`DELETE FROM ${this.#table} WHERE received_at < $1`, [olderThan])).rowCount ?? 0
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
  if (query.cursor) {
    const after = decodeDeliveryCursor(query.cursor)
    params.push(after.receivedAt, after.id)
    conditions.push(`(received_at, id) < ($${params.length - 1}, $${params.length})`)
  }
  return { clause: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params }
}

function toSummary(row: Row): DeliverySummary {
  return {
    id: String(row.id),
    receivedAt: Number(row.received_at),
    method: String(row.method),
    path: String(row.path),
    outcome: String(row.outcome),
    eventId: nullableText(row.event_id),
    eventType: nullableText(row.event_type),
    key: nullableText(row.idempotency_key),
    playerId: nullableText(row.player_id),
    status: Number(row.status),
    durationMs: Number(row.duration_ms),
    attempt: Number(row.attempt),
    duplicate: row.duplicate === true,
    replayOf: nullableText(row.replay_of),
  }
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value)
}
