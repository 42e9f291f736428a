/**
 * Hono adapter, and a plain fetch handler for any fetch runtime (Bun, Deno, Cloudflare Workers, Next.js
 * route handlers). Every adapter exports the same names, so switching framework is an import change.
 * Runtime-neutral: WebCrypto, no Node built-ins.
 */
import { errorAnswer, toResponse } from '../answer.js'
import type { AghanimWebhookError } from '../errors.js'
import { createWebhookHandler } from '../handler.js'
import { defaultReport, rawBodyConsumed, reportOnce } from './misconfiguration.js'
import type { AghanimWebhooksOptions } from './options.js'

export { decline, deny, reply } from '../router/reply.js'
export { createRouter } from '../router/router.js'
export type { AghanimWebhooksOptions } from './options.js'

/** What the adapter uses of Hono's `Context`, stated structurally so the library needs neither hono nor its types. */
export interface HonoContextLike {
  // Hono types its body cache as values; at run time they are promises. Both are accepted.
  req: {
    raw: Request
    bodyCache?: { arrayBuffer?: ArrayBuffer | Promise<ArrayBuffer>; blob?: Blob | Promise<Blob> }
  }
}

/** A Hono handler and a fetch handler in one: `(c) => Response` for Hono, `(request) => Response` elsewhere. */
export interface FetchWebhooksHandler {
  (c: HonoContextLike): Promise<Response>
  // Last, because tooling that inspects one signature (Next.js' route type check) reads the last one.
  (request: Request): Promise<Response>
}

const FIX =
  'mount aghanimWebhooks() before middleware that reads the body (c.req.json(), c.req.text(), a json ' +
  'validator), or only on this route; middleware that needs the body can use c.req.arrayBuffer(), which ' +
  'keeps the exact bytes.'

/**
 * The webhook handler for Hono (`app.post('/webhook', aghanimWebhooks(...))`) or any fetch runtime.
 * If middleware already read the body, it reuses the exact bytes Hono cached (`c.req.arrayBuffer()`/`blob()`)
 * and otherwise answers 500 `raw_body_consumed` naming the fix.
 *
 * @example
 * const app = new Hono()
 * app.post('/webhook', aghanimWebhooks({ secret: env.AGHANIM_WEBHOOK_SECRET, router }))
 * // Bun.serve({ fetch: aghanimWebhooks(options) }) · Next.js: export const POST = aghanimWebhooks(options)
 */
export function aghanimWebhooks<Tx = unknown>(options: AghanimWebhooksOptions<Tx>): FetchWebhooksHandler {
  const handle = createWebhookHandler(options)
  const report = reportOnce(options.onMisconfiguration ?? defaultReport)
  return async (input: Request | HonoContextLike) => {
    // Duck-typed rather than `instanceof Request`, which fails across realms (and for Request polyfills).
    const request = 'req' in input ? input.req.raw : input
    if (!request.bodyUsed || request.method !== 'POST') return handle(request)
    const cached = 'req' in input ? await exactCachedBody(input) : undefined
    if (cached) return handle(new Request(request, { body: cached }))
    const error: AghanimWebhookError = rawBodyConsumed('Middleware read the body as text or JSON first', FIX)
    report(error)
    return toResponse(errorAnswer(error))
  }
}

// Only the binary caches hold the exact bytes; Hono's text/JSON caches went through a UTF-8 decode.
async function exactCachedBody(c: HonoContextLike): Promise<ArrayBuffer | Blob | undefined> {
  const cache = c.req.bodyCache
  return (await cache?.arrayBuffer) ?? (await cache?.blob)
}
