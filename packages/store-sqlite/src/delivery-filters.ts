import type { SQLInputValue } from 'node:sqlite'
import type { DeliveryCursor, DeliveryQuery } from 'aghanim-webhooks/store'

/** The columns of a listing's summaries, as both SQLite logs name them. */
export const DELIVERY_SUMMARY_COLUMNS =
  'id, received_at, method, path, outcome, event_id, event_type, idempotency_key, player_id, status, duration_ms, attempt, duplicate, replay_of, game, sandbox'

/**
 * The WHERE clause of a delivery-log listing, newest-first keyset cursor `after` included, for both SQLite
 * logs (the store's table and the delivery files' index name their columns alike). Internal.
 */
export function deliveryFilters(
  query: Omit<DeliveryQuery, 'cursor' | 'limit'>,
  after: DeliveryCursor | undefined,
): { clause: string; params: SQLInputValue[] } {
  const conditions: string[] = []
  const params: SQLInputValue[] = []
  const add = (condition: string, ...values: SQLInputValue[]) => {
    conditions.push(condition)
    params.push(...values)
  }
  if (query.since !== undefined) add('received_at >= ?', query.since)
  if (query.until !== undefined) add('received_at < ?', query.until)
  if (query.eventType !== undefined) add('event_type = ?', query.eventType)
  if (query.status !== undefined) add('status = ?', query.status)
  if (query.outcome !== undefined) add('outcome = ?', query.outcome)
  if (query.key !== undefined) add('idempotency_key = ?', query.key)
  if (query.playerId !== undefined) add('player_id = ?', query.playerId)
  if (query.replayOf !== undefined) add('replay_of = ?', query.replayOf)
  if (query.game === null) add('game IS NULL')
  else if (query.game !== undefined) add('game = ?', query.game)
  if (query.sandbox !== undefined) add('sandbox = ?', query.sandbox ? 1 : 0)
  if (after)
    add('(received_at < ? OR (received_at = ? AND id < ?))', after.receivedAt, after.receivedAt, after.id)
  return { clause: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params }
}
