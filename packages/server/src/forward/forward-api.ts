import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ForwardAttemptJson, OutboxEntryJson, OutboxPageJson } from '../api/admin-api-types.js'
import { HttpError, readJson, sendJson } from '../http/respond.js'
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

/**
 * Forward mode's admin routes: `GET /api/deliveries/:id/forwards`, `GET /api/outbox?state=pending|dead&limit=`,
 * and `POST /api/outbox/redrive` with `{ delivery_ids | event_type | player_id | since | until | all_dead }`.
 * Resolves false when the route is not one of them. Internal.
 */
export async function handleForwardApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: ForwardApiDeps,
): Promise<boolean> {
  const parts = url.pathname.split('/').slice(2)
  const method = req.method === 'HEAD' ? 'GET' : req.method
  if (parts[0] === 'deliveries' && parts[2] === 'forwards' && parts.length === 3) {
    allow(method, 'GET', url)
    await deps.recorded()
    const attempts = await deps.store.attempts(decodeURIComponent(parts[1]!))
    sendJson(req, res, 200, { attempts: attempts.map(attemptJson) })
    return true
  }
  if (parts[0] !== 'outbox') return false
  if (parts.length === 1) {
    allow(method, 'GET', url)
    const state = url.searchParams.get('state') ?? 'pending'
    if (state !== 'pending' && state !== 'dead')
      throw new HttpError(400, 'invalid_query', 'state must be pending or dead.')
    const limit = Number(url.searchParams.get('limit') ?? 100)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(400, 'invalid_query', 'limit must be 1 to 1000.')
    const [entries, counts] = await Promise.all([deps.store.list(state, limit), deps.store.counts()])
    const page: OutboxPageJson = {
      entries: entries.map(entryJson),
      counts: { pending: counts.pending, dead: counts.dead, oldest_pending_at: iso(counts.oldestPendingAt) },
    }
    sendJson(req, res, 200, page)
    return true
  }
  if (parts.length === 2 && parts[1] === 'redrive') {
    allow(method, 'POST', url)
    const filter = parseRedriveFilter(await readJson(req, MAX_BODY))
    const redriven = await deps.store.redrive(filter, deps.now())
    if (redriven > 0) deps.redriven()
    sendJson(req, res, 200, { redriven })
    return true
  }
  throw new HttpError(404, 'not_found', `No admin API route ${url.pathname}.`)
}

function allow(method: string | undefined, allowed: string, url: URL): void {
  if (method !== allowed)
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}.`, {
      allow: allowed,
    })
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
  return new HttpError(400, 'invalid_redrive', message)
}

function attemptJson(attempt: ForwardAttempt): ForwardAttemptJson {
  return {
    via: attempt.via,
    attempt: attempt.attempt,
    route: attempt.route,
    url: attempt.url,
    started_at: iso(attempt.startedAt),
    duration_ms: Math.round(attempt.durationMs * 100) / 100,
    status: attempt.status,
    error: attempt.error,
    answer: attempt.answer,
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
