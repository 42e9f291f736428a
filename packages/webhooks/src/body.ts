import { strictUtf8 } from '#runtime'
import { concatBytes } from './bytes.js'
import { AghanimWebhookError } from './errors.js'
import { headerOf } from './headers.js'
import type { DirectBody, IncomingRequest } from './request.js'
import { webStrictUtf8 } from './utf8/web.js'

/** 1 MiB: far above any documented Aghanim event, far below what would hurt the process. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * Reads a request body as raw bytes, refusing (413) as soon as it exceeds `maxBytes` — before buffering it
 * all, so an oversized or endless upload cannot take memory. `direct`, when a Node adapter gives one, reads
 * the socket instead of `request.body` (a Node adapter passes a body-less request). Internal.
 */
export function readBody(
  request: IncomingRequest & Partial<Pick<Request, 'body' | 'bodyUsed'>>,
  maxBytes: number,
  direct: DirectBody | undefined,
): Promise<Uint8Array> {
  const declared = Number(headerOf(request, 'content-length') ?? Number.NaN)
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes))
  // Not an async function: the socket's promise itself, one microtask turn sooner for every delivery.
  if (direct) return direct(maxBytes).catch(incompleteBody)
  return readWebBody(request, maxBytes)
}

async function readWebBody(
  request: Partial<Pick<Request, 'body' | 'bodyUsed'>>,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0)
  if (request.bodyUsed)
    throw new AghanimWebhookError('raw_body_consumed', 'The request body was already read.')
  return readLimited(request.body, maxBytes, tooLarge, incompleteBody)
}

/**
 * The bytes of `stream`, read chunk by chunk and cancelled as soon as they exceed `maxBytes`: then it
 * throws `tooLarge(maxBytes)`, having buffered at most one chunk more than the limit. `readFailed` turns a
 * failed read into the caller's error (by default the stream's own error is thrown). The server downloads
 * batch files with it.
 *
 * @example
 * const bytes = await readLimited(response.body, 1024 * 1024, (max) => new Error(`over ${max} bytes`))
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: (maxBytes: number) => Error,
  readFailed: (cause: unknown) => never = (cause) => {
    throw cause
  },
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read().catch(readFailed)
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total)
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

// node's validator under the `node` export condition (`#runtime`), the web decoder elsewhere: the same result.
const strictDecoder = strictUtf8 ?? webStrictUtf8

/** Decodes UTF-8 strictly: a body with invalid bytes is rejected rather than silently altered. Internal. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return strictDecoder(body)
  } catch (cause) {
    throw new AghanimWebhookError('invalid_encoding', 'The body is not valid UTF-8.', { cause })
  }
}
