import { AghanimWebhookError } from './errors.js'
import type { IncomingRequest } from './handler.js'
import { headerOf } from './headers.js'

/** 1 MiB: far above any documented Aghanim event, far below what would hurt the process. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * Reads a request body as raw bytes, refusing (413) as soon as it exceeds `maxBytes` — before buffering it
 * all, so an oversized or endless upload cannot take memory. Internal.
 */
export function readBody(
  request: IncomingRequest & Partial<Pick<Request, 'body' | 'bodyUsed'>>,
  maxBytes: number,
): Promise<Uint8Array> {
  const declared = Number(headerOf(request, 'content-length') ?? Number.NaN)
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes))
  const direct = (request as WithDirectBody)[directBody]
  if (direct) {
    // Read once; dropping the reader at once frees the socket's request, which it holds.
    ;(request as WithDirectBody)[directBody] = undefined
    // Not an async function: the socket's promise itself, one microtask turn sooner for every delivery.
    return direct(maxBytes).catch(incompleteBody)
  }
  return readWebBody(request, maxBytes)
}

async function readWebBody(
  request: Partial<Pick<Request, 'body' | 'bodyUsed'>>,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0)
  if (request.bodyUsed)
    throw new AghanimWebhookError('raw_body_consumed', 'The request body was already read.')
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read().catch(incompleteBody)
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/** Reads the body of one request, refusing (413) past `maxBytes`. */
export type DirectBody = (maxBytes: number) => Promise<Uint8Array>

// Profiling the Node adapters showed a third of the library's CPU in web streams, Request and Response
// objects around each 1 KiB body. A Node adapter passes a body-less request and reads the socket itself.
// The reader rides on the request under a private symbol: a WeakMap entry per request cost more.
const directBody = Symbol('directBody')
type WithDirectBody = { [directBody]?: DirectBody | undefined }

/** Makes `readBody(request)` read through `body` instead of `request.body`. Internal to the Node adapters. */
export function attachDirectBody<R extends IncomingRequest>(request: R, body: DirectBody): R {
  ;(request as R & WithDirectBody)[directBody] = body
  return request
}

// The client went away mid-body (or its stream broke): its failure, not the server's, so a 4xx that nobody
// reads rather than a 500 that pages someone.
function incompleteBody(cause: unknown): never {
  if (cause instanceof AghanimWebhookError) throw cause
  throw new AghanimWebhookError('incomplete_body', undefined, { cause })
}

export function tooLarge(maxBytes: number): AghanimWebhookError {
  return new AghanimWebhookError('body_too_large', `The body is larger than ${maxBytes} bytes.`)
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes as `new TextDecoder('utf-8', { fatal: true })` does: one leading BOM dropped, invalid bytes throw. */
export type StrictUtf8Decoder = (bytes: Uint8Array) => string

/** The web-standard decoder, and what another decoder does for bytes that are not UTF-8. */
export const webStrictUtf8: StrictUtf8Decoder = (bytes) => strictUtf8.decode(bytes)

let strictDecoder = webStrictUtf8

/** Lets the Node adapters install node's faster decoder, which gives the same result. Internal. */
export function setStrictUtf8Decoder(decoder: StrictUtf8Decoder): void {
  strictDecoder = decoder
}

/** Decodes UTF-8 strictly: a body with invalid bytes is rejected rather than silently altered. Internal. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return strictDecoder(body)
  } catch (cause) {
    throw new AghanimWebhookError('invalid_encoding', 'The body is not valid UTF-8.', { cause })
  }
}
