import type { AnyWebhookEvent } from 'aghanim-webhooks'
import type { RecordedEvent } from './ledger.js'

/**
 * The typed columns of a notification, read defensively: most payloads are only partly documented, so every
 * column is optional and the whole `event_data` is kept as JSON beside them. Internal.
 */
export function toRecordedEvent(
  event: AnyWebhookEvent,
  key: string | null,
  at: number,
  scope = '',
): RecordedEvent {
  const data = (event.event_data ?? {}) as Record<string, unknown>
  const family = event.event_type.split('.')[0]
  const ownId = text(data.id)
  return {
    scope,
    eventType: event.event_type,
    eventId: event.event_id,
    key,
    playerId: text(data.player_id),
    orderId: family === 'order' ? ownId : text(data.order_id),
    paymentId: family === 'payment' ? ownId : text(data.payment_id),
    subscriptionId:
      family === 'subscription' ? (ownId ?? text(data.subscription_id)) : text(data.subscription_id),
    status: text(data.status) ?? (family === 'order' ? event.event_type.slice('order.'.length) : null),
    amount: whole(data.amount) ?? whole(data.total),
    currency: text(data.currency),
    eventTime: seconds((event as { event_time?: unknown }).event_time),
    modifiedAt: seconds(data.modified_at),
    effectiveUntil: seconds(data.effective_until),
    sku: text(data.sku),
    sandbox: (event as { sandbox?: unknown }).sandbox === true,
    data,
    at,
  }
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null)
const whole = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null)
const seconds = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : null

/** `events`' columns, in the order both ledgers insert them; the last three have a type per database. */
export const EVENT_COLUMNS =
  'scope, event_id, event_type, idempotency_key, player_id, order_id, payment_id, subscription_id, status, amount, currency, sandbox, event_time, received_at, data'

/** An event's values for `EVENT_COLUMNS` but `sandbox`, `event_time` and `received_at`, then its JSON `data`. Internal. */
export function eventValues(event: RecordedEvent): { leading: (string | number | null)[]; data: string } {
  return {
    leading: [
      event.scope ?? '',
      event.eventId,
      event.eventType,
      event.key,
      event.playerId,
      event.orderId,
      event.paymentId,
      event.subscriptionId,
      event.status,
      event.amount,
      event.currency,
    ],
    data: JSON.stringify(event.data ?? null),
  }
}

/** `orders`' columns, in the order both ledgers upsert them; the last two are times, typed per database. */
export const ORDER_ROW_COLUMNS =
  'scope, order_id, player_id, status, amount, currency, last_event_type, source_time, updated_at'

/** An order event's values for `ORDER_ROW_COLUMNS`, given its times already in the database's type. Internal. */
export function orderRowValues<Time>(
  event: RecordedEvent,
  sourceTime: Time,
  at: Time,
): (string | number | null | Time)[] {
  return [
    event.scope ?? '',
    event.orderId,
    event.playerId,
    event.status,
    event.amount,
    event.currency,
    event.eventType,
    sourceTime,
    at,
  ]
}

/** `subscriptions`' columns, in the order both ledgers upsert them; the last three are times, typed per database. */
export const SUBSCRIPTION_ROW_COLUMNS =
  'scope, subscription_id, player_id, sku, status, effective_until, last_event_type, source_time, updated_at'

/** A subscription event's values for `SUBSCRIPTION_ROW_COLUMNS`, given its times in the database's type. Internal. */
export function subscriptionRowValues<Time>(
  event: RecordedEvent,
  effectiveUntil: Time,
  sourceTime: Time,
  at: Time,
): (string | number | null | Time)[] {
  return [
    event.scope ?? '',
    event.subscriptionId,
    event.playerId,
    event.sku,
    event.status,
    effectiveUntil,
    event.eventType,
    sourceTime,
    at,
  ]
}
