import type { Readable } from 'node:stream'
import { tooLarge } from '../../body.js'

/** Where the exact body bytes are. Internal to the Node adapters. */
export type RawBody = { bytes: Uint8Array } | { stream: Readable } | { consumed: string }

/**
 * Finds the exact body: bytes a raw parser already captured (`rawBody`, or a Buffer `body` from
 * express.raw()), else the untouched stream. A stream that was read, or a `body` parsed into something
 * else, means the signed bytes are gone.
 */
export function findRawBody(captured: { rawBody?: unknown; body?: unknown }, stream: Readable): RawBody {
  if (captured.rawBody instanceof Uint8Array) return { bytes: captured.rawBody }
  if (captured.body instanceof Uint8Array) return { bytes: captured.body }
  // Express 4's body parsers leave `body = {}` on requests they skip, so the stream decides, not `body`.
  if (!stream.readableDidRead && !stream.readableEnded) return { stream }
  if (typeof captured.body === 'string')
    return { consumed: 'A text parser read the body into a string first' }
  if (captured.body !== undefined) return { consumed: 'A body parser read the body into an object first' }
  return { consumed: 'Something read the request stream first' }
}

/**
 * Reads a node stream's whole body into bytes, refusing (413) as soon as it exceeds `maxBytes`: the rest is
 * discarded as it arrives, never buffered (the connection is then closed, see `closesConnection`). A client
 * that disconnects mid-body, or a stream error, rejects; nothing throws.
 */
export function readNodeBody(source: Readable, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    let settled = false
    const settle = (finish: () => void) => {
      if (settled) return
      settled = true
      source.off('data', onData)
      finish()
    }
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength
      if (total <= maxBytes) chunks.push(chunk)
      // Flowing with no data listener: the rest of an oversized body is dropped as it arrives, not buffered.
      else
        settle(() => {
          source.resume()
          reject(tooLarge(maxBytes))
        })
    }
    source.on('data', onData)
    source.on('end', () =>
      settle(() => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total))),
    )
    // Stays attached after settling: an 'error' with no listener would crash the process.
    source.on('error', (error) => settle(() => reject(error)))
    source.on('close', () => {
      if (source.readableEnded) return
      settle(() => reject(new Error('The client disconnected before the whole body arrived.')))
    })
  })
}

/** The exact body a framework already captured, held to the same limit. */
export function capturedBody(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  return bytes.byteLength > maxBytes ? Promise.reject(tooLarge(maxBytes)) : Promise.resolve(bytes)
}
