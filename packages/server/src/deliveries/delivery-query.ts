import type { DeliveryQuery } from 'aghanim-webhooks/store'
import { HttpError } from '../errors/server-errors.js'

/**
 * `GET /api/deliveries` filters → a delivery log query: type, outcome, status, key, player, replay_of, since,
 * until (ISO 8601 or Unix ms), limit (1..1000), cursor. A malformed value is a 400 naming it. The game and
 * sandbox filters need the configured games: see `deliveryScope`. Internal.
 */
export function parseDeliveryQuery(params: URLSearchParams): DeliveryQuery {
  const query: DeliveryQuery = {}
  const text = (name: string) => {
    const value = params.get(name)
    return value === null || value === '' ? undefined : value
  }
  query.eventType = text('type')
  query.outcome = text('outcome')
  query.key = text('key')
  query.playerId = text('player')
  query.replayOf = text('replay_of')
  query.cursor = text('cursor') ?? null
  const status = text('status')
  if (status !== undefined) {
    if (!/^[1-5]\d\d$/.test(status))
      throw invalid(`status must be an HTTP status such as 200, got ${JSON.stringify(status)}.`)
    query.status = Number(status)
  }
  const limit = text('limit')
  if (limit !== undefined) {
    const value = Number(limit)
    if (!/^\d+$/.test(limit) || value < 1 || value > 1000)
      throw invalid(`limit must be 1 to 1000, got ${JSON.stringify(limit)}.`)
    query.limit = value
  }
  query.since = time('since', text('since'))
  query.until = time('until', text('until'))
  for (const name of Object.keys(query) as (keyof DeliveryQuery)[])
    if (query[name] === undefined) delete query[name]
  return query
}

/** A time filter: Unix milliseconds, or an ISO 8601 date-time. */
export function time(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms))
    throw invalid(`${name} must be Unix milliseconds or an ISO 8601 time, got ${JSON.stringify(value)}.`)
  return ms
}

function invalid(message: string): HttpError {
  return new HttpError('invalid_query', message)
}
