import { matchesPattern } from 'aghanim-webhooks'
import type { ForwardRoute } from './forward-config.js'

/** The first `--forward-to` route whose pattern matches the event type (`*`, `item.*`, `item.add`). Internal. */
export function routeFor(routes: readonly ForwardRoute[], eventType: string): ForwardRoute | undefined {
  return routes.find((route) => route.pattern === '*' || matchesPattern(route.pattern, eventType))
}
