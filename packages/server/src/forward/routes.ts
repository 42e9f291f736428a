import { matchesPattern } from 'aghanim-webhooks'
import type { ForwardConfig, ForwardRoute } from './forward-config.js'

/** The first `--forward-to` route whose pattern matches the event type (`*`, `item.*`, `item.add`). Internal. */
export function routeFor(routes: readonly ForwardRoute[], eventType: string): ForwardRoute | undefined {
  return routes.find((route) => route.pattern === '*' || matchesPattern(route.pattern, eventType))
}

/** The routes of a delivery: `--forward-sandbox-to`'s for a sandbox one when there are any, else `--forward-to`'s. */
export function routesOf(config: ForwardConfig, sandbox: boolean): readonly ForwardRoute[] {
  return sandbox && config.sandboxRoutes.length > 0 ? config.sandboxRoutes : config.routes
}

/** Whether a stored (verified) body is a sandbox delivery's: what the outbox knows of it. Internal. */
export function isSandboxBody(body: Uint8Array): boolean {
  try {
    return (JSON.parse(new TextDecoder().decode(body)) as { sandbox?: unknown } | null)?.sandbox === true
  } catch {
    return false
  }
}
