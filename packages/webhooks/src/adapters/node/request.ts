import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import { rawHeader } from '../../headers.js'
import type { IncomingRequest } from '../../request.js'

/** A node:http, node:https or HTTP/2-compatibility request (and so Express's and Fastify's raw requests). */
export type NodeRequest = IncomingMessage | Http2ServerRequest

/**
 * What the core handler reads of a request, without building a web `Request` or its body: the Node adapters
 * read the body straight from the socket (`readNodeBody`), which costs far less than a web stream. The core
 * reads its three headers through `header`, straight from node's raw headers; the web `Headers` (HTTP/2
 * pseudo-headers skipped) and the URL are built only if something asks for them, as a delivery log does.
 * Internal to the Node adapters.
 */
export function toIncomingRequest(req: NodeRequest): IncomingRequest {
  return new NodeIncomingRequest(req)
}

// A class, not an object literal with getters: V8 builds one of these far faster, and it is one per request.
// It keeps node's header lines and whether the socket is TLS, not the request: a delivery that outlives the
// request (a log's queue) holds strings, not the socket.
class NodeIncomingRequest implements IncomingRequest {
  readonly method: string
  readonly rawHeaders: readonly string[]
  readonly #secure: boolean
  // Read now: a framework may rewrite `req.url` once the request has moved on (Express strips mount paths).
  readonly #path: string
  #url: string | undefined
  #headers: Headers | undefined

  constructor(req: NodeRequest) {
    this.method = req.method ?? 'GET'
    this.rawHeaders = req.rawHeaders
    this.#secure = (req.socket as { encrypted?: boolean } | null)?.encrypted === true
    this.#path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  }

  get url(): string {
    this.#url ??= urlOf(this.rawHeaders, this.#secure, this.#path)
    return this.#url
  }

  get headers(): Headers {
    this.#headers ??= webHeaders(this.rawHeaders)
    return this.#headers
  }

  header(name: string): string | null {
    return rawHeader(this.rawHeaders, name)
  }
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
function urlOf(raw: readonly string[], secure: boolean, path: string): string {
  const scheme = rawHeader(raw, ':scheme') ?? (secure ? 'https' : 'http')
  const host = rawHeader(raw, ':authority') ?? rawHeader(raw, 'host') ?? 'localhost'
  const url = `${scheme}://${host}${path}`
  return URL.canParse(url) ? url : `${scheme}://localhost/`
}
