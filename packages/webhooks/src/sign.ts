import { toHex } from './crypto/hex.js'
import { getDefaultEngine, type HmacEngine } from './crypto/hmac.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './headers.js'

const encoder = new TextEncoder()
const DOT = encoder.encode('.')

export interface SignInput {
  /** The webhook's secret (Dashboard → Webhooks), as text. */
  secret: string
  /** Unix seconds, or the literal header value to sign (kept as given, e.g. with leading zeros). */
  timestamp: number | string
  /** The exact body bytes that will be sent. A string is encoded as UTF-8. */
  body: Uint8Array | string
  /** Injected HMAC engine; defaults to node:crypto on Node entry points, WebCrypto elsewhere. */
  engine?: HmacEngine
}

/**
 * Computes the `x-aghanim-signature` value: lowercase hex HMAC-SHA256 of `${timestamp}.${body}`.
 *
 * @example
 * const signature = await sign({ secret: 'test_secret', timestamp: 1725548450, body: rawBody })
 */
export async function sign(input: SignInput): Promise<string> {
  const engine = input.engine ?? getDefaultEngine()
  const body = typeof input.body === 'string' ? encoder.encode(input.body) : input.body
  const digest = await engine.hmacSha256(input.secret, [encoder.encode(String(input.timestamp)), DOT, body])
  return toHex(digest)
}

/**
 * The two signature headers Aghanim would send for `body`, ready to spread into a `fetch` call.
 *
 * @example
 * await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(await signedHeaders({ secret, timestamp, body })) } })
 */
export async function signedHeaders(input: SignInput): Promise<Record<string, string>> {
  return { [SIGNATURE_HEADER]: await sign(input), [TIMESTAMP_HEADER]: String(input.timestamp) }
}
