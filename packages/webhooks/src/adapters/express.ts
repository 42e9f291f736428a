// Its declarations name Node types: this loads @types/node for consumers whose tsconfig does not list it
// (TypeScript 6+ loads no @types package by default). Kept in the emitted .d.ts by preserve="true".
/// <reference types="node" preserve="true" />
/**
 * Express adapter (Express 5; any Connect-style framework too). Every adapter exports the same names, so
 * switching framework is an import change.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createNodeListener } from './node/listener.js'
import type { AghanimWebhooksOptions } from './options.js'

export { decline, deny, reply } from '../router/reply.js'
export { createRouter } from '../router/router.js'
export type { AghanimWebhooksOptions } from './options.js'

/** Express's `RequestHandler`, stated structurally so the library needs neither express nor its types. */
export type ExpressHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

/**
 * An Express request handler that reads the raw body itself. Mount it before `express.json()`, or only on
 * its route; if a JSON parser got there first it answers 500 `raw_body_consumed` naming this fix.
 * `express.raw()` in front of it is fine: its Buffer is the exact body.
 *
 * @example
 * const app = express()
 * app.post('/webhook', aghanimWebhooks({ secret: process.env.AGHANIM_WEBHOOK_SECRET!, router }))
 * app.use(express.json()) // the rest of your API
 */
export function aghanimWebhooks<Tx = unknown>(options: AghanimWebhooksOptions<Tx>): ExpressHandler {
  return createNodeListener(options)
}
