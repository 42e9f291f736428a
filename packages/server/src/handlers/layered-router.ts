import { AghanimWebhookError, createRouter, type RouteHandler, type Router } from 'aghanim-webhooks'
import { routerFacade } from './router-facade.js'

type AnyHandler<Tx> = RouteHandler<Tx>
type FallbackHandler<Tx> = Parameters<Router<Tx>['onAny']>[0]

/** A layer under the studio's router: its specific handlers, and what it does with everything else. */
export interface RouterLayer<Tx> {
  router: Router<Tx>
  fallback?: FallbackHandler<Tx>
}

/**
 * The router a `--handlers` module registers on. A studio registration replaces the same kind of registration
 * below it instead of throwing: `on('item.add')` (or `on('order.*')`) wins over the ledger's handler for those
 * types, and `onAny` replaces the ledger's record-everything fallback. Resolution order: studio exact/pattern →
 * each lower layer's exact/pattern → studio `onAny` → lower fallbacks. `defaults` resolves the lower layers only,
 * so a studio handler can still call the ledger's. Internal.
 *
 * @example
 * const { router, defaults } = createLayeredRouter([{ router: ledgerRouter, fallback: recordEvent }])
 */
export function createLayeredRouter<Tx>(layers: readonly RouterLayer<Tx>[]): {
  router: Router<Tx>
  defaults: Router<Tx>
} {
  const own = createRouter<Tx>()
  let ownFallback: FallbackHandler<Tx> | undefined
  const lowerSpecific = (type: string) => {
    for (const layer of layers) {
      const handler = layer.router.resolve(type)
      if (handler) return handler
    }
    return undefined
  }
  const lowerFallback = layers.find((layer) => layer.fallback)?.fallback as AnyHandler<Tx> | undefined
  const lowerHooks = () => layers.flatMap((layer) => layer.router.errorHooks)

  const router = routerFacade<Tx>(
    {
      on: own.on,
      onAny(handler) {
        if (ownFallback)
          throw new AghanimWebhookError('invalid_config', 'A handler for onAny is already registered.')
        ownFallback = handler
      },
      onError: own.onError,
    },
    (type) =>
      own.resolve(type) ??
      lowerSpecific(type) ??
      (ownFallback as AnyHandler<Tx> | undefined) ??
      lowerFallback,
    () => [...own.errorHooks, ...lowerHooks()],
  )
  const readOnly = (): never => {
    throw new AghanimWebhookError(
      'invalid_config',
      'The default handlers are read-only: register on the router you were given.',
    )
  }
  const defaults: Router<Tx> = {
    on: readOnly,
    onAny: readOnly,
    onError: readOnly,
    resolve: (type) => lowerSpecific(type) ?? lowerFallback,
    get errorHooks() {
      return lowerHooks()
    },
  }
  return { router, defaults }
}
