import type { Delivery } from 'aghanim-webhooks'
import type { DeliveryRecorder } from '../deliveries/delivery-recorder.js'
import type { ListenHub } from './listen-hub.js'

/**
 * `--listen-mode mirror`: a copy of an answered delivery for the listeners that take its type. Only verified,
 * parsed events go out (the CLI re-signs the body, so a forged one must never reach a laptop), duplicates and
 * replays included, so a developer sees each request Aghanim (or the inspector) really sent. Call it only while
 * `hub.active`. Internal.
 */
export function mirrorDelivery(hub: ListenHub, delivery: Delivery, recorder: DeliveryRecorder): void {
  const event = delivery.event
  if (!event || !delivery.body || !hub.wants(event.event_type)) return
  const data = event.event_data as { player_id?: unknown } | undefined
  hub.mirror({
    deliveryId: recorder.assignId(delivery.headers, delivery.receivedAt),
    eventType: event.event_type,
    eventId: event.event_id,
    playerId: typeof data?.player_id === 'string' ? data.player_id : null,
    key: delivery.key,
    attempt: delivery.attempt,
    duplicate: delivery.duplicate,
    replayOf: recorder.replayOf(delivery.headers),
    receivedAt: delivery.receivedAt,
    body: delivery.body,
    server: { status: delivery.status },
  })
}
