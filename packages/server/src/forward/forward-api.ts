import type { ForwardAttemptJson, OutboxEntryJson, OutboxPageJson } from '../api/admin-api-types.js'
import { callJson } from '../deliveries/delivery-calls.js'
import { HttpError } from '../errors/server-errors.js'
import { queryLimit } from '../http/query-limit.js'
import { readJson, sendJson } from '../http/respond.js'
import { decodeParam, type RouteCall } from '../http/route-table.js'
import type { ForwardAttempt, ForwardStore, OutboxEntry, RedriveFilter } from './forward-store.js'

export interface ForwardApiDeps {
  store: ForwardStore
  now: () => number
  /** Wakes the outbox worker after a redrive. */
  redriven: () => void
  /** Resolves once the attempts made so far are stored (they are written in the background). */
  recorded: () => Promise<void>
}

const MAX_BODY = 64 * 1024
function iso(ms: number): string
function iso(ms: number | null): string | null
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

type ForwardCall = RouteCall<ForwardApiDeps>

/** `GET /api/deliveries/:id/forwards`: a delivery's calls to the backend. Internal. */
export async function forwardAttemptsRoute({ req, res, params: [id], deps }: ForwardCall): Promise<void> {
  await deps.recorded()
  const attempts = await deps.store.attempts(decodeParam(id!))
  sendJson(req, res, 200, { attempts: attempts.map(attemptJson) })
}

/** `GET /api/outbox?state=pending|dead&limit=`: outbox entries and their counts. Internal. */
export async function outboxRoute({ req, res, url, deps }: ForwardCall): Promise<void> {
  const state = url.searchParams.get('state') ?? 'pending'
  if (state !== 'pending' && state !== 'dead')
    throw new HttpError('invalid_query', 'state must be pending or dead.')
  const limit = queryLimit(url.searchParams, 100, 1000)
  const [entries, counts] = await Promise.all([deps.store.list(state, limit), deps.store.counts()])
  const page: OutboxPageJson = {
    entries: entries.map(entryJson),
    counts: { pending: counts.pending, dead: counts.dead, oldest_pending_at: iso(counts.oldestPendingAt) },
  }
  sendJson(req, res, 200, page)
}

/** `POST /api/outbox/redrive` with `{ delivery_ids | event_type | player_id | since | until | all_dead }`. Internal. */
export async function redriveRoute({ req, res, deps }: ForwardCall): Promise<void> {
  const filter = parseRedriveFilter(await readJson(req, MAX_BODY))
  const redriven = await deps.store.redrive(filter, deps.now())
  if (redriven > 0) deps.redriven()
  sendJson(req, res, 200, { redriven })
}

/** The redrive body: at least one filter, or `all_dead: true`; each filter narrows the dead letters redriven. */
export function parseRedriveFilter(body: unknown): RedriveFilter {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid(
      'The body must be a JSON object such as {"all_dead": true} or {"event_type": "order.paid"}.',
    )
  const input = body as Record<string, unknown>
  const known = new Set(['delivery_ids', 'event_type', 'player_id', 'since', 'until', 'all_dead'])
  const unknown = Object.keys(input).filter((name) => !known.has(name))
  if (unknown.length > 0)
    throw invalid(`Unknown redrive filter ${unknown.join(', ')}; use ${[...known].join(', ')}.`)
  const filter: RedriveFilter = {}
  if (input.delivery_ids !== undefined) {
    const ids = input.delivery_ids
    if (!Array.isArray(ids) || ids.length > 1000 || ids.some((id) => typeof id !== 'string'))
      throw invalid('delivery_ids must be a list of up to 1000 delivery ids.')
    filter.deliveryIds = ids as string[]
  }
  for (const [name, field] of [
    ['event_type', 'eventType'],
    ['player_id', 'playerId'],
  ] as const) {
    const value = input[name]
    if (value === undefined) continue
    if (typeof value !== 'string' || value === '') throw invalid(`${name} must be a non-empty string.`)
    filter[field] = value
  }
  for (const name of ['since', 'until'] as const) {
    const value = input[name]
    if (value === undefined) continue
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
    if (!Number.isFinite(ms)) throw invalid(`${name} must be an ISO time such as 2026-12-02T10:00:00Z.`)
    filter[name] = ms
  }
  if (input.all_dead !== undefined && typeof input.all_dead !== 'boolean')
    throw invalid('all_dead must be true or false.')
  filter.allDead = input.all_dead === true
  const narrowed = Object.keys(filter).some((name) => name !== 'allDead')
  if (!narrowed && !filter.allDead)
    throw invalid(
      'Name what to redrive: delivery_ids, event_type, player_id, since/until, or all_dead: true.',
    )
  return filter
}

function invalid(message: string): HttpError {
  return new HttpError('invalid_redrive', message)
}

function attemptJson(attempt: ForwardAttempt): ForwardAttemptJson {
  return {
    via: attempt.via,
    attempt: attempt.attempt,
    route: attempt.route,
    url: attempt.url,
    ...callJson(attempt),
  }
}

function entryJson(entry: OutboxEntry): OutboxEntryJson {
  return {
    delivery_id: entry.deliveryId,
    event_type: entry.eventType,
    event_id: entry.eventId,
    key: entry.key,
    player_id: entry.playerId,
    received_at: iso(entry.receivedAt),
    state: entry.state,
    attempts: entry.attempts,
    next_at: entry.state === 'pending' ? iso(entry.nextAt) : null,
    dead_at: iso(entry.deadAt),
    last_status: entry.lastStatus,
    last_error: entry.lastError,
    last_answer: entry.lastAnswer,
  }
}
