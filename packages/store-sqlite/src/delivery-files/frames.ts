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
  const numbers = new Float64Array(records.length * NUMBERS)
  const textLengths = new Int32Array(records.length * TEXTS)
  let texts = ''
  let number = 0
  let text = 0
  for (const [index, record] of records.entries()) {
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
    numbers[number++] = record.receivedAt
    numbers[number++] = record.status
    numbers[number++] = record.durationMs
    numbers[number++] = record.attempt
    numbers[number++] = record.duplicate ? 1 : 0
    numbers[number++] = record.sandbox === true ? 1 : 0
    numbers[number++] = position
    numbers[number++] = headersLength
    numbers[number++] = bodyLength
    numbers[number++] = responseLength
    for (const value of [
      record.id,
      record.method,
      record.path,
      record.outcome,
      record.eventId,
      record.eventType,
      record.key,
      record.playerId,
      record.replayOf,
      record.game,
    ]) {
      if (value === null || value === undefined) textLengths[text++] = -1
      else {
        textLengths[text++] = value.length
        texts += value
      }
    }
  }
  return { count: records.length, numbers, texts, textLengths, frames: frames.subarray(0, at) }
}

/** The numbers and the texts `encodeFrames` writes per record, in the order `batchRecords` reads them. */
const NUMBERS = 10
const TEXTS = 10

/** A batch's records as `encodeFrames` laid them out. */
export function batchRecords({ count, numbers, texts, textLengths }: AppendBatch): BatchRecord[] {
  const records: BatchRecord[] = new Array(count)
  let number = 0
  let lengthAt = 0
  let textAt = 0
  const next = (): string | null => {
    const length = textLengths[lengthAt++]!
    if (length < 0) return null
    textAt += length
    return texts.slice(textAt - length, textAt)
  }
  for (let index = 0; index < count; index++) {
    const receivedAt = numbers[number++]!
    const status = numbers[number++]!
    const durationMs = numbers[number++]!
    const attempt = numbers[number++]!
    const duplicate = numbers[number++] === 1
    const sandbox = numbers[number++] === 1
    const position = numbers[number++]!
    const headersLength = numbers[number++]!
    const bodyLength = numbers[number++]!
    const responseLength = numbers[number++]!
    records[index] = {
      id: next()!,
      method: next()!,
      path: next()!,
      outcome: next()!,
      eventId: next(),
      eventType: next(),
      key: next(),
      playerId: next(),
      replayOf: next(),
      game: next(),
      receivedAt,
      status,
      durationMs,
      attempt,
      duplicate,
      sandbox,
      position,
      headersLength,
      bodyLength,
      responseLength,
    }
  }
  return records
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
