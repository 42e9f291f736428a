import type { Router } from 'aghanim-webhooks'

/** Where a facade's registrations go: `on`, `onAny` and `onError` as a router takes them (a router will do). */
export interface Registrar<Tx> {
  on: Router<Tx>['on']
  onAny(handler: Parameters<Router<Tx>['onAny']>[0]): unknown
  onError(hook: Parameters<Router<Tx>['onError']>[0]): unknown
}

/**
 * A `Router` over the server's own routing: registrations are passed to `registrar` (each call returns the
 * facade, so they chain), handlers come from `resolve` and hooks from `errorHooks`, read at each call. The
 * studio's layered router and the listen tunnel are both made with it. Internal.
 *
 * @example
 * const wrapped = routerFacade(router, (type) => override(type) ?? router.resolve(type), () => router.errorHooks)
 */
export function routerFacade<Tx>(
  registrar: Registrar<Tx>,
  resolve: Router<Tx>['resolve'],
  errorHooks: () => Router<Tx>['errorHooks'],
): Router<Tx> {
  const facade: Router<Tx> = {
    on: ((types: unknown, handler: unknown) => {
      ;(registrar.on as (types: unknown, handler: unknown) => unknown)(types, handler)
      return facade
    }) as Router<Tx>['on'],
    onAny(handler) {
      registrar.onAny(handler)
      return facade
    },
    onError(hook) {
      registrar.onError(hook)
      return facade
    },
    resolve,
    get errorHooks() {
      return errorHooks()
    },
  }
  return facade
}
