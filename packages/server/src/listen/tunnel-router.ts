import { AghanimWebhookError, type AnyWebhookEvent, type HandlerContext, type Router } from 'aghanim-webhooks'
import { relayAnswer } from '../forward/relay-answer.js'
import { routerFacade } from '../handlers/router-facade.js'
import type { ListenHub } from './listen-hub.js'

export interface TunnelDeps {
  hub: ListenHub
  /** The delivery id the recorder will log this request under (the laptop gets it, the answer is kept under it). */
  deliveryId: (headers: Headers) => string
  replayOf: (headers: Headers) => string | null
  now: () => number
}

/**
 * `--listen-mode tunnel`: above every other handler (the studio's, the ledger, forward mode), an event a connected
 * listener takes is answered with the laptop's answer, relayed as forward mode relays its backend's: a 2xx or 4xx is
 * stored under the idempotency key (a duplicate gets it without reaching the laptop again), a decision event's 2xx
 * only if it is the documented answer; no answer in time, a local receiver that is down, a 5xx or a listener that
 * left is a 502/504 that releases the key, so Aghanim's retry reaches the laptop again. With no listener taking the
 * event, the server's own handlers answer. Internal.
 */
export function withTunnel<Tx>(router: Router<Tx>, deps: TunnelDeps): Router<Tx> {
  const tunnel = async (event: AnyWebhookEvent, context: HandlerContext<Tx>): Promise<unknown> => {
    const data = event.event_data as { player_id?: unknown } | undefined
    const result = await deps.hub.tunnel({
      deliveryId: deps.deliveryId(context.headers),
      eventType: event.event_type,
      eventId: event.event_id,
      playerId: typeof data?.player_id === 'string' ? data.player_id : null,
      key: context.key,
      attempt: context.attempt,
      duplicate: false,
      replayOf: deps.replayOf(context.headers),
      receivedAt: deps.now(),
      body: context.body,
    })
    if (result === undefined) {
      // The listener left between routing and now: the server's own handler answers, as with no listener.
      const own = router.resolve(event.event_type)
      if (!own)
        throw new AghanimWebhookError('unhandled_event', `No handler is registered for ${event.event_type}.`)
      return own(event, context)
    }
    if ('failure' in result) {
      const code = result.failure.kind === 'timeout' ? 'upstream_timeout' : 'upstream_failed'
      throw new AghanimWebhookError(code, `listen: ${result.failure.message}`)
    }
    return relayAnswer(event.event_type, result.answer)
  }
  return routerFacade(
    router,
    (type) => (deps.hub.wants(type) ? tunnel : router.resolve(type)),
    () => router.errorHooks,
  )
}
