import type { DeliveryInput, DeliverySummary } from './contract.js'

/**
 * A new delivery id that sorts by time: 9 base-36 digits of Unix ms, then 12 random ones.
 *
 * @example newDeliveryId(Date.now()) // '00lx2k9d0-4f1k2m9zq0ab'
 */
export function newDeliveryId(now: number): string {
  const bytes = randomBytes(12)
  let suffix = ''
  for (const byte of bytes) suffix += BASE36[byte % 36]
  return `${Math.max(0, Math.floor(now)).toString(36).padStart(9, '0')}-${suffix}`
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz'

/** The delivery log's stored columns, in the order `deliveryRowValues` gives their values. */
export const DELIVERY_LOG_COLUMNS = [
  'id',
  'received_at',
  'method',
  'path',
  'headers',
  'body',
  'outcome',
  'event_id',
  'event_type',
  'idempotency_key',
  'player_id',
  'status',
  'response_body',
  'duration_ms',
  'attempt',
  'duplicate',
  'replay_of',
  'game',
  'sandbox',
] as const

/**
 * A record's values in `DELIVERY_LOG_COLUMNS` order, for an SQL insert: the id generated when missing (from
 * `now`, Unix ms), headers as JSON text, a text body as its UTF-8 bytes, `duplicate` and `sandbox` as 1 or 0, no game as `null`. For
 * `DeliveryLog` implementations.
 *
 * @example insert.run(...deliveryRowValues(record, Date.now()))
 */
export function deliveryRowValues(
  record: DeliveryInput,
  now: number,
): (string | number | Uint8Array | null)[] {
  return [
    record.id ?? newDeliveryId(now),
    record.receivedAt,
    record.method,
    record.path,
    JSON.stringify(record.headers),
    typeof record.body === 'string' ? new TextEncoder().encode(record.body) : record.body,
    record.outcome,
    record.eventId ?? null,
    record.eventType ?? null,
    record.key ?? null,
    record.playerId ?? null,
    record.status,
    record.responseBody,
    record.durationMs,
    record.attempt,
    record.duplicate ? 1 : 0,
    record.replayOf ?? null,
    record.game ?? null,
    record.sandbox ? 1 : 0,
  ]
}

/**
 * A summary from a database row with the delivery log's column names (snake_case, as both stores name them);
 * `duplicate` and `sandbox` may be booleans or 0/1. For `DeliveryLog` implementations.
 *
 * @example const records = rows.map(deliverySummaryFromRow)
 */
export function deliverySummaryFromRow(row: Record<string, unknown>): DeliverySummary {
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
    duplicate: row.duplicate === true || Number(row.duplicate) === 1,
    replayOf: nullableText(row.replay_of),
    game: nullableText(row.game),
    sandbox: row.sandbox === true || Number(row.sandbox) === 1,
  }
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value)
}

// One getRandomValues call per id showed in the server's profile under load: draw ids from a pooled buffer.
const randomPool = new Uint8Array(4096)
let randomOffset = randomPool.length

function randomBytes(count: number): Uint8Array {
  if (randomOffset + count > randomPool.length) {
    crypto.getRandomValues(randomPool)
    randomOffset = 0
  }
  randomOffset += count
  return randomPool.subarray(randomOffset - count, randomOffset)
}
