// Its declarations name Node types: this loads @types/node for consumers whose tsconfig does not list it
// (TypeScript 6+ loads no @types package by default). Kept in the emitted .d.ts by preserve="true".
/// <reference types="node" preserve="true" />
/**
 * Fastify adapter (Fastify 5). Every adapter exports the same names, so switching framework is an import
 * change.
 */
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import type { AghanimWebhookError } from '../errors.js'
import { createWebhookAnswerer } from '../handler.js'
import { reportOnce } from './misconfiguration.js'
import { answerNodeRequest } from './node/answer.js'
import { closesConnection, lingerBeforeClosing } from './node/response.js'
import type { AghanimWebhooksOptions } from './options.js'

export { decline, deny, reply } from '../router/reply.js'
export { createRouter } from '../router/router.js'

/** The adapter options, plus the route's path (default `/webhook`, under the plugin's prefix). */
export interface FastifyWebhooksOptions<Tx = unknown> extends AghanimWebhooksOptions<Tx> {
  path?: string
}
export type { FastifyWebhooksOptions as AghanimWebhooksOptions }

// What the plugin uses of Fastify, stated structurally so the library needs neither fastify nor its types.
interface FastifyRequestLike {
  raw: IncomingMessage
  body?: unknown
  rawBody?: unknown
  log: { error(object: object, message?: string): void }
}
interface FastifyReplyLike {
  code(status: number): unknown
  header(name: string, value: string | readonly string[]): unknown
  send(payload: string): unknown
}
interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void
  addContentTypeParser(
    type: string,
    parser: (
      request: never,
      payload: IncomingMessage,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): void
  all(
    path: string,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown
}
export type FastifyWebhooksPlugin = (app: FastifyInstanceLike) => Promise<void>

const FIX =
  'register aghanimWebhooks() with app.register() (its own context, with its own raw body parser) and do ' +
  'not read the request stream in onRequest/preParsing hooks that reach it; a hook that keeps the exact ' +
  'bytes may put them in request.rawBody as a Buffer.'

/**
 * A plugin registering the webhook route (`path`, default `/webhook`) in its own encapsulated context, with a
 * content-type parser that hands the untouched stream to the handler — the app's JSON parser never sees it.
 *
 * @example
 * const app = Fastify()
 * await app.register(aghanimWebhooks({ secret: process.env.AGHANIM_WEBHOOK_SECRET!, router }))
 */
export function aghanimWebhooks<Tx = unknown>(options: FastifyWebhooksOptions<Tx>): FastifyWebhooksPlugin {
  const handle = createWebhookAnswerer(options)
  const path = options.path ?? '/webhook'
  let report: ((error: AghanimWebhookError) => void) | undefined
  return async function aghanimWebhooksPlugin(app) {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    app.all(path, async (request, reply) => {
      report ??= reportOnce(
        options.onMisconfiguration ?? ((error) => request.log.error({ err: error }, error.message)),
      )
      const streamed = request.body instanceof Readable
      const answer = await answerNodeRequest(request.raw, {
        handle,
        captured: { rawBody: request.rawBody, body: streamed ? undefined : request.body },
        stream: streamed ? (request.body as Readable) : request.raw,
        fix: FIX,
        report,
      })
      reply.code(answer.status)
      for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value)
      if (closesConnection(request.raw)) {
        reply.header('connection', 'close')
        lingerBeforeClosing(request.raw)
      }
      return reply.send(answer.body)
    })
  }
}
