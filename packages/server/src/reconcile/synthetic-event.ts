import { signedHeaders } from 'aghanim-webhooks'
import { RECONCILE_RUN_HEADER } from '../forward/forward-request.js'
import { RECONCILE_TRIGGER } from '../ledger/ledger-router.js'

export interface SyntheticChange {
  kind: 'item.add' | 'item.remove'
  runId: string
  /** The game the event is for (null: the unnamed game, and no `game_id`). */
  webhookGame: string | null
  orderId: string
  playerId: string
  items: readonly unknown[]
  sandbox: boolean
}

/**
 * The event reconciliation delivers in place of the one Aghanim gave up on: the same `reason` Aghanim writes
 * ("Order paid ord_…" / "Order refunded ord_…"), so it claims the same order as the webhook would; its own
 * idempotency key per run, so a declined attempt (an unknown player) does not answer every later run too.
 * Internal.
 */
export function syntheticEnvelope(change: SyntheticChange, nowMs: number): Record<string, unknown> {
  const verb = change.kind === 'item.add' ? 'paid' : 'refunded'
  return {
    event_type: change.kind,
    event_id: `rec_${change.runId}_${change.kind === 'item.add' ? 'add' : 'remove'}_${change.orderId}`,
    idempotency_key: `reconcile:${change.runId}:${change.kind}:${change.orderId}`,
    event_time: Math.floor(nowMs / 1000),
    sandbox: change.sandbox,
    trigger: RECONCILE_TRIGGER,
    context: null,
    ...(change.webhookGame === null ? {} : { game_id: change.webhookGame }),
    event_data: {
      player_id: change.playerId,
      items: change.items.map(itemOf),
      reason: `Order ${verb} ${change.orderId}`,
    },
  }
}

/** A request to the server's own webhook handler, signed like Aghanim's, marked as reconciliation's. Internal. */
export async function syntheticRequest(
  change: SyntheticChange,
  options: { webhookPath: string; secret: string; now: number },
): Promise<Request> {
  const body = new TextEncoder().encode(JSON.stringify(syntheticEnvelope(change, options.now)))
  return new Request(new URL(options.webhookPath, 'http://reconcile.invalid'), {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'aghanim-webhooks/reconcile',
      [RECONCILE_RUN_HEADER]: change.runId,
      ...(await signedHeaders({ secret: options.secret, timestamp: Math.floor(options.now / 1000), body })),
    },
  })
}

const ITEM_FIELDS = [
  'id',
  'sku',
  'name',
  'quantity',
  'description',
  'price',
  'price_decimal',
  'currency',
  'type',
  'source',
  'image_url',
  'selected_plan_key',
] as const

/** An API item as a webhook item: the fields item events carry (null ones left out), bundles kept nested. */
function itemOf(value: unknown): Record<string, unknown> {
  const item = (value ?? {}) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field of ITEM_FIELDS)
    if (item[field] !== undefined && item[field] !== null) out[field] = item[field]
  if (Array.isArray(item.nested_items)) out.nested_items = item.nested_items.map(itemOf)
  return out
}
