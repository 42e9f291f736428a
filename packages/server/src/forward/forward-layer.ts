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
import type { RouterLayer } from '../router/layered-router.js'
import { type BackendDeps, callBackend } from './call-backend.js'
import { relayAnswer } from './relay-answer.js'
import { routeFor, routesOf } from './routes.js'

export interface ForwardLayerDeps extends BackendDeps {
  unknownEvents: 'reject' | 'acknowledge'
  /** The delivery id the recorder will log this request under, assigned now so the backend gets it too. */
  deliveryId: (headers: Headers) => string
  /** Tells the outbox worker an entry was committed (it also polls). */
  enqueued: () => void
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
    const request = {
      body: context.body,
      deliveryId: deps.deliveryId(context.headers),
      attempt: context.attempt,
      key: context.key ?? event.idempotency_key ?? event.event_id,
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
      return { value: relayAnswer(event.event_type, result.answer), error: null }
    })
  }
  return { router: createRouter<Tx>(), fallback: forward }
}

function isNotification(type: string): boolean {
  return isEventType(type) && catalogue[type].kind === 'notification'
}

/** An event no route matches is treated like an unknown type (`--unknown-events`). */
function unrouted(type: string, policy: 'reject' | 'acknowledge'): Reply {
  if (policy === 'acknowledge') return new Reply(200, OK, true)
  throw new AghanimWebhookError('unknown_event_type', `No --forward-to route matches ${type}.`)
}
