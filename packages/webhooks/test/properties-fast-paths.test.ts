// The delivery path's shortcuts give exactly what the slow, obvious code gives: each schema's quick test
// against its full check, the Node adapters' raw-header reader against web `Headers`, node's UTF-8 decoder
// against the strict `TextDecoder`. Each shortcut is only worth having if no input tells them apart.
import type { IncomingMessage } from 'node:http'
import { catalogue, eventTypes, fixtureEvent, headerRecord, type Schema, s } from 'aghanim-webhooks'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toIncomingRequest } from '../src/adapters/node/request.js'
import { playerVerifyAnswer, storeGetAnswer } from '../src/events/answers.js'
import { envelopeSchema } from '../src/events/envelope.js'
import { nodeStrictUtf8 } from '../src/utf8/node.js'
import { webStrictUtf8 } from '../src/utf8/web.js'

/** What `check` alone says, with no quick test in front of it. */
function checkAlone(schema: Schema<unknown>, value: unknown): boolean {
  const context = { path: [], issues: [], depth: 0 }
  try {
    schema.check(value, context)
  } catch {
    return false
  }
  return context.issues.length === 0
}

/** An event whose value somewhere (envelope or event_data, any depth) was replaced by arbitrary JSON. */
const mutatedEvent = fc
  .record({
    type: fc.constantFrom(...eventTypes),
    steps: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
  })
  .map(({ type, steps, value }) => {
    const event = JSON.parse(JSON.stringify(fixtureEvent(type))) as Record<string, unknown>
    let target: Record<string, unknown> = event
    for (const [index, step] of steps.entries()) {
      const keys = Object.keys(target)
      if (keys.length === 0) break
      const key = keys[step % keys.length]!
      const next = target[key]
      if (index === steps.length - 1 || typeof next !== 'object' || next === null) {
        target[key] = value
        break
      }
      target = next as Record<string, unknown>
    }
    return { type, event }
  })

describe('schema quick tests', () => {
  it('accept exactly what the full check accepts, for every event type and mutated events', () => {
    fc.assert(
      fc.property(mutatedEvent, ({ type, event }) => {
        expect(envelopeSchema.parse(event).ok).toBe(checkAlone(envelopeSchema, event))
        const data = catalogue[type].data as Schema<unknown>
        expect(data.parse(event.event_data).ok).toBe(checkAlone(data, event.event_data))
      }),
      { numRuns: 2000 },
    )
  })

  it('accept exactly what the full check accepts for answers and arbitrary JSON', () => {
    const schemas: Schema<unknown>[] = [
      playerVerifyAnswer,
      storeGetAnswer,
      s.union(s.string({ minLength: 2, maxLength: 4 }), s.integer(), s.literal(null)),
      s.array(s.nullable(s.enum(['a', 'b']))),
    ]
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(schemas.length - 1), (value, which) => {
        const schema = schemas[which]!
        expect(schema.parse(value).ok).toBe(checkAlone(schema, value))
      }),
      { numRuns: 2000 },
    )
  })

  it('agree on the depth cap of recursive schemas', () => {
    type Node = { children?: Node[] | null }
    const tree: Schema<Node> = s.object({
      children: s.optional(s.nullable(s.array(s.lazy((): Schema<Node> => tree)))),
    })
    for (const depth of [30, 31, 32, 33, 40]) {
      let value: Node = {}
      for (let i = 0; i < depth; i++) value = { children: [value] }
      expect(tree.parse(value).ok).toBe(checkAlone(tree, value))
    }
  })
})

const headerName = fc.oneof(
  fc.constantFrom(
    'x-aghanim-signature',
    'X-Aghanim-Signature',
    'x-aghanim-signature-timestamp',
    'Content-Length',
    'content-length',
    ':authority',
    'Host',
    '\u212Aey',
  ),
  fc.string({ maxLength: 6 }),
)
const headerValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(' 12 ', '\t3\t', 'a\r\nb', 'a\u0000b', 'é', '\u0100', '', ' ', '\n'),
)

describe('the Node adapters read a header as web Headers would', () => {
  it('for any raw headers: the same value, repeats joined, refused values skipped', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }), (pairs) => {
        const req = { method: 'POST', url: '/', rawHeaders: pairs.flat(), headers: {}, socket: null }
        const request = toIncomingRequest(req as unknown as IncomingMessage)
        for (const name of [
          'x-aghanim-signature',
          'x-aghanim-signature-timestamp',
          'content-length',
          'key',
        ]) {
          expect(request.header?.(name)).toBe(request.headers.get(name))
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe("a delivery's header record from the raw lines", () => {
  it('for any raw headers: what web Headers list, repeats joined, refused fields left out', () => {
    const names = fc.oneof(
      headerName,
      fc.constantFrom('__proto__', 'constructor', 'a b', 'Cookie', 'cookie', 'Set-Cookie', 'set-cookie'),
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(names, headerValue), { maxLength: 8 }), (pairs) => {
        const req = { method: 'POST', url: '/', rawHeaders: pairs.flat(), headers: {}, socket: null }
        const request = toIncomingRequest(req as unknown as IncomingMessage)
        const fromLines = headerRecord({ rawHeaders: request.rawHeaders, headers: request.headers })
        const fromHeaders = headerRecord({ headers: request.headers })
        const sorted = (record: Record<string, string>) =>
          Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        expect(sorted(fromLines)).toEqual(sorted(fromHeaders))
      }),
      { numRuns: 3000 },
    )
  })
})

describe("node's strict UTF-8 decoder", () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 16 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }).map((text) => new TextEncoder().encode(text)),
    fc.uint8Array({ maxLength: 8 }).map((tail) => Uint8Array.from([0xef, 0xbb, 0xbf, ...tail])),
  )

  it('decodes, drops a BOM and refuses exactly as TextDecoder with fatal does', () => {
    fc.assert(
      fc.property(bytes, fc.nat(4), (raw, offset) => {
        // A view into a larger buffer, as node's body chunks are.
        const padded = new Uint8Array(raw.length + offset + 2)
        padded.set(raw, offset)
        const view = padded.subarray(offset, offset + raw.length)
        const web = attempt(() => webStrictUtf8(view))
        const node = attempt(() => nodeStrictUtf8(view))
        expect(node).toEqual(web)
      }),
      { numRuns: 3000 },
    )
  })
})

function attempt(decode: () => string): { text: string } | { error: string } {
  try {
    return { text: decode() }
  } catch (error) {
    return { error: (error as Error).message }
  }
}
