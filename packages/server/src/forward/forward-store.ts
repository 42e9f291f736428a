import type { TransactionWork } from 'aghanim-webhooks'
import { callFromRow, nullableNumber, nullableText } from '../deliveries/delivery-calls.js'

/** One call to the backend for a delivery, as the inspector shows it. */
export interface ForwardAttempt {
  deliveryId: string
  /** `sync`: while Aghanim waited; `outbox`: delivered later by the server. */
  via: 'sync' | 'outbox'
  attempt: number
  /** The `--forward-to` pattern that matched, and its URL. */
  route: string
  url: string
  startedAt: number
  durationMs: number
  /** The backend's status; null when it gave none (timeout, refused, reset, too large). */
  status: number | null
  /** Why the answer was not relayed as is (`upstream_timeout`, `upstream_invalid_answer: …`); null when it was. */
  error: string | null
  /** The backend's answer body (its start, for the inspector). */
  answer: string | null
}

/** A notification waiting in the outbox (or dead), with the raw body to send. */
export interface OutboxEntry {
  seq: number
  deliveryId: string
  eventType: string
  eventId: string
  key: string
  playerId: string | null
  body: Uint8Array
  receivedAt: number
  state: 'pending' | 'dead'
  attempts: number
  nextAt: number
  lastStatus: number | null
  lastError: string | null
  lastAnswer: string | null
  deadAt: number | null
}

export type OutboxInput = Pick<
  OutboxEntry,
  'deliveryId' | 'eventType' | 'eventId' | 'key' | 'playerId' | 'body' | 'receivedAt'
>

/** What one delivery attempt of an outbox entry came to. */
export type OutboxSettlement =
  | { state: 'delivered' }
  | {
      state: 'pending' | 'dead'
      nextAt: number
      status: number | null
      error: string | null
      answer: string | null
    }

/** Which dead letters to put back in the queue; an empty filter matches nothing unless `allDead`. */
export interface RedriveFilter {
  deliveryIds?: string[]
  eventType?: string
  playerId?: string
  /** `received_at` bounds, Unix ms: [since, until). */
  since?: number
  until?: number
  allDead?: boolean
}

export interface OutboxCounts {
  pending: number
  dead: number
  /** `received_at` of the oldest pending entry, or null when none is pending. */
  oldestPendingAt: number | null
}

/**
 * Forward mode's storage in the ledger's database. `enqueue` is transactional work, committed with the
 * delivery's idempotency record: a notification is stored once per key, and only if its answer is. Internal.
 */
export interface ForwardStore<Tx = unknown> {
  /** Stores several attempts in one transaction. */
  recordAttempts(attempts: readonly ForwardAttempt[]): Promise<void>
  attempts(deliveryId: string): Promise<ForwardAttempt[]>
  enqueue(entry: OutboxInput, now: number): TransactionWork<Tx>
  /** Leases up to `limit` due entries to `owner` until `leaseUntil`, at most one per player (the oldest). */
  claimDue(now: number, leaseUntil: number, owner: string, limit: number): Promise<OutboxEntry[]>
  /** Applies an attempt's result, if `owner` still holds the lease (a taken-over lease changes nothing). */
  settle(seq: number, owner: string, result: OutboxSettlement, now: number): Promise<void>
  list(state: 'pending' | 'dead', limit: number): Promise<OutboxEntry[]>
  redrive(filter: RedriveFilter, now: number): Promise<number>
  counts(): Promise<OutboxCounts>
  /** Forgets attempts started before `olderThan`, with the delivery log's retention. */
  pruneAttempts(olderThan: number): Promise<number>
}

/** The columns of `forward_attempts` in insert order, as `ForwardAttempt` names them. */
export const ATTEMPT_COLUMNS = [
  'deliveryId',
  'via',
  'attempt',
  'route',
  'url',
  'startedAt',
  'durationMs',
  'status',
  'error',
  'answer',
] as const satisfies readonly (keyof ForwardAttempt)[]

/** The values of an outbox insert, in the order of `OUTBOX_INSERT_COLUMNS`. */
export function outboxValues(entry: OutboxInput, now: number) {
  return [
    entry.deliveryId,
    entry.eventType,
    entry.eventId,
    entry.key,
    entry.playerId,
    entry.body,
    entry.receivedAt,
    now,
  ]
}

export const OUTBOX_INSERT_COLUMNS =
  'delivery_id, event_type, event_id, idempotency_key, player_id, body, received_at, next_at'

/** The WHERE clause (and its values) of a redrive filter, with `?` or `$n` placeholders. */
export function redriveWhere(filter: RedriveFilter, placeholder: (index: number) => string) {
  const clauses = ["state = 'dead'"]
  const values: unknown[] = []
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value)
    clauses.push(sql(placeholder(values.length)))
  }
  if (filter.deliveryIds) {
    if (filter.deliveryIds.length === 0) return undefined
    const marks = filter.deliveryIds.map((id) => {
      values.push(id)
      return placeholder(values.length)
    })
    clauses.push(`delivery_id IN (${marks.join(', ')})`)
  }
  if (filter.eventType !== undefined) add((p) => `event_type = ${p}`, filter.eventType)
  if (filter.playerId !== undefined) add((p) => `player_id = ${p}`, filter.playerId)
  if (filter.since !== undefined) add((p) => `received_at >= ${p}`, filter.since)
  if (filter.until !== undefined) add((p) => `received_at < ${p}`, filter.until)
  if (clauses.length === 1 && !filter.allDead) return undefined
  return { sql: clauses.join(' AND '), values }
}

export function attemptFromRow(row: Record<string, unknown>): ForwardAttempt {
  return {
    ...callFromRow(row),
    via: row.via === 'outbox' ? 'outbox' : 'sync',
    attempt: Number(row.attempt),
    route: String(row.route),
    url: String(row.url),
  }
}

export function entryFromRow(row: Record<string, unknown>): OutboxEntry {
  return {
    seq: Number(row.seq),
    deliveryId: String(row.delivery_id),
    eventType: String(row.event_type),
    eventId: String(row.event_id),
    key: String(row.idempotency_key),
    playerId: nullableText(row.player_id),
    body: new Uint8Array(row.body as Uint8Array),
    receivedAt: Number(row.received_at),
    state: row.state === 'dead' ? 'dead' : 'pending',
    attempts: Number(row.attempts),
    nextAt: Number(row.next_at),
    lastStatus: nullableNumber(row.last_status),
    lastError: nullableText(row.last_error),
    lastAnswer: nullableText(row.last_answer),
    deadAt: nullableNumber(row.dead_at),
  }
}

/**
 * Due, unleased, pending entries that are the oldest pending one of their player: a player's events go out in the
 * order received, while entries without a player (and other players') go out side by side.
 */
export const DUE_CONDITION = `o.state = 'pending' AND o.next_at <= :now AND (o.lease_until IS NULL OR o.lease_until <= :now)
  AND NOT EXISTS (SELECT 1 FROM forward_outbox e WHERE e.player_id = o.player_id AND e.state = 'pending' AND e.seq < o.seq)`
