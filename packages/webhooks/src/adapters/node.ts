// Its declarations name Node types: this loads @types/node for consumers whose tsconfig does not list it
// (TypeScript 6+ loads no @types package by default). Kept in the emitted .d.ts by preserve="true".
/// <reference types="node" preserve="true" />
/**
 * node:http / node:https / HTTP/2-compatibility adapter. Every adapter exports the same names, so switching
 * framework is an import change.
 */
import { createNodeListener, type NodeListener } from './node/listener.js'
import type { AghanimWebhooksOptions } from './options.js'

export { decline, deny, reply } from '../router/reply.js'
export { createRouter } from '../router/router.js'
export type { NodeListener } from './node/listener.js'
export type { AghanimWebhooksOptions } from './options.js'

/**
 * A request listener for node:http, node:https or `http2.createSecureServer({ allowHTTP1: true })`, which
 * also works as a connect-style middleware `(req, res, next)`. It reads the raw body itself.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { aghanimWebhooks, createRouter } from 'aghanim-webhooks/node'
 * const router = createRouter().on('item.add', (event) => grant(event.event_data))
 * createServer(aghanimWebhooks({ secret: process.env.AGHANIM_WEBHOOK_SECRET!, router })).listen(8000)
 */
export function aghanimWebhooks<Tx = unknown>(options: AghanimWebhooksOptions<Tx>): NodeListener {
  return createNodeListener(options)
}
