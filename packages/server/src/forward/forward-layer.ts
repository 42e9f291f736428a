import {
  AghanimWebhookError,
  type AnyWebhookEvent,
  catalogue,
  createRouter,
  type HandlerContext,
  isEventType,
  Reply,
  type TransactionWork,
} from 'aghanim-webhooks'
import type { RouterLayer } from '../handlers/layered-router.js'
import type { Ledger } from '../ledger/ledger.js'
import { RECONCILE_TRIGGER } from '../ledger/ledger-router.js'
import { orderOf } from '../ledger/order-of.js'
import { type BackendDeps, callBackend } from './call-backend.js'
import { RECONCILE_RUN_HEADER } from './forward-request.js'
import { relayAnswer } from './relay-answer.js'
import { routeFor, routesOf } from './routes.js'

export interface ForwardLayerDeps extends BackendDeps {
  unknownEvents: 'reject' | 'acknowledge'
  /** The delivery id the recorder will log this request under, assigned now so the backend gets it too. */
  deliveryId: (headers: Headers) => string
  /** Tells the outbox worker an entry was committed (it also polls). */
  enqueued: () => void
  /** The order claims: an item.add / item.remove tied to an order reaches the backend once per order. */
  ledger: Pick<Ledger, 'orderClaims' | 'claimOrder'>
}

const OK = { status: 'ok' }

/**
 * Forward mode's router layer: every event no handler above took goes to the first matching `--forward-to` route,
 * synchronously, or for notifications with `--forward-async notifications` into the outbox, in the same
 * transaction as its idempotency record (answered 200 once both are committed). Internal.
 */
export function createForwardLayer<Tx>(deps: ForwardLayerDeps): RouterLayer<Tx> {
  const forward = async (event: AnyWebhookEvent, context: HandlerContext<Tx>): Promise<Reply> => {
    const route = routeFor(routesOf(deps.config, context.sandbox), event.event_type)
    if (!route) return unrouted(event.event_type, deps.unknownEvents)
    const tie = orderTie(event, context.scope)
    // The order was granted (or revoked) already, by the webhook or by reconciliation: the backend is not
    // asked again. Two copies racing past this check both reach the backend, which gets the order id in a
    // header to settle that race (docs/reconcile.md).
    if (tie && (await deps.ledger.orderClaims(tie.game, [tie.orderId])).get(tie.orderId)?.[tie.kind])
      return new Reply(200, OK, true)
    const request = {
      body: context.body,
      deliveryId: deps.deliveryId(context.headers),
      attempt: context.attempt,
      key: context.key ?? event.idempotency_key ?? event.event_id,
      ...(tie ? { orderId: tie.orderId } : {}),
      ...(tie?.source === 'reconcile'
        ? { reconcileRun: context.headers.get(RECONCILE_RUN_HEADER) ?? 'unknown' }
        : {}),
    }
    if (deps.config.async && isNotification(event.event_type) && context.key !== null) {
      const data = event.event_data as { player_id?: unknown } | undefined
      const entry = {
        deliveryId: request.deliveryId,
        eventType: event.event_type,
        eventId: event.event_id,
        key: request.key,
        playerId: typeof data?.player_id === 'string' ? data.player_id : null,
        body: context.body,
        receivedAt: deps.now(),
      }
      context.transact(deps.store.enqueue(entry, entry.receivedAt) as TransactionWork<Tx>)
      queueMicrotask(deps.enqueued)
      return new Reply(200, OK, true)
    }
    return callBackend(deps, route, request, 'sync', (result) => {
      if ('failure' in result) {
        const code = result.failure.kind === 'timeout' ? 'upstream_timeout' : 'upstream_failed'
        throw new AghanimWebhookError(code, result.failure.message)
      }
      const reply = relayAnswer(event.event_type, result.answer)
      if (tie && reply.status >= 200 && reply.status < 300)
        context.transact(
          deps.ledger.claimOrder({
            orderId: tie.orderId,
            kind: tie.kind,
            game: tie.game,
            playerId: tie.playerId,
            source: tie.source,
            eventId: event.event_id,
            key: context.key,
            at: deps.now(),
          }) as TransactionWork<Tx>,
        )
      return { value: reply, error: null }
    })
  }
  return { router: createRouter<Tx>(), fallback: forward }
}

/** The order an item.add / item.remove is tied to (see `orderOf`), with what its claim records. */
function orderTie(event: AnyWebhookEvent, scope: string) {
  if (event.event_type !== 'item.add' && event.event_type !== 'item.remove') return undefined
  const data = event.event_data as { player_id?: unknown; order_id?: unknown; reason?: unknown }
  const orderId = orderOf(data)
  if (orderId === null || typeof data.player_id !== 'string') return undefined
  return {
    orderId,
    kind: event.event_type === 'item.add' ? ('grant' as const) : ('revoke' as const),
    game: scope,
    playerId: data.player_id,
    source:
      (event as { trigger?: unknown }).trigger === RECONCILE_TRIGGER
        ? ('reconcile' as const)
        : ('webhook' as const),
  }
}

function isNotification(type: string): boolean {
  return isEventType(type) && catalogue[type].kind === 'notification'
}

/** An event no route matches is treated like an unknown type (`--unknown-events`). */
function unrouted(type: string, policy: 'reject' | 'acknowledge'): Reply {
  if (policy === 'acknowledge') return new Reply(200, OK, true)
  throw new AghanimWebhookError('unknown_event_type', `No --forward-to route matches ${type}.`)
}
