import type { DeliveryInput } from 'aghanim-webhooks/store'
import type { AppendBatch, BatchRecord } from './protocol.js'

/** A record to frame: as appended, with its id given. */
export type FrameInput = DeliveryInput & { id: string }

const encoder = new TextEncoder()

/**
 * Lays out a batch as its segment bytes: per record its headers (JSON), raw body and answer body, back to
 * back, in `spare` when it is large enough (a buffer the writer handed back: no fresh memory to fault in per
 * batch), else in a new buffer. Each body is copied once, here; the writer writes the bytes as they are.
 */
export function encodeFrames(records: readonly FrameInput[], spare?: ArrayBuffer): AppendBatch {
  const headers = records.map((record) => JSON.stringify(record.headers))
  let bound = 0
  for (const [index, record] of records.entries())
    bound += headers[index]!.length * 3 + bodyBound(record.body) + record.responseBody.length * 3
  const frames = new Uint8Array(spare && spare.byteLength >= bound ? spare : new ArrayBuffer(roomFor(bound)))
  let at = 0
  const encoded = records.map((record, index): BatchRecord => {
    const position = at
    const headersLength = encoder.encodeInto(headers[index]!, frames.subarray(at)).written
    at += headersLength
    let bodyLength = -1
    if (typeof record.body === 'string') {
      bodyLength = encoder.encodeInto(record.body, frames.subarray(at)).written
    } else if (record.body) {
      frames.set(record.body, at)
      bodyLength = record.body.length
    }
    at += Math.max(0, bodyLength)
    const responseLength = encoder.encodeInto(record.responseBody, frames.subarray(at)).written
    at += responseLength
    return {
      id: record.id,
      receivedAt: record.receivedAt,
      method: record.method,
      path: record.path,
      outcome: record.outcome,
      eventId: record.eventId ?? null,
      eventType: record.eventType ?? null,
      key: record.key ?? null,
      playerId: record.playerId ?? null,
      status: record.status,
      durationMs: record.durationMs,
      attempt: record.attempt,
      duplicate: record.duplicate,
      replayOf: record.replayOf ?? null,
      game: record.game ?? null,
      sandbox: record.sandbox === true,
      position,
      headersLength,
      bodyLength,
      responseLength,
    }
  })
  return { records: encoded, frames: frames.subarray(0, at) }
}

function bodyBound(body: FrameInput['body']): number {
  if (typeof body === 'string') return body.length * 3
  return body?.length ?? 0
}

/** A quarter more than needed, in whole 64 KiB: a batch a little larger than this one still fits in it. */
function roomFor(bound: number): number {
  const unit = 64 * 1024
  return Math.ceil((bound * 1.25) / unit) * unit
}
