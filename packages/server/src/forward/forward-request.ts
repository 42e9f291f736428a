import { signedHeaders } from 'aghanim-webhooks'

export const DELIVERY_ID_HEADER = 'x-aghanim-delivery-id'
export const ATTEMPT_HEADER = 'x-aghanim-attempt'
export const IDEMPOTENCY_KEY_HEADER = 'x-aghanim-idempotency-key'

export interface ForwardRequest {
  /** The original body, byte for byte. */
  body: Uint8Array
  deliveryId: string
  attempt: number
  key: string
}

/**
 * The headers of a forwarded call: Aghanim's own signature scheme with the forward secret (so the backend
 * verifies with Aghanim's sample code unchanged), and the delivery id, attempt and idempotency key. Internal.
 *
 * @example await forwardHeaders({ body, deliveryId, attempt: 1, key }, 'fwd_secret', Date.now())
 */
export async function forwardHeaders(
  request: ForwardRequest,
  secret: string,
  now: number,
): Promise<Record<string, string>> {
  return {
    'content-type': 'application/json',
    'user-agent': 'aghanim-webhooks/forward',
    ...(await signedHeaders({ secret, timestamp: Math.floor(now / 1000), body: request.body })),
    [DELIVERY_ID_HEADER]: request.deliveryId,
    [ATTEMPT_HEADER]: String(request.attempt),
    [IDEMPOTENCY_KEY_HEADER]: request.key,
  }
}
