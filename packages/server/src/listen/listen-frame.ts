import { ATTEMPT_HEADER, DELIVERY_ID_HEADER, IDEMPOTENCY_KEY_HEADER } from '../forward/forward-request.js'
import { textOf } from '../forward/relay-answer.js'

/** What a listener is sent of one verified delivery: the exact body, and what the CLI prints. */
export interface DeliveryCopy {
  deliveryId: string
  eventType: string
  eventId: string
  playerId: string | null
  key: string | null
  attempt: number
  duplicate: boolean
  replayOf: string | null
  receivedAt: number
  body: Uint8Array
  /** Mirror: what the server answered Aghanim. */
  server?: { status: number }
}

/**
 * One `delivery` event of a listener's stream. `headers` are the ones forward mode sends its backend besides the
 * signature (delivery id, attempt, idempotency key); the CLI adds the signature with the developer's own secret.
 * Internal.
 *
 * @example res.write(deliveryFrame(copy, 'a1b2.7', 'mirror'))
 */
export function deliveryFrame(
  copy: DeliveryCopy,
  ticket: string,
  mode: 'mirror' | 'tunnel',
  timeoutMs?: number,
): string {
  const data = {
    ticket,
    mode,
    delivery_id: copy.deliveryId,
    event_type: copy.eventType,
    event_id: copy.eventId,
    player_id: copy.playerId,
    key: copy.key,
    attempt: copy.attempt,
    duplicate: copy.duplicate,
    replay_of: copy.replayOf,
    received_at: new Date(copy.receivedAt).toISOString(),
    server_status: copy.server?.status ?? null,
    timeout_ms: timeoutMs ?? null,
    headers: {
      [DELIVERY_ID_HEADER]: copy.deliveryId,
      [ATTEMPT_HEADER]: String(Math.max(1, copy.attempt)),
      ...(copy.key === null ? {} : { [IDEMPOTENCY_KEY_HEADER]: copy.key }),
    },
    // Verified and parsed, so valid UTF-8: the text round-trips to the same bytes.
    body: textOf(copy.body),
  }
  return `event: delivery\nid: ${copy.deliveryId}\ndata: ${JSON.stringify(data)}\n\n`
}
