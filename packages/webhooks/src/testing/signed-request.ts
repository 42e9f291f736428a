import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../headers.js'
import { sign } from '../sign.js'

export interface SignedRequestInit {
  secret: string
  /** An event object (serialized with JSON.stringify) or the exact body bytes/text to send. */
  event?: unknown
  body?: Uint8Array | string
  url?: string
  /** Unix seconds; defaults to now. */
  timestamp?: number | string
  /** Extra headers, or overrides (set a signature header to `undefined`-like '' to test failures). */
  headers?: Record<string, string>
}

/**
 * Builds a `Request` signed exactly as Aghanim signs it, for your own tests.
 *
 * @example
 * const response = await handle(await signedRequest({ secret, event: fixtureEvent('item.add') }))
 */
export async function signedRequest(init: SignedRequestInit): Promise<Request> {
  const body = init.body ?? JSON.stringify(init.event)
  const timestamp = init.timestamp ?? Math.floor(Date.now() / 1000)
  const signature = await sign({ secret: init.secret, timestamp, body })
  return new Request(init.url ?? 'http://localhost/webhook', {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Aghanim/0.1.0',
      [SIGNATURE_HEADER]: signature,
      [TIMESTAMP_HEADER]: String(timestamp),
      ...init.headers,
    },
  })
}
