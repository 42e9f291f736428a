import { signedHeaders } from 'aghanim-webhooks'

export const DELIVERY_ID_HEADER = 'x-aghanim-delivery-id'
export const ATTEMPT_HEADER = 'x-aghanim-attempt'
export const IDEMPOTENCY_KEY_HEADER = 'x-aghanim-idempotency-key'
export const ORDER_ID_HEADER = 'x-aghanim-order-id'
/** Same name as the header reconciliation's synthetic events carry into the server. */
export const RECONCILE_RUN_HEADER = 'x-aghanim-webhooks-reconcile'

export interface ForwardRequest {
  /** The original body, byte for byte. */
  body: Uint8Array
  deliveryId: string
  attempt: number
  key: string
  /** Reconciliation's synthetic item.add / item.remove: the run's id, passed on as a header. */
  reconcileRun?: string
  /** The order an item.add / item.remove is tied to, passed on so the backend can grant once per order. */
  orderId?: string
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
    ...(request.orderId === undefined ? {} : { [ORDER_ID_HEADER]: request.orderId }),
    ...(request.reconcileRun === undefined ? {} : { [RECONCILE_RUN_HEADER]: request.reconcileRun }),
  }
}
