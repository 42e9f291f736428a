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
