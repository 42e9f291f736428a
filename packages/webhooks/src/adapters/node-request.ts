import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import type { IncomingRequest } from '../handler.js'

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
class NodeIncomingRequest implements IncomingRequest {
  readonly method: string
  readonly #req: NodeRequest
  // Read now: a framework may rewrite `req.url` once the request has moved on (Express strips mount paths).
  readonly #path: string
  #url: string | undefined
  #headers: Headers | undefined

  constructor(req: NodeRequest) {
    this.method = req.method ?? 'GET'
    this.#req = req
    this.#path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  }

  get url(): string {
    this.#url ??= urlOf(this.#req, this.#path)
    return this.#url
  }

  get headers(): Headers {
    this.#headers ??= webHeaders(this.#req.rawHeaders)
    return this.#headers
  }

  header(name: string): string | null {
    return rawHeader(this.#req.rawHeaders, name)
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

/**
 * `webHeaders(raw).get(name)` for a lower-case header `name`, without building the `Headers`: the values of
 * every field of that name, trimmed of HTTP whitespace, joined with ", "; a value `Headers` would refuse
 * (NUL, CR or LF inside, a character above U+00FF) is skipped as `webHeaders` skips it.
 */
export function rawHeader(raw: readonly string[], name: string): string | null {
  let joined: string | null = null
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i]!
    if (field.length !== name.length || field.toLowerCase() !== name || !isAscii(field)) continue
    const value = fetchHeaderValue(raw[i + 1]!)
    if (value === undefined) continue
    joined = joined === null ? value : `${joined}, ${value}`
  }
  return joined
}

function fetchHeaderValue(value: string): string | undefined {
  let start = 0
  let end = value.length
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--
  while (end > start && isHttpWhitespace(value.charCodeAt(start))) start++
  for (let i = start; i < end; i++) {
    const code = value.charCodeAt(i)
    if (code === 0 || code === 10 || code === 13 || code > 255) return undefined
  }
  return start === 0 && end === value.length ? value : value.slice(start, end)
}

function isHttpWhitespace(code: number): boolean {
  return code === 9 || code === 10 || code === 13 || code === 32
}

// A name that lower-cases to an ASCII one without being ASCII (the Kelvin sign K) is no HTTP token.
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}

// The URL is only informational (delivery log); a hostile Host header must not make it throw.
function urlOf(req: NodeRequest, path: string): string {
  const headers = req.headers as Record<string, string | string[] | undefined>
  const secure = (req.socket as { encrypted?: boolean } | null)?.encrypted === true
  const scheme = headers[':scheme'] ?? (secure ? 'https' : 'http')
  const host = headers[':authority'] ?? headers.host ?? 'localhost'
  const url = `${scheme}://${host}${path}`
  return URL.canParse(url) ? url : `${scheme}://localhost/`
}
