import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import type { IncomingRequest } from '../handler.js'

/** A node:http, node:https or HTTP/2-compatibility request (and so Express's and Fastify's raw requests). */
export type NodeRequest = IncomingMessage | Http2ServerRequest

/**
 * What the core handler reads of a request, without building a web `Request` or its body: the Node adapters
 * read the body straight from the socket (`readNodeBody`), which costs far less than a web stream. Headers
 * are copied into web `Headers` (HTTP/2 pseudo-headers skipped). Internal to the Node adapters.
 */
export function toIncomingRequest(req: NodeRequest): IncomingRequest {
  return { method: req.method ?? 'GET', url: urlOf(req), headers: webHeaders(req.rawHeaders) }
}

function webHeaders(raw: readonly string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.startsWith(':')) continue
    try {
      headers.append(name, raw[i + 1]!)
    } catch {
      // Node accepted a header value the Fetch spec refuses; the signature headers are plain ASCII, so
      // dropping it cannot change the verdict, and it must not turn into a 500.
    }
  }
  return headers
}

// The URL is only informational (delivery log); a hostile Host header must not make it throw.
function urlOf(req: NodeRequest): string {
  const headers = req.headers as Record<string, string | string[] | undefined>
  const secure = (req.socket as { encrypted?: boolean } | null)?.encrypted === true
  const scheme = headers[':scheme'] ?? (secure ? 'https' : 'http')
  const host = headers[':authority'] ?? headers.host ?? 'localhost'
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  const url = `${scheme}://${host}${path}`
  return URL.canParse(url) ? url : `${scheme}://localhost/`
}
